"""End to end over real HTTP: the form, the sandbox's Checkout page, its signed webhooks."""

from __future__ import annotations

import re
import time

import requests
from sqlalchemy import select

from donations.demo import DEMO_SLUG
from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge, StripeEvent
from donations.platform.extensions import db
from tests.checkout import DECLINED_CARD, pay


def start_donation(live_server: str, **choice: str) -> str:
    """Submit the article's form as a browser with JavaScript would: the page has no token,
    so the form's script fetches the reader's own when they start to give."""
    with requests.Session() as browser:
        page = browser.get(f"{live_server}/articles/{DEMO_SLUG}", timeout=10).text
        token_url = re.search(r'data-token-url="([^"]+)"', page).group(1)
        token = browser.get(live_server + token_url, timeout=10).json()["csrfToken"]
        form = {
            "csrf_token": token,
            "article": DEMO_SLUG,
            "placement": "article-end",
            "currency": "usd",
            **choice,
        }
        response = browser.post(f"{live_server}/support", data=form, allow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["Location"]


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the webhook's transaction committed
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the webhook")


def test_one_off_gift_is_confirmed_by_stripes_webhook(app, live_server, sandbox):
    checkout_url = start_donation(live_server, frequency="once", amount="10")
    paid = pay(checkout_url)
    assert paid.status_code == 303
    thank_you = paid.headers["Location"]
    assert thank_you.startswith(f"{live_server}/support/thank-you?session_id=cs_test_")
    with app.app_context():
        pledge = wait_for(
            lambda: db.session.scalar(select(Pledge).where(Pledge.status == PledgeStatus.PAID))
        )
        assert [(p.amount, p.currency) for p in pledge.payments] == [(1000, "usd")]
        assert pledge.email == "reader@example.org"
    sandbox.wait_for_deliveries()
    page = requests.get(thank_you, timeout=10).text
    assert "Thank you — $10 once" in page


def test_monthly_gift_is_active_with_exactly_one_payment(app, live_server, sandbox):
    checkout_url = start_donation(live_server, frequency="monthly", amount="5")
    thank_you = pay(checkout_url).headers["Location"]
    sandbox.wait_for_deliveries()
    with app.app_context():
        pledge = wait_for(
            lambda: db.session.scalar(select(Pledge).where(Pledge.status == PledgeStatus.ACTIVE))
        )
        assert pledge.subscription_id.startswith("sub_")
        assert [p.amount for p in pledge.payments] == [500]
        handled = {
            e.type: e.outcome
            for e in db.session.scalars(
                select(StripeEvent).where(StripeEvent.pledge_id == pledge.id)
            )
        }
        assert handled["checkout.session.completed"] == "applied"
        assert handled["invoice.paid"] == "applied"
    assert "Thank you — $5 every month" in requests.get(thank_you, timeout=10).text


def test_declined_card_records_nothing_as_paid(app, live_server, sandbox):
    checkout_url = start_donation(live_server, frequency="once", other_amount="15")
    declined = pay(checkout_url, card=DECLINED_CARD)
    assert declined.status_code in (200, 402)
    assert "Your card was declined." in declined.text
    sandbox.wait_for_deliveries()
    with app.app_context():
        pledge = db.session.scalars(select(Pledge)).one()
        assert pledge.status == PledgeStatus.PENDING
        assert db.session.scalars(select(Payment)).all() == []
