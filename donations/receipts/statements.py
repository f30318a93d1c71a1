"""Year-end statements: what each donor gave in a year, e-mailed once.

Resumable and idempotent: each donor's statement is stored (with its totals) before it is sent
and marked sent after, so running again sends only what is left, and a donor never gets two.
Rows are claimed with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL), so several machines may run
it at once. Only kept money counts: paid minus refunded, disputed payments left out.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from donations.payments.models import Payment, Pledge
from donations.payments.money import Money
from donations.platform.database import insert_unless_stored, utcnow
from donations.platform.extensions import db
from donations.platform.i18n import speaking
from donations.platform.mail import MailError, send_email
from donations.receipts.models import YearEndStatement

log = logging.getLogger(__name__)


@dataclass
class Report:
    year: int
    donors: int = 0
    sent: int = 0
    failed: int = 0
    dry_run: bool = False

    def in_words(self) -> str:
        if self.dry_run:
            return f"{self.donors} donor(s) would get a statement for {self.year}; nothing sent."
        return (
            f"{self.year}: {self.donors} donor(s) with gifts, {self.sent} statement(s) sent now"
            + (f", {self.failed} failed" if self.failed else "")
            + "."
        )


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def donors_totals(year: int) -> dict[str, tuple[dict[str, int], int]]:
    """Per donor address: kept money per currency and the number of payments, in one query."""
    start, end = year_bounds(year)
    email = func.lower(Pledge.email)
    rows = db.session.execute(
        select(
            email,
            Payment.currency,
            func.sum(Payment.amount - Payment.refunded_amount),
            func.count(),
        )
        .join(Pledge, Payment.pledge_id == Pledge.id)
        .where(Pledge.email.is_not(None), Payment.paid_at >= start, Payment.paid_at < end)
        .where(Payment.disputed.is_(False))
        .group_by(email, Payment.currency)
    )
    donors: dict[str, tuple[dict[str, int], int]] = defaultdict(lambda: ({}, 0))
    for address, currency, kept, count in rows:
        totals, payments = donors[address]
        if kept > 0:
            totals[currency] = int(kept)
        donors[address] = (totals, payments + int(count))
    return {address: kept for address, kept in donors.items() if kept[0]}


def send_year_end(year: int, *, dry_run: bool = False) -> Report:
    """Store and send every donor's statement for the year that is not sent yet."""
    donors = donors_totals(year)
    report = Report(year, donors=len(donors), dry_run=dry_run)
    if dry_run:
        return report
    statement = insert_unless_stored(db.session, YearEndStatement, "email", "year")
    for address, (totals, payments) in donors.items():
        db.session.execute(
            statement,
            {
                "email": address,
                "year": year,
                "totals": totals,
                "payments": payments,
                "created_at": utcnow(),
                "attempts": 0,
            },
        )
    db.session.commit()
    failed: set[int] = set()
    while (claimed := _next_unsent(year, failed)) is not None:
        claimed.attempts += 1
        try:
            _send(claimed)
        except MailError as error:
            claimed.last_error = str(error)[:1000]
            failed.add(claimed.id)
            log.warning("year-end statement %s for %s not sent: %s", claimed.id, year, error)
        else:
            claimed.sent_at = utcnow()
            report.sent += 1
        db.session.commit()
    report.failed = len(failed)
    return report


def _next_unsent(year: int, failed: set[int]) -> YearEndStatement | None:
    query = (
        select(YearEndStatement)
        .where(YearEndStatement.year == year, YearEndStatement.sent_at.is_(None))
        .where(YearEndStatement.id.not_in(failed))
        .order_by(YearEndStatement.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return db.session.scalar(query)


def _send(statement: YearEndStatement) -> None:
    newsroom = current_app.config["NEWSROOM_NAME"]
    totals = [Money(amount, currency) for currency, amount in sorted(statement.totals.items())]
    year = statement.year
    with speaking(_language_of(statement.email)):
        send_email(
            statement.email,
            gettext("Your %(year)s donations to %(newsroom)s", year=year, newsroom=newsroom),
            "year_end_statement",
            neutral_subject=gettext("Your %(year)s statement", year=year),
            newsroom=newsroom,
            year=year,
            totals=totals,
            payments=statement.payments,
        )


def _language_of(email: str) -> str | None:
    """A statement sums up several pledges: it speaks the language the donor gave in last."""
    return db.session.scalar(
        select(Pledge.language)
        .where(func.lower(Pledge.email) == email)
        .order_by(Pledge.created_at.desc(), Pledge.id.desc())
        .limit(1)
    )
