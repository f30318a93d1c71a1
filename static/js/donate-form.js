// Progressive enhancement of the donation form: the frequency tabs swap the amount presets and
// the button names the gift ("Support $5/month"), all without a reload. The form works without it.
//
// On a page caches serve (the article's appeal) the form carries no reader's token and goes to the
// donation page (GET). As soon as the reader starts to give, this fetches a token for them (it is
// theirs: Flask-WTF's, tied to their session cookie), and the form then goes straight to Checkout.

const formatAmount = (minor, symbol) => {
  const major = minor / 100;
  const text = Number.isInteger(major) ? major.toLocaleString("en-US") : major.toFixed(2);
  return `${symbol}${text}`;
};

const toMinor = (text) => {
  const cleaned = text.trim().replace(/^[$€£]/, "").replace(",", ".");
  if (!/^\d+(\.\d{1,2})?$/.test(cleaned)) return null;
  return Math.round(parseFloat(cleaned) * 100);
};

// A form token for this reader, fetched once, when they first reach for the form.
function fetchTokenWhenNeeded(form) {
  const url = form.dataset.tokenUrl;
  if (!url) return;
  let token = null;
  const fetchToken = () => {
    token ??= fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then(({ csrfToken }) => {
        const input = document.createElement("input");
        Object.assign(input, { type: "hidden", name: "csrf_token", value: csrfToken });
        form.prepend(input);
        form.method = "post";
      })
      .catch(() => {
        // No token: the form still goes to the donation page, which has its own.
      });
    return token;
  };
  for (const kind of ["focusin", "pointerdown"]) form.addEventListener(kind, fetchToken, { once: true });
  form.addEventListener("submit", (event) => {
    if (form.method === "post") return;
    event.preventDefault();
    fetchToken().then(() => form.submit());
  });
}

// A gift made here without a prompt's link (the reader came by the menu, say) counts for the
// experiment variant the prompts last showed this browser (support-prompt.js keeps it, with
// ATTRIBUTION_DAYS there): a holdback's gifts can only be counted this way.
const ATTRIBUTION_MS = 30 * 24 * 3600 * 1000;
function attributeToTheLastVariant(form) {
  const variant = form.querySelector('input[name="variant"]');
  if (!variant || variant.value) return;
  try {
    const { seen } = JSON.parse(localStorage.getItem("rr-reader") || "{}");
    if (typeof seen?.variant === "string" && Date.now() - seen.at < ATTRIBUTION_MS) variant.value = seen.variant;
  } catch {
    // No storage, or not ours: the gift counts for no variant.
  }
}

function enhance(form) {
  fetchTokenWhenNeeded(form);
  attributeToTheLastVariant(form);
  const amounts = JSON.parse(form.dataset.amounts);
  const symbols = JSON.parse(form.dataset.symbols);
  const grid = form.querySelector("[data-presets]");
  const other = form.querySelector('[name="other_amount"]');
  const currency = form.querySelector('[name="currency"]');
  const submit = form.querySelector("[data-submit]");
  const symbolSlot = form.querySelector("[data-symbol]");

  const frequency = () => form.querySelector('input[name="frequency"]:checked')?.value || "monthly";
  const symbol = () => symbols[currency.value] || "";

  const chosenAmount = () => {
    const typed = toMinor(other.value);
    if (other.value.trim() && typed) return typed;
    const picked = form.querySelector('input[name="amount"]:checked');
    return picked ? toMinor(picked.value) : amounts[frequency()].default;
  };

  const updateButton = () => {
    submit.textContent = `Support ${formatAmount(chosenAmount(), symbol())}${amounts[frequency()].per}`;
  };

  const renderPresets = () => {
    const { presets, default: preferred } = amounts[frequency()];
    const inputs = grid.querySelectorAll("input");
    const labels = grid.querySelectorAll("label");
    presets.forEach((minor, index) => {
      inputs[index].value = String(minor / 100);
      inputs[index].checked = !other.value.trim() && minor === preferred;
      labels[index].textContent = formatAmount(minor, symbol());
    });
    symbolSlot.textContent = symbol();
    updateButton();
  };

  form.querySelectorAll('input[name="frequency"]').forEach((tab) =>
    tab.addEventListener("change", renderPresets),
  );
  currency.addEventListener("change", renderPresets);
  grid.addEventListener("change", () => {
    other.value = "";
    updateButton();
  });
  other.addEventListener("input", () => {
    if (other.value.trim()) grid.querySelectorAll("input").forEach((input) => (input.checked = false));
    updateButton();
  });
}

document.querySelectorAll("form.donate").forEach(enhance);
