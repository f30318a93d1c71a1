// Progressive enhancement of the donation form: the frequency tabs swap the amount presets and
// the button names the gift ("Support $5/month"), all without a reload. The form works without it.

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

function enhance(form) {
  const amounts = JSON.parse(form.dataset.amounts);
  const symbols = JSON.parse(form.dataset.symbols);
  const grid = form.querySelector("[data-presets]");
  const other = form.querySelector("#other_amount");
  const currency = form.querySelector("#currency");
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
