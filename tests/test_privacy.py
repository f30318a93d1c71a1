"""A reader's deletion request removes their address, their name and their links from everything
we store, however it was stored (any case, non-ASCII, JSON-escaped), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, cast, func, select

from donations.payments.donor_links import manage_url
from donations.payments.models import DonorNotice, Pledge, StripeEvent
from donations.payments.notices import queue_requested
from donations.platform.extensions import db
from donations.privacy import forget, like_pattern
from donations.reminders.models import Reminder
from donations.reminders.service import month_choices, remind
from donations.staff.models import AuditLog
from tests.conftest import WEBHOOK_SECRET
from tests.pledges import new_pledge
from tests.stripe_events import charge, checkout_session, event, post_event

EMAIL = "Forget.Me@example.org"
# Mixed case in the ASCII and the non-ASCII letters; each is stored differently below.
JOSE = "JOSÉ.García@Example.org"
NAME = "José García"
OTHER = "someone.else@example.org"


def give(client, email: str, typed: str, name: str | None = None, phone: str | None = None) -> int:
    """A one-off gift confirmed by Stripe's webhooks (the checkout, then a refund of its
    charge), with the address as typed on Stripe's page and the cardholder's name."""
    pledge = new_pledge("once", 1500, email=email)
    session = checkout_session(pledge_id=pledge.public_id, mode="payment", amount=1500, email=typed)
    session["customer_details"]["name"] = name
    post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
    refunded = charge(payment_intent=session["payment_intent"], amount=1500, amount_refunded=500)
    refunded["billing_details"] = {"email": typed, "name": name, "phone": phone}
    refunded["description"] = f"Gift from {name}"
    post_event(client, event("charge.refunded", refunded), WEBHOOK_SECRET)
    return pledge.id


def everything_stored() -> str:
    """Every value of every row, as text: JSON both escaped and not, so no copy hides."""
    found = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                if isinstance(value, dict | list):
                    found += [json.dumps(value), json.dumps(value, ensure_ascii=False)]
                else:
                    found.append(str(value))
    return "\n".join(found).lower()


def test_forget_removes_the_address_everywhere_and_keeps_the_accounts(app, client, runner):
    with app.app_context():
        now = datetime.now(UTC)
        remind(EMAIL, month_choices(now)[0], now)
        forgotten_id = give(client, EMAIL.lower(), EMAIL)
        kept_id = new_pledge("once", 500, email=OTHER, placement=None).id

    result = runner.invoke(args=["privacy", "forget", EMAIL])
    assert result.exit_code == 0, result.output
    assert "reminders deleted: 1" in result.output
    assert "pledges made anonymous: 1" in result.output
    assert "stripe events scrubbed: 2" in result.output

    with app.app_context():
        assert db.session.scalars(select(Reminder)).all() == []
        assert db.session.scalars(select(DonorNotice)).all() == []
        assert db.session.get(Pledge, forgotten_id).email is None
        # The money is still recorded.
        assert len(db.session.get(Pledge, forgotten_id).payments) == 1
        assert db.session.get(Pledge, kept_id).email == OTHER
        assert "forget.me" not in everything_stored()
        mentions = select(func.count()).where(
            func.lower(cast(StripeEvent.payload, String)).contains("forget.me")
        )
        assert db.session.scalar(mentions) == 0


@pytest.mark.parametrize("asked", [JOSE, "josé.garcía@example.org", "JOSÉ.GARCÍA@EXAMPLE.ORG"])
def test_forget_finds_a_non_ascii_address_in_any_case_and_its_name(app, client, asked):
    with app.app_context():
        now = datetime.now(UTC)
        remind(JOSE, month_choices(now)[0], now)
        pledge_id = give(client, JOSE, JOSE.lower(), NAME, "+7 495 000 00 00")
        give(client, OTHER, OTHER, "Anna Petrova", "+44 20 0000 0000")
        pledge = db.session.get(Pledge, pledge_id)
        db.session.add(
            AuditLog(
                staff_email="admin@newsroom.example",
                action="resend_thank_you",
                target=pledge.public_id,
                pledge_id=pledge.id,
                detail=f"receipt to {JOSE}",
                outcome="sent",
            )
        )
        db.session.commit()
        stored = everything_stored()
        assert "jos\\u00e9" in stored  # what fooled the text search: JSON escapes the é

        done = forget(asked)

        assert done["reminders deleted"] == 1
        assert done["pledges made anonymous"] == 1
        assert done["stripe events scrubbed"] == 2
        assert done["audit entries scrubbed"] == 1
        stored = everything_stored()
        for trace in ("josé", "jos\\u00e9", "garcía", "garc\\u00eda", "+7 495"):
            assert trace not in stored, trace
        # The other donor's gift, name and all, is untouched.
        assert OTHER in stored and "anna petrova" in stored and "+44 20" in stored
        assert db.session.get(Pledge, pledge_id).payments[0].refunded_amount == 500


def test_forget_deletes_the_readers_mail_from_the_outbox_and_voids_their_links(make_app, tmp_path):
    app = make_app(MAIL_SERVER=None)
    app.instance_path = str(tmp_path)
    client = app.test_client()
    with app.app_context():
        pledge = new_pledge("monthly", 500, email=JOSE)
        pledge.customer_id = "cus_forget_test"
        pledge.status = "active"
        other = new_pledge("monthly", 500, email=OTHER)
        other.customer_id = "cus_kept_test"
        other.status = "active"
        db.session.commit()
        link = manage_url(pledge).removeprefix("http://localhost")
        queue_requested("manage_link", pledge)
        queue_requested("manage_link", other)
    assert app.test_cli_runner().invoke(args=["mail", "send-notices"]).exit_code == 0
    assert len(os.listdir(tmp_path / "outbox")) == 2
    assert client.get(link).status_code == 200

    with app.app_context():
        done = forget("josé.garcía@example.org")

    assert done["e-mails deleted from the outbox"] == 1
    [kept] = os.listdir(tmp_path / "outbox")
    assert OTHER in (tmp_path / "outbox" / kept).read_text()
    assert client.get(link).status_code == 410


def test_a_failed_sends_error_naming_the_address_is_cleared(app):
    with app.app_context():
        pledge = new_pledge("once", 500, email=EMAIL)
        queue_requested("manage_link", pledge)
        notice = db.session.scalar(select(DonorNotice))
        notice.sent_at = datetime.now(UTC)
        notice.last_error = f"could not send to {EMAIL}: 550 mailbox full"
        db.session.commit()
        forget(EMAIL)
        assert db.session.scalar(select(DonorNotice.last_error)) is None


@pytest.mark.parametrize(
    "email, pattern",
    [
        ("josé@example.org", "jos%@example.org"),
        ("Ünsal_1%@Exämple.org", "%nsal\\_1\\%@ex%mple.org"),
        ("дима@пример.рф", "%@%.%"),
    ],
)
def test_the_search_pattern_keeps_only_what_every_storage_form_shares(email, pattern):
    assert like_pattern(email, anywhere=False) == pattern


def test_forget_refuses_what_is_not_an_email_address(runner):
    result = runner.invoke(args=["privacy", "forget", "not an address"])
    assert result.exit_code == 2
    assert "Invalid value for EMAIL" in result.output


def test_forget_clears_what_a_donor_wrote_when_cancelling_and_keeps_the_reason(app, client, runner):
    from donations.payments.models import PledgeChange

    with app.app_context():
        pledge = db.session.get(Pledge, give(client, EMAIL.lower(), EMAIL))
        db.session.add(
            PledgeChange(
                pledge_id=pledge.id, kind="cancel", amount_before=500, amount_after=500,
                currency="usd", frequency_after=pledge.frequency, reason="cost",
                reason_text="Jane here, money is tight",
            )
        )  # fmt: skip
        db.session.commit()

    assert runner.invoke(args=["privacy", "forget", EMAIL]).exit_code == 0
    with app.app_context():
        change = db.session.scalar(select(PledgeChange))
        assert (change.reason, change.reason_text) == ("cost", None)
