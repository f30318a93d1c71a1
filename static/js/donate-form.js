// Progressive enhancement of the donation form: the button names the gift exactly ("Support
// $5/month") and the amount is checked as the reader types, by the service's own rules and words
// (the form's data-amounts, with the checks the <support-prompt> component exports). The form
// works without it: every tab's presets are in the page, and the server checks everything again.
//
// On a page caches serve (the article's appeal) the form carries no reader's token and goes to the
// donation page (GET). As soon as the reader starts to give, this fetches a token for them (it is
// theirs: Flask-WTF's, tied to their session cookie), and the form then goes straight to Checkout.

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
  return fetchToken;
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

function enhance(form, { checkAmount, buttonLabel, suggestLabel, money, major }) {
  const fetchToken = fetchTokenWhenNeeded(form);
  attributeToTheLastVariant(form);
  const amounts = JSON.parse(form.dataset.amounts);
  const symbols = JSON.parse(form.dataset.symbols);
  const other = form.querySelector('[name="other_amount"]');
  const currency = form.querySelector('[name="currency"]');
  const submit = form.querySelector("[data-submit]");
  const error = form.querySelector("[data-amount-error]");
  const suggestion = form.querySelector("[data-suggestion]");
  form.dataset.enhanced = "";

  const frequency = () => form.querySelector('input[name="frequency"]:checked')?.value || "monthly";
  const symbol = () => symbols[currency.value] || "";
  const picked = () => form.querySelector(`input[name="amount_${frequency()}"]:checked`);

  // The amount as it stands (typed, else the tab's preset) and what the rules say of it.
  const check = () => {
    const rule = amounts[frequency()];
    if (other.value.trim()) return { rule, ...checkAmount(other.value, rule, symbol()) };
    return { rule, ...checkAmount(picked()?.value ?? "", rule, symbol()) };
  };

  // A typed amount is checked as the reader types.
  const update = () => {
    const { rule, minor, problem, nearest } = check();
    submit.textContent = buttonLabel(rule, minor, symbol());
    const visible = Boolean(problem) && Boolean(other.value.trim() || !error.hidden);
    error.hidden = !visible;
    error.textContent = visible ? problem : "";
    if (visible) other.setAttribute("aria-invalid", "true");
    else other.removeAttribute("aria-invalid");
    suggestion.hidden = !(visible && nearest !== null);
    // One link, kept: rebuilt, it would vanish under the click that blurs the field.
    if (!suggestion.hidden) {
      const offer = suggestion.querySelector("[data-suggest]") || suggestion.appendChild(document.createElement("a"));
      offer.href = "#other_amount";
      offer.dataset.suggest = String(nearest);
      offer.textContent = suggestLabel(rule, nearest, symbol());
    }
  };

  const relabel = () => {
    form.querySelectorAll(".amount-grid__input").forEach((input) => {
      const label = form.querySelector(`label[for="${input.id}"]`);
      label.textContent = money(Math.round(Number(input.value) * 100), symbol());
    });
    form.querySelector("[data-symbol]").textContent = symbol();
    form.querySelector('[name="shown_currency"]').value = currency.value;
    update();
  };

  form.addEventListener("change", (event) => {
    if (event.target.name?.startsWith("amount_")) other.value = "";
    update();
  });
  currency.addEventListener("change", relabel);
  other.addEventListener("input", () => {
    if (other.value.trim()) form.querySelectorAll(".amount-grid__input").forEach((input) => (input.checked = false));
    update();
  });
  // The nearest amount the rules take, offered beside one they do not: one click makes it so.
  suggestion.addEventListener("click", (event) => {
    const offer = event.target.closest("[data-suggest]");
    if (!offer) return;
    event.preventDefault();
    other.value = major(Number(offer.dataset.suggest));
    update();
    other.focus();
  });
  // A refused amount still goes to the server, whose error summary then takes the focus.
  form.addEventListener("submit", (event) => {
    if (form.method === "post" || !fetchToken) return;
    event.preventDefault();
    fetchToken().then(() => form.submit());
  });
  update();
}

// The error summary of a refused form takes the focus, so the reader hears what to fix first.
document.querySelector("[data-error-summary]")?.focus();

const forms = document.querySelectorAll("form.donate");
if (forms.length) {
  import(forms[0].dataset.checks).then((checks) => forms.forEach((form) => enhance(form, checks)));
}
