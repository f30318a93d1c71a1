"""The donation choices a newsroom offers: frequencies, presets and limits, read from config."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from donations.models import FREQUENCIES
from donations.money import format_money, to_minor

FREQUENCY_LABELS = {"once": "Once", "monthly": "Monthly", "annual": "Annual"}
# What the button and the thank-you page say after the amount.
PER = {"once": "", "monthly": "/month", "annual": "/year"}
EVERY = {"once": "once", "monthly": "every month", "annual": "every year"}


@dataclass(frozen=True)
class FrequencyRule:
    """Presets, default and minimum for one frequency, in minor units."""

    presets: tuple[int, ...]
    default: int
    minimum: int


@dataclass(frozen=True)
class AmountRules:
    rules: dict[str, FrequencyRule]
    maximum: int
    currencies: tuple[str, ...]
    default_frequency: str
    default_currency: str

    def rule(self, frequency: str) -> FrequencyRule:
        return self.rules[frequency]

    def problem(self, frequency: str, amount: int, currency: str) -> str | None:
        """Why this amount cannot be taken, in a reader's words; None when it can."""
        minimum = self.rules[frequency].minimum
        if amount < minimum:
            starts = format_money(minimum, currency) + PER[frequency]
            if frequency == "once":
                return f"The smallest gift we can take is {starts}."
            return f"{FREQUENCY_LABELS[frequency]} support starts at {starts}."
        if amount > self.maximum:
            return (
                f"The most we can take online is {format_money(self.maximum, currency)}. "
                "For a larger gift, please write to us."
            )
        return None

    def as_json(self) -> dict[str, Any]:
        """What the form's script needs to swap presets without a reload."""
        return {
            frequency: {
                "presets": list(rule.presets),
                "default": rule.default,
                "per": PER[frequency],
            }
            for frequency, rule in self.rules.items()
        }


def amount_rules(config: dict[str, Any]) -> AmountRules:
    configured = config["DONATION_AMOUNTS"]
    rules = {
        frequency: FrequencyRule(
            presets=tuple(to_minor(value) for value in configured[frequency]["presets"]),
            default=to_minor(configured[frequency]["default"]),
            minimum=to_minor(configured[frequency]["minimum"]),
        )
        for frequency in FREQUENCIES
    }
    return AmountRules(
        rules=rules,
        maximum=to_minor(config["DONATION_MAXIMUM"]),
        currencies=tuple(config["DONATION_CURRENCIES"]),
        default_frequency=config["DONATION_DEFAULT_FREQUENCY"],
        default_currency=config["DONATION_DEFAULT_CURRENCY"],
    )


def button_label(frequency: str, amount: int, currency: str) -> str:
    """'Support $5/month': the button says what will happen."""
    return f"Support {format_money(amount, currency)}{PER[frequency]}"


def pledge_summary(frequency: str, amount: int, currency: str) -> str:
    """'$5 every month' / '$10 once'."""
    return f"{format_money(amount, currency)} {EVERY[frequency]}"
