"""Whether a reader's one-off choice gets the monthly offer before Checkout: one decision.

Small one-off gifts (under UPSELL_BELOW) are eligible. The offer shows when UPSELL_MONTHLY is
on, or when the reader sees an experiment variant whose `upsell` change says so (a variant's
change wins over the setting, so the control and the variant differ only in the offer).
A mid-checkout interruption can cost completions, so eligible pledges that were not offered
are marked too: the dashboard compares completion with and without it.
"""

from __future__ import annotations

from flask import current_app

from donations.payments.enums import Frequency, UpsellStep
from donations.payments.money import Money
from donations.payments.pledges import PledgeRequest
from donations.platform import seams


def step_for(choice: PledgeRequest) -> UpsellStep | None:
    """OFFERED, SKIPPED (eligible, not offered) or None (not eligible: recurring or larger)."""
    if choice.frequency is not Frequency.ONCE:
        return None
    below = Money.of_major(current_app.config["UPSELL_BELOW"], choice.money.currency)
    if not choice.money < below:
        return None
    return UpsellStep.OFFERED if switched_on(choice.attribution.variant) else UpsellStep.SKIPPED


def switched_on(variant: str | None) -> bool:
    """The running experiment variant's `upsell` change if it has one, else the setting."""
    if variant:
        for experiment in seams.provided("running_experiments")():
            for shown in experiment["variants"]:
                if shown["name"] == variant and "upsell" in shown["changes"]:
                    return bool(shown["changes"]["upsell"])
    return current_app.config["UPSELL_MONTHLY"] == "on"
