"""Restoring a supporter pass on another device through an e-mailed, signed, expiring link."""

from __future__ import annotations

from flask_babel import lazy_gettext

from donations.payments import donor_links, notices
from donations.payments.models import Pledge
from donations.payments.pledges import confirmed_pledges_of
from donations.payments.supporter_pass import SupporterPass, pass_for
from donations.platform.database import utcnow

INVALID = lazy_gettext("This link is not valid. Please ask for a new one.")
EXPIRED = lazy_gettext("This link has expired. Please ask for a new one.")


class SignInLinkInvalid(Exception):
    """The link was altered, withdrawn or has expired; the message says so in a reader's words."""


def best_pass(email: str) -> tuple[Pledge, SupporterPass] | None:
    """The pledge whose pass lasts longest now, with that pass, among this e-mail's gifts."""
    now = utcnow()
    found = [(pledge, pass_for(pledge, now)) for pledge in confirmed_pledges_of(email)]
    passes = [(pledge, supporter) for pledge, supporter in found if supporter is not None]
    passes.sort(key=lambda pair: (pair[1].is_recurring, pair[1].expires_at))
    return passes[-1] if passes else None


def request_sign_in(email: str) -> None:
    """Queue a sign-in link when this address has given; the same path, silently, when not."""
    best = best_pass(email)
    notices.queue_requested("supporter_sign_in", best[0] if best else None)


def restore(token: str) -> SupporterPass | None:
    """The pass a valid link restores (None when the gift no longer earns one)."""
    try:
        pledge = donor_links.pledge_of(donor_links.SIGN_IN, token)
    except donor_links.LinkExpired:
        raise SignInLinkInvalid(EXPIRED) from None
    except donor_links.LinkInvalid:
        raise SignInLinkInvalid(INVALID) from None
    best = best_pass(pledge.email or "")
    return best[1] if best else None
