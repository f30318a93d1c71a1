"""The pledge list (search, filters, stable pages) and a pledge's detail page."""

from __future__ import annotations

import json
from datetime import timedelta

from donations.demo.pledges import seed_pledges
from donations.payments.enums import PledgeStatus
from donations.payments.models import StripeEvent
from donations.platform.database import utcnow
from donations.platform.extensions import db
from tests.pledges import new_pledge
from tests.staff.ledger import NOW, store_ledger


def listed(client, query: str = "") -> str:
    response = client.get(f"/staff/pledges{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_search_by_email_or_stripe_id(app, viewer_client):
    with app.app_context():
        rows = store_ledger()
        invoice = rows["C"].payments[1].stripe_invoice_id
        rows["D"].subscription_id = "sub_ledgerD"
        db.session.commit()
    assert "Showing 1–1 of 1 pledge" in listed(viewer_client, "?q=h@example.org")
    assert "h@example.org" in listed(viewer_client, "?q=H@Example.org")
    assert "d@example.org" in listed(viewer_client, "?q=sub_ledgerD")
    assert "c@example.org" in listed(viewer_client, f"?q={invoice}")
    assert "No pledges match." in listed(viewer_client, "?q=sub_nothing")


def test_filters_by_status_frequency_currency_prompt_and_dates(app, viewer_client):
    with app.app_context():
        store_ledger()
    assert "of 3 pledges" in listed(viewer_client, "?status=active")
    assert "of 2 pledges" in listed(viewer_client, "?frequency=annual")
    assert "of 1 pledge" in listed(viewer_client, "?currency=gbp")
    # The ledger's pending pledge was left on Checkout long ago: shown when asked for.
    assert "of 2 pledges" in listed(viewer_client, "?prompt=appeal")
    assert "of 3 pledges" in listed(viewer_client, "?prompt=appeal&abandoned=y")
    since = (NOW.date()).isoformat()
    assert "of 1 pledge" in listed(viewer_client, f"?created_from={since}&created_to={since}")
    # Nonsense in a filter is ignored rather than an error.
    everything = "?status=nonsense&created_from=yesterday&abandoned=y"
    assert "of 10 pledges" in listed(viewer_client, everything)


def test_pages_are_stable_and_cover_every_pledge_once(app, viewer_client):
    with app.app_context():
        seed_pledges(130, seed=7)
    seen = []
    for page in (1, 2, 3):
        html = listed(viewer_client, f"?page={page}&abandoned=y")
        seen += [part.split('"')[0] for part in html.split('href="/staff/pledges/pl_')[1:]]
    assert len(seen) == 130
    assert len(set(seen)) == 130
    assert "Page 3 of 3" in listed(viewer_client, "?page=99&abandoned=y")


def abandoned_and_fresh(app) -> None:
    """A reader who left Checkout two days ago, one still there, and a paid gift."""
    with app.app_context():
        for email, status, age in (
            ("gone@example.org", PledgeStatus.PENDING, timedelta(days=2)),
            ("paying@example.org", PledgeStatus.PENDING, timedelta(hours=2)),
            ("paid@example.org", PledgeStatus.PAID, timedelta(days=2)),
        ):
            pledge = new_pledge("once", 1000, email=email)
            pledge.status = status
            pledge.created_at = utcnow() - age
        db.session.commit()


def test_checkouts_abandoned_over_a_day_ago_are_left_out_unless_asked_for(app, viewer_client):
    abandoned_and_fresh(app)
    default = listed(viewer_client)
    assert "paying@example.org" in default and "paid@example.org" in default
    assert "gone@example.org" not in default
    assert "1 abandoned checkout (pending for over a day) is left out" in default
    assert 'href="/staff/pledges?abandoned=y"' in default
    shown = listed(viewer_client, "?abandoned=y")
    assert "gone@example.org" in shown and "Showing 1–3 of 3 pledges" in shown
    assert "left out" not in shown
    # The other filters apply to what is left out too.
    assert "left out" not in listed(viewer_client, "?q=paid@example.org")
    assert "is left out" in listed(viewer_client, "?status=pending")


def test_the_exports_follow_the_same_rule(app, viewer_client):
    abandoned_and_fresh(app)
    default = viewer_client.get("/staff/pledges.csv").get_data(as_text=True)
    assert "gone@example.org" not in default and "paying@example.org" in default
    shown = viewer_client.get("/staff/pledges.csv?abandoned=y").get_data(as_text=True)
    assert "gone@example.org" in shown


def test_detail_shows_payments_events_and_stripe_dashboard_links(app, viewer_client):
    with app.app_context():
        rows = store_ledger()
        pledge = rows["C"]
        pledge.subscription_id = "sub_ledgerC"
        pledge.customer_id = "cus_ledgerC"
        db.session.add(
            StripeEvent(
                id="evt_ledgerC",
                type="invoice.paid",
                created_at=NOW,
                payload={"id": "evt_ledgerC", "note": "<script>alert(1)</script>"},
                outcome="applied",
                details=[
                    {"kind": "moved", "before": "pending", "after": "active"},
                    {"kind": "refunded", "refunded": 400, "amount": 1000, "currency": "usd"},
                ],
                pledge_id=pledge.id,
            )
        )
        db.session.commit()
    html = viewer_client.get("/staff/pledges/pl_ledger_C").get_data(as_text=True)
    assert "https://dashboard.stripe.com/test/subscriptions/sub_ledgerC" in html
    assert "https://dashboard.stripe.com/test/customers/cus_ledgerC" in html
    assert "https://dashboard.stripe.com/test/events/evt_ledgerC" in html
    assert "invoice.paid" in html and "pledge pending → active" in html
    assert "refunded $4 of $10" in html  # money in words, not minor units
    assert "<script>alert(1)</script>" not in html  # the raw JSON is shown, not run
    assert json.dumps("evt_ledgerC") in html
    # A viewer sees no action buttons.
    assert "Refund…" not in html and "Cancel pledge…" not in html


def test_an_unknown_pledge_is_a_404(viewer_client):
    assert viewer_client.get("/staff/pledges/pl_nothing").status_code == 404
