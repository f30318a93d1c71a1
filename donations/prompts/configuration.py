"""The prompts' configuration: everything the component needs to decide and draw an ask.

It is the same for every reader of a site in one language (appeals, rules, amounts, links), so
it is public and cached in front of the app; the reader's own state (articles read, views,
dismissals, snooze, the supporter flag) stays in the reader's browser, which applies the rules.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import select

from donations.payments import goal
from donations.payments.amounts import FREQUENCY_LABELS, donation_rules
from donations.payments.enums import Placement
from donations.payments.money import symbol, symbol_after
from donations.platform import seams
from donations.platform.extensions import db
from donations.platform.i18n import plural_forms
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
        "thanks": {
            "heading": gettext(
                "Thank you for supporting %(newsroom)s.", newsroom=config["NEWSROOM_NAME"]
            )
        },
        "words": component_words(config),
        "form": {
            "amounts": rules.as_json(),
            "maximum": rules.maximum,
            "frequency": rules.default_frequency,
            # In the order the tabs show them (JSON objects come out sorted).
            "frequencies": [[str(f), str(label)] for f, label in FREQUENCY_LABELS.items()],
            "currency": rules.default_currency,
            "currencies": list(rules.currencies),
            "symbols": {currency: symbol(currency) for currency in rules.currencies},
            # The "Other amount" field's symbol on the side this language writes it ("25 $").
            "symbolAfter": symbol_after(),
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


def component_words(config: Any) -> dict[str, Any]:
    """The component's own words in this language (the appeals' are the newsroom's data).

    What depends on a setting is said here; what depends on the reader's own counts (articles
    read, views) comes in each plural form, for the browser to pick with Intl.PluralRules.
    """
    window = ngettext("%(num)d day", "%(num)d days", config["PROMPT_WINDOW_DAYS"])
    snooze = config["PROMPT_SNOOZE_DAYS"]
    return {
        "articles": plural_forms(lambda n: ngettext("{n} article", "{n} articles", n)),
        "forced": gettext("This ask was forced by the page’s address, for a preview."),
        "meter": gettext(
            "You have read {articles} here in the last %(days)s, past the free ones, so we ask "
            "before the next.",
            days=window,
        ),
        "thanked": gettext(
            "You gave to us recently on this device, so instead of asking we say thank you."
        ),
        "read": gettext("You have read {articles} here in the last %(days)s.", days=window),
        "cap": plural_forms(
            lambda n: ngettext(
                "We show this ask at most {n} time in %(days)s; this is number {number}.",
                "We show this ask at most {n} times in %(days)s; this is number {number}.",
                n,
                days=window,
            )
        ),
        "closing": gettext("Closing it keeps it away for a while."),
        "less": gettext("You asked us to ask less, until {date}."),
        "experiment": gettext(
            "We are comparing versions of this message; your browser was given one at random."
        ),
        "counted": gettext("What you have read is counted in this browser, not on our servers."),
        "why": gettext("Why am I seeing this?"),
        "askLess": gettext("Ask me less"),
        "lessDone": gettext("Done: until {date} we will ask you less often on this device."),
        "close": gettext("Close"),
        "continue": gettext("Continue"),
        "frequency": gettext("How often would you like to give?"),
        "amount": gettext("Choose an amount"),
        "other": gettext("Other amount"),
        "problem": gettext("There is a problem"),
        "currency": gettext("Currency"),
        "secure": gettext("You will pay on Stripe’s secure page. We never see your card number."),
        "methods": gettext("Accepted payment methods"),
        "supporter": [
            gettext("I already support"),
            gettext(
                ": sign in with your e-mail, and the asks stop on every device you sign in on."
            ),
        ],
        "remindIntro": ngettext(
            "Leave your e-mail and we will send one reminder in the month you choose. Or leave "
            "it empty and we won’t ask you for %(num)d day.",
            "Leave your e-mail and we will send one reminder in the month you choose. Or leave "
            "it empty and we won’t ask you for %(num)d days.",
            snooze,
        ),
        "email": gettext("Your e-mail (optional)"),
        "when": gettext("When should we write?"),
        "month": gettext("In %(month)s", month="{month}"),
        "consent": gettext("Yes, you may e-mail me this reminder (up to two e-mails)."),
        "remind": gettext("Remind me"),
        "failed": gettext("Sorry, that did not work. Please try again."),
        "snoozed": ngettext(
            "Thank you. We won’t ask you to support us for %(num)d day on this device.",
            "Thank you. We won’t ask you to support us for %(num)d days on this device.",
            snooze,
        ),
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
