"""The one decision (decide/decidePage in static/embed/support-prompt.js), as a table: every cap,
snooze, supporter, paywall and precedence case. The module runs in Node, the cases here."""
# ruff: noqa: E501  (one decision case per line reads as a table)

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.prompts.node import READ_INPUT, run_module

NOW = 1_795_000_000_000  # 2026-11-19, in the browser's milliseconds
DAY = 86_400_000
OFF = {
    "windowDays": 30,
    "viewCaps": {"article-end": 4},
    "minArticles": {"banner": 3, "overlay": 3},
    "dismissDays": 14,
    "snoozeDays": 7,
    "paywall": "off",
    "freeArticles": 5,
}
SOFT = {**OFF, "paywall": "soft", "freeArticles": 2}
METERED = {**OFF, "paywall": "metered", "freeArticles": 2}


@dataclass
class Reader:
    """What this device remembers (the article being read already counted)."""

    articles_read: int = 1
    views: dict[str, int] = field(default_factory=dict)
    dismissed_days_ago: dict[str, float] = field(default_factory=dict)
    snoozed_days: float | None = None  # from now: positive is still snoozed
    supporter: str | None = None
    supporter_days: float = 0
    ask_less_days: float | None = None  # from now, as the snooze
    old_reads: int = 0  # read before the 30-day window

    def state(self) -> dict:
        today = NOW // DAY
        reads = {f"story-{n}": today for n in range(self.articles_read)}
        reads |= {f"old-{n}": today - 40 for n in range(self.old_reads)}
        return {
            "reads": reads,
            "views": {placement: [today] * count for placement, count in self.views.items()},
            "dismissed": {p: NOW - days * DAY for p, days in self.dismissed_days_ago.items()},
            "snoozedUntil": None if self.snoozed_days is None else NOW + self.snoozed_days * DAY,
            "supporter": self.supporter,
            "supporterUntil": NOW + self.supporter_days * DAY if self.supporter else None,
            "askLessUntil": None if self.ask_less_days is None else NOW + self.ask_less_days * DAY,
        }


DECISIONS = [
    # (case, reader, rules, placement, prompt shown, reason)
    ("first article: the end appeal", Reader(), OFF, "article-end", "appeal", "eligible"),
    ("end appeal on its 4th view", Reader(4, {"article-end": 3}), OFF, "article-end", "appeal", "eligible"),
    ("end appeal capped after 4 views", Reader(5, {"article-end": 4}), OFF, "article-end", None, "cap-reached"),
    ("banner not on the 1st article", Reader(1), OFF, "banner", None, "too-early"),
    ("banner not on the 2nd article", Reader(2), OFF, "banner", None, "too-early"),
    ("banner on the 3rd article", Reader(3), OFF, "banner", "appeal", "eligible"),
    ("reads older than the window do not count", Reader(2, old_reads=5), OFF, "banner", None, "too-early"),
    ("banner has no view cap", Reader(9, {"banner": 19}), OFF, "banner", "appeal", "eligible"),
    ("closed banner hidden 14 days", Reader(5, dismissed_days_ago={"banner": 13}), OFF, "banner", None, "dismissed"),
    ("closed banner back after 14 days", Reader(5, dismissed_days_ago={"banner": 14}), OFF, "banner", "appeal", "eligible"),
    ("closing the banner leaves the end appeal", Reader(5, dismissed_days_ago={"banner": 1}), OFF, "article-end", "appeal", "eligible"),
    ("snoozed: no end appeal", Reader(snoozed_days=1), OFF, "article-end", None, "snoozed"),
    ("snoozed: no banner", Reader(5, snoozed_days=1), OFF, "banner", None, "snoozed"),
    ("snooze over", Reader(snoozed_days=-1), OFF, "article-end", "appeal", "eligible"),
    ("recurring supporter: no end appeal", Reader(supporter="recurring", supporter_days=300), OFF, "article-end", None, "supporter"),
    ("recurring supporter: no banner", Reader(5, supporter="recurring", supporter_days=300), OFF, "banner", None, "supporter"),
    ("recurring supporter: no overlay", Reader(5, supporter="recurring", supporter_days=300), SOFT, "overlay", None, "supporter"),
    ("one-off donor: a thank-you instead", Reader(supporter="once", supporter_days=30), OFF, "article-end", "thanks", "supporter-thanks"),
    ("one-off donor: no banner", Reader(5, supporter="once", supporter_days=30), OFF, "banner", None, "supporter"),
    ("one-off pass expired: asks again", Reader(supporter="once", supporter_days=-1), OFF, "article-end", "appeal", "eligible"),
    ("overlay only in soft mode", Reader(9), OFF, "overlay", None, "overlay-off"),
    ("overlay not in metered mode", Reader(9), METERED, "overlay", None, "overlay-off"),
    ("soft: no overlay within the free articles", Reader(2), SOFT, "overlay", None, "meter-not-reached"),
    ("soft: overlay past the free articles", Reader(3), SOFT, "overlay", "appeal", "eligible"),
    ("soft: overlay respects the minimum", Reader(2), {**SOFT, "freeArticles": 1}, "overlay", None, "too-early"),
    ("soft: closed overlay hidden", Reader(3, dismissed_days_ago={"overlay": 1}), SOFT, "overlay", None, "dismissed"),
    ("soft: banner yields to the overlay", Reader(3), SOFT, "banner", None, "overlay-instead"),
    ("soft: banner before the meter", Reader(3), {**SOFT, "freeArticles": 5}, "banner", "appeal", "eligible"),
    ("unknown placement", Reader(3), OFF, "sidebar", None, "unknown-placement"),
    ("caps are configurable", Reader(1, {"article-end": 1}), {**OFF, "viewCaps": {"article-end": 1}}, "article-end", None, "cap-reached"),
    ("the minimum is configurable", Reader(1), {**OFF, "minArticles": {"banner": 1}}, "banner", "appeal", "eligible"),
    ("dismiss period is configurable", Reader(3, dismissed_days_ago={"banner": 2}), {**OFF, "dismissDays": 1}, "banner", "appeal", "eligible"),
    ("ask me less: the end cap halves to 2", Reader(3, {"article-end": 2}, ask_less_days=30), OFF, "article-end", None, "cap-reached"),
    ("ask me less: under the halved cap", Reader(3, {"article-end": 1}, ask_less_days=30), OFF, "article-end", "appeal", "eligible"),
    ("ask me less: an odd cap rounds up", Reader(3, {"article-end": 1}, ask_less_days=30), {**OFF, "viewCaps": {"article-end": 3}}, "article-end", "appeal", "eligible"),
    ("ask me less: the uncapped banner about weekly", Reader(4, {"banner": 5}, ask_less_days=30), OFF, "banner", None, "cap-reached"),
    ("ask me less: a closed ask stays away twice as long", Reader(5, dismissed_days_ago={"banner": 20}, ask_less_days=30), OFF, "banner", None, "dismissed"),
    ("ask me less ends after its 90 days", Reader(3, {"article-end": 2}, ask_less_days=-1), OFF, "article-end", "appeal", "eligible"),
]  # fmt: skip

# Whole pages: what each placement shows together (at most one interrupting ask).
PAGES = [
    ("a first visit: the end appeal only", Reader(), OFF, {"article-end": "appeal", "banner": None}),
    ("third article: the appeal and the banner", Reader(3), OFF, {"article-end": "appeal", "banner": "appeal"}),
    ("soft past the meter: the overlay, never the banner too", Reader(3), SOFT, {"article-end": "appeal", "banner": None, "overlay": "appeal"}),
    ("soft, overlay closed: still no banner on top", Reader(3, dismissed_days_ago={"overlay": 1}), SOFT, {"article-end": "appeal", "banner": None, "overlay": None}),
    ("snoozed: nothing at all", Reader(5, snoozed_days=3), SOFT, {"article-end": None, "banner": None, "overlay": None}),
]  # fmt: skip

RUNNER = (
    READ_INPUT
    + """
const { decide, decidePage } = component;
const out = input.map((c) =>
  c.placements
    ? decidePage(c.state, c.rules, c.placements, c.now, { force: c.force })
    : decide(c.state, c.rules, c.placement, c.now, { force: c.force }),
);
process.stdout.write(JSON.stringify(out));
"""
)


@pytest.fixture(scope="module")
def decided() -> dict[str, dict]:
    """Every case of this file decided in one Node process."""
    cases = [
        {"state": r.state(), "rules": rules, "placement": p, "now": NOW}
        for _, r, rules, p, *_ in DECISIONS
    ] + [
        {"state": r.state(), "rules": rules, "placements": list(shown), "now": NOW}
        for _, r, rules, shown in PAGES
    ]
    cases.append(
        {
            "state": Reader(5, snoozed_days=1).state(),
            "rules": OFF,
            "placement": "banner",
            "now": NOW,
            "force": True,
        }
    )
    cases.append(
        {
            "state": Reader(supporter="recurring", supporter_days=9).state(),
            "rules": SOFT,
            "placement": "overlay",
            "now": NOW,
            "force": True,
        }
    )
    names = [c[0] for c in DECISIONS] + [c[0] for c in PAGES] + ["force: a snooze", "force: a pass"]
    return dict(zip(names, run_module(RUNNER, cases), strict=True))


@pytest.mark.parametrize(
    ("case", "prompt", "reason"),
    [(c[0], c[4], c[5]) for c in DECISIONS],
    ids=[c[0] for c in DECISIONS],
)
def test_decision(decided, case, prompt, reason):
    assert (decided[case]["prompt"], decided[case]["reason"]) == (prompt, reason)


@pytest.mark.parametrize(
    ("case", "shown"), [(c[0], c[3]) for c in PAGES], ids=[c[0] for c in PAGES]
)
def test_a_page_shows_at_most_one_interrupting_ask(decided, case, shown):
    assert {placement: d["prompt"] for placement, d in decided[case].items()} == shown


def test_the_page_address_can_force_an_ask_to_preview_it(decided):
    for case in ("force: a snooze", "force: a pass"):
        assert (decided[case]["prompt"], decided[case]["reason"]) == ("appeal", "forced")


def test_every_decision_says_which_rules_it_checked(decided):
    checks = decided["banner not on the 1st article"]["checks"]
    assert [check["rule"] for check in checks] == [
        "placement",
        "supporter",
        "snooze",
        "dismissed",
        "articles-read",
    ]
    assert checks[-1] == {"rule": "articles-read", "passed": False, "detail": "1 read, needs 3"}


def test_stored_state_of_any_shape_is_read_as_a_valid_state():
    script = """
    const { parseState } = await import(process.argv[1]);
    const inputs = ["", "not json", "[1,2]", '{"reads": {"a": "x", "b": 3}, "views": {"banner": [1, "y"]},'
      + ' "dismissed": {"banner": "z"}, "snoozedUntil": "soon", "supporter": "admin", "supporterUntil": 9}'];
    process.stdout.write(JSON.stringify(inputs.map(parseState)));
    """
    empty, junk, array, odd = run_module(script)
    assert empty == junk == array
    assert odd["reads"] == {"b": 3}
    assert odd["views"]["banner"] == [1]
    assert odd["dismissed"] == {} and odd["snoozedUntil"] is None and odd["supporter"] is None
