"""E-mails to donors about their pledges; each carries a link to manage the donation."""

from __future__ import annotations

import logging

from flask import current_app

from donations.extensions import db
from donations.mail import MailError, send_email
from donations.manage.links import manage_url
from donations.models import Pledge
from donations.support.amounts import pledge_summary

log = logging.getLogger(__name__)

SUBJECTS = {
    "thank_you": "Thank you for supporting {newsroom}",
    "payment_failed": "Your payment to {newsroom} did not go through",
    "manage_link": "Manage your donation to {newsroom}",
}


def send_to_donor(kind: str, pledge: Pledge) -> bool:
    """Send one of the donor e-mails; a mail failure is logged, never raised into a webhook."""
    if not pledge.email:
        return False
    subject = SUBJECTS[kind].format(newsroom=current_app.config["NEWSROOM_NAME"])
    try:
        send_email(
            pledge.email,
            subject,
            f"donor_{kind}",
            pledge=pledge,
            summary=pledge_summary(pledge.frequency, pledge.amount, pledge.currency),
            manage_url=manage_url(pledge) if pledge.customer_id else None,
        )
    except MailError:
        log.exception("could not send %s to pledge %s", kind, pledge.public_id)
        return False
    return True


def send_notices(notices: list[tuple[str, int]]) -> None:
    """After a webhook's change is committed: send the e-mails it asked for."""
    for kind, pledge_id in notices:
        pledge = db.session.get(Pledge, pledge_id)
        if pledge is not None:
            send_to_donor(kind, pledge)
