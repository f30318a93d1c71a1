"""Donor safety: anonymous one-off gifts, neutral e-mails, data kept to a minimum (the purge),
and the site working unchanged at a mirror's or onion service's address."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from config import ConfigError
from donations.demo import DEMO_SLUG
from donations.newsletter.service import send_confirmations as send_newsletter_confirmations
from donations.newsletter.service import subscribe
from donations.payments.enums import PledgeStatus
from donations.payments.models import DonorNotice, Payment, Pledge, StripeEvent
from donations.payments.money import Money
from donations.payments.notices import (
    NEUTRAL_SUBJECTS,
    SUBJECTS,
    queue_notices,
    send_pending_notices,
)
from donations.payments.pledges import Attribution, PledgeRequest, start_pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.platform.web import external_url
from donations.reminders.models import Reminder
from donations.reminders.service import confirm, send_due
from donations.reminders.service import send_confirmations as send_reminder_confirmations
from tests.conftest import WEBHOOK_SECRET, csrf_token
from tests.pledges import new_pledge
from tests.stripe_events import checkout_session, event, post_event

MIRROR = "http://mirrorexampleabcdefghijklmnopqrstuvwxyz234567abcdefghij.onion"


def pay_by_webhook(client, pledge_id: str, email: str = "donor@example.org"):
    session = checkout_session(pledge_id=pledge_id, mode="payment", amount=1000, email=email)
    return post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)


# Anonymous gifts ------------------------------------------------------------------------------


def test_an_anonymous_one_off_gift_keeps_no_address_not_even_checkouts(app, client):
    with app.app_context():
        pledge = start_pledge(
            PledgeRequest(
                frequency="once",
                money=Money(1000, "usd"),
                email="typed@example.org",
                attribution=Attribution(),
                anonymous=True,
            )
        )
        public_id = pledge.public_id
    assert pay_by_webhook(client, public_id).status_code == 200
    with app.app_context():
        paid = db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))
        assert paid.status == PledgeStatus.PAID and paid.email is None
        assert db.session.scalar(select(func.count()).select_from(DonorNotice)) == 0


def test_a_gift_not_asked_anonymous_keeps_the_address_checkout_collected(app, client):
    with app.app_context():
        public_id = new_pledge().public_id
    pay_by_webhook(client, public_id)
    with app.app_context():
        paid = db.session.scalar(select(Pledge).where(Pledge.public_id == public_id))
        assert paid.email == "donor@example.org"


def test_a_monthly_gift_cannot_be_anonymous_and_says_why(client):
    token = csrf_token(client)
    response = client.post(
        "/support",
        data={"csrf_token": token, "frequency": "monthly", "amount": "5", "currency": "usd",
              "anonymous": "y"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Only a one-off gift can be anonymous" in response.get_data(as_text=True)


def test_the_donation_page_offers_to_give_anonymously(client):
    page = client.get("/support").get_data(as_text=True)
    assert 'name="anonymous"' in page and "we keep none" in page


# Neutral e-mails --------------------------------------------------------------------------


def test_every_donor_notice_has_a_neutral_subject_that_names_no_newsroom():
    assert set(NEUTRAL_SUBJECTS) == set(SUBJECTS)
    assert all("{newsroom}" not in subject for subject in NEUTRAL_SUBJECTS.values())


@pytest.fixture
def safe_mail_app(make_app, smtp_inbox):
    return make_app(DONOR_SAFETY=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)


def test_under_donor_safety_a_thank_you_has_a_neutral_subject_and_sender(safe_mail_app, smtp_inbox):
    client = safe_mail_app.test_client()
    with safe_mail_app.app_context():
        public_id = new_pledge(email="donor@example.org").public_id
    pay_by_webhook(client, public_id)
    with safe_mail_app.app_context():
        assert send_pending_notices() == 1
    [message] = smtp_inbox.messages
    assert message["Subject"] == "Your receipt"
    assert message["From"] == "Reader services <support@example.org>"


def test_under_donor_safety_the_newsletter_confirmation_is_neutral(safe_mail_app, smtp_inbox):
    with safe_mail_app.app_context(), safe_mail_app.test_request_context():
        subscribe("reader@example.org")
        send_newsletter_confirmations()
    [message] = smtp_inbox.messages
    assert message["Subject"] == "Please confirm your request"
    assert "Moscow" not in message["From"]


def test_without_donor_safety_the_subject_names_the_newsroom(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        public_id = new_pledge(email="donor@example.org").public_id
    pay_by_webhook(app.test_client(), public_id)
    with app.app_context():
        send_pending_notices()
    assert smtp_inbox.messages[0]["Subject"] == "Thank you for supporting The Moscow Times"


def test_donor_safety_refuses_the_bot_challenge_that_loads_a_third_partys_script(make_app):
    with pytest.raises(ConfigError, match="DONOR_SAFETY"):
        make_app(seed=False, DONOR_SAFETY=True, DONATION_CHALLENGE_SITE_KEY="0x4AAA")


# Data kept to a minimum -------------------------------------------------------------------


def age(app, pledge_id: int, days: int) -> None:
    with app.app_context():
        pledge = db.session.get(Pledge, pledge_id)
        pledge.created_at = utcnow() - timedelta(days=days)
        db.session.commit()


def test_purge_deletes_checkouts_abandoned_long_ago_and_keeps_the_rest(app, client, runner):
    with app.app_context():
        old_abandoned, recent, old_paid = (new_pledge() for _ in range(3))
        ids = {"old": old_abandoned.id, "recent": recent.id, "paid": old_paid.id}
        paid_public_id = old_paid.public_id
    pay_by_webhook(client, paid_public_id)
    age(app, ids["old"], 31)
    age(app, ids["recent"], 29)
    age(app, ids["paid"], 31)
    result = runner.invoke(args=["privacy", "purge"])
    assert "abandoned checkouts deleted: 1" in result.output
    with app.app_context():
        left = set(db.session.scalars(select(Pledge.id)))
    assert left == {ids["recent"], ids["paid"]}


def test_purge_empties_old_event_payloads_and_keeps_their_ids(app, client, runner):
    with app.app_context():
        public_id = new_pledge().public_id
    pay_by_webhook(client, public_id)
    with app.app_context():
        stored = db.session.scalar(select(StripeEvent))
        event_id = stored.id
        stored.received_at = utcnow() - timedelta(days=401)
        db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert "old event payloads emptied: 1" in result.output
    with app.app_context():
        kept = db.session.get(StripeEvent, event_id)
        assert kept.payload == {} and kept.type == "checkout.session.completed"
    again = runner.invoke(args=["privacy", "purge"])
    assert "old event payloads emptied: 0" in again.output


# A mirror or an onion service ---------------------------------------------------------------

READER_PAGES = ("/", f"/articles/{DEMO_SLUG}", "/support", "/newsletter", "/privacy")


@pytest.mark.parametrize("path", READER_PAGES)
def test_reader_pages_link_only_relatively(make_app, path):
    client = make_app(PUBLIC_MIRROR_ORIGINS=MIRROR).test_client()
    page = client.get(path, base_url=MIRROR).get_data(as_text=True)
    # The canonical address is for search engines, and no browser fetches or follows it.
    page = re.sub(r'<link rel="canonical"[^>]*>', "", page)
    absolute = re.findall(r'(?:href|src|action)="((?:https?:)?//[^"]*)"', page)
    assert absolute == []


def test_a_sign_up_posted_from_a_listed_mirror_is_the_sites_own(make_app):
    client = make_app(PUBLIC_MIRROR_ORIGINS=MIRROR).test_client()
    response = client.post(
        "/newsletter", data={"email": "r@example.org"}, headers={"Origin": MIRROR}
    )
    assert response.status_code == 200


def test_a_sign_up_posted_from_an_unlisted_host_is_not(client):
    response = client.post(
        "/newsletter", data={"email": "r@example.org"}, headers={"Origin": MIRROR}
    )
    assert response.status_code == 400


def test_a_reader_on_a_mirror_comes_back_there_from_checkout(make_app):
    app = make_app(PUBLIC_MIRROR_ORIGINS=MIRROR)
    with app.test_request_context("/support", base_url=MIRROR):
        assert external_url("support.cancelled").startswith(MIRROR + "/")
    with app.test_request_context("/support", base_url="http://elsewhere.example"):
        assert external_url("support.cancelled").startswith("http://localhost/")


# What a donor's or reader's e-mail says under DONOR_SAFETY --------------------------------------


def bodies(message) -> str:
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


def assert_names_no_newsroom(message) -> str:
    """The subject, sender, header, words and signature: none says whom the reader supports."""
    text = bodies(message)
    for part in (message["Subject"], message["From"], text):
        assert "Moscow" not in part, part
    assert "Reader services" in text  # the neutral sender's name signs it instead
    return text


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", ["Thank you for supporting Reader services.", "Amount:", "Reference:"]),
        ("ru", ["Спасибо, что поддерживаете Reader services.", "Сумма:", "Номер:"]),
    ],
)
def test_under_donor_safety_a_thank_you_body_names_no_newsroom_and_is_still_a_receipt(
    safe_mail_app, smtp_inbox, language, words
):
    client = safe_mail_app.test_client()
    with safe_mail_app.app_context():
        pledge = new_pledge(email="donor@example.org")
        pledge.language = language
        db.session.commit()
        public_id = pledge.public_id
    pay_by_webhook(client, public_id)
    with safe_mail_app.app_context():
        assert send_pending_notices() == 1
    [message] = smtp_inbox.messages
    text = assert_names_no_newsroom(message)
    for word in words:
        assert word in text
    assert "support@example.org" in text  # where to write to the newsroom is still there
    assert "/support/manage/" in text


@pytest.mark.parametrize("language, label", [("en", "For:"), ("ru", "Назначение:")])
def test_under_donor_safety_a_renewals_receipt_names_no_newsroom(
    safe_mail_app, smtp_inbox, language, label
):
    with safe_mail_app.app_context():
        pledge = new_pledge("monthly", 500, email="donor@example.org")
        pledge.language = language
        pledge.status = PledgeStatus.ACTIVE
        db.session.add(
            Payment(
                pledge=pledge,
                stripe_invoice_id="in_renewal_1",
                amount=500,
                currency="usd",
                paid_at=utcnow(),
            )
        )
        db.session.flush()
        queue_notices(pledge, [("receipt", "in_renewal_1")])
        db.session.commit()
        assert send_pending_notices() == 1
    [message] = smtp_inbox.messages
    text = assert_names_no_newsroom(message)
    assert "in_renewal_1" in text and label in text


@pytest.mark.parametrize("language", ["en", "ru"])
def test_under_donor_safety_a_reminder_and_its_confirmation_name_no_newsroom(
    safe_mail_app, smtp_inbox, language
):
    client = safe_mail_app.test_client()
    path = f"/remind-me?lang={language}"
    page = client.get(path).get_data(as_text=True)
    month = re.search(r'name="month" type="radio" value="([0-9-]+)"', page).group(1)
    data = {"csrf_token": csrf_token(client, path), "email": "reader@example.org"}
    assert client.post(path, data={**data, "month": month, "consent": "y"}).status_code == 200
    with safe_mail_app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert send_reminder_confirmations() == 1
        confirm(reminder.cancel_code)
        first_day = datetime.fromisoformat(f"{month}-01T00:00:00+00:00")
        assert send_due(first_day + timedelta(days=1)) == 1
    asked, reminded = smtp_inbox.messages
    assert_names_no_newsroom(asked)
    assert_names_no_newsroom(reminded)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_under_donor_safety_the_newsletter_confirmation_body_names_no_newsroom(
    safe_mail_app, smtp_inbox, language
):
    client = safe_mail_app.test_client()
    answer = client.post(
        f"/newsletter?lang={language}",
        data={"email": "reader@example.org"},
        headers={"Origin": "http://localhost"},
    )
    assert answer.status_code in (200, 303)
    with safe_mail_app.app_context():
        assert send_newsletter_confirmations() == 1
    [message] = smtp_inbox.messages
    assert_names_no_newsroom(message)


def test_without_donor_safety_the_body_names_the_newsroom(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        public_id = new_pledge(email="donor@example.org").public_id
    pay_by_webhook(app.test_client(), public_id)
    with app.app_context():
        send_pending_notices()
    text = bodies(smtp_inbox.messages[0])
    assert "Thank you for supporting The Moscow Times." in text
    assert "One-off support for The Moscow Times" in text
