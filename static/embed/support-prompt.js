// <support-prompt placement="article-end|banner|overlay" article="slug">: the newsroom's asks on
// any page of its sites, from one module script.
//
// The service sends one configuration (appeals, rules, amounts, links) that is the same for every
// reader, so caches serve it; this module decides in the reader's browser which ask shows, from
// that configuration and the reader's own state kept in first-party storage (articles read, views,
// dismissals, snooze, supporter). That state is the reader's comfort, not security. The service
// hears from the page only when the reader does something: events (batched, impressions sampled),
// remind me later, and giving. On our own article pages the end-of-article appeal is rendered by
// the server inside the element, so it works without JavaScript; here it is only decided and
// enhanced.
//
// Experiments run here too: the reader's bucket is a hash of a random id kept in the same storage
// (`assign` is experiments.service.assign, line for line), so the page stays cacheable.
//
// The decision and the assignment are pure functions (`decide`, `decidePage`, `applyExperiments`,
// `explain`), exported for the decision-table tests.

export const STORAGE_KEY = "rr-reader";
export const PLACEMENTS = ["article-end", "banner", "overlay"];
const DAY_MS = 24 * 3600 * 1000;
// Enough history for any sensible rule; the stored state stays small.
const MAX_READS = 60;
const MAX_VIEWS = 20;
// Reads are kept this long before the rules' own window (PROMPT_WINDOW_DAYS) is known.
const KEEP_READS_DAYS = 400;
// "Ask me less": for this long, every cap is halved (rounded up), an uncapped ask shows at most
// once a week, and a closed ask stays away twice as long.
export const ASK_LESS_DAYS = 90;
// A gift made on our donation page without a prompt's link counts for the experiment variant the
// reader last saw within this many days (a holdback's gifts can only come that way).
export const ATTRIBUTION_DAYS = 30;

export const dayNumber = (ms) => Math.floor(ms / DAY_MS);
const iso = (ms) => new Date(ms).toISOString();

// Reader state ------------------------------------------------------------------------------------

export function emptyState() {
  const views = Object.fromEntries(PLACEMENTS.map((placement) => [placement, []]));
  return {
    id: null,
    reads: {},
    views,
    dismissed: {},
    snoozedUntil: null,
    askLessUntil: null,
    supporter: null,
    supporterUntil: null,
    seen: null, // the last experiment variant shown: {variant, at}
  };
}

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const numbers = (list) => (Array.isArray(list) ? list.filter(isNumber) : []);

// Whatever storage holds (another version's shape, a hand edit, junk) becomes a valid state.
export function parseState(text) {
  const state = emptyState();
  let raw;
  try {
    raw = JSON.parse(text || "{}");
  } catch {
    return state;
  }
  if (!raw || typeof raw !== "object") return state;
  for (const [article, day] of Object.entries(raw.reads || {})) if (isNumber(day)) state.reads[article] = day;
  for (const placement of PLACEMENTS) {
    state.views[placement] = numbers(raw.views?.[placement]).slice(-MAX_VIEWS);
    if (isNumber(raw.dismissed?.[placement])) state.dismissed[placement] = raw.dismissed[placement];
  }
  if (isNumber(raw.snoozedUntil)) state.snoozedUntil = raw.snoozedUntil;
  if (isNumber(raw.askLessUntil)) state.askLessUntil = raw.askLessUntil;
  if (typeof raw.id === "string" && /^[A-Za-z0-9-]{8,64}$/.test(raw.id)) state.id = raw.id;
  if (typeof raw.seen?.variant === "string" && isNumber(raw.seen.at)) {
    state.seen = { variant: raw.seen.variant.slice(0, 60), at: raw.seen.at };
  }
  if (["once", "recurring"].includes(raw.supporter) && isNumber(raw.supporterUntil)) {
    state.supporter = raw.supporter;
    state.supporterUntil = raw.supporterUntil;
  }
  return state;
}

export function articlesRead(state, now, windowDays) {
  const since = dayNumber(now) - windowDays;
  return Object.values(state.reads).filter((day) => day > since).length;
}

export function viewsOf(state, placement, now, windowDays) {
  const since = dayNumber(now) - windowDays;
  return (state.views[placement] || []).filter((day) => day > since).length;
}

export function recordRead(state, article, now, windowDays) {
  if (!article) return;
  state.reads[article] = dayNumber(now);
  const since = dayNumber(now) - windowDays;
  const recent = Object.entries(state.reads)
    .filter(([, day]) => day > since)
    .sort((a, b) => a[1] - b[1])
    .slice(-MAX_READS);
  state.reads = Object.fromEntries(recent);
}

export function recordView(state, placement, now, windowDays) {
  const since = dayNumber(now) - windowDays;
  const days = (state.views[placement] || []).filter((day) => day > since);
  state.views[placement] = [...days, dayNumber(now)].slice(-MAX_VIEWS);
}

// What a page of ours tells this device (<script type="application/json" data-reader-state>):
// the reader gave (a supporter pass) or asked to be reminded (a snooze).
export function merge(state, facts) {
  if (["once", "recurring"].includes(facts.supporter)) {
    const until = Date.parse(facts.supporterUntil);
    if (Number.isFinite(until)) {
      state.supporter = facts.supporter;
      state.supporterUntil = until;
    }
  }
  const snoozed = Date.parse(facts.snoozedUntil);
  if (Number.isFinite(snoozed) && snoozed > (state.snoozedUntil || 0)) state.snoozedUntil = snoozed;
  return state;
}

// The decision: the one place that says which ask a reader sees -----------------------------------

// Which prompt (appeal, thanks or none) this placement shows this reader now, and why, with every
// rule it checked. `state` already counts the article being read.
export function decide(state, rules, placement, now, { force = false } = {}) {
  const checks = [];
  const check = (rule, passed, detail) => {
    checks.push({ rule, passed, detail });
    return passed;
  };
  const facts = {};
  const outcome = (prompt, reason) => {
    if (force && prompt === null && PLACEMENTS.includes(placement)) {
      checks.push({ rule: "force", passed: true, detail: "forced from the page's address" });
      return { placement, prompt: "appeal", reason: "forced", checks, facts };
    }
    return { placement, prompt, reason, checks, facts };
  };

  if (!check("placement", PLACEMENTS.includes(placement), `placement ${placement}`)) {
    return outcome(null, "unknown-placement");
  }
  if (state.supporter && state.supporterUntil > now) {
    const until = iso(state.supporterUntil).slice(0, 10);
    check("supporter", false, `${state.supporter} supporter until ${until}`);
    if (state.supporter === "recurring" || placement !== "article-end") return outcome(null, "supporter");
    return outcome("thanks", "supporter-thanks");
  }
  check("supporter", true, "not known as a supporter");

  const snoozed = state.snoozedUntil !== null && now < state.snoozedUntil;
  const snooze = state.snoozedUntil === null ? "never snoozed" : `snoozed until ${iso(state.snoozedUntil)}`;
  if (!check("snooze", !snoozed, snooze)) return outcome(null, "snoozed");
  const less = state.askLessUntil !== null && now < state.askLessUntil;
  if (less) check("ask-less", true, `asked for less until ${iso(state.askLessUntil)}`);
  const closed = state.dismissed[placement];
  const dismissed = closed !== undefined && now < closed + rules.dismissDays * (less ? 2 : 1) * DAY_MS;
  if (!check("dismissed", !dismissed, closed === undefined ? "never closed" : `closed at ${iso(closed)}`)) {
    return outcome(null, "dismissed");
  }

  const read = articlesRead(state, now, rules.windowDays);
  Object.assign(facts, { read, windowDays: rules.windowDays, less, lessUntil: state.askLessUntil });
  const pastMeter = read > rules.freeArticles;
  if (placement === "overlay") {
    if (!check("paywall-mode", rules.paywall === "soft", `the overlay needs soft mode, mode is ${rules.paywall}`)) {
      return outcome(null, "overlay-off");
    }
    if (!check("meter", pastMeter, `${read} read, ${rules.freeArticles} free`)) return outcome(null, "meter-not-reached");
  }
  if (placement === "banner" && rules.paywall === "soft" && pastMeter) {
    check("one-ask", false, "the overlay asks instead of the banner");
    return outcome(null, "overlay-instead");
  }

  const minimum = rules.minArticles[placement] || 0;
  if (!check("articles-read", read >= minimum, `${read} read, needs ${minimum}`)) return outcome(null, "too-early");

  let cap = rules.viewCaps[placement];
  if (less) cap = cap === undefined ? Math.ceil(rules.windowDays / 7) : Math.ceil(cap / 2);
  const views = viewsOf(state, placement, now, rules.windowDays);
  Object.assign(facts, { views, cap });
  const underCap = cap === undefined || views < cap;
  if (!check("view-cap", underCap, `${views} views in ${rules.windowDays} days, cap ${cap}`)) {
    return outcome(null, "cap-reached");
  }
  return outcome("appeal", "eligible");
}

// A count in the words of the configuration's language: its plural forms, picked by the
// browser's own plural rules ("1 статья", "2 статьи", "5 статей").
export const count = (forms, n, language) =>
  (forms[new Intl.PluralRules(language).select(n)] || forms.other || Object.values(forms)[0]).replace("{n}", n);

// Why this ask shows, in the reader's words (the configuration's `words`, in its language): the
// rule that let it through, and what they can do.
export function explain(decision, t, language) {
  const { read, views, cap, less, lessUntil } = decision.facts || {};
  const articles = count(t.articles, read, language);
  const lines = [];
  if (decision.reason === "forced") lines.push(t.forced);
  else if (decision.reason === "meter") lines.push(t.meter.replace("{articles}", articles));
  else if (decision.reason === "supporter-thanks") lines.push(t.thanked);
  else {
    lines.push(t.read.replace("{articles}", articles));
    lines.push(cap !== undefined ? count(t.cap, cap, language).replace("{number}", views + 1) : t.closing);
  }
  if (less) lines.push(t.less.replace("{date}", iso(lessUntil).slice(0, 10)));
  if (decision.experiment) lines.push(t.experiment);
  lines.push(t.counted);
  return lines;
}

// Experiments ------------------------------------------------------------------------------------

// The 32-bit FNV-1a hash of the text's UTF-8 bytes (experiments.service.fnv1a).
export function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

// Where a reader falls in an experiment, in [0, 1).
export const bucket = (readerId, experiment) => fnv1a(`${readerId}:${experiment}`) / 2 ** 32;

// The variant this reader sees, as the service's events and pledges name it.
export function assign(readerId, experiment) {
  const point = bucket(readerId, experiment.name);
  if (point < experiment.holdback) return { name: experiment.holdbackAs, holdback: true, changes: {} };
  const total = experiment.variants.reduce((sum, variant) => sum + variant.weight, 0);
  let position = ((point - experiment.holdback) / (1 - experiment.holdback)) * total;
  for (const variant of experiment.variants) {
    position -= variant.weight;
    if (position < 0) return { ...variant, holdback: false };
  }
  return { ...experiment.variants.at(-1), holdback: false };
}

// Each running experiment takes the ask of its placement, when the rules would show it: the
// reader sees their variant, or (in the holdback) nothing, while the view still counts.
export function applyExperiments(decisions, experiments, readerId) {
  for (const experiment of experiments || []) {
    const decision = decisions[experiment.placement];
    if (decision?.prompt !== "appeal" || decision.reason !== "eligible") continue;
    const variant = assign(readerId, experiment);
    decision.checks.push({ rule: "experiment", passed: !variant.holdback, detail: `${experiment.name}: ${variant.name}` });
    Object.assign(decision, { experiment: experiment.name, variant: variant.name, changes: variant.changes || {} });
    if (variant.holdback) Object.assign(decision, { prompt: null, reason: "holdback" });
  }
  return decisions;
}

// Every placement on the page, with the precedence between them: at most one interrupting ask (an
// overlay or a banner, never both); the overlay wins.
export function decidePage(state, rules, placements, now, options = {}) {
  const decisions = {};
  for (const placement of placements) decisions[placement] = decide(state, rules, placement, now, options);
  const overlay = decisions.overlay;
  const banner = decisions.banner;
  if (overlay?.prompt && banner?.prompt) {
    banner.checks.push({ rule: "one-ask", passed: false, detail: "the overlay asks instead of the banner" });
    decisions.banner = { ...banner, prompt: null, reason: "overlay-instead" };
  }
  return decisions;
}

// Amounts ----------------------------------------------------------------------------------------

// The amount checks of the service's rules (`form.amounts` in the configuration, the donation
// form's data-amounts: AmountRules.as_json), with its words; donate-form.js uses them too.
export const major = (minor) => (minor % 100 ? (minor / 100).toFixed(2) : String(minor / 100));
// Written as the page's language writes money ("$12.50", "12,50 $"), with the currency's symbol.
export const money = (minor, symbol, language = globalThis.document?.documentElement.lang || "en") =>
  new Intl.NumberFormat(language, { style: "currency", currency: "USD", minimumFractionDigits: minor % 100 ? 2 : 0 })
    .formatToParts(minor / 100)
    .map((part) => (part.type === "currency" ? symbol : part.value))
    .join("");

// What a reader typed, as Money.parse reads it: '12.50', '12,50', '1,000', '$12'.
export function parseAmount(text) {
  let cleaned = String(text ?? "").trim().replace(/^[$€£]+/, "").trim().replaceAll(" ", "");
  if (!cleaned) return { error: "empty" };
  if (cleaned.includes(",") && cleaned.includes(".")) cleaned = cleaned.replaceAll(",", "");
  else if (/^\d{1,3}(,\d{3})+$/.test(cleaned)) cleaned = cleaned.replaceAll(",", "");
  else cleaned = cleaned.replaceAll(",", ".");
  if (!/^\d{1,9}(\.\d+)?$/.test(cleaned)) return { error: "notANumber" };
  const [whole, fraction = ""] = cleaned.split(".");
  if (fraction.replace(/0+$/, "").length > 2) return { error: "decimals" };
  return { minor: Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2)) };
}

// The amount, why it cannot be taken (null when it can), and the nearest one that can.
export function checkAmount(text, rule, symbol) {
  const { minor = null, error } = parseAmount(text);
  if (error) return { minor, problem: rule.words[error], nearest: null };
  const fill = (name, limit) => rule.words[name].replace(/\{\w+\}/, money(limit, symbol));
  if (minor < rule.minimum) return { minor, problem: fill("tooSmall", rule.minimum), nearest: rule.minimum };
  if (minor > rule.maximum) return { minor, problem: fill("tooLarge", rule.maximum), nearest: rule.maximum };
  return { minor, problem: null, nearest: null };
}

// What the button says: exactly the amount and the cadence ("Support $5/month").
export const buttonLabel = (rule, minor, symbol) =>
  minor === null ? rule.words.continue : rule.words.button.replace("{amount}", money(minor, symbol));
export const suggestLabel = (rule, minor, symbol) => rule.words.suggest.replace("{amount}", money(minor, symbol));

// The element -------------------------------------------------------------------------------------

if (globalThis.customElements && !customElements.get("support-prompt")) defineElement();

function defineElement() {

const STYLES = `
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
.copy p { font: 1.05rem/1.6 var(--sans); margin: 0 0 1rem; }
.copy p:first-child { font-weight: 700; }
.goal { margin: 0 0 1.25rem; } .goal progress { width: 100%; height: .75rem; accent-color: var(--accent); } .goal p { margin: .35rem 0 0; font: 600 .95rem var(--sans); }
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
input[aria-invalid=true], .money:has([aria-invalid]) { border-color: #b00020; }
select { font: 1rem/1.4 var(--sans); padding: .65rem .75rem; border: 2px solid #767676; border-radius: 6px; background: #fff; color: var(--ink); max-width: 10rem; }
.money { display: flex; align-items: center; border: 2px solid #767676; border-radius: 6px; background: #fff; }
.money:focus-within { outline: 3px solid var(--focus); outline-offset: 2px; }
.money span { padding-left: .75rem; color: var(--soft); font-weight: 600; }
.money.trail span { order: 1; padding: 0 .75rem 0 0; }
.money input { border: 0; outline: none; }
.offer { margin: 0; }
.methods { list-style: none; display: flex; flex-wrap: wrap; justify-content: center; gap: .4rem; padding: 0; margin: .5rem 0 0; }
.methods li { font: 700 .72rem/1 var(--sans); border: 1px solid #b5b5b5; border-radius: 4px; padding: .35rem .5rem; background: #fff; color: #333; }
.offer .link { font-weight: 600; }
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
.problem { border: 4px solid #b00020; padding: .6rem .8rem; margin-bottom: 1rem; }
.problem h3 { margin: 0 0 .3rem; font-size: 1rem; }
.problem a { color: #b00020; font-weight: 600; }
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
.after { display: flow-root; background: var(--bg); margin: 0 -1.25rem; padding: 0 1.25rem 1.5rem; }
.after .remind { margin-top: 0; }
.controls { display: flex; flex-wrap: wrap; justify-content: center; align-items: baseline; gap: .25rem 1.25rem; margin: .9rem 0 0; font-size: .9rem; color: var(--soft); }
.banner .controls { grid-column: 1 / -1; justify-content: flex-start; margin: 0; }
.why summary { cursor: pointer; color: var(--brand); text-decoration: underline; }
.why ul, .why ol { text-align: left; margin: .5rem 0 0; padding-left: 1.2rem; max-width: 36rem; }
.why li { margin: .2rem 0; }
.trace { font: .8rem/1.4 ui-monospace, monospace; }
.controls .link { color: var(--brand); }
.thanks { background: var(--bg); border-top: 4px solid #1e7a3c; padding: 1.25rem; margin: 3rem 0 0; text-align: center; font-weight: 600; }
@media (max-width: 600px) {
  .amounts { grid-template-columns: repeat(2, 1fr); }
  .banner-inner { grid-template-columns: 1fr; padding-right: 3.25rem; }
  .banner .heading { font-size: 1.1rem; }
  .banner-actions { min-width: 0; }
}
`;

const sheet = new CSSStyleSheet();
sheet.replaceSync(STYLES);
const FORCE = new URLSearchParams(location.search).get("force") === "1";
const DEBUG = new URLSearchParams(location.search).get("debug") === "1";
const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The reader's state, in this site's storage; where storage is refused (a private window),
// for this page only.
let memory = null;
function loadState() {
  if (memory) return memory;
  try {
    return parseState(localStorage.getItem(STORAGE_KEY));
  } catch {
    return emptyState();
  }
}
function saveState(state) {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  } catch {
    memory = state; // storage refused (full, or a private window): the state lasts as long as the page
  }
}
// A random id for this browser: only its experiment buckets are made from it, here.
function readerId(state) {
  state.id ??= [...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, "0")).join("");
  return state.id;
}
// Pages of ours that know something about the reader say so in the page.
const told = [...document.querySelectorAll("script[data-reader-state]")];
if (told.length) {
  const state = loadState();
  for (const node of told) {
    try {
      merge(state, JSON.parse(node.textContent));
    } catch {
      // Not JSON: nothing to remember.
    }
  }
  saveState(state);
}

// The configuration, fetched once per page (and mostly from a cache in front of the service).
const CONFIG = new URL("/api/prompt/config", import.meta.url);
let configuration = null;
function loadConfiguration() {
  const language = (document.documentElement.lang || "").slice(0, 2).toLowerCase();
  configuration ??= (async () => {
    const url = new URL(CONFIG);
    if (/^[a-z]{2}$/.test(language)) url.searchParams.set("lang", language);
    let response = await fetch(url, { credentials: "omit" });
    if (response.status === 404 && url.search) response = await fetch(CONFIG, { credentials: "omit" });
    if (!response.ok) throw new Error(`configuration: ${response.status}`);
    return response.json();
  })();
  configuration.catch(() => (configuration = null)); // the next element may try again
  return configuration;
}

// Events: counted in batches, sent with navigator.sendBeacon so leaving the page loses none.
let eventsUrl = null;
const queue = [];
let timer = null;

function flush() {
  clearTimeout(timer);
  timer = null;
  if (!queue.length || !eventsUrl) return;
  const body = JSON.stringify({ events: queue.splice(0) });
  navigator.sendBeacon(eventsUrl, new Blob([body], { type: "text/plain" }));
}

function track(el, kind) {
  if (el.preview) return; // a forced preview is nobody's view
  // Impressions may be sampled: the service scales what arrives back up by the same rate.
  const rate = configurationRate;
  if (kind === "impression" && Math.random() >= rate) return;
  queue.push({ kind, prompt: el.prompt, placement: el.placement, variant: el.variant });
  if (queue.length >= 10) flush();
  else timer ??= setTimeout(flush, 4000);
}
let configurationRate = 1;

document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && flush());
addEventListener("pagehide", flush);

async function post(url, data) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "omit",
    keepalive: true,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data),
  });
  let json = {};
  try {
    json = await response.json();
  } catch {
    // Error pages without JSON: the status says enough.
  }
  return { ok: response.ok, json };
}

// A variant's amounts and cadence over the configuration's.
function withChanges(form, changes) {
  const amounts = { ...form.amounts };
  for (const [frequency, presets] of Object.entries(changes.presets || {})) {
    if (amounts[frequency] && Array.isArray(presets) && presets.length) {
      amounts[frequency] = { ...amounts[frequency], presets, default: presets.includes(amounts[frequency].default) ? amounts[frequency].default : presets[0] };
    }
  }
  const frequency = amounts[changes.frequency] ? changes.frequency : form.frequency;
  return { ...form, amounts, frequency };
}

// One decision per page: every element joins the same batch.
let waiting = [];
function ask(el) {
  waiting.push(el);
  if (waiting.length === 1) queueMicrotask(decideAll);
}

async function decideAll() {
  const elements = waiting;
  waiting = [];
  const now = Date.now();
  // The read counts at once, whether or not the reader stays for the configuration.
  const state = loadState();
  recordRead(state, elements.find((el) => el.article)?.article, now, KEEP_READS_DAYS);
  saveState(state);
  let config;
  try {
    config = await loadConfiguration();
  } catch {
    // The service is unreachable: server-rendered asks stay as they are, others show nothing.
    return;
  }
  eventsUrl = config.links.events;
  configurationRate = config.rules.impressionSampleRate ?? 1;
  const placements = [...new Set(elements.map((el) => el.placement))];
  const decisions = decidePage(state, config.rules, placements, now, { force: FORCE });
  for (const el of elements) {
    if (el.hasAttribute("always")) decisions[el.placement] = { ...decisions[el.placement], prompt: "appeal", reason: "meter" };
  }
  applyExperiments(decisions, config.experiments, readerId(state));
  for (const decision of Object.values(decisions)) {
    // A holdback's view counts as a view, so its caps run as everyone else's.
    if (["eligible", "holdback"].includes(decision.reason)) recordView(state, decision.placement, now, config.rules.windowDays);
    if (decision.experiment) state.seen = { variant: decision.variant, at: now };
  }
  saveState(state);
  if (DEBUG) console.info("support-prompt decisions", decisions);
  for (const el of elements) el.show(decisions[el.placement], config);
}


class SupportPrompt extends HTMLElement {
  connectedCallback() {
    if (this.shadowRoot) return;
    this.root = this.attachShadow({ mode: "open" });
    this.root.adoptedStyleSheets = [sheet];
    this.placement = this.getAttribute("placement") || "article-end";
    this.article = this.getAttribute("article") || "";
    this.variant = this.getAttribute("variant") || "default";
    this.prompt = "appeal";
    // What the server rendered inside stays visible until the decision, and if the service
    // cannot be reached.
    this.root.innerHTML = "<slot></slot>";
    ask(this);
  }

  get rendered() {
    return this.children.length > 0;
  }

  show(decision, config) {
    this.config = config;
    this.decision = decision;
    this.preview = decision?.reason === "forced";
    this.variant = decision?.variant || config.variant || this.variant;
    const changes = decision?.changes || {};
    this.form = withChanges(config.form, changes);
    if (decision?.reason === "holdback") {
      // Nothing to see; at the article's end the empty element still marks where it was seen.
      this.root.innerHTML = "";
      if (this.placement === "article-end") this.watchImpression();
      else track(this, "impression");
      return;
    }
    if (!decision?.prompt) {
      if (this.rendered) this.hidden = true;
      return;
    }
    this.prompt = decision.prompt;
    if (decision.prompt === "thanks") {
      this.root.innerHTML = `<p class="thanks">${esc(config.thanks.heading)}</p>`;
      this.watchImpression();
      return;
    }
    // The server's own rendering is the control's words: a variant that changes them draws its own.
    if (this.rendered && !Object.keys(changes).length) {
      this.enhance();
      return;
    }
    if (!config.appeals[this.placement]) return;
    this.copy = { ...config.appeals[this.placement] };
    for (const key of ["heading", "paragraphs", "button"]) if (changes[key]) this.copy[key] = changes[key];
    if (this.placement === "banner") {
      this.root.innerHTML = this.bannerHtml();
    } else if (this.placement === "overlay") {
      this.root.innerHTML = `<dialog aria-labelledby="heading">${this.appealHtml()}
        <button type="button" class="close" data-close aria-label="${config.words.close}">×</button></dialog>`;
    } else {
      this.root.innerHTML = this.appealHtml();
    }
    this.wire();
    if (this.placement === "overlay") this.openDialog();
    else if (this.placement === "banner") {
      track(this, "impression");
      this.yieldToTheAppeal();
    } else this.watchImpression();
  }

  // Our own page rendered the appeal inside the element: keep it, and count what readers do.
  enhance() {
    this.watchImpression();
    const variant = this.querySelector('input[name="variant"]');
    if (variant) variant.value = this.variant;
    this.root.innerHTML = `<slot></slot><div class="after">${this.remindHtml()}${this.controlsHtml()}</div>`;
    this.wireControls();
    this.root.querySelector("#remind").addEventListener("submit", (event) => this.remind(event));
    // "Remind me later" opens in place instead of following the link to the remind-me page.
    const link = this.querySelector("[data-remind-link]");
    if (link) {
      link.setAttribute("aria-expanded", "false");
      link.addEventListener("click", (event) => {
        event.preventDefault();
        const panel = this.root.querySelector("#remind");
        panel.hidden = !panel.hidden;
        link.setAttribute("aria-expanded", String(!panel.hidden));
        if (!panel.hidden) {
          this.opened();
          this.root.querySelector("#email").focus();
        }
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

  // A banner never stays up once the reader has reached the end-of-article appeal.
  yieldToTheAppeal() {
    const appeal = [...document.querySelectorAll('support-prompt[placement="article-end"]')].find(
      (el) => !el.hidden,
    );
    if (!appeal) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !appeal.hidden) {
        observer.disconnect();
        this.hidden = true;
      }
    });
    observer.observe(appeal);
  }

  appealHtml() {
    const { copy, form } = this;
    const paragraphs = copy.paragraphs.map((p) => `<p>${esc(p)}</p>`).join("");
    const tabs = form.frequencies.map(
      ([value, label]) =>
        `<input class="radio" type="radio" name="frequency" id="f-${value}" value="${value}"${
          value === form.frequency ? " checked" : ""
        }><label for="f-${value}">${label}</label>`,
    ).join("");
    const currencies = form.currencies
      .map((code) => `<option value="${code}"${code === form.currency ? " selected" : ""}>${code.toUpperCase()} ${esc(form.symbols[code])}</option>`)
      .join("");
    const t = this.config.words;
    return `<section class="appeal" aria-labelledby="heading">
      <h2 class="heading" id="heading" tabindex="-1"${this.placement === "overlay" ? " autofocus" : ""}>${esc(copy.heading)}</h2>
      <div class="copy">${paragraphs}</div>${this.goalHtml()}
      <form class="choice" novalidate>
        <div class="problem" tabindex="-1" hidden><h3>${t.problem}</h3><a href="#other"></a></div>
        <fieldset><legend class="vh">${t.frequency}</legend><div class="tabs">${tabs}</div></fieldset>
        <fieldset><legend>${t.amount}</legend><div class="amounts" data-presets></div>
          <div class="field"><label for="other">${t.other}</label>
          <div class="money${form.symbolAfter ? " trail" : ""}"><span aria-hidden="true" data-symbol></span><input type="text" id="other" inputmode="decimal" autocomplete="off" aria-describedby="amount-error"></div>
          <p class="error" id="amount-error"></p><p class="offer" hidden><button type="button" class="link" data-suggest></button></p></div>
        </fieldset>
        <div class="field"><label for="currency">${t.currency}</label><select id="currency">${currencies}</select></div>
        <button type="submit" class="primary" data-submit></button>
        <p class="small">${t.secure}</p>
        <ul class="methods" aria-label="${t.methods}">${["Visa", "Mastercard", "American Express", "Apple Pay", "Google Pay"].map((m) => `<li>${m}</li>`).join("")}</ul>
      </form>
      ${this.laterHtml()}
    </section>`;
  }

  // The newsroom's goal, as the server's appeal shows it (only when the configuration has one).
  goalHtml() {
    const goal = this.config.goal;
    if (!goal) return "";
    return `<div class="goal"><progress max="1" value="${Number(goal.share) || 0}" aria-label="${esc(goal.words)}"></progress><p>${esc(goal.words)}</p></div>`;
  }

  bannerHtml() {
    const { copy } = this;
    return `<section class="banner" role="region" aria-labelledby="heading"><div class="banner-inner">
      <div class="banner-text"><h2 class="heading" id="heading">${esc(copy.heading)}</h2>
        <p>${esc(copy.paragraphs[0] || "")}</p></div>
      <div class="banner-actions"><a class="primary" data-continue href="${esc(this.supportUrl())}">${esc(copy.button)}</a>
        <p class="small">${esc(copy.remindPrompt)} <button type="button" class="link" data-remind aria-expanded="false" aria-controls="remind">${esc(copy.remindLink)}</button></p></div>
      ${this.remindHtml()}${this.controlsHtml()}
      <button type="button" class="close" data-close aria-label="${this.config.words.close}">×</button>
    </div></section>`;
  }

  laterHtml() {
    const { copy, config } = this;
    return `<p class="later">${esc(copy.remindPrompt)}
        <button type="button" class="link" data-remind aria-expanded="false" aria-controls="remind">${esc(copy.remindLink)}</button></p>
      ${this.remindHtml()}
      <p class="supporter"><a href="${esc(config.links.supporter)}">${config.words.supporter[0]}</a>${config.words.supporter[1]}</p>
      ${this.controlsHtml()}`;
  }

  // The reader's own controls: why this ask, and fewer of them. Staff previewing (?debug=1 or a
  // forced ask) see every rule the decision checked.
  controlsHtml() {
    const trace = DEBUG || this.preview;
    const t = this.config.words;
    const reasons = explain(this.decision, t, this.config.language).map((line) => `<li>${esc(line)}</li>`).join("");
    const checks = trace
      ? `<ol class="trace">${this.decision.checks
          .map((c) => `<li>${c.passed ? "✓" : "✗"} ${esc(c.rule)}: ${esc(c.detail)}</li>`)
          .join("")}</ol>`
      : "";
    return `<div class="controls"><details class="why"${trace ? " open" : ""}>
        <summary>${t.why}</summary><ul>${reasons}</ul>${checks}</details>
      <button type="button" class="link" data-less>${t.askLess}</button></div>`;
  }

  wireControls() {
    this.root.querySelector("[data-less]")?.addEventListener("click", () => this.askLess());
  }

  // "Ask me less": halved caps for ASK_LESS_DAYS on this device, and this page's asks go quiet.
  askLess() {
    const state = loadState();
    state.askLessUntil = Date.now() + ASK_LESS_DAYS * DAY_MS;
    saveState(state);
    track(this, "less");
    flush();
    const until = new Date(state.askLessUntil).toLocaleDateString(this.config.language, { dateStyle: "long" });
    this.settle(this.config.words.lessDone.replace("{date}", until));
    document.querySelectorAll("support-prompt").forEach((el) => el !== this && el.quiet());
  }

  // The ask gives way to one sentence (and, where it floats over the page, a way to close it).
  settle(message) {
    this.dismissed = true; // what the reader chose is already recorded
    const closer = this.placement === "article-end" ? "" : `<button type="button" class="secondary" data-close>${this.config.words.close}</button>`;
    // It takes the heading's id, so the banner or dialog is now named by what it says.
    const html = `<p class="status" id="heading" role="status" tabindex="-1">${esc(message)}</p>${closer}`;
    const box = this.root.querySelector(".banner-inner, dialog .appeal");
    if (box) box.innerHTML = html;
    else this.root.innerHTML = `<section class="appeal">${html}</section>`;
    this.root.querySelector("[data-close]")?.addEventListener("click", () => this.close());
    this.root.querySelector(".status").focus();
  }

  remindHtml() {
    const t = this.config.words;
    const months = this.config.remind.months
      .map(
        (m, i) =>
          `<label class="check"><input type="radio" name="month" value="${esc(m.value)}"${
            i ? "" : " checked"
          }> ${esc(t.month.replace("{month}", m.label))}</label>`,
      )
      .join("");
    return `<form class="remind" id="remind" hidden novalidate>
        <p>${t.remindIntro}</p>
        <div class="field"><label for="email">${t.email}</label>
          <input type="email" id="email" autocomplete="email" aria-describedby="remind-error"></div>
        <fieldset><legend>${t.when}</legend>${months}</fieldset>
        <label class="check"><input type="checkbox" id="consent"> ${t.consent}</label>
        <p class="error" id="remind-error" role="alert"></p>
        <button type="submit" class="secondary">${t.remind}</button>
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
    this.wireControls();
  }

  // The same choice as the server's form, checked by the same rules with the same words.
  wireChoice(choice) {
    const { amounts, symbols } = this.form;
    const $ = (selector) => choice.querySelector(selector);
    const grid = $("[data-presets]");
    const other = $("#other");
    const currency = $("#currency");
    const error = $("#amount-error");
    const offer = $("[data-suggest]");
    const summary = $(".problem");
    const symbol = () => symbols[currency.value] || "";
    const frequency = () => $("[name=frequency]:checked").value;
    const check = () => {
      const rule = amounts[frequency()];
      const picked = $("[name=amount]:checked");
      const text = other.value.trim() ? other.value : picked ? major(Number(picked.value)) : "";
      return { rule, ...checkAmount(text, rule, symbol()) };
    };
    // A typed amount is checked as the reader types; an empty one once they continue.
    const update = (insist = false) => {
      const { rule, minor, problem, nearest } = check();
      $("[data-submit]").textContent = buttonLabel(rule, minor, symbol());
      const visible = problem && (insist || other.value.trim()) ? problem : "";
      error.textContent = visible;
      if (!visible) summary.hidden = true;
      if (visible) other.setAttribute("aria-invalid", "true");
      else other.removeAttribute("aria-invalid");
      offer.parentElement.hidden = !visible || nearest === null;
      if (visible && nearest !== null) {
        offer.dataset.minor = nearest;
        offer.textContent = suggestLabel(rule, nearest, symbol());
      }
      return { minor, problem };
    };
    const presets = () => {
      const { presets: list, default: preferred } = amounts[frequency()];
      grid.innerHTML = list
        .map(
          (minor, i) =>
            `<input class="radio" type="radio" name="amount" id="a-${i}" value="${minor}"${
              minor === preferred && !other.value.trim() ? " checked" : ""
            }><label for="a-${i}">${money(minor, symbol())}</label>`,
        )
        .join("");
      $("[data-symbol]").textContent = symbol();
      update();
    };
    choice.addEventListener("change", (event) => {
      if (event.target.name === "frequency" || event.target === currency) presets();
      if (event.target.name === "amount") other.value = "";
      update();
    });
    other.addEventListener("input", () => {
      if (other.value.trim()) grid.querySelectorAll("input").forEach((input) => (input.checked = false));
      update();
    });
    offer.addEventListener("click", () => {
      other.value = major(Number(offer.dataset.minor));
      update();
      other.focus();
    });
    // The GOV.UK error summary: a refused amount stays, explained beside the field, and the
    // focus moves to a summary whose link leads to the field (in the shadow root, by script).
    summary.lastChild.addEventListener("click", (event) => {
      event.preventDefault();
      other.focus();
    });
    choice.addEventListener("submit", (event) => {
      event.preventDefault();
      const { minor, problem } = update(true);
      if (problem) {
        summary.lastChild.textContent = problem;
        summary.hidden = false;
        summary.focus();
        return;
      }
      track(this, "continue");
      flush();
      location.assign(this.supportUrl(frequency(), minor, currency.value));
    });
    presets();
  }

  supportUrl(frequency, amount, currency) {
    const { form, config } = this;
    frequency ??= form.frequency;
    amount ??= form.amounts[frequency].default;
    const url = new URL(config.links.support);
    const params = {
      frequency,
      amount: major(amount),
      currency: currency || form.currency,
      article: this.article,
      placement: this.placement,
      prompt: this.prompt,
      variant: this.variant,
    };
    for (const [name, value] of Object.entries(params)) if (value) url.searchParams.set(name, value);
    return url.href;
  }

  // Remind me later: without an e-mail the snooze is this device's alone, and the service only
  // counts it; with one, the service stores the reminder (with the reader's consent).
  async remind(event) {
    event.preventDefault();
    const $ = (selector) => this.root.querySelector(selector);
    const email = $("#email");
    const error = $("#remind-error");
    error.textContent = "";
    email.removeAttribute("aria-invalid");
    let answer;
    if (email.value.trim()) {
      const { ok, json } = await post(this.config.links.remind, {
        email: email.value.trim(),
        month: $("[name=month]:checked")?.value || "",
        consent: $("#consent").checked,
        article: this.article,
        placement: this.placement,
        variant: this.variant,
      });
      if (!ok) {
        error.textContent = json.error || this.config.words.failed;
        if (json.fields?.email) email.setAttribute("aria-invalid", "true");
        (json.fields?.consent ? $("#consent") : email).focus();
        return;
      }
      answer = json;
    } else {
      const days = Number(this.config.rules.snoozeDays) || 7;
      answer = {
        message: this.config.words.snoozed,
        until: new Date(Date.now() + days * DAY_MS).toISOString(),
      };
    }
    $("#remind").hidden = true;
    $("[data-remind]")?.setAttribute("aria-expanded", "false");
    this.querySelector("[data-remind-link]")?.setAttribute("aria-expanded", "false");
    $(".status").textContent = answer.message;
    const state = loadState();
    merge(state, { snoozedUntil: answer.until });
    saveState(state);
    track(this, "remind");
    flush();
    // Every other ask on this page goes quiet too; this one keeps its thank-you on screen.
    document.querySelectorAll("support-prompt").forEach((el) => el !== this && el.quiet());
  }

  quiet() {
    this.dismissed = true; // snoozed, not dismissed: nothing to record
    if (this.placement === "overlay") this.root.querySelector("dialog")?.close();
    else this.hidden = true;
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

  // Closed: this placement stays hidden on this device for the dismiss period.
  dismiss() {
    if (this.dismissed) return;
    this.dismissed = true;
    const state = loadState();
    state.dismissed[this.placement] = Date.now();
    saveState(state);
    track(this, "dismiss");
    flush();
  }
}

customElements.define("support-prompt", SupportPrompt);
}
