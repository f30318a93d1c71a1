"""A reader's deletion request removes their e-mail address from everything we store."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import String, cast, func, select

from donations.extensions import db
from donations.models import DonorNotice, Pledge, StripeEvent
from donations.pledges import start_pledge
from donations.reminders.models import Reminder
from donations.reminders.service import month_choices, remind
from donations.support.forms import Attribution, DonationChoice
from tests.conftest import WEBHOOK_SECRET
from tests.stripe_events import checkout_session, event, post_event

EMAIL = "Forget.Me@example.org"


def test_forget_removes_the_address_everywhere_and_keeps_the_accounts(app, client, runner):
    with app.app_context():
        now = datetime.now(UTC)
        remind(EMAIL, month_choices(now)[0], now)
        choice = DonationChoice("once", 1500, "usd", EMAIL.lower())
        pledge = start_pledge(choice, Attribution(None, "support-page", None, None), None)
        session = checkout_session(
            pledge_id=pledge.public_id, mode="payment", amount=1500, email=EMAIL
        )
        post_event(client, event("checkout.session.completed", session), WEBHOOK_SECRET)
        keep = start_pledge(
            DonationChoice("once", 500, "usd", "someone.else@example.org"),
            Attribution(None, None, None, None),
            None,
        )
        forgotten_id, kept_id = pledge.id, keep.id

    result = runner.invoke(args=["privacy", "forget", EMAIL])
    assert result.exit_code == 0, result.output
    assert "reminders deleted: 1" in result.output
    assert "pledges made anonymous: 1" in result.output
    assert "stripe events scrubbed: 1" in result.output

    with app.app_context():
        assert db.session.scalars(select(Reminder)).all() == []
        assert db.session.scalars(select(DonorNotice)).all() == []
        assert db.session.get(Pledge, forgotten_id).email is None
        # The money is still recorded.
        assert len(db.session.get(Pledge, forgotten_id).payments) == 1
        assert db.session.get(Pledge, kept_id).email == "someone.else@example.org"
        stored = db.session.scalars(select(StripeEvent.payload)).all()
        assert "forget.me@example.org" not in json.dumps(stored).lower()
        mentions = select(func.count()).where(
            func.lower(cast(StripeEvent.payload, String)).contains("forget.me")
        )
        assert db.session.scalar(mentions) == 0


def test_forget_refuses_what_is_not_an_email_address(runner):
    result = runner.invoke(args=["privacy", "forget", "not an address"])
    assert result.exit_code == 2
    assert "Invalid value for EMAIL" in result.output
