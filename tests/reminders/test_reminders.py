"""Remind me later: the form, reminders stored once, sent once by SMTP, cancelled by their link."""

from __future__ import annotations

import os
import re
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from sqlalchemy import select

from donations import pledge_status
from donations.demo import DEMO_SLUG
from donations.extensions import db
from donations.models import Pledge, utcnow
from donations.reminders.models import Reminder
from donations.reminders.service import month_choices, remind, send_due
from tests.conftest import csrf_token

EMAIL = "reader@example.org"
LONG_AGO = utcnow() - timedelta(days=70)


def due_reminder(app, email: str = EMAIL, when: datetime = LONG_AGO) -> Reminder:
    """A reminder set weeks ago for a month that has now come."""
    with app.app_context():
        outcome = remind(email, month_choices(when)[0], when, placement="article-end")
        db.session.expunge(outcome.reminder)
        return outcome.reminder


def post_remind(client, **fields):
    data = {"csrf_token": csrf_token(client, "/remind-me"), "article": DEMO_SLUG, **fields}
    return client.post("/remind-me", data=data)


@pytest.fixture
def mail_app(make_app, smtp_inbox):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (datetime(2026, 11, 5, tzinfo=UTC), ["2026-12", "2027-02"]),
        (datetime(2026, 11, 20, tzinfo=UTC), ["2026-12", "2027-02"]),
        (datetime(2026, 11, 21, tzinfo=UTC), ["2027-01", "2027-02"]),
        (datetime(2026, 12, 31, tzinfo=UTC), ["2027-02", "2027-03"]),
    ],
)
def test_month_choices_skip_a_month_past_the_twentieth(app, today, months):
    with app.app_context():
        assert [choice.value for choice in month_choices(today)] == months


def test_the_remind_me_page_works_without_javascript(client):
    page = client.get(f"/remind-me?article={DEMO_SLUG}&placement=article-end").get_data(
        as_text=True
    )
    assert "Remind me later" in page
    assert 'name="month"' in page and 'type="checkbox"' in page
    assert f'href="/articles/{DEMO_SLUG}"' in page


def test_without_an_email_the_asks_snooze_for_seven_days(client, app):
    response = post_remind(client, email="")
    assert response.status_code == 200
    assert "for 7 days" in response.get_data(as_text=True)
    assert "Dear readers," not in client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Reminder)).all() == []


def test_with_an_email_a_reminder_is_stored_with_consent_and_asks_stop(client, app):
    month = client.get("/remind-me").get_data(as_text=True)
    value = re.search(r'name="month" type="radio" value="([0-9-]+)"', month).group(1)
    response = post_remind(client, email=" Reader@Example.org ", month=value, consent="y")
    assert response.status_code == 200
    assert "e-mail you in" in response.get_data(as_text=True)
    with app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert reminder.email == EMAIL
        assert reminder.month.strftime("%Y-%m") == value
        assert "may e-mail me" in reminder.consent_text
        assert reminder.consented_at <= utcnow()
        assert len(reminder.cancel_code) >= 20
    assert "Dear readers," not in client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)


def test_asking_twice_for_the_same_month_keeps_one_reminder(app):
    due_reminder(app)
    again = due_reminder(app)
    with app.app_context():
        [only] = db.session.scalars(select(Reminder)).all()
        assert only.cancel_code == again.cancel_code


def test_a_bad_email_gets_a_clear_message(client):
    response = post_remind(client, email="not-an-address", consent="y")
    assert response.status_code == 422
    assert "it should look like name@example.org" in response.get_data(as_text=True)


def test_an_email_needs_consent(client):
    response = post_remind(client, email=EMAIL)
    assert response.status_code == 422
    assert "Please tick the box" in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(client):
    assert client.post("/remind-me", data={"email": ""}).status_code == 400


def test_send_due_sends_by_smtp_with_attribution_and_a_cancel_link(mail_app, smtp_inbox):
    reminder = due_reminder(mail_app)
    result = mail_app.test_cli_runner().invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "sent 1 reminder(s)" in result.output
    [message] = smtp_inbox.messages
    assert message["To"] == EMAIL
    body = message.get_body(("plain",)).get_content()
    assert "placement=reminder" in body and "prompt=reminder" in body
    assert f"/reminders/{reminder.cancel_code}/cancel" in body
    assert message.get_body(("html",)) is not None


def test_running_send_due_twice_sends_once(mail_app, smtp_inbox):
    due_reminder(mail_app)
    runner = mail_app.test_cli_runner()
    runner.invoke(args=["reminders", "send-due"])
    second = runner.invoke(args=["reminders", "send-due"])
    assert "sent 0 reminder(s)" in second.output
    assert len(smtp_inbox.messages) == 1


def test_a_second_reminder_a_week_later_and_never_a_third(mail_app, smtp_inbox):
    due_reminder(mail_app)
    with mail_app.app_context():
        assert send_due() == 1
        assert send_due(utcnow() + timedelta(days=6)) == 0
        assert send_due(utcnow() + timedelta(days=8)) == 1
        assert send_due(utcnow() + timedelta(days=60)) == 0
    assert [m["Subject"] for m in smtp_inbox.messages] == [
        "Your reminder to support The Moscow Times",
        "A last reminder from The Moscow Times",
    ]


def test_no_reminder_before_its_month(mail_app, smtp_inbox):
    due_reminder(mail_app, when=utcnow())
    with mail_app.app_context():
        assert send_due() == 0
    assert smtp_inbox.messages == []


def test_a_reader_who_gave_is_not_reminded(mail_app, smtp_inbox):
    due_reminder(mail_app)
    with mail_app.app_context():
        pledge = Pledge(frequency="monthly", amount=500, currency="usd", email="READER@example.org")
        pledge.status = pledge_status.ACTIVE
        db.session.add(pledge)
        db.session.commit()
        assert send_due() == 0
        assert db.session.scalars(select(Reminder)).one().converted_at is not None
    assert smtp_inbox.messages == []


def test_the_cancel_link_asks_first_and_a_post_cancels(mail_app, smtp_inbox):
    reminder = due_reminder(mail_app)
    client = mail_app.test_client()
    url = f"/reminders/{reminder.cancel_code}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "Cancel your reminder?" in page
    with mail_app.app_context():
        assert db.session.scalars(select(Reminder)).one().cancelled_at is None
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert "Your reminder is cancelled" in response.get_data(as_text=True)
    with mail_app.app_context():
        assert send_due() == 0
    assert smtp_inbox.messages == []


def test_an_unknown_cancel_code_is_a_friendly_404(client):
    response = client.get("/reminders/nope/cancel")
    assert response.status_code == 404
    assert "could not find that reminder" in response.get_data(as_text=True)


def test_without_a_mail_server_reminders_land_in_the_outbox(make_app, tmp_path):
    app = make_app(MAIL_SERVER=None)
    app.instance_path = str(tmp_path)
    due_reminder(app)
    with app.app_context():
        assert send_due() == 1
    [name] = os.listdir(tmp_path / "outbox")
    message = message_from_bytes((tmp_path / "outbox" / name).read_bytes(), policy=default)
    assert "placement=reminder" in message.get_body(("plain",)).get_content()


def test_an_unreachable_mail_server_leaves_the_reminder_due(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    due_reminder(app)
    with app.app_context():
        assert send_due() == 0
        assert db.session.scalars(select(Reminder)).one().sent_count == 0


@pytest.mark.postgres
@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE") != "postgresql", reason="SKIP LOCKED needs PostgreSQL"
)
def test_two_concurrent_senders_send_each_reminder_once(mail_app, smtp_inbox):
    emails = [f"reader{n}@example.org" for n in range(30)]
    for email in emails:
        due_reminder(mail_app, email)
    start = threading.Barrier(2)
    counts: list[int] = []

    def sender() -> None:
        with mail_app.app_context():
            start.wait()
            counts.append(send_due())
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 30
    assert sorted(message["To"] for message in smtp_inbox.messages) == sorted(emails)
