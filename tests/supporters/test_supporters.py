"""The supporter pass: set on the thank-you page, restored by an e-mailed sign-in link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from donations import pledge_status
from donations.demo import DEMO_SLUG
from donations.extensions import db
from donations.models import Pledge, utcnow
from donations.supporters.passes import COOKIE
from tests.conftest import csrf_token

EMAIL = "donor@example.org"
NEUTRAL = "If we have a gift on record for that address, we have sent it a link."


def confirmed_pledge(app, frequency="monthly", status=pledge_status.ACTIVE, days_ago=0) -> None:
    with app.app_context():
        pledge = Pledge(
            frequency=frequency,
            amount=500,
            currency="usd",
            email=EMAIL,
            checkout_session_id="cs_test_supporter",
        )
        pledge.status = status
        pledge.status_changed_at = pledge.created_at = utcnow() - timedelta(days=days_ago)
        db.session.add(pledge)
        db.session.commit()


def appeal_shown(client) -> bool:
    return "Dear readers," in client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)


def pass_cookie(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    return header


@pytest.mark.parametrize(
    ("frequency", "status"),
    [("monthly", pledge_status.ACTIVE), ("once", pledge_status.PAID)],
)
def test_the_thank_you_page_sets_a_pass_without_personal_data(app, client, frequency, status):
    confirmed_pledge(app, frequency, status)
    assert appeal_shown(client)
    response = client.get("/support/thank-you?session_id=cs_test_supporter")
    header = pass_cookie(response)
    assert "HttpOnly" in header and "Expires=" in header
    assert EMAIL not in header and "donor" not in header
    assert not appeal_shown(client)


def test_a_recurring_supporter_sees_nothing_and_a_one_off_donor_a_thank_you(make_app):
    for frequency, status, thanked in (
        ("monthly", pledge_status.ACTIVE, False),
        ("once", pledge_status.PAID, True),
    ):
        app = make_app()
        client = app.test_client()
        confirmed_pledge(app, frequency, status)
        client.get("/support/thank-you?session_id=cs_test_supporter")
        page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
        assert ("Thank you for supporting" in page) is thanked
        with app.app_context():
            db.session.execute(db.delete(Pledge))
            db.session.commit()


def test_no_pass_before_the_webhook_confirmed_the_gift(app, client):
    confirmed_pledge(app, status=pledge_status.PENDING)
    response = client.get("/support/thank-you?session_id=cs_test_supporter")
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]


def ask_for_link(client, email):
    token = csrf_token(client, "/supporters/sign-in")
    return client.post("/supporters/sign-in", data={"email": email, "csrf_token": token})


@pytest.fixture
def mail_app(make_app, smtp_inbox):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)


def test_a_supporter_restores_the_pass_on_another_device(mail_app, smtp_inbox):
    confirmed_pledge(mail_app)
    other_device = mail_app.test_client()
    response = ask_for_link(other_device, EMAIL.upper())
    assert NEUTRAL in response.get_data(as_text=True)
    [message] = smtp_inbox.messages
    link = re.search(r"http://localhost(/supporters/restore/\S+)", message.get_content()).group(1)
    assert appeal_shown(other_device)
    restored = other_device.get(link)
    assert "Welcome back" in restored.get_data(as_text=True)
    assert not appeal_shown(other_device)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mail_app, smtp_inbox):
    response = ask_for_link(mail_app.test_client(), "stranger@example.org")
    assert response.status_code == 200
    assert NEUTRAL in response.get_data(as_text=True)
    assert smtp_inbox.messages == []


def test_an_old_one_off_gift_restores_no_pass(mail_app, smtp_inbox):
    confirmed_pledge(mail_app, "once", pledge_status.PAID, days_ago=120)
    ask_for_link(mail_app.test_client(), EMAIL)
    assert smtp_inbox.messages == []


def test_a_bad_address_gets_a_clear_message(client):
    response = ask_for_link(client, "nope")
    assert response.status_code == 422
    assert "it should look like name@example.org" in response.get_data(as_text=True)


def test_a_tampered_or_expired_link_is_refused(make_app):
    app = make_app(SUPPORTER_SIGN_IN_MAX_AGE_SECONDS=-1)
    client = app.test_client()
    response = client.get("/supporters/restore/forged.token")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)
    confirmed_pledge(app)
    from donations.supporters.service import _serializer

    with app.app_context():
        token = _serializer().dumps({"e": EMAIL})
    expired = client.get(f"/supporters/restore/{token}")
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)


@pytest.mark.parametrize("payload", [["donor@example.org"], {"e": 7}, {}, "donor@example.org"])
def test_a_signed_token_of_another_shape_is_refused_not_a_500(client, app, payload):
    from donations.supporters.service import _serializer

    with app.app_context():
        token = _serializer().dumps(payload)
    response = client.get(f"/supporters/restore/{token}")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_a_forged_pass_cookie_is_ignored(client):
    client.set_cookie(COOKIE, "eyJrIjoicmVjdXJyaW5nIiwieCI6OTk5OTk5OTk5OX0.forged")
    assert appeal_shown(client)
