"""The newsletter: the article's box, sign-up with consent stored, double opt-in through a real
SMTP server, one-click unsubscribe, the staff's export and deletion requests."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from donations.demo import DEMO_SLUG
from donations.newsletter.models import NewsletterSubscriber
from donations.newsletter.service import send_confirmations, subscribe
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.staff import auth
from donations.staff.models import VIEWER
from tests.conftest import csrf_token
from tests.staff.conftest import PASSWORD, sign_in

EMAIL = "reader@example.org"
OUR_PAGE = {"Origin": "http://localhost"}


@pytest.fixture
def mail_app(make_app, smtp_inbox):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)


def sign_up(client, email: str = EMAIL, **headers: str):
    return client.post("/newsletter", data={"email": email}, headers={**OUR_PAGE, **headers})


def stored(app) -> list[NewsletterSubscriber]:
    with app.app_context():
        rows = list(db.session.scalars(select(NewsletterSubscriber)))
        db.session.expunge_all()
        return rows


def link_in(message, path: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"http://localhost(" + re.escape(path) + r"[^\s]+)", text)
    assert match, text
    return match.group(1)


def confirmed_subscriber(app, email: str = EMAIL) -> None:
    with app.app_context():
        subscribe(email)
        row = db.session.scalar(
            select(NewsletterSubscriber).where(NewsletterSubscriber.email == email.lower())
        )
        row.confirmed_at = utcnow()
        row.confirmation_sent_at = utcnow()
        db.session.commit()


def test_the_article_has_the_newsletter_box_with_its_consent_line_and_privacy_link(client):
    page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    box = page[page.index('class="newsletter-box"') :]
    assert "Sign up for our free weekly newsletter" in box
    assert 'action="/newsletter"' in box and 'name="email"' in box
    assert 'Subscribers agree to the <a href="/privacy">Privacy Policy</a>' in box
    assert "csrf_token" not in page


def test_the_privacy_page_is_public(client):
    response = client.get("/privacy")
    assert response.status_code == 200 and response.cache_control.public
    assert "Our newsletter" in response.get_data(as_text=True)


def test_a_sign_up_from_our_page_stores_the_consent_text_and_time(app, client):
    before = utcnow()
    response = sign_up(client, " Reader@Example.org ")
    assert response.status_code == 200
    assert "We’re e-mailing reader@example.org a link" in response.get_data(as_text=True)
    [row] = stored(app)
    assert row.email == EMAIL and row.confirmed_at is None
    assert "Subscribers agree to the Privacy Policy (/privacy)" in row.consent_text
    assert before <= row.consented_at <= utcnow()


def test_the_box_script_gets_the_answer_as_json(client):
    response = sign_up(client, Accept="application/json")
    assert response.status_code == 200
    assert "open it to confirm" in response.get_json()["message"]
    bad = sign_up(client, "not-an-address", Accept="application/json")
    assert bad.status_code == 422 and "name@example.org" in bad.get_json()["error"]


def test_a_post_from_another_site_is_asked_to_confirm_on_our_page_and_stores_nothing(app, client):
    response = sign_up(client, Origin="https://evil.example")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Please press “Subscribe” once more" in page and 'name="csrf_token"' in page
    assert stored(app) == []


def test_the_sign_up_page_works_without_javascript_by_its_own_token(app, client):
    page = client.get("/newsletter")
    assert page.status_code == 200 and page.cache_control.no_store
    token = csrf_token(client, "/newsletter")
    response = client.post("/newsletter", data={"email": EMAIL, "csrf_token": token})
    assert response.status_code == 200
    assert [row.email for row in stored(app)] == [EMAIL]


def test_a_bad_address_gets_a_clear_message_and_a_422(app, client):
    response = sign_up(client, "reader@")
    assert response.status_code == 422
    assert "it should look like name@example.org" in response.get_data(as_text=True)
    assert stored(app) == []


def test_a_bot_filling_the_hidden_field_is_told_the_same_and_stored_nowhere(app, client):
    response = client.post(
        "/newsletter", data={"email": EMAIL, "website": "spam"}, headers=OUR_PAGE
    )
    assert response.status_code == 200 and "open it to confirm" in response.get_data(as_text=True)
    assert stored(app) == []


def test_the_round_trip_confirm_by_email_then_subscribed_then_unsubscribed(mail_app, smtp_inbox):
    client = mail_app.test_client()
    sign_up(client)
    with mail_app.app_context():
        assert send_confirmations() == 1
    [message] = smtp_inbox.messages
    assert message["To"] == EMAIL
    assert message["Subject"] == "Please confirm your The Moscow Times newsletter"
    confirm_path = link_in(message, "/newsletter/confirm/")

    assert "Yes, subscribe me" in client.get(confirm_path).get_data(as_text=True)
    assert stored(mail_app)[0].confirmed_at is None  # a GET (a mail scanner) confirms nothing
    token = csrf_token(client, confirm_path)
    done = client.post(confirm_path, data={"csrf_token": token})
    assert "You are subscribed" in done.get_data(as_text=True)
    assert stored(mail_app)[0].subscribed

    unsubscribe_path = link_in(message, "/newsletter/unsubscribe/")
    assert client.get(unsubscribe_path).status_code == 200
    assert stored(mail_app)[0].subscribed
    left = client.post(unsubscribe_path)
    assert "You are unsubscribed" in left.get_data(as_text=True)
    assert not stored(mail_app)[0].subscribed


def test_the_confirmation_has_one_click_unsubscribe_headers_that_work(mail_app, smtp_inbox):
    client = mail_app.test_client()
    sign_up(client)
    with mail_app.app_context():
        send_confirmations()
    [message] = smtp_inbox.messages
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(
        r"<http://localhost(/newsletter/unsubscribe/\S+)>", message["List-Unsubscribe"]
    )
    assert url
    # What a mail client's button sends (RFC 8058): a POST with no cookie and no token.
    response = client.post(url.group(1), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert stored(mail_app)[0].unsubscribed_at is not None


def test_a_forged_unsubscribe_link_is_a_friendly_404(client):
    response = client.post("/newsletter/unsubscribe/not-a-signed-token")
    assert response.status_code == 404
    assert "could not find that subscription" in response.get_data(as_text=True)


def test_signing_up_again_sends_at_most_one_confirmation_a_day(mail_app, smtp_inbox):
    client = mail_app.test_client()
    sign_up(client)
    sign_up(client)
    with mail_app.app_context():
        send_confirmations()
        sign_up(client)
        assert send_confirmations() == 0
        db.session.execute(
            NewsletterSubscriber.__table__.update().values(
                confirmation_sent_at=utcnow() - timedelta(days=2)
            )
        )
        db.session.commit()
        sign_up(client)
        assert send_confirmations() == 1
    assert len(smtp_inbox.messages) == 2


def test_an_address_nobody_confirms_is_deleted_after_thirty_days(app, client):
    sign_up(client)
    with app.app_context():
        send_confirmations()
        send_confirmations(utcnow() + timedelta(days=31))
        assert db.session.scalar(select(func.count()).select_from(NewsletterSubscriber)) == 0


def test_the_cli_sends_the_owed_confirmations(mail_app, smtp_inbox):
    sign_up(mail_app.test_client())
    result = mail_app.test_cli_runner().invoke(args=["newsletter", "send-confirmations"])
    assert "sent 1 confirmation(s)" in result.output
    assert len(smtp_inbox.messages) == 1


def test_sign_ups_are_rate_limited(make_app):
    client = make_app(RATELIMIT_ENABLED=True, NEWSLETTER_RATE_LIMIT="2 per minute").test_client()
    assert [sign_up(client, f"r{n}@example.org").status_code for n in range(3)] == [200, 200, 429]


def test_a_mistyped_address_does_not_count_towards_the_limit(make_app):
    client = make_app(RATELIMIT_ENABLED=True, NEWSLETTER_RATE_LIMIT="1 per minute").test_client()
    assert sign_up(client, "not-an-address").status_code == 422
    assert sign_up(client, "reader@example.org").status_code == 200


@pytest.fixture
def staff_client(app):
    with app.app_context():
        auth.create_staff("viewer@newsroom.example", VIEWER, PASSWORD)
    client = app.test_client()
    assert sign_in(client, "viewer@newsroom.example").status_code == 302
    return client


def test_staff_export_only_confirmed_subscribers_with_consent_and_formulas_defused(
    app, client, staff_client
):
    confirmed_subscriber(app, "=cmd@example.org")
    confirmed_subscriber(app, "left@example.org")
    sign_up(client, "unconfirmed@example.org")
    with app.app_context():
        row = db.session.scalar(
            select(NewsletterSubscriber).where(NewsletterSubscriber.email == "left@example.org")
        )
        row.unsubscribed_at = utcnow()
        db.session.commit()
    response = staff_client.get("/staff/newsletter/subscribers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["email", "confirmed_at", "consent_text", "consented_at", "unsubscribe_url"]
    assert [r[0] for r in rows[1:]] == ["'=cmd@example.org"]
    assert "Privacy Policy" in rows[1][2]
    assert rows[1][4].startswith("http://localhost/newsletter/unsubscribe/")


def test_the_staff_page_links_the_export_from_the_dashboard(staff_client):
    page = staff_client.get("/staff/newsletter/").get_data(as_text=True)
    assert 'href="/staff/newsletter/subscribers.csv"' in page
    assert 'href="/staff/newsletter/"' in staff_client.get("/staff/").get_data(as_text=True)


def test_the_export_needs_a_staff_sign_in(client):
    response = client.get("/staff/newsletter/subscribers.csv")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_privacy_forget_deletes_the_subscription(app, runner):
    confirmed_subscriber(app, "Forget.Me@example.org")
    result = runner.invoke(args=["privacy", "forget", "forget.me@example.org"])
    assert "newsletter subscriptions deleted: 1" in result.output
    assert stored(app) == []
