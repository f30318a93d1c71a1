"""What a reader may give: the frequencies, presets and limits a newsroom offers, and their words.

The one set of rules: the donation form checks the amount with it on the server, and the form's
script and the prompt component get the same rules from the server's configuration (as_json).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext, lazy_gettext

from donations.payments.enums import Frequency
from donations.payments.money import NO_AMOUNT, NOT_A_NUMBER, TOO_PRECISE, Money

FREQUENCY_LABELS = {
    Frequency.ONCE: lazy_gettext("Once"),
    Frequency.MONTHLY: lazy_gettext("Monthly"),
    Frequency.ANNUAL: lazy_gettext("Annual"),
}
# What a preset says after the amount, the button's words, and how a pledge is summed up in
# words: whole sentences per frequency, because languages put "a month" in different places.
PER = {
    Frequency.ONCE: "",
    Frequency.MONTHLY: lazy_gettext("/month"),
    Frequency.ANNUAL: lazy_gettext("/year"),
}
BUTTON = {
    Frequency.ONCE: lazy_gettext("Support {amount}"),
    Frequency.MONTHLY: lazy_gettext("Support {amount}/month"),
    Frequency.ANNUAL: lazy_gettext("Support {amount}/year"),
}
EVERY = {
    Frequency.ONCE: lazy_gettext("{amount} once"),
    Frequency.MONTHLY: lazy_gettext("{amount} every month"),
    Frequency.ANNUAL: lazy_gettext("{amount} every year"),
}


@dataclass(frozen=True)
class FrequencyRule:
    """Presets, default and minimum for one frequency, in minor units (any currency)."""

    presets: tuple[int, ...]
    default: int
    minimum: int


@dataclass(frozen=True)
class AmountRules:
    rules: Mapping[Frequency, FrequencyRule]
    maximum: int
    currencies: tuple[str, ...]
    default_frequency: Frequency
    default_currency: str
    contact_email: str

    def rule(self, frequency: Frequency | str) -> FrequencyRule:
        return self.rules[Frequency(frequency)]

    def default_amount(self, frequency: Frequency | str, currency: str) -> Money:
        return Money(self.rule(frequency).default, currency)

    def problem(self, frequency: Frequency | str, money: Money) -> str | None:
        """Why this amount cannot be taken, in a reader's words; None when it can."""
        frequency = Frequency(frequency)
        minimum = Money(self.rule(frequency).minimum, money.currency)
        if money < minimum:
            return self.words(frequency)["tooSmall"].format(minimum=minimum)
        if money.amount > self.maximum:
            maximum = Money(self.maximum, money.currency)
            return self.words(frequency)["tooLarge"].format(maximum=maximum)
        return None

    def nearest(self, frequency: Frequency | str, money: Money) -> Money:
        """The amount closest to this one that the rules take."""
        lowest = self.rule(frequency).minimum
        return Money(min(max(money.amount, lowest), self.maximum), money.currency)

    def words(self, frequency: Frequency | str) -> dict[str, str]:
        """What the form says about an amount, with {minimum}, {maximum} and {amount} to fill in
        (the server here, the form's script and the component in the browser)."""
        frequency = Frequency(frequency)
        # {minimum}, {maximum} and {amount} stay for the browser: the messages keep them whole.
        too_small = {
            Frequency.ONCE: gettext("The smallest gift we can take is {minimum}."),
            Frequency.MONTHLY: gettext("Monthly support starts at {minimum}/month."),
            Frequency.ANNUAL: gettext("Annual support starts at {minimum}/year."),
        }[frequency]
        suggest = {
            Frequency.ONCE: gettext("Give {amount} instead"),
            Frequency.MONTHLY: gettext("Give {amount}/month instead"),
            Frequency.ANNUAL: gettext("Give {amount}/year instead"),
        }[frequency]
        too_large = gettext(
            "The most we can take online is {maximum}. For a larger gift, please write to us at "
            "%(email)s.",
            email=self.contact_email,
        )
        return {
            "tooSmall": too_small,
            "tooLarge": too_large,
            "empty": str(NO_AMOUNT),
            "notANumber": str(NOT_A_NUMBER),
            "decimals": str(TOO_PRECISE),
            "suggest": suggest,
            "button": str(BUTTON[frequency]),
            "continue": gettext("Continue"),  # the button before an amount is chosen
        }

    def as_json(self) -> dict[str, Any]:
        """The rules for the browser, the form's script and the component alike: presets,
        default, minimum and maximum per frequency in minor units, and their words."""
        return {
            str(frequency): {
                "presets": list(rule.presets),
                "default": rule.default,
                "minimum": rule.minimum,
                "maximum": self.maximum,
                "per": str(PER[frequency]),
                "words": self.words(frequency),
            }
            for frequency, rule in self.rules.items()
        }


def donation_rules() -> AmountRules:
    """This app's rules, read from its settings when it started."""
    return current_app.extensions["donation_amounts"]


def amount_rules(config: Mapping[str, Any]) -> AmountRules:
    """The rules from the settings (DONATION_AMOUNTS are in major units)."""
    configured = config["DONATION_AMOUNTS"]

    def minor(major: Any) -> int:
        return Money.of_major(major, "usd").amount

    return AmountRules(
        rules={
            frequency: FrequencyRule(
                presets=tuple(minor(value) for value in configured[frequency]["presets"]),
                default=minor(configured[frequency]["default"]),
                minimum=minor(configured[frequency]["minimum"]),
            )
            for frequency in Frequency
        },
        maximum=minor(config["DONATION_MAXIMUM"]),
        currencies=tuple(config["DONATION_CURRENCIES"]),
        default_frequency=Frequency(config["DONATION_DEFAULT_FREQUENCY"]),
        default_currency=config["DONATION_DEFAULT_CURRENCY"],
        contact_email=config["NEWSROOM_CONTACT_EMAIL"],
    )


def button_label(frequency: Frequency | str, money: Money | None) -> str:
    """'Support $5/month': the button says what Checkout will charge, and how often."""
    if money is None:
        return gettext("Continue")
    return str(BUTTON[Frequency(frequency)]).format(amount=money)


def monthly_upsell(rules: AmountRules, once: Money) -> Money:
    """The monthly amount offered instead of a one-off gift: about half of it each month, as
    the largest monthly preset that fits (a round, familiar number), never below the minimum."""
    monthly = rules.rule(Frequency.MONTHLY)
    fitting = [preset for preset in monthly.presets if preset * 2 <= once.amount]
    return Money(max([monthly.minimum, *fitting]), once.currency)


def raise_to(rules: AmountRules, frequency: Frequency | str, money: Money) -> Money | None:
    """The amount an anniversary e-mail offers to raise a recurring gift to: the next larger
    preset of its cadence (a familiar number), else about half as much again in whole units,
    never above the maximum; None when the gift is at the maximum already."""
    larger = [preset for preset in rules.rule(frequency).presets if preset > money.amount]
    # Above the top preset: 1.5 × the amount, rounded up to a whole unit.
    offered = min(larger) if larger else -(-money.amount * 3 // 200) * 100
    offered = min(offered, rules.maximum)
    return Money(offered, money.currency) if offered > money.amount else None


def pledge_summary(frequency: Frequency | str, money: Money) -> str:
    """'$5 every month' / '$10 once'."""
    return str(EVERY[Frequency(frequency)]).format(amount=money)
