"""The one decision function, as a table: every cap, snooze, supporter and paywall case."""
# ruff: noqa: E501  (one decision case per line reads as a table)

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from donations.prompts.decision import PromptRules, ReaderContext, decide, withholds_body
from donations.supporters.passes import SupporterPass

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
RECURRING = SupporterPass("recurring", NOW + 300 * DAY)
ONE_OFF = SupporterPass("once", NOW + 30 * DAY)
EXPIRED_ONE_OFF = SupporterPass("once", NOW - DAY)
OFF = PromptRules()
SOFT = PromptRules(paywall_mode="soft", free_articles=2)
METERED = PromptRules(paywall_mode="metered", free_articles=2)


def reader(placement: str, **facts) -> ReaderContext:
    return ReaderContext(placement=placement, now=NOW, **facts)


DECISIONS = [
    # (case, context, rules, prompt shown, reason)
    ("first article: the end appeal", reader("article-end", articles_read=1), OFF, "appeal", "eligible"),
    ("end appeal on its 4th view", reader("article-end", articles_read=4, views=3), OFF, "appeal", "eligible"),
    ("end appeal capped after 4 views", reader("article-end", articles_read=5, views=4), OFF, None, "cap-reached"),
    ("banner not on the 1st article", reader("banner", articles_read=1), OFF, None, "too-early"),
    ("banner not on the 2nd article", reader("banner", articles_read=2), OFF, None, "too-early"),
    ("banner on the 3rd article", reader("banner", articles_read=3), OFF, "appeal", "eligible"),
    ("banner has no view cap", reader("banner", articles_read=9, views=40), OFF, "appeal", "eligible"),
    ("dismissed banner hidden 14 days", reader("banner", articles_read=5, dismissed_at=NOW - 13 * DAY), OFF, None, "dismissed"),
    ("dismissed banner back after 14 days", reader("banner", articles_read=5, dismissed_at=NOW - 14 * DAY), OFF, "appeal", "eligible"),
    ("dismissing the banner leaves the end appeal", reader("article-end", articles_read=5), OFF, "appeal", "eligible"),
    ("snoozed: no end appeal", reader("article-end", snoozed_until=NOW + DAY), OFF, None, "snoozed"),
    ("snoozed: no banner", reader("banner", articles_read=5, snoozed_until=NOW + DAY), OFF, None, "snoozed"),
    ("snooze over", reader("article-end", snoozed_until=NOW - DAY), OFF, "appeal", "eligible"),
    ("recurring supporter: no end appeal", reader("article-end", supporter=RECURRING), OFF, None, "supporter"),
    ("recurring supporter: no banner", reader("banner", articles_read=5, supporter=RECURRING), OFF, None, "supporter"),
    ("recurring supporter: no overlay", reader("overlay", articles_read=5, supporter=RECURRING), SOFT, None, "supporter"),
    ("one-off donor: a thank-you instead", reader("article-end", supporter=ONE_OFF), OFF, "thanks", "supporter-thanks"),
    ("one-off donor: no banner", reader("banner", articles_read=5, supporter=ONE_OFF), OFF, None, "supporter"),
    ("one-off pass expired: asks again", reader("article-end", supporter=EXPIRED_ONE_OFF), OFF, "appeal", "eligible"),
    ("overlay only in soft mode", reader("overlay", articles_read=9), OFF, None, "overlay-off"),
    ("overlay not in metered mode", reader("overlay", articles_read=9), METERED, None, "overlay-off"),
    ("soft: no overlay within the free articles", reader("overlay", articles_read=2), SOFT, None, "meter-not-reached"),
    ("soft: overlay past the free articles", reader("overlay", articles_read=3), SOFT, "appeal", "eligible"),
    ("soft: overlay respects the minimum", reader("overlay", articles_read=2), PromptRules(paywall_mode="soft", free_articles=1), None, "too-early"),
    ("soft: dismissed overlay hidden", reader("overlay", articles_read=3, dismissed_at=NOW - DAY), SOFT, None, "dismissed"),
    ("soft: banner yields to the overlay", reader("banner", articles_read=3), SOFT, None, "overlay-instead"),
    ("soft: banner before the meter", reader("banner", articles_read=3), PromptRules(paywall_mode="soft", free_articles=5), "appeal", "eligible"),
    ("unknown placement", reader("sidebar", articles_read=3), OFF, None, "unknown-placement"),
    ("staff force beats a snooze", reader("banner", snoozed_until=NOW + DAY, force=True), OFF, "appeal", "forced"),
    ("staff force beats a supporter pass", reader("overlay", supporter=RECURRING, force=True), OFF, "appeal", "forced"),
    ("caps are configurable", reader("article-end", views=1), PromptRules(view_caps={"article-end": 1}), None, "cap-reached"),
    ("the minimum is configurable", reader("banner", articles_read=1), PromptRules(min_articles={"banner": 1}), "appeal", "eligible"),
    ("dismiss period is configurable", reader("banner", articles_read=3, dismissed_at=NOW - 2 * DAY), PromptRules(dismiss_days=1), "appeal", "eligible"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("context", "rules", "prompt", "reason"),
    [case[1:] for case in DECISIONS],
    ids=[case[0] for case in DECISIONS],
)
def test_decision(context, rules, prompt, reason):
    decision = decide(context, rules)
    assert (decision.prompt, decision.reason) == (prompt, reason)


def test_every_decision_says_which_rules_it_checked():
    decision = decide(reader("banner", articles_read=1), OFF)
    assert [check.rule for check in decision.checks] == [
        "placement",
        "supporter",
        "snooze",
        "dismissed",
        "articles-read",
    ]
    assert decision.checks[-1].passed is False


METER = [
    ("off: never withheld", reader("article-end", articles_read=9), OFF, False),
    ("soft: never withheld", reader("article-end", articles_read=9), SOFT, False),
    ("metered: free articles are free", reader("article-end", articles_read=2), METERED, False),
    ("metered: withheld past the meter", reader("article-end", articles_read=3), METERED, True),
    ("metered: a re-read article stays open", reader("article-end", articles_read=3, already_read=True), METERED, False),
    ("metered: never for a recurring supporter", reader("article-end", articles_read=9, supporter=RECURRING), METERED, False),
    ("metered: never for a one-off donor", reader("article-end", articles_read=9, supporter=ONE_OFF), METERED, False),
    ("metered: again once the pass expired", reader("article-end", articles_read=9, supporter=EXPIRED_ONE_OFF), METERED, True),
    ("metered: never for allowed crawlers", reader("article-end", articles_read=9, crawler=True), METERED, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("context", "rules", "withheld"),
    [case[1:] for case in METER],
    ids=[case[0] for case in METER],
)
def test_meter(context, rules, withheld):
    assert withholds_body(context, rules) is withheld
