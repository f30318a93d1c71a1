"""After the gift: the thank-you page and e-mail (receipt, manage link, "make it monthly from
next month" in one click on the gift's card), and a receipt for every later payment.

Over real HTTP with a sandbox of its own (some tests move its clock) and a real SMTP server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import requests
import stripe
from sqlalchemy import select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Pledge
from donations.payments.notices import send_pending_notices
from donations.payments.pledges import first_of_next_month
from donations.platform.extensions import db
from tests.checkout import pay
from tests.conftest import serving
from tests.contract.plugin import RECORD

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def world(make_app, own_sandbox, smtp_inbox):
    app = make_app(
        stripe_api_base=own_sandbox.url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_inbox.port,
        NEWSROOM_CONTACT_EMAIL="members@themoscowtimes.example",
    )
    with serving(app, own_sandbox) as url, app.app_context():
        yield app, url, own_sandbox, smtp_inbox


@pytest.fixture
def stripe_client(own_sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(
        "sk_test_sandbox", base_addresses={"api": own_sandbox.url}, max_network_retries=0
    )


def settle(sandbox) -> None:
    """Every webhook answered, the queued e-mails sent (the mail job's work), rows fresh."""
    assert sandbox.wait_for_deliveries(timeout=15)
    db.session.rollback()
    send_pending_notices()
    db.session.expire_all()


def give(browser: requests.Session, url: str, sandbox, frequency: str, amount: str):
    """Give through the form and Checkout; returns the thank-you URL and the pledge."""
    page = browser.get(f"{url}/support", timeout=10).text
    form = {
        "csrf_token": TOKEN.search(page).group(1),
        "frequency": frequency,
        "amount": amount,
        "currency": "usd",
        "email": "donor@example.org",
    }
    checkout = browser.post(f"{url}/support", data=form, allow_redirects=False, timeout=10)
    paid = pay(checkout.headers["Location"], email="donor@example.org")
    assert paid.status_code == 303
    settle(sandbox)
    pledge = db.session.scalars(select(Pledge).order_by(Pledge.id.desc())).first()
    return paid.headers["Location"], pledge


def make_monthly(browser: requests.Session, thank_you_url: str) -> requests.Response:
    page = browser.get(thank_you_url, timeout=10).text
    session_id = thank_you_url.split("session_id=")[1]
    return browser.post(
        thank_you_url.split("/support/")[0] + "/support/thank-you/monthly",
        data={"csrf_token": TOKEN.search(page).group(1), "session_id": session_id},
        allow_redirects=False,
        timeout=10,
    )


def monthly_of(gift: Pledge) -> Pledge | None:
    return db.session.scalar(select(Pledge).where(Pledge.converted_from_id == gift.id))


def test_the_thank_you_page_offers_a_one_off_gift_monthly_from_next_month(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, _ = give(browser, url, sandbox, "once", "10")
        page = browser.get(thank_you, timeout=10).text

    starts = first_of_next_month(datetime.now(UTC)).strftime("%B %-d, %Y")
    assert "Make it monthly from next month" in page
    assert f"Give $10 every month from {starts}" in page


def test_the_gifts_saved_card_comes_by_webhook_so_the_page_asks_stripe_nothing(
    world, stripe_client
):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        intent = stripe_client.v1.payment_intents.retrieve(gift.payment_intent_id)
        assert gift.reusable_card_id == intent.payment_method
        asked = sum(RECORD.requests.values())
        for _ in range(3):
            assert "Make it monthly from next month" in browser.get(thank_you, timeout=10).text
    assert sum(RECORD.requests.values()) == asked


def test_a_gift_whose_card_was_not_saved_is_not_offered_monthly(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        gift.reusable_card_id = None  # as when the payment intent said no card was kept
        db.session.commit()
        assert "Make it monthly" not in browser.get(thank_you, timeout=10).text


def test_reconcile_learns_a_saved_card_whose_webhook_was_missed(world):
    app, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        card = gift.reusable_card_id
        gift.reusable_card_id = None
        db.session.commit()
        since = datetime.now(UTC).strftime("%Y-%m-%d")
        repaired = app.test_cli_runner().invoke(args=["stripe", "reconcile", "--since", since])
        assert repaired.exit_code == 0, repaired.output
        db.session.expire_all()
        assert db.session.get(Pledge, gift.id).reusable_card_id == card
        assert "Make it monthly from next month" in browser.get(thank_you, timeout=10).text


def test_the_thank_you_page_says_where_the_receipt_went_and_links_to_manage(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, _ = give(browser, url, sandbox, "once", "10")
        page = browser.get(thank_you, timeout=10).text

    assert "Your receipt is on its way to <strong>donor@example.org</strong>" in page
    assert re.search(r'href="[^"]*/support/manage/[^"]+">Manage your donation', page)


def test_making_it_monthly_subscribes_the_gifts_customer_on_its_card_from_next_month(
    world, stripe_client
):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        answer = make_monthly(browser, thank_you)
    settle(sandbox)

    monthly = monthly_of(gift)
    subscription = stripe_client.v1.subscriptions.retrieve(monthly.subscription_id)
    intent = stripe_client.v1.payment_intents.retrieve(gift.payment_intent_id)
    first_invoice = first_of_next_month(monthly.created_at)
    assert answer.status_code == 303 and answer.headers["Location"].endswith(thank_you[-30:])
    assert (subscription.customer, subscription.default_payment_method) == (
        gift.customer_id,
        intent.payment_method,
    )
    assert subscription.billing_cycle_anchor == int(first_invoice.timestamp())
    assert subscription["items"].data[0].price.unit_amount == 1000


def test_the_monthly_pledge_is_confirmed_by_stripes_webhook(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        make_monthly(browser, thank_you)
        settle(sandbox)
        page = browser.get(thank_you, timeout=10).text

    monthly = monthly_of(gift)
    assert (monthly.status, monthly.frequency, monthly.amount) == (
        PledgeStatus.ACTIVE,
        "monthly",
        1000,
    )
    assert monthly.payments == []  # nothing is taken before next month
    assert "Your monthly gift is set up" in page


def test_a_double_click_makes_one_subscription(world, stripe_client):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        page = browser.get(thank_you, timeout=10).text
        form = {
            "csrf_token": TOKEN.search(page).group(1),
            "session_id": thank_you.split("session_id=")[1],
        }
        answers = [
            browser.post(
                f"{url}/support/thank-you/monthly", data=form, allow_redirects=False, timeout=10
            )
            for _ in range(2)
        ]
    settle(sandbox)

    subscriptions = stripe_client.v1.subscriptions.list(params={"customer": gift.customer_id})
    assert [answer.status_code for answer in answers] == [303, 303]
    assert len(subscriptions.data) == 1


def test_a_monthly_gift_is_not_offered_monthly(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, _ = give(browser, url, sandbox, "monthly", "5")
        page = browser.get(thank_you, timeout=10).text

    assert "Make it monthly" not in page


def test_a_gift_below_the_monthly_minimum_is_not_offered_monthly(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        page = browser.get(f"{url}/support", timeout=10).text
        form = {
            "csrf_token": TOKEN.search(page).group(1),
            "frequency": "once",
            "amount": "other",
            "other_amount": "1",
            "currency": "usd",
        }
        checkout = browser.post(f"{url}/support", data=form, allow_redirects=False, timeout=10)
        paid = pay(checkout.headers["Location"])
        settle(sandbox)
        page = browser.get(paid.headers["Location"], timeout=10).text

    assert "Thank you — $1 once" in page
    assert "Make it monthly" not in page


def test_making_it_monthly_without_the_form_token_is_refused(world):
    _, url, sandbox, _ = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        answer = browser.post(
            f"{url}/support/thank-you/monthly",
            data={"session_id": thank_you.split("session_id=")[1]},
            timeout=10,
        )

    assert answer.status_code == 400
    assert monthly_of(gift) is None


def test_making_an_unknown_gift_monthly_is_a_404(world):
    _, url, _, _ = world
    with requests.Session() as browser:
        browser.get(f"{url}/support", timeout=10)
        page = browser.get(f"{url}/support", timeout=10).text
        answer = browser.post(
            f"{url}/support/thank-you/monthly",
            data={"csrf_token": TOKEN.search(page).group(1), "session_id": "cs_test_unknown"},
            timeout=10,
        )

    assert answer.status_code == 404


def test_the_thank_you_email_is_the_first_payments_receipt(world):
    _, url, sandbox, inbox = world
    with requests.Session() as browser:
        _, gift = give(browser, url, sandbox, "once", "25")

    [mail] = [m for m in inbox.messages if m["Subject"].startswith("Thank you")]
    text = mail.get_body(("plain",)).get_content()
    assert "Amount:     $25" in text
    assert f"Date:       {gift.payments[0].paid_at.strftime('%B %-d, %Y')}" in text
    assert "For:        One-off support for The Moscow Times" in text
    assert f"Reference:  {gift.payment_intent_id}" in text
    assert "Paid to:    The Moscow Times (members@themoscowtimes.example)" in text


def test_the_thank_you_email_has_an_html_part_with_the_same_receipt(world):
    _, url, sandbox, inbox = world
    with requests.Session() as browser:
        _, gift = give(browser, url, sandbox, "once", "25")

    [mail] = [m for m in inbox.messages if m["Subject"].startswith("Thank you")]
    html = mail.get_body(("html",)).get_content()
    assert gift.payment_intent_id in html
    assert 'href="mailto:members@themoscowtimes.example"' in html


def test_the_thank_you_email_offers_to_make_a_one_off_gift_monthly(world):
    _, url, sandbox, inbox = world
    with requests.Session() as browser:
        thank_you, _ = give(browser, url, sandbox, "once", "10")

    [mail] = [m for m in inbox.messages if m["Subject"].startswith("Thank you")]
    text = mail.get_body(("plain",)).get_content()
    assert "Make it monthly from next month" in text
    assert thank_you in text


def test_each_renewal_gets_its_own_receipt(world):
    app, url, sandbox, inbox = world
    with requests.Session() as browser:
        _, pledge = give(browser, url, sandbox, "monthly", "5")
    result = app.test_cli_runner().invoke(args=["stripe", "sandbox", "advance", "--days", "31"])
    assert result.exit_code == 0, result.output
    settle(sandbox)

    db.session.refresh(pledge)
    receipts = [m for m in inbox.messages if m["Subject"] == "Your receipt from The Moscow Times"]
    [renewal] = [p for p in pledge.payments if p.paid_at > pledge.payments[0].paid_at]
    assert len(receipts) == 1
    assert (
        f"Reference:  {renewal.stripe_invoice_id}" in receipts[0].get_body(("plain",)).get_content()
    )


def test_the_first_payment_of_a_gift_made_monthly_gets_a_receipt(world):
    app, url, sandbox, inbox = world
    with requests.Session() as browser:
        thank_you, gift = give(browser, url, sandbox, "once", "10")
        make_monthly(browser, thank_you)
    settle(sandbox)
    result = app.test_cli_runner().invoke(args=["stripe", "sandbox", "advance", "--days", "32"])
    assert result.exit_code == 0, result.output
    settle(sandbox)

    monthly = monthly_of(gift)
    [receipt] = [m for m in inbox.messages if m["Subject"] == "Your receipt from The Moscow Times"]
    assert [p.amount for p in monthly.payments] == [1000]
    text = receipt.get_body(("plain",)).get_content()
    assert "For:        Monthly support for The Moscow Times" in text
