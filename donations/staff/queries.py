"""The dashboard's figures: SQL aggregates (at finest a rollup per day), never a loop over rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, case, func, select

from donations.payments.enums import CONFIRMED, ENDED, Frequency, PledgeStatus
from donations.payments.models import Payment, Pledge
from donations.platform import seams
from donations.platform.caching import STAFF_SETTLED_FIGURES, remembered
from donations.platform.database import utcnow
from donations.platform.extensions import db

PERIODS = (7, 30, 90, 365)
DEFAULT_PERIOD = 30
CHART_DAYS = 90

# A recurring pledge counts towards recurring revenue while Stripe still tries to collect it.
RUNNING = [status for status in PledgeStatus if status.running]
RECURRING = [frequency for frequency in Frequency if frequency.is_recurring]
NET = Payment.amount - Payment.refunded_amount


@dataclass(frozen=True)
class Window:
    """What the overview asks about: the last `days` days (today included), one currency or all."""

    days: int
    currency: str | None
    now: datetime

    @property
    def today(self) -> datetime:
        return self.now.replace(hour=0, minute=0, second=0, microsecond=0)

    def days_back(self, days: int) -> datetime:
        """The start of the day `days` days ago counting today as the first: 1 is today."""
        return self.today - timedelta(days=days - 1)

    @property
    def start(self) -> datetime:
        return self.days_back(self.days)


def window(days: int | None = None, currency: str | None = None, now: datetime | None = None):
    return Window(
        days=days if days in PERIODS else DEFAULT_PERIOD,
        currency=currency or None,
        now=now or utcnow(),
    )


@dataclass(frozen=True)
class PaymentDay:
    """Payments of one day, in one currency, one-off or recurring: a row of the daily rollup."""

    currency: str
    once: bool
    day: date
    count: int
    gross: int
    refunded: int
    refunds: int
    disputed: int
    disputes: int

    @property
    def kept(self) -> int:
        return self.gross - self.refunded


def payment_days(w: Window) -> list[PaymentDay]:
    """Payments rolled up per currency, kind and day: the source of every money figure.

    The last 90 days are read on every visit. Older days change only when an old payment is
    refunded or disputed, so their rollup is kept for STAFF_SETTLED_CACHE_SECONDS instead of
    being summed again over most of a million rows each time.
    """
    live_from = w.days_back(CHART_DAYS)
    tomorrow = w.today + timedelta(days=1)
    days = settled_days(live_from) + _rollup(
        (Payment.paid_at >= live_from) & (Payment.paid_at < tomorrow)
    )
    return [d for d in days if not w.currency or d.currency == w.currency]


def settled_days(before: datetime) -> list[PaymentDay]:
    """The daily rollup of every payment made before `before`, cached for a few minutes."""
    return remembered(
        STAFF_SETTLED_FIGURES, (before.date(),), lambda: _rollup(Payment.paid_at < before)
    )


def _rollup(condition: Any) -> list[PaymentDay]:
    # A recurring pledge's money always arrives on an invoice: the kind needs no join.
    once = Payment.stripe_invoice_id.is_(None)
    day = func.date(Payment.paid_at)
    stmt = (
        select(
            Payment.currency,
            once,
            day,
            func.count(),
            func.sum(Payment.amount),
            func.sum(Payment.refunded_amount),
            func.count(case((Payment.refunded_amount > 0, 1))),
            func.coalesce(func.sum(case((Payment.disputed, Payment.amount), else_=0)), 0),
            func.count(case((Payment.disputed, 1))),
        )
        .where(condition)
        .group_by(Payment.currency, once, day)
    )
    return [
        PaymentDay(currency, bool(is_once), _as_date(on), *(int(n) for n in figures))
        for currency, is_once, on, *figures in db.session.execute(stmt)
    ]


@dataclass
class Raised:
    currency: str
    today: int
    last_7_days: int
    last_30_days: int
    all_time: int
    payments: int


def raised(w: Window, days: list[PaymentDay]) -> list[Raised]:
    """Money kept (paid minus refunded) per currency: today, 7 and 30 days, and all time."""
    currencies = sorted({d.currency for d in days})

    def kept_since(currency: str, first: date) -> int:
        return sum(d.kept for d in days if d.currency == currency and d.day >= first)

    return [
        Raised(
            currency,
            today=kept_since(currency, w.today.date()),
            last_7_days=kept_since(currency, w.days_back(7).date()),
            last_30_days=kept_since(currency, w.days_back(30).date()),
            all_time=kept_since(currency, date.min),
            payments=sum(d.count for d in days if d.currency == currency),
        )
        for currency in currencies
    ]


@dataclass
class PaymentSplit:
    """Payments received in the period, in one currency, one-off and recurring apart."""

    currency: str
    once_count: int = 0
    once_gross: int = 0
    recurring_count: int = 0
    recurring_gross: int = 0
    refunded_count: int = 0
    refunded: int = 0
    disputed_count: int = 0
    disputed: int = 0

    @property
    def gross(self) -> int:
        return self.once_gross + self.recurring_gross

    @property
    def net(self) -> int:
        return self.gross - self.refunded


def payment_split(w: Window, days: list[PaymentDay]) -> list[PaymentSplit]:
    """One-off vs recurring, refunds and disputes on the payments received in the period."""
    splits: dict[str, PaymentSplit] = {}
    first = w.start.date()
    for d in days:
        if d.day < first:
            continue
        split = splits.setdefault(d.currency, PaymentSplit(d.currency))
        kind = "once" if d.once else "recurring"
        setattr(split, f"{kind}_count", getattr(split, f"{kind}_count") + d.count)
        setattr(split, f"{kind}_gross", getattr(split, f"{kind}_gross") + d.gross)
        split.refunded_count += d.refunds
        split.refunded += d.refunded
        split.disputed_count += d.disputes
        split.disputed += d.disputed
    return [splits[currency] for currency in sorted(splits)]


@dataclass
class Recurring:
    currency: str
    running: int
    past_due: int
    monthly_revenue: int  # minor units
    monthly_revenue_30_days_ago: int

    @property
    def change(self) -> int:
        return self.monthly_revenue - self.monthly_revenue_30_days_ago


@dataclass
class Movement:
    new_once: int = 0
    new_recurring: int = 0
    canceled: int = 0
    past_due: int = 0

    @property
    def new(self) -> int:
        return self.new_once + self.new_recurring


def pledge_figures(w: Window, started: list[Started]) -> tuple[list[Recurring], Movement]:
    """Recurring revenue now and 30 days ago, and the pledges that started and ended.

    Monthly recurring revenue counts monthly pledges in full and annual ones at a twelfth. A
    pledge was running 30 days ago when it had been created by then and is running now, or
    ended (its last status change) after then. Each part reads a narrow index, not the table.
    """
    then = w.now - timedelta(days=30)
    yearly = case((Pledge.frequency == Frequency.MONTHLY, Pledge.amount * 12), else_=Pledge.amount)
    recurring_pledge = Pledge.frequency.in_(RECURRING)
    running = (
        select(
            Pledge.currency,
            func.count(),
            func.count(case((Pledge.status == PledgeStatus.PAST_DUE, 1))),
            func.sum(yearly),
            func.coalesce(func.sum(case((Pledge.created_at <= then, yearly), else_=0)), 0),
        )
        .where(Pledge.status.in_(RUNNING), recurring_pledge)
        .group_by(Pledge.currency)
    )
    ended = (
        select(
            Pledge.currency,
            func.coalesce(
                func.sum(
                    case(
                        (
                            recurring_pledge
                            & (Pledge.created_at <= then)
                            & (Pledge.status_changed_at > then),
                            yearly,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
            func.count(
                case(
                    (
                        (Pledge.status == PledgeStatus.CANCELED)
                        & (Pledge.status_changed_at >= w.start),
                        1,
                    )
                )
            ),
        )
        .where(Pledge.status.in_(ENDED), Pledge.status_changed_at >= min(then, w.start))
        .group_by(Pledge.currency)
    )
    now_yearly: dict[str, tuple[int, int, int, int]] = {}
    for currency, count, past_due, yearly_now, yearly_then in db.session.execute(
        _in_currency(running, Pledge.currency, w)
    ):
        now_yearly[currency] = (count, past_due, int(yearly_now), int(yearly_then))
    movement = Movement()
    ended_yearly: dict[str, int] = {}
    for currency, yearly_then, canceled in db.session.execute(
        _in_currency(ended, Pledge.currency, w)
    ):
        ended_yearly[currency] = int(yearly_then)
        movement.canceled += canceled
    for begun in started:
        if begun.frequency == "once":
            movement.new_once += begun.confirmed
        else:
            movement.new_recurring += begun.confirmed
    revenue = []
    for currency in sorted(now_yearly.keys() | ended_yearly.keys()):
        count, past_due, yearly_now, yearly_then = now_yearly.get(currency, (0, 0, 0, 0))
        yearly_then += ended_yearly.get(currency, 0)
        movement.past_due += past_due
        if count or yearly_then:
            revenue.append(
                Recurring(currency, count, past_due, _monthly(yearly_now), _monthly(yearly_then))
            )
    return revenue, movement


def _monthly(yearly: int) -> int:
    """A year's worth in minor units -> a month's, rounded half up."""
    return (int(yearly) * 2 + 12) // 24


@dataclass
class FunnelRow:
    prompt: str
    placement: str
    variant: str
    impressions: int | None = None
    opened: int | None = None
    started: int = 0
    paid: int = 0

    @property
    def paid_rate(self) -> float | None:
        """Paid as a share of checkouts started."""
        return self.paid / self.started if self.started else None

    @property
    def open_rate(self) -> float | None:
        """Form opened as a share of impressions."""
        return self.opened / self.impressions if self.impressions else None

    @property
    def start_rate(self) -> float | None:
        """Checkout started as a share of form opens."""
        return self.started / self.opened if self.opened else None

    @property
    def impression_rate(self) -> float | None:
        """Paid per impression: the prompt's whole conversion."""
        return self.paid / self.impressions if self.impressions else None


@dataclass(frozen=True)
class Started:
    """Pledges begun in the period from one source, in one currency and frequency."""

    prompt: str
    placement: str
    variant: str
    frequency: str
    count: int
    confirmed: int


def pledges_started(w: Window) -> list[Started]:
    """Pledges created in the period by source and frequency: one range scan feeds the funnel
    and the count of new pledges."""
    source = (
        func.coalesce(Pledge.prompt, ""),
        func.coalesce(Pledge.placement, ""),
        func.coalesce(Pledge.variant, ""),
        Pledge.frequency,
    )
    stmt = (
        select(
            *source,
            func.count(),
            func.count(case((Pledge.status.in_(CONFIRMED), 1))),
        )
        .where(Pledge.created_at >= w.start)
        .group_by(*source)
    )
    return [Started(*row) for row in db.session.execute(_in_currency(stmt, Pledge.currency, w))]


def prompt_funnel(w: Window, started: list[Started], views: list[Any]) -> list[FunnelRow]:
    """Per prompt, placement and variant: impressions → opened → checkout started → paid."""
    rows: dict[tuple[str, str, str], FunnelRow] = {}
    for begun in started:
        key = (begun.prompt, begun.placement, begun.variant)
        row = rows.setdefault(key, FunnelRow(*key))
        row.started += begun.count
        row.paid += begun.confirmed
    for counts in views:
        row = rows.setdefault(
            (counts.prompt, counts.placement, counts.variant),
            FunnelRow(counts.prompt, counts.placement, counts.variant),
        )
        row.impressions, row.opened = counts.impressions, counts.opened
    return sorted(rows.values(), key=lambda r: (-r.paid, -r.started, r.prompt, r.placement))


def prompt_views(w: Window) -> list[Any]:
    """Impressions (estimated from the sample) and form opens per prompt, from the prompts."""
    return seams.provided("prompt_counts")(w.start.date(), w.today.date())


def reminders(w: Window) -> Any:
    """Reminders asked for in the period, how many were e-mailed, and how many led to a gift."""
    return seams.provided("reminder_figures")(w.start)


@dataclass
class Day:
    day: date
    raised: int = 0
    new_pledges: int = 0


@dataclass
class Chart:
    currency: str | None
    days: list[Day] = field(default_factory=list)


def daily(w: Window, days: list[PaymentDay], currencies: list[str]) -> Chart:
    """Money kept and new pledges per day for the last 90 days, in one currency."""
    currency = w.currency or (currencies[0] if currencies else None)
    start = w.days_back(CHART_DAYS)
    chart = {
        start.date() + timedelta(days=n): Day(start.date() + timedelta(days=n))
        for n in range(CHART_DAYS)
    }
    if currency is None:
        return Chart(None, list(chart.values()))
    for d in days:
        if d.currency == currency and d.day in chart:
            chart[d.day].raised += d.kept
    created_day = func.date(Pledge.created_at)
    joined = (
        select(created_day, func.count())
        .where(
            Pledge.created_at >= start,
            Pledge.created_at < w.today + timedelta(days=1),
            Pledge.currency == currency,
            Pledge.status.in_(CONFIRMED),
        )
        .group_by(created_day)
    )
    for day, count in db.session.execute(joined):
        chart[_as_date(day)].new_pledges = count
    return Chart(currency, list(chart.values()))


def _as_date(value: date | str) -> date:
    # SQLite's date() gives text, PostgreSQL's a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


def _in_currency(stmt: Select, column: Any, w: Window) -> Select:
    return stmt.where(column == w.currency) if w.currency else stmt


@dataclass
class Overview:
    window: Window
    raised: list[Raised]
    recurring: list[Recurring]
    movement: Movement
    split: list[PaymentSplit]
    funnel: list[FunnelRow]
    impression_sample_rate: float
    impressions_received: int
    reminders: Any
    chart: Chart
    currencies: list[str]


def overview(w: Window) -> Overview:
    """Everything the overview page shows, from a handful of aggregate queries."""
    days = payment_days(w)
    money = raised(w, days)
    started = pledges_started(w)
    views = prompt_views(w)
    revenue, movement = pledge_figures(w, started)
    by_size = [r.currency for r in sorted(money, key=lambda r: -r.all_time)]
    return Overview(
        window=w,
        raised=money,
        recurring=revenue,
        movement=movement,
        split=payment_split(w, days),
        funnel=prompt_funnel(w, started, views),
        impression_sample_rate=current_app.config["PROMPT_IMPRESSION_SAMPLE_RATE"],
        impressions_received=sum(counts.impressions_received for counts in views),
        reminders=reminders(w),
        chart=daily(w, days, by_size),
        currencies=known_currencies(),
    )


def known_currencies() -> list[str]:
    """The currencies readers may give in, for the filter."""
    return list(current_app.config["DONATION_CURRENCIES"])
