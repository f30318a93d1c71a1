"""The prompts' configuration: everything the component needs to decide and draw an ask.

It is the same for every reader of a site in one language (appeals, rules, amounts, links), so
it is public and cached in front of the app; the reader's own state (articles read, views,
dismissals, snooze, the supporter flag) stays in the reader's browser, which applies the rules.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from donations.payments import goal
from donations.payments.amounts import FREQUENCY_LABELS, donation_rules
from donations.payments.enums import Placement
from donations.payments.money import symbol
from donations.platform import seams
from donations.platform.extensions import db
from donations.platform.web import external_url
from donations.prompts.models import Appeal


def configuration(language: str) -> dict[str, Any]:
    """The component's configuration for this site in this language."""
    config = current_app.config
    rules = donation_rules()
    return {
        "newsroom": config["NEWSROOM_NAME"],
        "language": language,
        "variant": config["PROMPT_VARIANT"],
        "rules": {
            "windowDays": config["PROMPT_WINDOW_DAYS"],
            "viewCaps": config["PROMPT_VIEW_CAPS"],
            "minArticles": config["PROMPT_MIN_ARTICLES"],
            "dismissDays": config["PROMPT_DISMISS_DAYS"],
            "snoozeDays": config["PROMPT_SNOOZE_DAYS"],
            "paywall": config["PAYWALL_MODE"],
            "freeArticles": config["PAYWALL_FREE_ARTICLES"],
            "impressionSampleRate": config["PROMPT_IMPRESSION_SAMPLE_RATE"],
        },
        "appeals": appeals(language),
        "thanks": {"heading": f"Thank you for supporting {config['NEWSROOM_NAME']}."},
        "form": {
            "amounts": rules.as_json(),
            "maximum": rules.maximum,
            "frequency": rules.default_frequency,
            # In the order the tabs show them (JSON objects come out sorted).
            "frequencies": [[str(f), label] for f, label in FREQUENCY_LABELS.items()],
            "currency": rules.default_currency,
            "currencies": list(rules.currencies),
            "symbols": {currency: symbol(currency) for currency in rules.currencies},
        },
        "remind": {"months": seams.provided("reminder_months")()},
        "goal": public_goal(),
        "experiments": seams.provided("running_experiments")(),
        "links": {
            "support": external_url("support.form"),
            "supporter": external_url("supporters.sign_in"),
            "remind": external_url("reminders.remind_api"),
            "events": external_url("prompts.events"),
        },
    }


def public_goal() -> dict[str, Any] | None:
    """The newsroom's goal and its progress, when readers may see it (GOAL_PUBLIC): the same
    for every reader, so the configuration and the article page stay cacheable."""
    found = goal.public_progress()
    return None if found is None else {"words": found.words, "share": round(found.share, 3)}


def appeals(language: str) -> dict[str, dict[str, Any]]:
    """The copy of every prompt's appeal in this language."""
    rows = db.session.scalars(
        select(Appeal).where(Appeal.placement.in_(Placement.prompts()), Appeal.language == language)
    )
    return {str(row.placement): _copy_of(row) for row in rows}


def appeal_copy(placement: str, language: str) -> dict[str, Any] | None:
    """One appeal's copy, for a page that renders it (the article's end-of-article ask)."""
    row = db.session.scalar(
        select(Appeal).where(Appeal.placement == placement, Appeal.language == language)
    )
    return None if row is None else _copy_of(row)


def _copy_of(appeal: Appeal) -> dict[str, Any]:
    return {
        "heading": appeal.heading,
        "paragraphs": appeal.paragraphs,
        "button": appeal.button_text,
        "remindPrompt": appeal.remind_prompt,
        "remindLink": appeal.remind_link_text,
    }
