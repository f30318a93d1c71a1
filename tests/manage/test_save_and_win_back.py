"""The cancel flow's save offer and win-back reminder, over real HTTP through the sandbox: which
offer fits which reason (one decision table), taking it (a save, confirmed by Stripe's webhook
and counted on the retention page), declining it, and "remind me in 3 / 6 months" with the
reminder e-mail it sends."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from sqlalchemy import select

from donations.payments import pledge_changes
from donations.payments.amounts import amount_rules
from donations.payments.enums import Frequency, PledgeStatus
from donations.payments.models import Pledge, PledgeChange, StripeEvent
from donations.payments.money import Money
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.reminders import service as reminders
from donations.reminders.models import WIN_BACK, Reminder
from donations.staff import auth
from donations.staff.models import ADMIN
from tests.manage.test_pledge_changes_e2e import manage_page
from tests.staff.conftest import ADMIN_EMAIL, PASSWORD, sign_in
from tests.test_lifecycle_e2e import advance, donate, settle

# Monthly presets are $2, $5, $10, $20 with a $2 minimum; annual $25 … $200 from $10.
OFFERS = [
    # reason, frequency, amount, paused, offers on → the offer
    ("cost", "monthly", 500, False, True, ("amount", 200)),  # the next lower preset
    ("cost", "monthly", 700, False, True, ("amount", 500)),  # between presets: the one below
    ("cost", "monthly", 2000, False, True, ("amount", 1000)),
    ("cost", "monthly", 300, False, True, ("amount", 200)),  # $2 is both preset and minimum
    ("cost", "monthly", 200, False, True, None),  # already at the minimum
    ("cost", "annual", 2500, False, True, ("amount", 1000)),  # no preset below: the minimum
    ("cost", "annual", 1000, False, True, None),
    ("break", "monthly", 500, False, True, ("pause", None)),
    ("break", "monthly", 500, True, True, None),  # already paused
    ("break", "annual", 5000, False, True, None),  # only monthly gifts pause
    ("once", "monthly", 500, False, True, None),
    ("coverage", "monthly", 500, False, True, None),
    ("elsewhere", "monthly", 500, False, True, None),
    ("other", "monthly", 500, False, True, None),
    ("cost", "monthly", 500, False, False, None),  # CANCEL_SAVE_OFFERS=0
    ("break", "monthly", 500, False, False, None),
]


@pytest.mark.parametrize(("reason", "frequency", "amount", "paused", "enabled", "offer"), OFFERS)
def test_which_save_offer_fits_a_reason(app, reason, frequency, amount, paused, enabled, offer):
    pledge = Pledge(
        frequency=Frequency(frequency), amount=amount, currency="usd", collection_paused=paused
    )
    found = pledge_changes.save_offer(pledge, reason, amount_rules(app.config), enabled=enabled)
    if offer is None:
        assert found is None
    else:
        kind, lower = offer
        assert found.kind == kind
        assert found.amount == (None if lower is None else Money(lower, "usd"))


def test_the_decision_table_covers_every_reason():
    assert {row[0] for row in OFFERS} == set(pledge_changes.CANCEL_REASONS)


def ask_to_cancel(url, pledge, reason: str):
    browser, link, token = manage_page(url, pledge)
    answer = browser.post(
        f"{link}/{pledge.public_id}/cancel",
        data={"csrf_token": token, "reason": reason, "reason_text": "money is tight"},
    )
    return browser, link, token, answer


@pytest.fixture
def staff(world):
    """An admin's browser, signed in."""
    auth.create_staff(ADMIN_EMAIL, ADMIN, PASSWORD)
    client = world[0].test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


def staff_page(staff, pledge) -> str:
    page = staff.get(f"/staff/pledges/{pledge.public_id}").get_data(as_text=True)
    return html.unescape(page)


def retention_figures(staff) -> str:
    return staff.get("/staff/retention").get_data(as_text=True)


def tile(page: str, name: str) -> str:
    return re.search(rf"<dd {name}>([^<]*)</dd>", page).group(1)


def test_a_money_reason_is_offered_a_lower_amount_and_taking_it_is_a_save(world, staff):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token, offer = ask_to_cancel(url, pledge, "cost")
    assert offer.status_code == 200 and "Would a smaller amount help?" in offer.text
    assert "Give $2 every month instead" in offer.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is False  # nothing was sent to Stripe yet
    assert db.session.scalars(select(PledgeChange)).all() == []

    # The amount is worked out again on the server: a posted one is not even read.
    taken = browser.post(
        f"{link}/{pledge.public_id}/save",
        data={"csrf_token": token, "reason": "cost", "amount": "0.50"},
    )
    assert taken.status_code == 200 and "will be $2 from the next payment" in taken.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert (pledge.amount, pledge.cancel_at_period_end) == (200, False)
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.save_offer, change.reason, change.saved) == (
        "amount",
        "amount",
        "cost",
        True,
    )
    page = staff_page(staff, pledge)
    assert "$5 → $2" in page and "save: took the amount offer" in page
    assert "I can't afford it right now" in page and "confirmed" in page
    assert "not confirmed yet" not in page
    figures = retention_figures(staff)
    assert tile(figures, "data-offers-taken") == "1" and "100% of 1 shown" in figures


def test_a_break_is_offered_a_pause_and_taking_it_pauses_through_stripe(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token, offer = ask_to_cancel(url, pledge, "break")
    assert "Would a break help?" in offer.text and "Pause my donation" in offer.text
    taken = browser.post(
        f"{link}/{pledge.public_id}/save",
        data={"csrf_token": token, "reason": "break", "months": "3"},
    )
    assert "Thank you for staying" in taken.text and "paused" in taken.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.collection_paused is True and pledge.cancel_at_period_end is False
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.save_offer, change.reason) == ("pause", "pause", "break")
    assert pledge.pause_resumes_at == change.resumes_at


def test_a_save_offer_the_reason_does_not_fit_is_refused(world):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    for data in (
        {"reason": "coverage"},  # no offer answers this reason
        {"reason": "nonsense"},
        {"reason": "break", "months": "9"},
        {"reason": "break", "months": "many"},
    ):
        refused = browser.post(
            f"{link}/{pledge.public_id}/save", data={"csrf_token": token, **data}
        )
        assert refused.status_code == 400, data
    refused = browser.post(f"{link}/{pledge.public_id}/save", data={"reason": "cost"})
    assert refused.status_code == 400  # no CSRF token
    settle(sandbox)
    assert db.session.scalars(select(PledgeChange)).all() == []


def test_with_save_offers_and_win_backs_off_a_money_reason_cancels_at_once(world):
    app, url, sandbox, _ = world
    app.config["CANCEL_SAVE_OFFERS"] = False
    app.config["WIN_BACK_REMINDERS"] = False
    pledge = donate(url, sandbox, "monthly", "5")
    *_, done = ask_to_cancel(url, pledge, "cost")
    assert "will stop at the end" in done.text
    assert "Remind me in" not in done.text
    settle(sandbox)
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.save_offer) == ("cancel", None)


def test_declining_the_offer_cancels_then_a_win_back_reminds_in_three_months(world, staff):
    app, url, sandbox, inbox = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token, offer = ask_to_cancel(url, pledge, "break")
    assert "No thanks, cancel my donation" in offer.text
    reason_text = re.search(r'name="reason_text" value="([^"]*)"', offer.text).group(1)
    done = browser.post(
        f"{link}/{pledge.public_id}/cancel",
        data={"csrf_token": token, "reason": "break", "reason_text": reason_text, "declined": "1"},
    )
    assert "will stop at the end" in done.text
    assert "Remind me in 3 months" in done.text and "Remind me in 6 months" in done.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is True
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.save_offer, change.reason_text) == (
        "cancel",
        "pause",
        "money is tight",
    )

    asked = browser.post(
        f"{link}/{pledge.public_id}/win-back", data={"csrf_token": token, "months": "3"}
    )
    now = utcnow()
    index = now.year * 12 + now.month - 1 + 3
    month = datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)
    assert asked.status_code == 200
    assert f"We will e-mail donor@example.org in {month:%B %Y}" in asked.text
    [reminder] = db.session.scalars(select(Reminder)).all()
    assert (reminder.kind, reminder.email, reminder.month) == (
        WIN_BACK,
        "donor@example.org",
        month.date(),
    )
    assert (reminder.gift_frequency, reminder.gift_amount, reminder.gift_currency) == (
        "monthly",
        500,
        "usd",
    )
    assert reminder.confirmed_at is not None  # the signed link proved the address
    before = len(inbox.messages)
    assert reminders.send_confirmations() == 0  # so no confirmation e-mail is owed

    # The pledge ends with its period; in the reminder's month the e-mail goes out.
    advance(app.test_cli_runner(), sandbox, 32)
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.CANCELED
    assert reminders.send_due(month) == 1
    [message] = inbox.messages[before:]
    text = message.get_body(("plain",)).get_content()
    assert f"You asked us to remind you in {month:%B %Y}, when you cancelled" in text
    assert "was $5 every month" in text
    assert "Give $5 every month again" in message.get_body(("html",)).get_content()
    donate_url = re.search(r"(http\S+/support\?\S+)", text).group(1)
    assert "frequency=monthly" in donate_url and "amount=5" in donate_url
    form = browser.get(donate_url, timeout=10).text
    assert re.search(r'value="5"[^>]*checked|checked[^>]*value="5"', form)

    # A gift from the address after the reminder: the retention page counts it as come back.
    assert tile(retention_figures(staff), "data-win-back-came-back") == "0"
    donate(url, sandbox, "monthly", "5")
    figures = retention_figures(staff)
    assert tile(figures, "data-win-back-reminders") == "1"
    assert tile(figures, "data-win-back-came-back") == "1"
    assert "0% of 1 shown" in figures  # one offer shown, declined


def test_a_win_back_needs_a_cancelled_donation_and_three_or_six_months(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    not_cancelled = browser.post(
        f"{link}/{pledge.public_id}/win-back", data={"csrf_token": token, "months": "3"}
    )
    assert not_cancelled.status_code == 404
    browser.post(
        f"{link}/{pledge.public_id}/cancel",
        data={"csrf_token": token, "reason": "coverage"},
    )
    for months in ("4", "", "six"):
        refused = browser.post(
            f"{link}/{pledge.public_id}/win-back", data={"csrf_token": token, "months": months}
        )
        assert refused.status_code == 400, months
    assert browser.post(f"{link}/{pledge.public_id}/win-back", data={"months": "3"}).status_code
    app.config["WIN_BACK_REMINDERS"] = False
    off = browser.post(
        f"{link}/{pledge.public_id}/win-back", data={"csrf_token": token, "months": "6"}
    )
    assert off.status_code == 400
    settle(sandbox)
    assert db.session.scalars(select(Reminder)).all() == []


def test_a_win_back_is_not_sent_to_a_donor_who_took_the_cancellation_back(world):
    _, url, sandbox, inbox = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token = manage_page(url, pledge)
    browser.post(
        f"{link}/{pledge.public_id}/cancel", data={"csrf_token": token, "reason": "coverage"}
    )
    browser.post(f"{link}/{pledge.public_id}/win-back", data={"csrf_token": token, "months": "6"})
    settle(sandbox)
    # The donor takes the cancellation back in the Billing Portal; Stripe's webhook says so.
    client = stripe.StripeClient("sk_test_sandbox", base_addresses={"api": sandbox.url})
    client.v1.subscriptions.update(pledge.subscription_id, {"cancel_at_period_end": False})
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is False
    [reminder] = db.session.scalars(select(Reminder)).all()
    before = len(inbox.messages)
    month = datetime.combine(reminder.month, datetime.min.time(), tzinfo=UTC)
    assert reminders.send_due(month) == 0
    assert len(inbox.messages) == before
    db.session.refresh(reminder)
    assert reminder.cancelled_at is not None


def subscription_event(received: datetime, **subscription) -> StripeEvent:
    return StripeEvent(
        id="evt_x",
        type="customer.subscription.updated",
        received_at=received,
        payload={"data": {"object": subscription}},
    )


ASKED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
PRICE_7 = {"data": [{"price": {"unit_amount": 700, "recurring": {"interval": "month"}}}]}
PRICE_5 = {"data": [{"price": {"unit_amount": 500, "recurring": {"interval": "month"}}}]}
RESUMES = datetime(2027, 2, 7, tzinfo=UTC)
CONFIRMATIONS = [
    # the change, Stripe's subscription in an event, received (minutes after asking) → confirmed
    ("amount", {"items": PRICE_7}, 2, True),
    ("amount", {"items": PRICE_7}, -0.5, True),  # the webhook beat the record by a moment
    ("amount", {"items": PRICE_7}, -5, False),  # an older event with the same price
    ("amount", {"items": PRICE_5}, 2, False),
    ("amount", {}, 2, False),
    ("pause", {"pause_collection": {"resumes_at": int(RESUMES.timestamp())}}, 1, True),
    ("pause", {"pause_collection": None}, 1, False),
    ("cancel", {"cancel_at_period_end": True}, 1, True),
    ("cancel", {"cancel_at_period_end": False}, 1, False),
]


@pytest.mark.parametrize(("kind", "subscription", "minutes", "confirmed"), CONFIRMATIONS)
def test_when_stripe_confirmed_a_change(kind, subscription, minutes, confirmed):
    change = PledgeChange(
        kind=kind,
        amount_before=500,
        amount_after=700 if kind == "amount" else 500,
        currency="usd",
        frequency_after=Frequency.MONTHLY,
        resumes_at=RESUMES if kind == "pause" else None,
        created_at=ASKED,
    )
    received = ASKED + timedelta(minutes=minutes)
    found = pledge_changes.confirmed_at(change, [subscription_event(received, **subscription)])
    assert found == (received if confirmed else None)


def test_staff_see_a_pause_taken_then_ended_early_each_confirmed_by_stripe(world, staff):
    _, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    browser, link, token, _ = ask_to_cancel(url, pledge, "break")
    browser.post(
        f"{link}/{pledge.public_id}/save",
        data={"csrf_token": token, "reason": "break", "months": "1"},
    )
    settle(sandbox)
    browser.post(f"{link}/{pledge.public_id}/resume", data={"csrf_token": token})
    settle(sandbox)
    page = staff_page(staff, pledge)
    assert "resumed before the pause ended" in page and "save: took the pause offer" in page
    assert "not confirmed yet" not in page
