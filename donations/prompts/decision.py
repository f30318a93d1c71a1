"""The one place that decides which prompt a reader sees, and whether the meter withholds a body.

Pure functions of the reader's context and the rules: no request, no database, no clock of
their own, so every cap, snooze, supporter and paywall case is a row in a table-driven test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from donations.supporters.passes import SupporterPass

PLACEMENTS = ("article-end", "banner", "overlay")
APPEAL = "appeal"
THANKS = "thanks"
PAYWALL_MODES = ("off", "soft", "metered")


@dataclass(frozen=True)
class PromptRules:
    """Caps and durations from DESIGN §6, read from config."""

    window_days: int = 30
    view_caps: Mapping[str, int] = field(default_factory=lambda: {"article-end": 4})
    min_articles: Mapping[str, int] = field(default_factory=lambda: {"banner": 3, "overlay": 3})
    dismiss_days: int = 14
    paywall_mode: str = "off"
    free_articles: int = 5
    variant: str = "default"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PromptRules:
        return cls(
            window_days=config["PROMPT_WINDOW_DAYS"],
            view_caps=dict(config["PROMPT_VIEW_CAPS"]),
            min_articles=dict(config["PROMPT_MIN_ARTICLES"]),
            dismiss_days=config["PROMPT_DISMISS_DAYS"],
            paywall_mode=config["PAYWALL_MODE"],
            free_articles=config["PAYWALL_FREE_ARTICLES"],
            variant=config["PROMPT_VARIANT"],
        )


@dataclass(frozen=True)
class ReaderContext:
    """What is known about the reader at this moment (articles_read includes this article)."""

    placement: str
    now: datetime
    articles_read: int = 0
    views: int = 0  # of this placement, within the window
    dismissed_at: datetime | None = None
    snoozed_until: datetime | None = None
    supporter: SupporterPass | None = None
    already_read: bool = False  # this article was counted before this visit
    crawler: bool = False
    force: bool = False  # staff asked to see the prompt whatever the rules say


@dataclass(frozen=True)
class Check:
    rule: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Decision:
    placement: str
    prompt: str | None  # appeal | thanks | None
    variant: str
    reason: str
    checks: tuple[Check, ...] = ()

    @property
    def shows(self) -> bool:
        return self.prompt is not None

    def as_debug(self) -> list[dict[str, Any]]:
        return [{"rule": c.rule, "passed": c.passed, "detail": c.detail} for c in self.checks]


def decide(context: ReaderContext, rules: PromptRules) -> Decision:
    """Which prompt (if any) this placement shows this reader now, and why."""
    checks: list[Check] = []

    def outcome(prompt: str | None, reason: str) -> Decision:
        if context.force and prompt is None and context.placement in PLACEMENTS:
            checks.append(Check("force", True, "staff forced the appeal"))
            return Decision(context.placement, APPEAL, "forced", "forced", tuple(checks))
        return Decision(context.placement, prompt, rules.variant, reason, tuple(checks))

    def check(rule: str, passed: bool, detail: str) -> bool:
        checks.append(Check(rule, passed, detail))
        return passed

    placement = context.placement
    if not check("placement", placement in PLACEMENTS, f"placement {placement!r}"):
        return outcome(None, "unknown-placement")

    supporter = context.supporter
    if supporter is not None and supporter.valid_at(context.now):
        check(
            "supporter", False, f"{supporter.kind} supporter until {supporter.expires_at:%Y-%m-%d}"
        )
        if supporter.is_recurring or placement != "article-end":
            return outcome(None, "supporter")
        return outcome(THANKS, "supporter-thanks")
    check("supporter", True, "no supporter pass")

    snoozed = context.snoozed_until is not None and context.now < context.snoozed_until
    if not check("snooze", not snoozed, f"snoozed until {context.snoozed_until}"):
        return outcome(None, "snoozed")

    dismissed = context.dismissed_at is not None and context.now < (
        context.dismissed_at + timedelta(days=rules.dismiss_days)
    )
    if not check("dismissed", not dismissed, f"dismissed at {context.dismissed_at}"):
        return outcome(None, "dismissed")

    mode = rules.paywall_mode
    past_meter = context.articles_read > rules.free_articles
    if placement == "overlay":
        if not check("paywall-mode", mode == "soft", f"overlay needs soft mode, mode is {mode}"):
            return outcome(None, "overlay-off")
        met = f"{context.articles_read} read, {rules.free_articles} free"
        if not check("meter", past_meter, met):
            return outcome(None, "meter-not-reached")
    if placement == "banner" and mode == "soft" and past_meter:
        check("overlay-instead", False, "the overlay asks instead of the banner")
        return outcome(None, "overlay-instead")

    minimum = rules.min_articles.get(placement, 0)
    enough = context.articles_read >= minimum
    if not check("articles-read", enough, f"{context.articles_read} read, needs {minimum}"):
        return outcome(None, "too-early")

    cap = rules.view_caps.get(placement)
    under_cap = cap is None or context.views < cap
    detail = f"{context.views} views in {rules.window_days} days, cap {cap}"
    if not check("view-cap", under_cap, detail):
        return outcome(None, "cap-reached")

    return outcome(APPEAL, "eligible")


def withholds_body(context: ReaderContext, rules: PromptRules) -> bool:
    """True when the metered paywall keeps this article's body from this reader."""
    if rules.paywall_mode != "metered" or context.crawler or context.already_read:
        return False
    if context.supporter is not None and context.supporter.valid_at(context.now):
        return False
    return context.articles_read > rules.free_articles
