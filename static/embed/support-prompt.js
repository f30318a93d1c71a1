// <support-prompt placement="article-end|banner|overlay" article="slug">: the newsroom's support
// prompts on any page of its sites. The service (/api/prompt) decides what shows; this module only
// draws it, counts what readers do with it (batched beacons), and talks back with a token.
// On our own article pages the end-of-article appeal is server-rendered inside the element, so it
// works without JavaScript; here it is only enhanced.

const endpoint = (path) => new URL(path, import.meta.url).href;
const API = endpoint("/api/prompt");
const EVENTS = endpoint("/api/prompt/events");
const REMIND = endpoint("/api/prompt/remind");
const DISMISS = endpoint("/api/prompt/dismiss");
const FREQUENCIES = [
  ["once", "Once"],
  ["monthly", "Monthly"],
  ["annual", "Annual"],
];

const sheet = new CSSStyleSheet();
sheet.replaceSync(`
:host { display: block; --brand: var(--sp-brand, #0f3d6e); --accent: var(--sp-accent, #c8102e);
  --bg: var(--sp-background, #f4f1ea); --ink: var(--sp-ink, #1a1a1a); --soft: #4a4a4a;
  --focus: #1a73e8; --sans: var(--sp-sans, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, Arial, sans-serif);
  --serif: var(--sp-serif, Georgia, "Times New Roman", serif); color: var(--ink); font-family: var(--sans); }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.appeal { background: var(--bg); border-top: 4px solid var(--brand); padding: 1.75rem 1.25rem 2rem; margin: 3rem 0 0; }
.heading { font: 700 1.05rem/1.3 var(--sans); color: var(--brand); margin: 0 0 1rem; }
.heading:focus { outline: none; } /* focused only to start the dialog's reading order there */
.copy p { font: 1.05rem/1.6 var(--serif); margin: 0 0 1rem; }
.copy p:first-child { font-weight: 700; }
fieldset { border: 0; padding: 0; margin: 0 0 1.25rem; min-width: 0; }
legend { font-weight: 600; margin-bottom: .6rem; padding: 0; }
.tabs { display: grid; grid-template-columns: repeat(3, 1fr); border: 2px solid var(--brand); border-radius: 6px; overflow: hidden; }
.tabs label { text-align: center; padding: .75rem .5rem; font-weight: 600; cursor: pointer; color: var(--brand); background: #fff; }
.tabs label + input + label { border-left: 2px solid var(--brand); }
.radio { position: absolute; opacity: 0; width: 1px; height: 1px; }
.tabs .radio:checked + label { background: var(--brand); color: #fff; }
.radio:focus-visible + label { outline: 3px solid var(--focus); outline-offset: -5px; }
.amounts { display: grid; grid-template-columns: repeat(4, 1fr); gap: .5rem; margin-bottom: .75rem; }
.amounts label { text-align: center; padding: .8rem .25rem; border: 2px solid #767676; border-radius: 6px; background: #fff; font-weight: 600; font-size: 1.1rem; cursor: pointer; }
.amounts .radio:checked + label { border-color: var(--brand); background: #e7eef7; color: #0a2a4d; box-shadow: inset 0 0 0 1px var(--brand); }
.amounts .radio:focus-visible + label { outline-offset: 2px; }
.field { display: flex; flex-direction: column; gap: .35rem; margin-bottom: 1rem; max-width: 22rem; }
.field label { font-weight: 600; font-size: .95rem; }
input[type=text], input[type=email] { font: 1rem/1.4 var(--sans); padding: .65rem .75rem; border: 2px solid #767676; border-radius: 6px; background: #fff; color: var(--ink); width: 100%; }
input[aria-invalid=true] { border-color: #b00020; }
.primary { display: block; width: 100%; font: 600 1.15rem/1.2 var(--sans); color: #fff; background: var(--accent); border: 2px solid var(--accent); border-radius: 4px; padding: .95rem 1rem; cursor: pointer; text-align: center; text-decoration: none; }
.primary:hover { background: #a00c24; border-color: #a00c24; }
.summary, .small { font-size: .88rem; color: var(--soft); text-align: center; margin: .6rem 0 0; }
.later, .supporter { font-size: .95rem; text-align: center; margin: 1.1rem 0 0; }
.supporter { margin-top: .4rem; color: var(--soft); }
.link { font: inherit; color: var(--brand); background: none; border: 0; padding: 0; text-decoration: underline; cursor: pointer; }
a { color: var(--brand); }
.remind { margin-top: 1rem; padding: 1rem; background: #fff; border: 1px solid #c9c3b5; border-radius: 6px; text-align: left; }
.remind p { margin: 0 0 .9rem; }
.check { display: flex; gap: .55rem; align-items: flex-start; margin: .45rem 0; font-size: .95rem; }
.check input { width: 1.2rem; height: 1.2rem; margin: .1rem 0 0; flex: none; accent-color: var(--brand); }
.secondary { font: 600 1rem/1.2 var(--sans); color: var(--brand); background: #fff; border: 2px solid var(--brand); border-radius: 4px; padding: .65rem 1.1rem; cursor: pointer; }
.error { color: #b00020; font-weight: 600; font-size: .92rem; margin: .5rem 0; }
.error:empty { display: none; }
.status { font-weight: 600; color: #1e5e33; margin: 1rem 0 0; }
.status:empty { display: none; }
.close { position: absolute; top: .5rem; right: .5rem; width: 2.75rem; height: 2.75rem; font: 400 1.8rem/1 var(--sans); color: var(--ink); background: transparent; border: 0; border-radius: 50%; cursor: pointer; }
.close:hover { background: rgba(0, 0, 0, .08); }
.banner { position: fixed; left: 0; right: 0; bottom: 0; z-index: 2147483000; background: var(--bg); border-top: 4px solid var(--accent); box-shadow: 0 -4px 18px rgba(0, 0, 0, .15); max-height: 85vh; overflow-y: auto; }
.banner-inner { position: relative; max-width: 1100px; margin: 0 auto; padding: 1.1rem 3.5rem 1.1rem 1.25rem; display: grid; grid-template-columns: 1fr auto; gap: .5rem 2rem; align-items: center; }
.banner .heading { font: 700 1.3rem/1.25 var(--serif); color: var(--ink); margin: 0 0 .35rem; }
.banner-text p { margin: 0; font: 1rem/1.5 var(--serif); }
.banner-actions { display: flex; flex-direction: column; align-items: center; gap: .5rem; min-width: 14rem; }
.banner .remind { grid-column: 1 / -1; }
dialog { width: min(40rem, calc(100vw - 1.5rem)); max-height: calc(100vh - 2rem); padding: 0; border: 0; border-radius: 8px; box-shadow: 0 10px 40px rgba(0, 0, 0, .35); color: var(--ink); }
dialog::backdrop { background: rgba(10, 20, 35, .6); }
dialog .appeal { margin: 0; padding: 2.25rem 1.5rem 1.75rem; }
.after { background: var(--bg); margin: 0 -1.25rem; padding: 0 1.25rem 1.5rem; }
.after .remind { margin-top: 0; }
.thanks { background: var(--bg); border-top: 4px solid #1e7a3c; padding: 1.25rem; margin: 3rem 0 0; text-align: center; font-weight: 600; }
@media (max-width: 600px) {
  .amounts { grid-template-columns: repeat(2, 1fr); }
  .banner-inner { grid-template-columns: 1fr; padding-right: 3.25rem; }
  .banner .heading { font-size: 1.1rem; }
  .banner-actions { min-width: 0; }
}
`);

const esc = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// Events: counted in batches, sent with navigator.sendBeacon so leaving the page loses none.
let token = null;
const queue = [];
let timer = null;

function flush() {
  clearTimeout(timer);
  timer = null;
  if (!queue.length || !token) return;
  const body = JSON.stringify({ token, events: queue.splice(0) });
  navigator.sendBeacon(EVENTS, new Blob([body], { type: "text/plain" }));
}

function track(el, kind) {
  queue.push({ kind, prompt: el.prompt, placement: el.placement, variant: el.variant });
  if (queue.length >= 10) flush();
  else timer ??= setTimeout(flush, 4000);
}

document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());
addEventListener("pagehide", flush);

async function post(url, data) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "include",
    keepalive: true,
    headers: { "Content-Type": "application/json", "X-Prompt-Token": token },
    body: JSON.stringify(data),
  });
  let json = {};
  try {
    json = await response.json();
  } catch {
    // 204 and error pages have no JSON: the status says enough.
  }
  return { ok: response.ok, json };
}

// One request per page: every element that needs a decision joins the same batch.
let waiting = [];
function ask(el) {
  waiting.push(el);
  if (waiting.length === 1) queueMicrotask(decideAll);
}

async function decideAll() {
  const elements = waiting;
  waiting = [];
  const url = new URL(API);
  url.searchParams.set("placements", [...new Set(elements.map((el) => el.placement))].join(","));
  const article = elements.find((el) => el.article)?.article;
  if (article) url.searchParams.set("article", article);
  // Staff can add ?force=1&debug=1 to a page to see why a prompt did or did not show.
  const here = new URLSearchParams(location.search);
  for (const name of ["force", "debug"]) if (here.get(name)) url.searchParams.set(name, here.get(name));
  let data;
  try {
    const response = await fetch(url, { credentials: "include" });
    if (!response.ok) return;
    data = await response.json();
  } catch {
    return; // the service is unreachable: the page simply shows no prompt
  }
  token = data.token;
  if (data.debug) console.info("support-prompt decisions", data.debug);
  for (const el of elements) el.show(data.prompts[el.placement], data.form);
}

const major = (minor) => (minor % 100 ? (minor / 100).toFixed(2) : String(minor / 100));
const money = (minor, symbol) =>
  symbol + (minor / 100).toLocaleString("en-US", { minimumFractionDigits: minor % 100 ? 2 : 0 });

class SupportPrompt extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    this.root = this.attachShadow({ mode: "open" });
    this.root.adoptedStyleSheets = [sheet];
    this.placement = this.getAttribute("placement") || "article-end";
    this.article = this.getAttribute("article") || "";
    if (this.hasAttribute("token")) {
      this.enhance();
    } else {
      ask(this);
    }
  }

  // Our own page rendered the appeal inside the element: keep it, and count what readers do.
  enhance() {
    token ??= this.getAttribute("token");
    this.prompt = this.getAttribute("prompt") || "appeal";
    this.variant = this.getAttribute("variant") || "default";
    this.root.innerHTML = "<slot></slot>";
    if (!this.children.length) return;
    this.watchImpression();
    // "Remind me later" opens in place instead of following the link to the remind-me page.
    const link = this.querySelector("[data-remind-link]");
    if (link && this.hasAttribute("months")) {
      this.form = {
        months: JSON.parse(this.getAttribute("months")),
        snoozeDays: this.getAttribute("snooze-days"),
      };
      this.root.innerHTML = `<slot></slot><div class="after">${this.remindHtml()}</div>`;
      this.root.querySelector("#remind").addEventListener("submit", (event) => this.remind(event));
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const panel = this.root.querySelector("#remind");
        panel.hidden = !panel.hidden;
        link.setAttribute("aria-expanded", String(!panel.hidden));
        if (!panel.hidden) this.root.querySelector("#email").focus();
      });
    }
    const form = this.querySelector("form");
    if (!form) return;
    form.addEventListener("focusin", () => this.opened(), { once: true });
    form.addEventListener("submit", () => {
      track(this, "continue");
      flush();
    });
  }

  opened() {
    if (this.wasOpened) return;
    this.wasOpened = true;
    track(this, "open");
  }

  watchImpression() {
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        observer.disconnect();
        track(this, "impression");
      }
    });
    observer.observe(this);
  }

  show(prompt, form) {
    if (!prompt) return;
    this.prompt = prompt.prompt;
    this.variant = prompt.variant;
    this.copy = prompt;
    this.form = form;
    if (prompt.prompt === "thanks") {
      this.root.innerHTML = `<p class="thanks">${esc(prompt.heading)}</p>`;
    } else if (this.placement === "banner") {
      this.root.innerHTML = this.bannerHtml();
    } else if (this.placement === "overlay") {
      this.root.innerHTML = `<dialog aria-labelledby="heading">${this.appealHtml()}
        <button type="button" class="close" data-close aria-label="Close">×</button></dialog>`;
    } else {
      this.root.innerHTML = this.appealHtml();
    }
    this.wire();
    if (this.placement === "overlay" && prompt.prompt !== "thanks") this.openDialog();
    else if (this.placement === "banner") track(this, "impression");
    else this.watchImpression();
  }

  appealHtml() {
    const { copy, form } = this;
    const paragraphs = copy.paragraphs.map((p) => `<p>${esc(p)}</p>`).join("");
    const tabs = FREQUENCIES.map(
      ([value, label]) =>
        `<input class="radio" type="radio" name="frequency" id="f-${value}" value="${value}"${
          value === form.frequency ? " checked" : ""
        }><label for="f-${value}">${label}</label>`,
    ).join("");
    return `<section class="appeal" aria-labelledby="heading">
      <h2 class="heading" id="heading" tabindex="-1"${this.placement === "overlay" ? " autofocus" : ""}>${esc(copy.heading)}</h2>
      <div class="copy">${paragraphs}</div>
      <form class="choice" novalidate>
        <fieldset><legend class="vh">How often would you like to give?</legend><div class="tabs">${tabs}</div></fieldset>
        <fieldset><legend>Choose an amount</legend><div class="amounts" data-presets></div>
          <div class="field"><label for="other">Other amount</label>
          <input type="text" id="other" inputmode="decimal" autocomplete="off" aria-describedby="summary"></div>
        </fieldset>
        <button type="submit" class="primary" aria-describedby="summary">${esc(copy.button)}</button>
        <p class="summary" id="summary"></p>
      </form>
      ${this.laterHtml()}
    </section>`;
  }

  bannerHtml() {
    const { copy } = this;
    return `<section class="banner" role="region" aria-labelledby="heading"><div class="banner-inner">
      <div class="banner-text"><h2 class="heading" id="heading">${esc(copy.heading)}</h2>
        <p>${esc(copy.paragraphs[0] || "")}</p></div>
      <div class="banner-actions"><a class="primary" data-continue href="${esc(this.supportUrl())}">${esc(copy.button)}</a>
        <p class="small">${esc(copy.remindPrompt)} <button type="button" class="link" data-remind aria-expanded="false" aria-controls="remind">${esc(copy.remindLink)}</button></p></div>
      ${this.remindHtml()}
      <button type="button" class="close" data-close aria-label="Close">×</button>
    </div></section>`;
  }

  laterHtml() {
    const { copy, form } = this;
    return `<p class="later">${esc(copy.remindPrompt)}
        <button type="button" class="link" data-remind aria-expanded="false" aria-controls="remind">${esc(copy.remindLink)}</button></p>
      ${this.remindHtml()}
      <p class="supporter">Already a supporter? <a href="${esc(form.supporterUrl)}">Sign in to hide these messages</a>.</p>`;
  }

  remindHtml() {
    const months = this.form.months
      .map(
        (m, i) =>
          `<label class="check"><input type="radio" name="month" value="${esc(m.value)}"${
            i ? "" : " checked"
          }> In ${esc(m.label)}</label>`,
      )
      .join("");
    return `<form class="remind" id="remind" hidden novalidate>
        <p>Leave your e-mail and we will send one reminder in the month you choose. Or leave it empty and we won’t ask you for ${Number(this.form.snoozeDays) || 7} days.</p>
        <div class="field"><label for="email">Your e-mail (optional)</label>
          <input type="email" id="email" autocomplete="email" aria-describedby="remind-error"></div>
        <fieldset><legend>When should we write?</legend>${months}</fieldset>
        <label class="check"><input type="checkbox" id="consent"> Yes, you may e-mail me this reminder (up to two e-mails).</label>
        <p class="error" id="remind-error" role="alert"></p>
        <button type="submit" class="secondary">Remind me</button>
      </form>
      <p class="status" role="status"></p>`;
  }

  wire() {
    const $ = (selector) => this.root.querySelector(selector);
    const choice = $("form.choice");
    if (choice) this.wireChoice(choice);
    $("[data-continue]")?.addEventListener("click", () => {
      track(this, "continue");
      flush();
    });
    $("[data-remind]")?.addEventListener("click", (event) => {
      const panel = $("#remind");
      panel.hidden = !panel.hidden;
      event.currentTarget.setAttribute("aria-expanded", String(!panel.hidden));
      if (!panel.hidden) {
        this.opened();
        $("#email").focus();
      }
    });
    $("#remind")?.addEventListener("submit", (event) => this.remind(event));
    $("[data-close]")?.addEventListener("click", () => this.close());
    this.root.addEventListener("focusin", () => this.opened(), { once: true });
  }

  wireChoice(choice) {
    const { amounts, symbols, currency } = this.form;
    const grid = choice.querySelector("[data-presets]");
    const other = choice.querySelector("#other");
    const symbol = symbols[currency] || "";
    const frequency = () => choice.querySelector("[name=frequency]:checked").value;
    const amount = () => {
      const typed = other.value.trim().replace(/^[$€£]/, "").replace(",", ".");
      if (/^\d+(\.\d{1,2})?$/.test(typed)) return Math.round(parseFloat(typed) * 100);
      const picked = choice.querySelector("[name=amount]:checked");
      return picked ? Number(picked.value) : amounts[frequency()].default;
    };
    const update = () => {
      const per = amounts[frequency()].per || " once";
      choice.querySelector("#summary").textContent =
        `You’ll give ${money(amount(), symbol)}${per} on our secure page.`;
    };
    const presets = () => {
      const { presets: list, default: preferred } = amounts[frequency()];
      grid.innerHTML = list
        .map(
          (minor, i) =>
            `<input class="radio" type="radio" name="amount" id="a-${i}" value="${minor}"${
              minor === preferred && !other.value.trim() ? " checked" : ""
            }><label for="a-${i}">${money(minor, symbol)}</label>`,
        )
        .join("");
      update();
    };
    choice.addEventListener("change", (event) => {
      if (event.target.name === "frequency") presets();
      if (event.target.name === "amount") other.value = "";
      update();
    });
    other.addEventListener("input", () => {
      if (other.value.trim()) grid.querySelectorAll("input").forEach((input) => (input.checked = false));
      update();
    });
    choice.addEventListener("submit", (event) => {
      event.preventDefault();
      track(this, "continue");
      flush();
      location.assign(this.supportUrl(frequency(), amount()));
    });
    presets();
  }

  supportUrl(frequency, amount) {
    const { form } = this;
    frequency ??= form.frequency;
    amount ??= form.amounts[frequency].default;
    const url = new URL(form.supportUrl);
    const params = {
      frequency,
      amount: major(amount),
      currency: form.currency,
      // The donation form accepts only our own articles' slugs; a partner's page is known to
      // the pledge by its referrer instead.
      article: location.origin === url.origin ? this.article : "",
      placement: this.placement,
      prompt: this.prompt,
      variant: this.variant,
    };
    for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value);
    return url.href;
  }

  async remind(event) {
    event.preventDefault();
    const $ = (selector) => this.root.querySelector(selector);
    const email = $("#email");
    const error = $("#remind-error");
    error.textContent = "";
    email.removeAttribute("aria-invalid");
    const { ok, json } = await post(REMIND, {
      email: email.value.trim(),
      month: $("[name=month]:checked")?.value || "",
      consent: $("#consent").checked,
      article: this.article,
      placement: this.placement,
      variant: this.variant,
    });
    if (!ok) {
      error.textContent = json.error || "Sorry, that did not work. Please try again.";
      if (json.fields?.email) email.setAttribute("aria-invalid", "true");
      (json.fields?.consent ? $("#consent") : email).focus();
      return;
    }
    $("#remind").hidden = true;
    $("[data-remind]")?.setAttribute("aria-expanded", "false");
    const status = $(".status");
    status.textContent = json.message;
    // Every other ask on this page goes quiet too; this one keeps its thank-you on screen.
    document.querySelectorAll("support-prompt").forEach((el) => el !== this && el.quiet());
  }

  quiet() {
    this.dismissed = true; // snoozed, not dismissed: nothing to record
    if (this.placement === "overlay") this.root.querySelector("dialog")?.close();
    else if (this.copy) this.hidden = true;
  }

  openDialog() {
    const dialog = this.root.querySelector("dialog");
    this.returnFocus = document.activeElement;
    dialog.addEventListener("close", () => {
      this.dismiss();
      // Back to where the reader was; when that was the page itself, leave nothing focused.
      const back = this.returnFocus;
      if (back?.isConnected && back !== document.body) back.focus();
      else this.root.activeElement?.blur();
    });
    dialog.showModal();
    track(this, "impression");
  }

  close() {
    const dialog = this.root.querySelector("dialog");
    if (dialog) dialog.close(); // its close event dismisses
    else {
      this.hidden = true;
      this.dismiss();
    }
  }

  dismiss() {
    if (this.dismissed) return;
    this.dismissed = true;
    post(DISMISS, { placement: this.placement, prompt: this.prompt, variant: this.variant });
  }
}

customElements.define("support-prompt", SupportPrompt);
