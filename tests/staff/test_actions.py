"""Admin actions: confirmed, sent through the Stripe gateway, and written to the audit log."""

from __future__ import annotations

import pytest

from donations.payments.stripe_gateway import PaymentServiceError
from donations.platform.extensions import db
from donations.staff.models import AuditLog
from tests.conftest import csrf_token
from tests.staff.conftest import ADMIN_EMAIL, sign_in
from tests.staff.ledger import store_ledger


class RecordingGateway:
    """Stands in for Stripe: remembers what it was asked, or fails when told to."""

    def __init__(self, real, failure: str | None = None) -> None:
        self.real = real
        self.failure = failure
        self.calls: list[tuple] = []

    def refund_payment(self, payment, amount=None) -> str:
        self.calls.append(("refund", payment.id, amount))
        if self.failure:
            raise PaymentServiceError(self.failure, retryable=False)
        return "re_test123"

    def cancel_subscription(self, subscription_id, *, at_period_end) -> None:
        self.calls.append(("cancel", subscription_id, at_period_end))
        if self.failure:
            raise PaymentServiceError(self.failure, retryable=True)


@pytest.fixture
def ledger(app):
    with app.app_context():
        rows = store_ledger()
        rows["C"].subscription_id = "sub_ledgerC"
        db.session.commit()
        return {name: (row.public_id, [p.id for p in row.payments]) for name, row in rows.items()}


@pytest.fixture
def stripe(app):
    gateway = RecordingGateway(app.extensions["stripe_gateway"])
    app.extensions["stripe_gateway"] = gateway
    return gateway


def audit(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [
            (e.staff_email, e.action, e.target, e.outcome)
            for e in db.session.scalars(db.select(AuditLog).order_by(AuditLog.id))
        ]


def post(client, path: str, **form):
    return client.post(path, data={"csrf_token": csrf_token(client, "/staff/pledges"), **form})


def test_refund_asks_for_confirmation_first(app, admin_client, ledger, stripe):
    payment = ledger["A"][1][0]
    response = post(admin_client, f"/staff/payments/{payment}/refund")
    assert response.status_code == 422
    assert "Please tick the box to confirm." in response.get_data(as_text=True)
    assert stripe.calls == []
    assert audit(app) == []


def test_refund_goes_to_stripe_and_into_the_audit_log(app, admin_client, ledger, stripe):
    payment = ledger["A"][1][0]
    response = post(admin_client, f"/staff/payments/{payment}/refund", confirm="y")
    assert response.status_code == 302
    assert stripe.calls == [("refund", payment, None)]
    assert audit(app) == [(ADMIN_EMAIL, "refund", "pl_ledger_A", "requested")]
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Refund re_test123 requested" in page
    assert "refund $10 of payment" in page  # the pledge's own audit trail


def test_a_partial_refund_is_checked_against_what_is_left(app, admin_client, ledger, stripe):
    payment = ledger["E"][1][0]  # €10, €3 already refunded
    too_much = post(admin_client, f"/staff/payments/{payment}/refund", amount="8", confirm="y")
    assert too_much.status_code == 422
    post(admin_client, f"/staff/payments/{payment}/refund", amount="2.50", confirm="y")
    assert stripe.calls == [("refund", payment, 250)]


def test_a_stripe_failure_is_flashed_and_audited(app, admin_client, ledger, stripe):
    stripe.failure = "InvalidRequestError: Charge has already been refunded."
    payment = ledger["A"][1][0]
    response = post(admin_client, f"/staff/payments/{payment}/refund", confirm="y")
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stripe did not refund the payment" in page
    assert "already been refunded" in page
    assert audit(app) == [(ADMIN_EMAIL, "refund", "pl_ledger_A", "failed")]


def test_cancel_at_period_end_or_now(app, admin_client, ledger, stripe):
    post(admin_client, "/staff/pledges/pl_ledger_C/cancel", when="period_end", confirm="y")
    post(admin_client, "/staff/pledges/pl_ledger_C/cancel", when="now", confirm="y")
    assert stripe.calls == [("cancel", "sub_ledgerC", True), ("cancel", "sub_ledgerC", False)]
    assert [entry[1:] for entry in audit(app)] == [
        ("cancel", "pl_ledger_C", "requested"),
        ("cancel", "pl_ledger_C", "requested"),
    ]


def test_only_a_running_recurring_pledge_can_be_canceled(admin_client, ledger, stripe):
    response = post(admin_client, "/staff/pledges/pl_ledger_F/cancel", when="now", confirm="y")
    assert response.status_code == 409
    assert stripe.calls == []


def test_resend_the_receipt_by_email(make_app, smtp_inbox, staff):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with app.app_context():
        store_ledger()
    client = app.test_client()

    sign_in(client, ADMIN_EMAIL)
    response = post(client, "/staff/pledges/pl_ledger_A/resend", what="thank_you", confirm="y")
    assert response.status_code == 302
    (message,) = smtp_inbox.messages
    assert message["To"] == "a@example.org"
    assert audit(app) == [(ADMIN_EMAIL, "resend_thank_you", "pl_ledger_A", "sent")]


def test_a_failed_email_is_flashed_and_audited(make_app, staff):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    with app.app_context():
        store_ledger()
    client = app.test_client()

    sign_in(client, ADMIN_EMAIL)
    response = post(client, "/staff/pledges/pl_ledger_A/resend", what="thank_you", confirm="y")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "could not be sent" in page
    assert audit(app)[-1][-1] == "failed"
