"""Finding pledges and payments for the staff lists and exports: one filter, one stable order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, not_, or_, select, text

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.platform.database import utcnow
from donations.platform.extensions import db

# What a search box entry starting with each prefix can be: ids Stripe gives its objects.
PLEDGE_ID_COLUMNS = {
    "cs_": Pledge.checkout_session_id,
    "cus_": Pledge.customer_id,
    "sub_": Pledge.subscription_id,
    "pl_": Pledge.public_id,
}
SORTS = {
    "newest": (Pledge.created_at.desc(), Pledge.id.desc()),
    "oldest": (Pledge.created_at.asc(), Pledge.id.asc()),
    "largest": (Pledge.amount.desc(), Pledge.id.desc()),
    "smallest": (Pledge.amount.asc(), Pledge.id.asc()),
}
DEFAULT_SORT = "newest"
# A pledge still pending a day after its reader left for Checkout was abandoned there: the
# lists and exports leave those out unless asked for them.
ABANDONED_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class PledgeFilter:
    query: str = ""
    status: str = ""
    frequency: str = ""
    currency: str = ""
    prompt: str = ""
    created_from: date | None = None
    created_to: date | None = None
    sort: str = DEFAULT_SORT
    abandoned: bool = False  # include checkouts abandoned over a day ago


def abandoned() -> Any:
    return and_(
        Pledge.status == PledgeStatus.PENDING, Pledge.created_at < utcnow() - ABANDONED_AFTER
    )


def _where(stmt: Select, f: PledgeFilter, *, dates: Any = Pledge.created_at) -> Select:
    """The filter's conditions; `dates` is the column the date range applies to."""
    if not f.abandoned:
        stmt = stmt.where(not_(abandoned()))
    if f.query:
        stmt = stmt.where(_matches(f.query.strip()))
    if f.status:
        stmt = stmt.where(Pledge.status == f.status)
    if f.frequency:
        stmt = stmt.where(Pledge.frequency == f.frequency)
    if f.currency:
        stmt = stmt.where(Pledge.currency == f.currency)
    if f.prompt:
        stmt = stmt.where(Pledge.prompt == f.prompt)
    if f.created_from:
        stmt = stmt.where(dates >= _midnight(f.created_from))
    if f.created_to and f.created_to < date.max:  # up to the last day there is: no limit
        stmt = stmt.where(dates < _midnight(f.created_to + timedelta(days=1)))
    return stmt


def _matches(entry: str) -> Any:
    """An e-mail (whole or its start), or any Stripe id we keep for a pledge or its payments."""
    for prefix, column in PLEDGE_ID_COLUMNS.items():
        if entry.startswith(prefix):
            return column == entry
    if entry.startswith(("in_", "pi_", "ch_")):
        paid_with = select(Payment.pledge_id).where(
            or_(
                Payment.stripe_invoice_id == entry,
                Payment.stripe_payment_intent_id == entry,
                Payment.stripe_charge_id == entry,
            )
        )
        return or_(Pledge.payment_intent_id == entry, Pledge.id.in_(paid_with))
    lowered = entry.lower()
    if "@" in lowered:
        return func.lower(Pledge.email) == lowered
    escaped = lowered.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(Pledge.email).like(escaped + "%", escape="\\")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass
class PledgePage:
    rows: list[Any]  # (Pledge, kept) pairs: kept = paid minus refunded, in minor units
    total: int
    page: int
    per_page: int
    hidden_abandoned: int = 0  # matching abandoned checkouts left out

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.page * self.per_page, self.total)


def find_pledges(f: PledgeFilter, page: int, per_page: int) -> PledgePage:
    """One page of matching pledges in a stable order (ties broken by id), and how many match."""
    total = db.session.scalar(_where(select(func.count()).select_from(Pledge), f)) or 0
    page = max(1, min(page, max(1, -(-total // per_page))))
    stmt = (
        _where(select(Pledge), f)
        .order_by(*SORTS.get(f.sort, SORTS[DEFAULT_SORT]))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    pledges = list(db.session.scalars(stmt))
    # Totals for this page's pledges only, so skipped pages cost no payment lookups.
    kept = dict(
        db.session.execute(
            select(Payment.pledge_id, func.sum(Payment.amount - Payment.refunded_amount))
            .where(Payment.pledge_id.in_([pledge.id for pledge in pledges]))
            .group_by(Payment.pledge_id)
        ).all()
    )
    rows = [(pledge, int(kept.get(pledge.id, 0))) for pledge in pledges]
    hidden = 0
    if not f.abandoned:
        counted = select(func.count()).select_from(Pledge).where(abandoned())
        hidden = db.session.scalar(_where(counted, replace(f, abandoned=True))) or 0
    return PledgePage(rows, total, page, per_page, hidden)


# The distinct prompts, one index probe each (a "loose index scan"): a handful of values
# among hundreds of thousands of pledges would otherwise cost a full scan on every page.
DISTINCT_PROMPTS = text(
    """
    WITH RECURSIVE found(prompt) AS (
        SELECT min(prompt) FROM pledge
        UNION ALL
        SELECT (SELECT min(prompt) FROM pledge WHERE prompt > found.prompt)
        FROM found WHERE found.prompt IS NOT NULL
    )
    SELECT prompt FROM found WHERE prompt IS NOT NULL
    """
)


def known_prompts() -> list[str]:
    """Prompts pledges were attributed to, for the filter's choices."""
    return list(db.session.scalars(DISTINCT_PROMPTS))


def find_pledge(public_id: str) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))


def events_of(pledge: Pledge) -> list[StripeEvent]:
    """The Stripe events that touched a pledge, oldest first: its timeline."""
    stmt = (
        select(StripeEvent)
        .where(StripeEvent.pledge_id == pledge.id)
        .order_by(StripeEvent.created_at, StripeEvent.received_at)
    )
    return list(db.session.scalars(stmt))


# Rows fetched per round trip while exporting: memory stays flat whatever the export's size.
STREAM_BATCH = 1000

PLEDGE_COLUMNS = (
    Pledge.public_id,
    Pledge.created_at,
    Pledge.status,
    Pledge.frequency,
    Pledge.amount,
    Pledge.currency,
    Pledge.email,
    Pledge.prompt,
    Pledge.placement,
    Pledge.variant,
    Pledge.article_slug,
    Pledge.customer_id,
    Pledge.subscription_id,
    Pledge.payment_intent_id,
)
PAYMENT_COLUMNS = (
    Payment.id,
    Payment.paid_at,
    Payment.amount,
    Payment.refunded_amount,
    Payment.currency,
    Payment.disputed,
    Payment.stripe_invoice_id,
    Payment.stripe_payment_intent_id,
    Pledge.public_id,
    Pledge.frequency,
    Pledge.email,
    Pledge.prompt,
)


def stream_pledges(f: PledgeFilter) -> Iterator[tuple[Any, ...]]:
    """Every matching pledge as a plain tuple, fetched in batches by a server-side cursor."""
    stmt = _where(select(*PLEDGE_COLUMNS), f).order_by(*SORTS.get(f.sort, SORTS[DEFAULT_SORT]))
    yield from _stream(stmt)


def stream_payments(f: PledgeFilter) -> Iterator[tuple[Any, ...]]:
    """Payments of matching pledges; the date range applies to when each payment was made."""
    stmt = _where(
        select(*PAYMENT_COLUMNS).join(Pledge, Payment.pledge_id == Pledge.id),
        f,
        dates=Payment.paid_at,
    ).order_by(Payment.paid_at.desc(), Payment.id.desc())
    yield from _stream(stmt)


def _stream(stmt: Select) -> Iterator[tuple[Any, ...]]:
    result = db.session.execute(stmt.execution_options(yield_per=STREAM_BATCH))
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()
