"""Outgoing e-mail through a real SMTP server, and the development outbox."""

from __future__ import annotations

import os

import pytest

from donations.payments.notices import SUBJECTS
from donations.platform.mail import MailError, send_email


def test_mail_goes_through_smtp(make_app, smtp_inbox):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        message_id = send_email("reader@example.org", "Hello", "test", name="Ann")
    [message] = smtp_inbox.messages
    assert message["To"] == "reader@example.org"
    assert message["Message-ID"] == message_id
    assert "Hello Ann," in message.get_content()


def test_without_a_mail_server_mail_lands_in_the_outbox(make_app, tmp_path):
    app = make_app(MAIL_SERVER=None)
    app.instance_path = str(tmp_path)
    with app.app_context():
        send_email("reader@example.org", "Hello", "test", name="Ann")
    [name] = os.listdir(tmp_path / "outbox")
    assert "Hello Ann," in (tmp_path / "outbox" / name).read_text()


def test_unreachable_mail_server_is_a_mail_error(make_app):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=9)
    with app.app_context(), pytest.raises(MailError, match=r"reader@example\.org"):
        send_email("reader@example.org", "Hello", "test", name="Ann")


def test_donor_email_subjects_read_as_english():
    subjects = [subject.format(newsroom="The Moscow Times") for subject in SUBJECTS.values()]

    assert "Your supporter link from The Moscow Times" in subjects
    assert not [s for s in subjects if "Your The" in s]
