"""Donors' "manage my donation" links: queued, not sent during the request; never stored by a
cache; void once the donor's address is forgotten."""

from __future__ import annotations

import re

import pytest

from donations.payments.donor_links import MANAGE, manage_url
from donations.payments.enums import PledgeStatus
from donations.payments.models import DonorNotice, Pledge
from donations.platform.extensions import db
from donations.platform.signing import signer
from donations.privacy import forget
from tests.conftest import csrf_token
from tests.pledges import new_pledge

EMAIL = "donor@example.org"


@pytest.fixture
def mail_app(make_app, smtp_inbox):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)


def monthly_donor(app, email: str = EMAIL) -> str:
    with app.app_context():
        pledge = new_pledge("monthly", 500, email=email)
        pledge.move_to(PledgeStatus.ACTIVE)
        pledge.customer_id = "cus_manage_test"
        pledge.subscription_id = "sub_manage_test"
        db.session.commit()
        return pledge.public_id


def ask_for_link(client, email: str = EMAIL):
    token = csrf_token(client, "/support/manage")
    return client.post("/support/manage", data={"csrf_token": token, "email": email})


def send_notices(app) -> None:
    assert app.test_cli_runner().invoke(args=["mail", "send-notices"]).exit_code == 0


def test_the_link_is_queued_and_the_mail_job_sends_it(mail_app, smtp_inbox):
    monthly_donor(mail_app)
    client = mail_app.test_client()
    sent = ask_for_link(client, EMAIL.upper())
    assert "Check your e-mail" in sent.get_data(as_text=True)
    assert smtp_inbox.messages == []  # nothing is sent while the reader waits
    with mail_app.app_context():
        assert db.session.scalar(db.select(DonorNotice.kind)) == "manage_link"
    send_notices(mail_app)
    [message] = smtp_inbox.messages
    link = re.search(
        r"http://localhost(/support/manage/\S+)", message.get_body(("plain",)).get_content()
    ).group(1)
    assert "$5 every month" in client.get(link).get_data(as_text=True)


def test_an_unknown_address_queues_nothing_and_gets_the_same_page(mail_app, smtp_inbox):
    monthly_donor(mail_app)
    known = ask_for_link(mail_app.test_client()).get_data(as_text=True)
    stranger = ask_for_link(mail_app.test_client(), "stranger@example.org").get_data(as_text=True)
    assert known.replace(EMAIL, "X") == stranger.replace("stranger@example.org", "X")
    send_notices(mail_app)
    assert [m["To"] for m in smtp_inbox.messages] == [EMAIL]


def test_a_link_stops_working_once_the_address_is_forgotten(app, client):
    public_id = monthly_donor(app)
    with app.app_context():
        link = manage_url(db.session.scalar(db.select(Pledge).filter_by(public_id=public_id)))
        path = link.removeprefix("http://localhost")
        assert client.get(path).status_code == 200
        forget(EMAIL)
    refused = client.get(path)
    assert refused.status_code == 410
    assert "This link no longer works" in refused.get_data(as_text=True)
    token = csrf_token(client, "/support/manage")
    assert client.post(f"{path}/portal", data={"csrf_token": token}).status_code == 410


def test_an_expired_link_says_so(make_app):
    app = make_app(MANAGE_LINK_MAX_AGE_SECONDS=-1)
    public_id = monthly_donor(app)
    with app.app_context():
        token = signer(MANAGE.salt).dumps({"p": public_id})
    expired = app.test_client().get(f"/support/manage/{token}")
    assert expired.status_code == 410
    assert "This link has expired" in expired.get_data(as_text=True)


def test_no_manage_page_may_be_kept_by_a_cache(app, client):
    public_id = monthly_donor(app)
    with app.app_context():
        token = signer(MANAGE.salt).dumps({"p": public_id})
    pages = [
        client.get("/support/manage"),
        ask_for_link(client),
        client.get(f"/support/manage/{token}"),
        client.get("/support/manage/forged.token"),
    ]
    for page in pages:
        assert page.headers["Cache-Control"] == "no-store, private", page.request.path
