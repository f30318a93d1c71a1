"""As a real Stripe account behaves: one-off donors get a Customer, renewals' refunds and
disputes resolve without `invoice_payment.paid`, and `flask stripe check-endpoint` says what a
webhook endpoint lacks. Over real HTTP, with the sandbox's endpoint set up as a Dashboard's
would be."""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
import stripe
from sqlalchemy import select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, StripeEvent
from donations.payments.notices import send_pending_notices
from donations.payments.stripe_gateway import API_VERSION
from donations.payments.webhooks.handlers import HANDLERS
from donations.platform.extensions import db
from tests.conftest import WEBHOOK_SECRET
from tests.stripe_events import event, post_event
from tests.test_lifecycle_e2e import advance, donate, settle

OLD_VERSION = "2025-02-24.acacia"
WITHOUT_INVOICE_PAYMENTS = [kind for kind in HANDLERS if kind != "invoice_payment.paid"]


def sdk(sandbox) -> stripe.StripeClient:
    return stripe.StripeClient("sk_test_x", base_addresses={"api": sandbox.url})


def endpoint_without_invoice_payments(sandbox, url: str, **endpoint) -> None:
    """The sandbox's endpoint as a Dashboard endpoint made without that event."""
    sandbox.set_webhook(
        url + "/stripe/webhook", WEBHOOK_SECRET, enabled_events=WITHOUT_INVOICE_PAYMENTS, **endpoint
    )


def renewal_charge(sandbox, payment: Payment) -> str:
    """The charge that paid a renewal invoice, as Stripe's API tells it."""
    [paid] = sdk(sandbox).v1.invoice_payments.list(params={"invoice": payment.stripe_invoice_id})
    return sdk(sandbox).v1.payment_intents.retrieve(paid.payment.payment_intent).latest_charge


# -- one-off donors ---------------------------------------------------------------------------


def test_a_one_off_donor_gets_a_customer_a_manage_link_and_a_history(world):
    _, url, sandbox, inbox = world
    gift = donate(url, sandbox, "once", "25")

    assert gift.customer_id and gift.customer_id.startswith("cus_")
    session = sdk(sandbox).v1.checkout.sessions.retrieve(gift.checkout_session_id)
    assert (session.customer_creation, session.submit_type) == ("always", "donate")
    with requests.Session() as browser:
        page = browser.get(f"{url}/support/manage", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        browser.post(
            f"{url}/support/manage", data={"csrf_token": token, "email": "donor@example.org"}
        )
        send_pending_notices()  # as `mail send-notices` does beside the app
        [mail] = [m for m in inbox.messages if m["Subject"].startswith("Manage your donation")]
        link = re.search(
            r"(http://\S+/support/manage/\S+)", mail.get_body(("plain",)).get_content()
        ).group(1)
        history = browser.get(link, timeout=10)
        assert history.status_code == 200 and "$25" in history.text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', history.text).group(1)
        portal = browser.post(f"{link}/portal", data={"csrf_token": token}, allow_redirects=False)
    assert portal.status_code == 303 and portal.headers["Location"].startswith(sandbox.url)


def test_every_checkout_says_donate(world):
    _, url, sandbox, _ = world
    monthly = donate(url, sandbox, "monthly", "5")

    session = sdk(sandbox).v1.checkout.sessions.retrieve(monthly.checkout_session_id)

    assert (session.mode, session.submit_type) == ("subscription", "donate")


# -- renewals' refunds and disputes without invoice_payment.paid ------------------------------


def test_a_renewal_refund_resolves_without_invoice_payment_paid(world):
    app, url, sandbox, _ = world
    endpoint_without_invoice_payments(sandbox, url)
    pledge = donate(url, sandbox, "monthly", "5")
    advance(app.test_cli_runner(), sandbox, 31)
    db.session.refresh(pledge)
    renewal = pledge.payments[-1]
    assert len(pledge.payments) == 2 and renewal.stripe_payment_intent_id is None
    assert (
        db.session.scalar(select(StripeEvent).where(StripeEvent.type == "invoice_payment.paid"))
        is None
    )  # never delivered

    sdk(sandbox).v1.refunds.create(params={"charge": renewal_charge(sandbox, renewal)})
    settle(sandbox)

    db.session.refresh(renewal)
    assert renewal.refunded_amount == 500
    assert renewal.stripe_payment_intent_id  # linked by asking Stripe
    refunded = db.session.scalar(select(StripeEvent).where(StripeEvent.type == "charge.refunded"))
    assert refunded.outcome == "applied"
    assert refunded.details[0]["kind"] == "found_through_stripe"


def test_a_renewal_dispute_resolves_without_invoice_payment_paid(world):
    app, url, sandbox, _ = world
    endpoint_without_invoice_payments(sandbox, url)
    pledge = donate(url, sandbox, "monthly", "5")
    advance(app.test_cli_runner(), sandbox, 31)
    db.session.refresh(pledge)
    renewal = pledge.payments[-1]

    charge = renewal_charge(sandbox, renewal)
    requests.post(f"{sandbox.url}/_sandbox/charges/{charge}/dispute", timeout=10)
    settle(sandbox)

    db.session.refresh(renewal)
    assert renewal.disputed is True
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.ACTIVE  # a recurring pledge goes on


def test_a_refund_stripe_could_not_be_asked_about_is_repaired_by_reconcile(
    world, make_app, own_sandbox
):
    app, url, sandbox, _ = world
    endpoint_without_invoice_payments(sandbox, url)
    pledge = donate(url, sandbox, "monthly", "5")
    advance(app.test_cli_runner(), sandbox, 31)
    db.session.refresh(pledge)
    renewal = pledge.payments[-1]
    charge = renewal_charge(sandbox, renewal)
    sandbox.set_webhook(None)  # this refund's event is delivered below, by hand
    sdk(sandbox).v1.refunds.create(params={"charge": charge})
    refunded = requests.get(
        f"{sandbox.url}/v1/charges/{charge}", headers={"Authorization": "Bearer sk_test_x"}
    ).json()
    # The event arrives while Stripe's API cannot be reached from here: it waits.
    offline = make_app(stripe_api_base="http://127.0.0.1:9", seed=False)
    with offline.app_context():
        evt = event("charge.refunded", refunded)
        answer = post_event(offline.test_client(), evt, WEBHOOK_SECRET)
        assert answer.json["outcome"] == "unmatched"
    db.session.expire_all()
    assert db.session.get(Payment, renewal.id).refunded_amount == 0

    since = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    first = app.test_cli_runner().invoke(args=["stripe", "reconcile", "--since", since])

    assert first.exit_code == 0, first.output
    assert f"{evt['id']}: applied: refunded $5 of $5" in first.output
    db.session.expire_all()
    assert db.session.get(Payment, renewal.id).refunded_amount == 500
    again = app.test_cli_runner().invoke(args=["stripe", "reconcile", "--since", since])
    assert again.output.strip().endswith("Nothing to repair.")


# -- checking the account's webhook endpoints -------------------------------------------------


def check_endpoint(app):
    return app.test_cli_runner().invoke(args=["stripe", "check-endpoint"])


def test_check_endpoint_passes_a_right_endpoint(world):
    app, url, sandbox, _ = world
    sandbox.set_webhook(url + "/stripe/webhook", WEBHOOK_SECRET, api_version=API_VERSION)

    result = check_endpoint(app)

    assert result.exit_code == 0, result.output
    assert f"{url}/stripe/webhook  (this app; enabled; {API_VERSION}; 1 event type(s))" in (
        result.output
    )
    assert "✓" in result.output


def test_check_endpoint_says_what_is_missing_or_wrong(world):
    app, url, sandbox, _ = world
    endpoint_without_invoice_payments(sandbox, url, api_version="2025-02-24.acacia")

    result = check_endpoint(app)

    assert result.exit_code == 1
    assert (
        f"endpoint API version 2025-02-24.acacia; this app reads {API_VERSION}; set the "
        f"endpoint's version to {API_VERSION}"
    ) in result.output
    assert "these events are not enabled: invoice_payment.paid" in result.output


def test_check_endpoint_warns_of_the_accounts_default_version(world):
    app, url, sandbox, _ = world
    sandbox.set_webhook(url + "/stripe/webhook", WEBHOOK_SECRET)

    result = check_endpoint(app)

    assert result.exit_code == 1
    assert "the account's default version" in result.output


@pytest.mark.parametrize("configured", [False, True])
def test_check_endpoint_without_an_endpoint_for_this_app(world, configured):
    app, url, sandbox, _ = world
    sandbox.set_webhook("https://elsewhere.example/hook" if configured else None)

    result = check_endpoint(app)

    assert result.exit_code == 1
    assert f"No endpoint sends to {url}/stripe/webhook" in result.output
    assert "invoice_payment.paid" in result.output


# -- the same renewal in both API versions' shapes --------------------------------------------


def sandbox_events(sandbox, *types: str) -> list[dict]:
    """The sandbox's stored events of these types, oldest first, as Stripe's API returns them."""
    answer = requests.get(
        f"{sandbox.url}/v1/events",
        params={"limit": 100, "types[]": list(types)},
        headers={"Authorization": "Bearer sk_test_x"},
        timeout=10,
    )
    return list(reversed(answer.json()["data"]))


def before_basil(evt: dict) -> dict:
    """An event as an endpoint at a version before 2025-03-31 receives it: the invoice names
    its subscription at the top (no `parent`), the subscription carries its period."""
    old = copy.deepcopy(evt)
    old["id"] += "_old"
    old["api_version"] = OLD_VERSION
    obj = old["data"]["object"]
    if obj["object"] == "invoice":
        obj["subscription"] = obj.pop("parent")["subscription_details"]["subscription"]
    if obj["object"] == "subscription":
        item = obj["items"]["data"][0]
        obj["current_period_start"] = item.pop("current_period_start")
        obj["current_period_end"] = item.pop("current_period_end")
    return old


def test_a_renewal_replayed_in_both_versions_shapes(world):
    app, url, sandbox, _ = world
    pledge = donate(url, sandbox, "monthly", "5")
    first_period_end = pledge.current_period_end
    sandbox.set_webhook(None)  # the renewal's events are replayed below, by hand
    advance(app.test_cli_runner(), sandbox, 31)
    renewal = [
        e
        for e in sandbox_events(
            sandbox, "invoice.paid", "invoice_payment.paid", "customer.subscription.updated"
        )
        if e["created"] > int(first_period_end.timestamp()) - 5
    ]
    assert [e["type"] for e in renewal] == [
        "invoice.paid",
        "invoice_payment.paid",
        "customer.subscription.updated",
    ]
    client = app.test_client()

    old = [post_event(client, before_basil(e), WEBHOOK_SECRET) for e in renewal]

    assert [(r.status_code, r.json["outcome"]) for r in old] == [(200, "refused")] * 3
    db.session.expire_all()
    assert len(pledge.payments) == 1 and pledge.current_period_end == first_period_end

    current = [post_event(client, e, WEBHOOK_SECRET) for e in renewal]

    assert [r.json["outcome"] for r in current] == ["applied"] * 3
    db.session.expire_all()
    assert len(pledge.payments) == 2 and pledge.payments[1].stripe_payment_intent_id
    assert pledge.current_period_end > first_period_end + timedelta(days=27)
