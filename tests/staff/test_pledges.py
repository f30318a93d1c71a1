"""The pledge list (search, filters, stable pages) and a pledge's detail page."""

from __future__ import annotations

import json

from donations.extensions import db
from donations.models import StripeEvent
from donations.staff.demo_data import seed_pledges
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
    assert "of 3 pledges" in listed(viewer_client, "?prompt=appeal")
    since = (NOW.date()).isoformat()
    assert "of 1 pledge" in listed(viewer_client, f"?created_from={since}&created_to={since}")
    # Nonsense in a filter is ignored rather than an error.
    assert "of 10 pledges" in listed(viewer_client, "?status=nonsense&created_from=yesterday")


def test_pages_are_stable_and_cover_every_pledge_once(app, viewer_client):
    with app.app_context():
        seed_pledges(130, seed=7)
    seen = []
    for page in (1, 2, 3):
        html = listed(viewer_client, f"?page={page}")
        seen += [part.split('"')[0] for part in html.split('href="/staff/pledges/pl_')[1:]]
    assert len(seen) == 130
    assert len(set(seen)) == 130
    assert "Page 3 of 3" in listed(viewer_client, "?page=99")


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
                reason="pledge active",
                pledge_id=pledge.id,
            )
        )
        db.session.commit()
    html = viewer_client.get("/staff/pledges/pl_ledger_C").get_data(as_text=True)
    assert "https://dashboard.stripe.com/test/subscriptions/sub_ledgerC" in html
    assert "https://dashboard.stripe.com/test/customers/cus_ledgerC" in html
    assert "https://dashboard.stripe.com/test/events/evt_ledgerC" in html
    assert "invoice.paid" in html and "pledge active" in html
    assert "<script>alert(1)</script>" not in html  # the raw JSON is shown, not run
    assert json.dumps("evt_ledgerC") in html
    # A viewer sees no action buttons.
    assert "Refund…" not in html and "Cancel pledge…" not in html


def test_an_unknown_pledge_is_a_404(viewer_client):
    assert viewer_client.get("/staff/pledges/pl_nothing").status_code == 404
