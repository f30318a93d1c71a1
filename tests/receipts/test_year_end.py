"""Year-end statements: one e-mail per donor and year, with what they kept giving; a second run
sends nothing more, and a run that failed halfway finishes the rest next time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from donations.payments.models import Payment, Pledge
from donations.platform.extensions import db
from donations.receipts.models import YearEndStatement
from tests.conftest import free_port

PAID_IN_2026 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def gave(email: str | None, amount: int, currency: str = "usd", *, on=PAID_IN_2026, **payment):
    pledge = Pledge(frequency="once", amount=amount, currency=currency, email=email)
    pledge.status = "paid"
    db.session.add(pledge)
    db.session.flush()
    db.session.add(
        Payment(
            pledge_id=pledge.id,
            stripe_payment_intent_id=f"pi_{pledge.public_id}",
            amount=amount,
            currency=currency,
            paid_at=on,
            **payment,
        )
    )
    db.session.commit()


@pytest.fixture
def donors(app):
    with app.app_context():
        gave("Ana@Example.org", 1000)
        gave("ana@example.org", 500, refunded_amount=200)  # the same donor, another pledge
        gave("ana@example.org", 700, "eur")
        gave("ana@example.org", 900, on=datetime(2025, 12, 31, 23, 59, tzinfo=UTC))  # last year
        gave("bo@example.org", 2500)
        gave("bo@example.org", 4000, disputed=True)  # may be taken back: left out
        gave("refunded@example.org", 300, refunded_amount=300)  # nothing kept: no statement
        gave(None, 5000)  # anonymous: nobody to write to


def test_each_donor_gets_one_statement_of_what_they_kept(app, runner, donors, smtp_inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    result = runner.invoke(args=["receipts", "year-end", "2026"])
    assert result.exit_code == 0, result.output
    assert "2026: 2 donor(s) with gifts, 2 statement(s) sent now." in result.output
    mails = {message["To"]: message for message in smtp_inbox.messages}
    assert set(mails) == {"ana@example.org", "bo@example.org"}
    ana = mails["ana@example.org"]
    assert ana["Subject"] == "Your 2026 donations to The Moscow Times"
    text = ana.get_body(("plain",)).get_content()
    assert "$13" in text and "€7" in text and "3 payments" in text  # 10 + (5 − 2); 7 in euros
    assert "$9" not in text  # December 2025 is last year's
    # Our own receipt went out with each payment (notices' "receipt"); Stripe sends none.
    assert "The receipt we e-mailed you for each payment" in text
    assert "Stripe" not in text
    bo = mails["bo@example.org"]
    assert "$25" in bo.get_body(("html",)).get_content()
    assert "$40" not in bo.get_body(("plain",)).get_content()


def test_a_second_run_sends_nothing_more(app, runner, donors, smtp_inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    runner.invoke(args=["receipts", "year-end", "2026"])
    again = runner.invoke(args=["receipts", "year-end", "2026"])
    assert "0 statement(s) sent now" in again.output
    assert len(smtp_inbox.messages) == 2


def test_a_run_that_failed_finishes_the_rest_next_time(app, runner, donors, smtp_inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens there
    failed = runner.invoke(args=["receipts", "year-end", "2026"])
    assert failed.exit_code == 1 and "2 statement(s) could not be sent" in failed.output
    with app.app_context():
        stored = db.session.scalars(select(YearEndStatement)).all()
        assert [(s.sent_at, s.attempts) for s in stored] == [(None, 1), (None, 1)]
        assert stored[0].last_error
    app.config.update(MAIL_PORT=smtp_inbox.port)
    finished = runner.invoke(args=["receipts", "year-end", "2026"])
    assert finished.exit_code == 0 and "2 statement(s) sent now" in finished.output
    assert len(smtp_inbox.messages) == 2


def test_a_dry_run_says_who_and_sends_nothing(app, runner, donors, smtp_inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    result = runner.invoke(args=["receipts", "year-end", "2026", "--dry-run"])
    assert "2 donor(s) would get a statement for 2026; nothing sent." in result.output
    assert smtp_inbox.messages == []
    with app.app_context():
        assert db.session.scalars(select(YearEndStatement)).all() == []


@pytest.mark.parametrize("year", ["1999", "next", "20260"])
def test_a_year_that_is_not_one_is_refused_clearly(runner, year):
    result = runner.invoke(args=["receipts", "year-end", year])
    assert result.exit_code == 2 and "Invalid value for 'YEAR'" in result.output
