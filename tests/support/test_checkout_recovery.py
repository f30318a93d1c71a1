"""Reminders to finish an abandoned Checkout: only with consent, at most two, a stop in each,
none once the address has given; Stripe's recovery URL brings the gift home."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests
import stripe
from sqlalchemy import select

from donations.payments import recovery
from donations.payments.enums import PledgeStatus
from donations.payments.models import CheckoutRecovery, Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.privacy import forget
from tests.checkout import DECLINED_CARD, pay
from tests.conftest import serving
from tests.test_lifecycle_e2e import settle

HOUR = timedelta(hours=1)


@pytest.fixture
def world(make_app, sandbox, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with serving(app, sandbox) as url, app.app_context():
        yield url, sandbox, smtp_inbox


def abandon(url: str, sandbox, *, consent: bool, email: str = "left@example.org") -> Pledge:
    """A reader starts a $10 gift, is declined at Checkout (typing an e-mail, ticking the
    promotions box or not) and leaves; Stripe expires the session."""
    with requests.Session() as browser:
        page = browser.get(f"{url}/support", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "frequency": "once", "amount": "10", "currency": "usd"}
        checkout = browser.post(f"{url}/support", data=form, allow_redirects=False, timeout=10)
    checkout_url = checkout.headers["Location"]
    declined = pay(checkout_url, card=DECLINED_CARD, email=email, promotions=consent)
    assert declined.status_code == 402
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})
    client.v1.checkout.sessions.expire(checkout_url.rsplit("/", 1)[1])
    settle(sandbox)
    return db.session.scalars(select(Pledge).order_by(Pledge.id.desc())).first()


def recoveries() -> list[CheckoutRecovery]:
    return list(db.session.scalars(select(CheckoutRecovery)))


def test_the_promotions_checkbox_shows_on_checkout_because_the_app_asks_for_consent(world):
    url, _, _ = world
    with requests.Session() as browser:
        page = browser.get(f"{url}/support", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "frequency": "once", "amount": "10", "currency": "usd"}
        checkout = browser.post(f"{url}/support", data=form, timeout=10)
    assert 'name="promotions"' in checkout.text


def test_an_abandoned_checkout_without_consent_gets_no_reminder(world):
    url, sandbox, _ = world
    pledge = abandon(url, sandbox, consent=False)
    assert pledge.status == PledgeStatus.EXPIRED
    assert recoveries() == []


def test_expired_checkout_reminder_by_email_leads_to_the_gift(world):
    url, sandbox, inbox = world
    pledge = abandon(url, sandbox, consent=True)
    [scheduled] = recoveries()
    assert (scheduled.email, scheduled.pledge_id) == ("left@example.org", pledge.id)
    assert scheduled.recovery_url.startswith(f"{sandbox.url}/c/recover/")
    assert recovery.send_due(utcnow()) == 0  # not before the hour is up
    assert recovery.send_due(utcnow() + 2 * HOUR) == 1
    [message] = inbox.messages
    text = message.get_content()
    assert message["To"] == "left@example.org"
    assert "$10 once" in text
    assert "We will remind you once more, and never again after that." in text
    assert f"{url}/support/reminders/{scheduled.stop_code}/stop" in text

    finish = re.search(r"(http://\S+/c/recover/\S+)", text).group(1)
    with requests.Session() as browser:
        reopened = browser.get(finish, allow_redirects=False, timeout=10)
        assert reopened.status_code == 303
        paid = pay(reopened.headers["Location"], email="left@example.org")
    assert paid.status_code == 303
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.PAID
    assert [p.amount for p in pledge.payments] == [1000]
    thank_you = requests.get(paid.headers["Location"], timeout=10)
    assert thank_you.status_code == 200 and "Thank you" in thank_you.text
    # The gift arrived: the second reminder is never sent.
    assert recovery.send_due(utcnow() + 30 * HOUR) == 0
    db.session.refresh(scheduled)
    assert (scheduled.sent_count, scheduled.stopped_reason) == (1, "gave")


def test_at_most_two_reminders_and_the_second_says_it_is_the_last(world):
    url, sandbox, inbox = world
    abandon(url, sandbox, consent=True)
    assert recovery.send_due(utcnow() + 2 * HOUR) == 1
    assert recovery.send_due(utcnow() + 3 * HOUR) == 0
    assert recovery.send_due(utcnow() + 25 * HOUR) == 1
    assert recovery.send_due(utcnow() + 100 * HOUR) == 0
    assert len(inbox.messages) == 2
    assert "This is our last reminder" in inbox.messages[1].get_content()


def test_the_stop_link_asks_first_then_stops_every_further_reminder(world):
    url, sandbox, inbox = world
    abandon(url, sandbox, consent=True)
    assert recovery.send_due(utcnow() + 2 * HOUR) == 1
    stop = re.search(r"(http://\S+/stop)", inbox.messages[0].get_content()).group(1)
    with requests.Session() as browser:
        page = browser.get(stop, timeout=10)
        assert page.status_code == 200 and "Stop the reminders?" in page.text
        db.session.expire_all()
        assert recoveries()[0].stopped_at is None  # a mail scanner's GET stops nothing
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        done = browser.post(stop, data={"csrf_token": token}, timeout=10)
    assert "No more reminders" in done.text
    db.session.expire_all()
    assert recoveries()[0].stopped_reason == "asked"
    assert recovery.send_due(utcnow() + 25 * HOUR) == 0


def test_an_unknown_stop_code_is_a_404(world):
    url, _, _ = world
    assert requests.get(f"{url}/support/reminders/nope/stop", timeout=10).status_code == 404


def test_a_gift_since_from_the_same_address_stops_the_reminders(world):
    url, sandbox, inbox = world
    abandon(url, sandbox, consent=True)
    db.session.add(
        Pledge(
            frequency="monthly",
            amount=500,
            currency="usd",
            email="Left@Example.org",
            status=PledgeStatus.ACTIVE,
        )
    )
    db.session.commit()
    assert recovery.send_due(utcnow() + 2 * HOUR) == 0
    assert inbox.messages == []
    assert recoveries()[0].stopped_reason == "gave"


def test_a_repeated_expiry_event_schedules_nothing_more(world):
    url, sandbox, _ = world
    abandon(url, sandbox, consent=True)
    sent = requests.get(f"{sandbox.url}/_sandbox/deliveries", timeout=10).json()["data"]
    [expired] = [d for d in sent if d["type"] == "checkout.session.expired"][-1:]
    again = requests.post(f"{sandbox.url}/_sandbox/events/{expired['event']}/redeliver", timeout=10)
    assert again.status_code == 202
    settle(sandbox)
    assert len(recoveries()) == 1


def test_a_deletion_request_deletes_the_checkout_reminders(world):
    url, sandbox, _ = world
    abandon(url, sandbox, consent=True)
    assert forget("left@example.org")["checkout reminders deleted"] == 1
    assert recoveries() == []


def test_under_donor_safety_the_reminder_to_finish_names_no_newsroom(make_app, sandbox, smtp_inbox):
    app = make_app(DONOR_SAFETY=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with serving(app, sandbox) as url, app.app_context():
        abandon(url, sandbox, consent=True)
        assert recovery.send_due(utcnow() + 2 * HOUR) == 1
    [message] = smtp_inbox.messages
    assert message["Subject"] == "You did not finish what you started"
    assert message["From"] == "Reader services <support@example.org>"
    text = message.get_content()
    assert "Moscow" not in text and "Reader services" in text
    assert "$10 once" in text and "/c/recover/" in text
