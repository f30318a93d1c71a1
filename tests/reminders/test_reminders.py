"""Remind me later: the form, reminders stored once, confirmed by the address's owner, sent once
by SMTP, cancelled by their link."""

from __future__ import annotations

import json
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from sqlalchemy import func, select

from donations.demo import DEMO_SLUG
from donations.payments.enums import PledgeStatus
from donations.payments.models import Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.reminders.models import Reminder
from donations.reminders.service import (
    confirm,
    month_choices,
    remind,
    send_confirmations,
    send_due,
)
from tests.conftest import csrf_token

EMAIL = "reader@example.org"
LONG_AGO = utcnow() - timedelta(days=70)


def due_reminder(app, email: str = EMAIL, when: datetime = LONG_AGO) -> Reminder:
    """A reminder set and confirmed weeks ago for a month that has now come."""
    with app.app_context():
        outcome = remind(email, month_choices(when)[0], when, placement="article-end")
        reminder = confirm(outcome.reminder.cancel_code, when)
        reminder.confirmation_sent_at = when
        db.session.commit()
        db.session.refresh(reminder)
        db.session.expunge(reminder)
        return reminder


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


def snoozed_until(response) -> str:
    state = re.search(
        r'<script type="application/json" data-reader-state>(.*?)</script>',
        response.get_data(as_text=True),
    ).group(1)
    return json.loads(state)["snoozedUntil"]


def test_without_an_email_the_asks_snooze_for_seven_days(client, app):
    response = post_remind(client, email="")
    assert response.status_code == 200
    assert "for 7 days" in response.get_data(as_text=True)
    # The device stops asking: the page hands the snooze to the prompt component.
    until = datetime.fromisoformat(snoozed_until(response))
    assert timedelta(days=6, hours=23) < until - utcnow() <= timedelta(days=7)
    with app.app_context():
        assert db.session.scalars(select(Reminder)).all() == []


def test_with_an_email_a_reminder_is_stored_with_consent_and_asks_stop(client, app):
    month = client.get("/remind-me").get_data(as_text=True)
    value = re.search(r'name="month" type="radio" value="([0-9-]+)"', month).group(1)
    response = post_remind(client, email=" Reader@Example.org ", month=value, consent="y")
    assert response.status_code == 200
    assert "open it to confirm" in response.get_data(as_text=True)
    with app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert reminder.email == EMAIL
        assert reminder.month.strftime("%Y-%m") == value
        assert "may e-mail me" in reminder.consent_text
        assert reminder.consented_at <= utcnow()
        assert len(reminder.cancel_code) >= 20
    assert snoozed_until(response) == f"{value}-01T00:00:00+00:00"  # no asks until that month


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
    assert "sent 0 confirmation(s), 1 reminder(s)" in result.output
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
    assert "sent 0 confirmation(s), 0 reminder(s)" in second.output
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
        pledge.status = PledgeStatus.ACTIVE
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


# Double opt-in: anyone can type anyone's address ----------------------------------------


def ask_for(app, email: str = EMAIL, when: datetime = LONG_AGO):
    with app.app_context():
        outcome = remind(email, month_choices(when)[0], when)
        return outcome.reminder.cancel_code


def confirm_link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/reminders/\S+/confirm)", body).group(1)


def test_a_reminder_is_sent_only_once_its_owner_confirms(mail_app, smtp_inbox):
    ask_for(mail_app)  # its month has come: it would be due at once
    runner = mail_app.test_cli_runner()
    first = runner.invoke(args=["reminders", "send-due"])
    assert "sent 1 confirmation(s), 0 reminder(s)" in first.output
    [asked] = smtp_inbox.messages
    assert asked["To"] == EMAIL and asked["Subject"].startswith("Please confirm")
    assert asked.get_body(("html",)) is not None
    link = confirm_link(asked)
    client = mail_app.test_client()
    assert "Yes, remind me" in client.get(link).get_data(as_text=True)
    # Following the link (as mail scanners do) confirms nothing.
    assert (
        "sent 0 confirmation(s), 0 reminder(s)"
        in runner.invoke(args=["reminders", "send-due"]).output
    )
    confirmed = client.post(link, data={"csrf_token": csrf_token(client, link)})
    assert "Your reminder is set" in confirmed.get_data(as_text=True)
    assert (
        "sent 0 confirmation(s), 1 reminder(s)"
        in runner.invoke(args=["reminders", "send-due"]).output
    )
    assert smtp_inbox.messages[-1]["Subject"] == "Your reminder to support The Moscow Times"
    with mail_app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert reminder.confirmed_at is not None and reminder.consented_at == reminder.confirmed_at


def test_asking_again_and_again_sends_one_confirmation_a_day(mail_app, smtp_inbox):
    now = utcnow()
    for _ in range(3):
        ask_for(mail_app, when=now)
    with mail_app.app_context():
        assert send_confirmations(now) == 1
        ask_for(mail_app, when=now + timedelta(hours=23))
        assert send_confirmations(now + timedelta(hours=23)) == 0
        ask_for(mail_app, when=now + timedelta(days=1, hours=1))
        assert send_confirmations(now + timedelta(days=1, hours=1)) == 1
    assert len(smtp_inbox.messages) == 2


def test_a_stranger_asking_again_cannot_undo_the_owners_cancel(mail_app, smtp_inbox):
    reminder = due_reminder(mail_app)
    client = mail_app.test_client()
    url = f"/reminders/{reminder.cancel_code}/cancel"
    client.post(url, data={"csrf_token": csrf_token(client, url)})
    with mail_app.app_context():
        again = remind(EMAIL, month_choices(LONG_AGO)[0], utcnow())
        assert again.reminder.cancelled_at is not None
        assert send_due() == 0


def test_the_answer_is_the_same_whatever_the_address_asked_before(app, client):
    due_reminder(app)  # this address has a confirmed reminder already
    with app.app_context():
        month = month_choices(utcnow())[0].value
    known = post_remind(client, email=EMAIL, month=month, consent="y").get_data(as_text=True)
    new = post_remind(client, email="new@example.org", month=month, consent="y")
    message = re.search(r'<p role="status">(.*?)</p>', known).group(1)
    assert message.replace(EMAIL, "X") == re.search(
        r'<p role="status">(.*?)</p>', new.get_data(as_text=True)
    ).group(1).replace("new@example.org", "X")


def test_the_answer_gives_away_no_code_to_cancel_or_confirm(app, client):
    with app.app_context():
        month = month_choices(utcnow())[0].value
    page = post_remind(client, email=EMAIL, month=month, consent="y").get_data(as_text=True)
    with app.app_context():
        code = db.session.scalar(select(Reminder.cancel_code))
    assert code not in page and "/reminders/" not in page


def test_the_components_call_says_what_happens_and_until_when(app, client):
    with app.app_context():
        month, label = month_choices(utcnow())[1].value, month_choices(utcnow())[1].label
    response = client.post(
        "/api/reminders",
        json={"email": EMAIL, "month": month, "consent": True},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 200
    assert response.json["message"] == (
        f"Thank you. We’re e-mailing {EMAIL} a link: open it to confirm, and we’ll remind you "
        f"in {label}. We won’t ask on this device until then."
    )
    assert response.json["until"] == f"{month}-01T00:00:00+00:00"


def test_an_address_nobody_confirmed_is_deleted_after_thirty_days(mail_app, smtp_inbox):
    now = utcnow()
    ask_for(mail_app, when=now)
    ask_for(mail_app, "confirmed@example.org", when=now)
    with mail_app.app_context():
        assert send_confirmations(now) == 2
        confirm(
            db.session.scalar(select(Reminder.cancel_code).filter_by(email="confirmed@example.org"))
        )
        send_confirmations(now + timedelta(days=29))
        assert db.session.scalar(select(func.count()).select_from(Reminder)) == 2
        send_confirmations(now + timedelta(days=31))
        assert db.session.scalars(select(Reminder.email)).all() == ["confirmed@example.org"]


def test_an_unknown_confirm_code_is_a_friendly_404(client):
    response = client.post("/reminders/nope/confirm")
    assert response.status_code in (400, 404)
    assert client.get("/reminders/nope/confirm").status_code == 404


def test_corrected_forms_do_not_count_towards_the_limit_but_reminders_do(make_app):
    client = make_app(RATELIMIT_ENABLED=True, REMIND_RATE_LIMIT="2 per minute").test_client()
    for _ in range(3):
        assert post_remind(client, email="not-an-address", consent="y").status_code == 422
    outcomes = [post_remind(client, email=f"r{n}@example.org", consent="y") for n in range(3)]
    assert [response.status_code for response in outcomes] == [200, 200, 429]
