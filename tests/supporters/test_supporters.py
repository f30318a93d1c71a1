"""The supporter pass: set on the thank-you page, restored by an e-mailed sign-in link."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from donations.demo import DEMO_SLUG
from donations.payments.donor_links import SIGN_IN
from donations.payments.enums import PledgeStatus
from donations.payments.models import DonorNotice, Pledge
from donations.payments.supporter_pass import COOKIE
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.platform.signing import signer
from donations.privacy import forget
from tests.conftest import csrf_token

SALT = SIGN_IN.salt
EMAIL = "donor@example.org"
NEUTRAL = "If we have a gift on record for that address, a link is on its way"


def confirmed_pledge(app, frequency="monthly", status=PledgeStatus.ACTIVE, days_ago=0) -> None:
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


def reader_state(response) -> dict | None:
    """What the page tells the prompt component to remember on this device."""
    found = re.search(
        r'<script type="application/json" data-reader-state>(.*?)</script>',
        response.get_data(as_text=True),
    )
    return json.loads(found.group(1)) if found else None


def body_withheld(client) -> bool:
    """Past a metered paywall with no free articles, only supporters read the whole story."""
    return "meter-notice" in client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)


@pytest.fixture
def metered(make_app):
    return make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=0)


def pass_cookie(response) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    return header


@pytest.mark.parametrize(
    ("frequency", "status", "kind"),
    [("monthly", PledgeStatus.ACTIVE, "recurring"), ("once", PledgeStatus.PAID, "once")],
)
def test_the_thank_you_page_sets_a_pass_without_personal_data(metered, frequency, status, kind):
    client = metered.test_client()
    confirmed_pledge(metered, frequency, status)
    assert body_withheld(client)
    response = client.get("/support/thank-you?session_id=cs_test_supporter")
    header = pass_cookie(response)
    assert "HttpOnly" in header and "Expires=" in header
    assert EMAIL not in header and "donor" not in header
    state = reader_state(response)
    assert state["supporter"] == kind and utcnow().isoformat() < state["supporterUntil"]
    assert EMAIL not in json.dumps(state)
    assert response.headers["Cache-Control"] == "no-store, private"
    assert not body_withheld(client)


def test_no_pass_before_the_webhook_confirmed_the_gift(app, client):
    confirmed_pledge(app, status=PledgeStatus.PENDING)
    response = client.get("/support/thank-you?session_id=cs_test_supporter")
    assert not [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]
    assert reader_state(response) is None


def ask_for_link(client, email):
    token = csrf_token(client, "/supporters/sign-in")
    return client.post("/supporters/sign-in", data={"email": email, "csrf_token": token})


@pytest.fixture
def mail_app(make_app, smtp_inbox):
    return make_app(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_inbox.port,
        PAYWALL_MODE="metered",
        PAYWALL_FREE_ARTICLES=0,
    )


def send_notices(app) -> None:
    result = app.test_cli_runner().invoke(args=["mail", "send-notices"])
    assert result.exit_code == 0, result.output


def emailed_link(app, smtp_inbox, device) -> str:
    ask_for_link(device, EMAIL)
    send_notices(app)
    message = smtp_inbox.messages[-1]
    return re.search(
        r"http://localhost(/supporters/restore/\S+)", message.get_body(("plain",)).get_content()
    ).group(1)


def test_a_supporter_restores_the_pass_on_another_device(mail_app, smtp_inbox):
    confirmed_pledge(mail_app)
    other_device = mail_app.test_client()
    response = ask_for_link(other_device, EMAIL.upper())
    assert NEUTRAL in response.get_data(as_text=True)
    send_notices(mail_app)
    [message] = smtp_inbox.messages
    assert message["To"] == EMAIL
    assert (
        EMAIL not in message.get_body(("plain",)).get_content()
    )  # the link names the pledge, not the address
    link = re.search(
        r"http://localhost(/supporters/restore/\S+)", message.get_body(("plain",)).get_content()
    ).group(1)
    assert body_withheld(other_device)
    restored = other_device.get(link)
    assert "Welcome back" in restored.get_data(as_text=True)
    assert reader_state(restored)["supporter"] == "recurring"
    assert not body_withheld(other_device)


def test_no_mail_is_sent_while_the_reader_waits_for_the_answer(mail_app, smtp_inbox):
    # Sending inside the request made a donor's answer take 59 ms and a stranger's 9 ms.
    confirmed_pledge(mail_app)
    response = ask_for_link(mail_app.test_client(), EMAIL)
    assert response.status_code == 200
    assert smtp_inbox.messages == []
    with mail_app.app_context():
        [notice] = db.session.scalars(db.select(DonorNotice)).all()
        assert notice.kind == "supporter_sign_in" and notice.sent_at is None


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mail_app, smtp_inbox):
    response = ask_for_link(mail_app.test_client(), "stranger@example.org")
    assert response.status_code == 200
    assert NEUTRAL in response.get_data(as_text=True)
    send_notices(mail_app)
    assert smtp_inbox.messages == []


def test_asking_again_and_again_sends_one_link(mail_app, smtp_inbox):
    confirmed_pledge(mail_app)
    for _ in range(3):
        ask_for_link(mail_app.test_client(), EMAIL)
    send_notices(mail_app)
    assert len(smtp_inbox.messages) == 1


def test_an_old_one_off_gift_restores_no_pass(mail_app, smtp_inbox):
    confirmed_pledge(mail_app, "once", PledgeStatus.PAID, days_ago=120)
    ask_for_link(mail_app.test_client(), EMAIL)
    send_notices(mail_app)
    assert smtp_inbox.messages == []


def test_a_link_stops_working_once_the_address_is_forgotten(mail_app, smtp_inbox):
    confirmed_pledge(mail_app)
    device = mail_app.test_client()
    link = emailed_link(mail_app, smtp_inbox, device)
    with mail_app.app_context():
        forget(EMAIL)
    refused = device.get(link)
    assert refused.status_code == 400
    assert "not valid" in refused.get_data(as_text=True)
    assert not [h for h in refused.headers.getlist("Set-Cookie") if h.startswith(COOKIE)]


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
    with app.app_context():
        token = signer(SALT).dumps({"p": db.session.scalar(db.select(Pledge.public_id))})
    expired = client.get(f"/supporters/restore/{token}")
    assert expired.status_code == 400
    assert "expired" in expired.get_data(as_text=True)


@pytest.mark.parametrize(
    "payload",
    [["donor@example.org"], {"e": "donor@example.org"}, {"p": 7}, {"p": "pl_nope"}, {}, "x"],
)
def test_a_signed_token_of_another_shape_is_refused_not_a_500(client, app, payload):
    with app.app_context():
        token = signer(SALT).dumps(payload)
    response = client.get(f"/supporters/restore/{token}")
    assert response.status_code == 400
    assert "not valid" in response.get_data(as_text=True)


def test_a_forged_pass_cookie_is_ignored(metered):
    client = metered.test_client()
    client.set_cookie(COOKIE, "eyJrIjoicmVjdXJyaW5nIiwieCI6OTk5OTk5OTk5OX0.forged")
    assert body_withheld(client)


def test_no_sign_in_page_may_be_kept_by_a_cache(client):
    pages = [
        client.get("/supporters/sign-in"),
        ask_for_link(client, EMAIL),
        ask_for_link(client, "nope"),
        client.get("/supporters/restore/forged.token"),
    ]
    for page in pages:
        assert page.headers["Cache-Control"] == "no-store, private"
