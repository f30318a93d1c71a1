"""Deletion requests and data kept to a minimum: remove a reader's e-mail address, and what came
with it, from everything this service stores; purge what is no longer needed.

App-level, like cli.py: it reaches into every feature's records, as a deletion must.
`flask --app app privacy forget EMAIL` and `flask --app app privacy purge` run them.

An address is found however it was stored: in any case, composed or decomposed, and inside
JSON that escapes what is not ASCII (`jos\\u00e9@…`). The database narrows the search with
the address's ASCII parts (the same in every storage form), and each candidate is checked
here, on the decoded value.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from email import message_from_binary_file
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import String, cast, delete, func, or_, select, update

from donations.newsletter.models import NewsletterSubscriber
from donations.payments.enums import PledgeStatus
from donations.payments.models import (
    CheckoutRecovery,
    DonorNotice,
    Payment,
    Pledge,
    PledgeChange,
    StripeEvent,
)
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.reminders.models import Reminder
from donations.staff.models import AuditLog

privacy_cli = AppGroup("privacy", help="Readers' data: deletion requests and purges.")

FORGOTTEN = "[forgotten]"
# Where Stripe objects keep a person's details (sessions, charges, invoices, customers,
# disputes' evidence): in an event about the reader, everything under these keys is removed.
PERSONAL_FIELDS = frozenset(
    {
        "address",
        "billing_address",
        "billing_details",
        "customer_address",
        "customer_details",
        "customer_email",
        "customer_email_address",
        "customer_name",
        "customer_phone",
        "customer_purchase_ip",
        "customer_shipping",
        "email",
        "name",
        "phone",
        "receipt_email",
        "shipping",
        "shipping_address",
        "shipping_details",
    }
)
NAME_FIELDS = frozenset({"name", "customer_name"})


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def like_pattern(email: str, *, anywhere: bool) -> str:
    """A LIKE pattern every stored form of the address matches: its lower-case ASCII parts,
    with % for whatever is not ASCII (stored as itself, escaped, or decomposed)."""
    pattern, previous = "", ""
    for char in _normal(email).lower():
        if char.isascii():
            piece = "\\" + char if char in "%_\\" else char
        else:
            piece = "" if previous == "%" else "%"
        if piece:
            pattern += piece
            previous = piece
    return f"%{pattern}%" if anywhere else pattern


def _lower_like(column: Any, pattern: str) -> Any:
    return func.lower(column).like(pattern, escape="\\")


class Mentions:
    """Finds and rewrites one reader's address (and, in their own events, their names)."""

    def __init__(self, email: str) -> None:
        self.address = re.compile(re.escape(_normal(email)), re.IGNORECASE)
        self.names: list[re.Pattern[str]] = []

    def learn_names(self, names: Iterable[str]) -> None:
        known = {pattern.pattern for pattern in self.names}
        for name in names:
            pattern = re.escape(_normal(name.strip()))
            if len(pattern) > 2 and pattern not in known:
                self.names.append(re.compile(pattern, re.IGNORECASE))
                known.add(pattern)

    def is_address(self, value: str | None) -> bool:
        return bool(value) and self.address.fullmatch(_normal(value.strip())) is not None

    def in_text(self, value: str, *, names: bool = False) -> bool:
        text = _normal(value)
        patterns = [self.address, *(self.names if names else [])]
        return any(pattern.search(text) for pattern in patterns)

    def scrub_text(self, value: str, *, names: bool = False) -> str:
        if not self.in_text(value, names=names):
            return value
        text = _normal(value)
        for pattern in [self.address, *(self.names if names else [])]:
            text = pattern.sub(FORGOTTEN, text)
        return text

    def scrub(self, value: Any, *, personal: bool = False) -> Any:
        """The same structure without the reader: personal fields emptied, mentions replaced."""
        if isinstance(value, dict):
            return {
                key: self.scrub(item, personal=personal or key in PERSONAL_FIELDS)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.scrub(item, personal=personal) for item in value]
        if personal:
            return None
        if isinstance(value, str):
            return self.scrub_text(value, names=True)
        return value


def names_in(value: Any, inside: bool = False) -> Iterable[str]:
    """The names a Stripe object gives its person (customer_details.name, customer_name…)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in NAME_FIELDS and isinstance(item, str) and (inside or key != "name"):
                yield item
            yield from names_in(item, inside or key in PERSONAL_FIELDS)
    elif isinstance(value, list):
        for item in value:
            yield from names_in(item, inside)


def forget(email: str) -> dict[str, int]:
    """Delete reminders, newsletter subscriptions and queued e-mails, blank pledges' address,
    scrub what Stripe's events, the audit log and the outbox keep of the reader, and void the
    links already sent.

    Pledges and payments stay (they are the newsroom's accounts), without the address. Links in
    the reader's mailbox stop working with it (donor_links.py). Stripe keeps its own copy of
    the customer: the README says how to delete it there.
    """
    mentions = Mentions(email)
    pledges = [
        pledge
        for pledge in db.session.scalars(
            select(Pledge).where(_lower_like(Pledge.email, like_pattern(email, anywhere=False)))
        )
        if mentions.is_address(pledge.email)
    ]
    pledge_ids = [pledge.id for pledge in pledges]
    recovery_ids = {
        *_ids_with_address(CheckoutRecovery, mentions, email),
        *db.session.scalars(
            select(CheckoutRecovery.id).where(CheckoutRecovery.pledge_id.in_(pledge_ids))
        ),
    }
    done = {
        "reminders deleted": _delete(Reminder, _ids_with_address(Reminder, mentions, email)),
        "newsletter subscriptions deleted": _delete(
            NewsletterSubscriber, _ids_with_address(NewsletterSubscriber, mentions, email)
        ),
        "checkout reminders deleted": _delete(CheckoutRecovery, sorted(recovery_ids)),
        "queued e-mails dropped": db.session.execute(
            delete(DonorNotice).where(
                DonorNotice.pledge_id.in_(pledge_ids), DonorNotice.sent_at.is_(None)
            )
        ).rowcount,
        "stripe events scrubbed": _scrub_events(mentions, email, pledges),
        "audit entries scrubbed": _scrub_audit_log(mentions, email),
    }
    # A failed send's error names the address it went to.
    db.session.execute(
        update(DonorNotice).where(DonorNotice.pledge_id.in_(pledge_ids)).values(last_error=None)
    )
    # What a donor wrote when they cancelled may name them; the reason they chose stays.
    db.session.execute(
        update(PledgeChange).where(PledgeChange.pledge_id.in_(pledge_ids)).values(reason_text=None)
    )
    done["pledges made anonymous"] = db.session.execute(
        update(Pledge).where(Pledge.id.in_(pledge_ids)).values(email=None)
    ).rowcount
    db.session.commit()
    done["e-mails deleted from the outbox"] = _delete_from_outbox(mentions)
    return done


def _ids_with_address(model: Any, mentions: Mentions, email: str) -> list[int]:
    pattern = like_pattern(email, anywhere=False)
    rows = db.session.scalars(select(model).where(_lower_like(model.email, pattern)))
    return [row.id for row in rows if mentions.is_address(row.email)]


def _delete(model: Any, ids: list[int]) -> int:
    if not ids:
        return 0
    return db.session.execute(delete(model).where(model.id.in_(ids))).rowcount


def _scrub_events(mentions: Mentions, email: str, pledges: list[Pledge]) -> int:
    """Every event about the reader: those of their pledges, those naming their Stripe
    customers, and any that mentions their address."""
    payload_text = func.lower(cast(StripeEvent.payload, String))
    customers = {pledge.customer_id for pledge in pledges if pledge.customer_id}
    about_them = [
        StripeEvent.pledge_id.in_([pledge.id for pledge in pledges]),
        payload_text.like(like_pattern(email, anywhere=True), escape="\\"),
        *(payload_text.contains(customer.lower()) for customer in customers),
    ]
    events = [
        event
        for event in db.session.scalars(select(StripeEvent).where(or_(*about_them)))
        if event.pledge_id in {pledge.id for pledge in pledges}
        or any(customer in str(event.payload) for customer in customers)
        or mentions.in_text(_all_text(event.payload))
    ]
    for event in events:
        mentions.learn_names(names_in(event.payload))
    for event in events:
        event.payload = mentions.scrub(event.payload)
        event.details = mentions.scrub(event.details)
    return len(events)


def _all_text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_all_text(item) for item in value.values())
    if isinstance(value, list):
        return " ".join(_all_text(item) for item in value)
    return value if isinstance(value, str) else ""


def _scrub_audit_log(mentions: Mentions, email: str) -> int:
    scrubbed = 0
    candidates = select(AuditLog).where(
        _lower_like(AuditLog.detail, like_pattern(email, anywhere=True))
    )
    for entry in db.session.scalars(candidates):
        if mentions.in_text(entry.detail):
            entry.detail = mentions.scrub_text(entry.detail)
            scrubbed += 1
    return scrubbed


def _delete_from_outbox(mentions: Mentions) -> int:
    """Development's outbox (no MAIL_SERVER): the .eml files sent to or about the reader."""
    outbox = os.path.join(current_app.instance_path, "outbox")
    if not os.path.isdir(outbox):
        return 0
    deleted = 0
    for name in sorted(os.listdir(outbox)):
        path = os.path.join(outbox, name)
        if not name.endswith(".eml") or not os.path.isfile(path):
            continue
        with open(path, "rb") as file:
            message = message_from_binary_file(file, policy=default_policy)
        if mentions.in_text(_message_text(message)):  # type: ignore[arg-type]
            os.remove(path)
            deleted += 1
    return deleted


def _message_text(message: EmailMessage) -> str:
    parts = [str(message.get(header, "")) for header in ("To", "Cc", "Subject")]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


@privacy_cli.command("forget")
@click.argument("email")
def forget_command(email: str) -> None:
    """Remove EMAIL from reminders, the newsletter, pledges, Stripe's events, the audit log and
    the outbox."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    for what, count in forget(email).items():
        click.echo(f"{what}: {count}")
    click.echo("Done. Stripe keeps its own copy: delete the customer in Stripe's dashboard too.")


# Checkouts never paid: the reader left Stripe's page, or it expired. Stripe's sessions expire
# within a day, so one this old can no longer be paid.
ABANDONED = (PledgeStatus.PENDING, PledgeStatus.EXPIRED)


def purge(now: datetime | None = None) -> dict[str, int]:
    """Delete checkouts abandoned over PENDING_PLEDGE_RETENTION_DAYS ago (with their events'
    payloads), and empty the payloads of Stripe events older than EVENT_PAYLOAD_RETENTION_DAYS.

    Events keep their id (the duplicate guard), type, times and outcome records; pledges with a
    payment, a queued e-mail or a staff action stay whatever their status.
    """
    now = now or utcnow()
    config = current_app.config
    abandoned_before = now - timedelta(days=config["PENDING_PLEDGE_RETENTION_DAYS"])
    abandoned = select(Pledge.id).where(
        Pledge.status.in_(ABANDONED),
        Pledge.created_at < abandoned_before,
        ~select(Payment.id).where(Payment.pledge_id == Pledge.id).exists(),
        ~select(DonorNotice.id).where(DonorNotice.pledge_id == Pledge.id).exists(),
        ~select(AuditLog.id).where(AuditLog.pledge_id == Pledge.id).exists(),
    )
    ids = list(db.session.scalars(abandoned))
    done = {
        "abandoned events emptied": db.session.execute(
            update(StripeEvent)
            .where(StripeEvent.pledge_id.in_(ids))
            .values(payload={}, pledge_id=None)
        ).rowcount
        if ids
        else 0,
        "abandoned checkouts deleted": _delete(Pledge, ids),
    }
    old_before = now - timedelta(days=config["EVENT_PAYLOAD_RETENTION_DAYS"])
    done["old event payloads emptied"] = db.session.execute(
        update(StripeEvent)
        .where(StripeEvent.received_at < old_before, cast(StripeEvent.payload, String) != "{}")
        .values(payload={})
    ).rowcount
    db.session.commit()
    return done


@privacy_cli.command("purge")
def purge_command() -> None:
    """Delete abandoned checkouts and empty old Stripe event payloads (cron: daily)."""
    for what, count in purge().items():
        click.echo(f"{what}: {count}")
