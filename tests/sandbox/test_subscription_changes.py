"""Changing a running subscription through the SDK: a new price from the next invoice, a new
interval from the end of the period, and paused collection that the test clock resumes."""

import pytest
import stripe

from .test_billing import _advance, _subscribe

DAY = 86400


def _new_price(sub: stripe.Subscription, unit_amount: int, interval: str = "month") -> dict:
    item = sub["items"].data[0]
    return {
        "id": item.id,
        "price_data": {
            "currency": "usd",
            "product": item.price.product,
            "unit_amount": unit_amount,
            "recurring": {"interval": interval},
        },
    }


def _invoices(client: stripe.StripeClient, sub: stripe.Subscription) -> list[tuple[str, int]]:
    found = client.v1.invoices.list(params={"subscription": sub.id})
    return [(i.status, i.amount_due) for i in reversed(found.data)]


def test_a_new_amount_is_billed_from_the_next_invoice(client, server):
    sub = _subscribe(client)

    changed = client.v1.subscriptions.update(
        sub.id, params={"items": [_new_price(sub, 1200)], "proration_behavior": "none"}
    )
    before_renewal = _invoices(client, sub)
    _advance(server, 31)

    assert changed["items"].data[0].price.unit_amount == 1200
    assert before_renewal == [("paid", 500)]
    assert _invoices(client, sub) == [("paid", 500), ("paid", 1200)]


def test_a_new_interval_with_trial_end_starts_billing_when_the_period_ends(client, server):
    sub = _subscribe(client)
    period_end = sub["items"].data[0].current_period_end

    changed = client.v1.subscriptions.update(
        sub.id,
        params={
            "items": [_new_price(sub, 6000, "year")],
            "proration_behavior": "none",
            "trial_end": period_end,
        },
    )
    _advance(server, 31)
    renewed = client.v1.subscriptions.retrieve(sub.id)

    assert (changed.status, changed["items"].data[0].current_period_end) == (
        "trialing",
        period_end,
    )
    assert _invoices(client, sub) == [("paid", 500), ("paid", 6000)]
    assert renewed.status == "active"
    assert renewed["items"].data[0].current_period_end - period_end >= 365 * DAY


def test_a_new_interval_without_trial_end_resets_the_cycle_and_invoices_now(client, server):
    sub = _subscribe(client)

    changed = client.v1.subscriptions.update(
        sub.id, params={"items": [_new_price(sub, 6000, "year")], "proration_behavior": "none"}
    )

    assert _invoices(client, sub) == [("paid", 500), ("paid", 6000)]
    assert changed.billing_cycle_anchor > sub.billing_cycle_anchor - 1


def test_paused_collection_voids_renewals_and_resumes_on_its_date(client, server):
    sub = _subscribe(client)
    period_end = sub["items"].data[0].current_period_end
    resumes_at = period_end + DAY  # one renewal skipped

    paused = client.v1.subscriptions.update(
        sub.id, params={"pause_collection": {"behavior": "void", "resumes_at": resumes_at}}
    )
    _advance(server, 31)
    during = client.v1.subscriptions.retrieve(sub.id).pause_collection
    _advance(server, 31)
    after = client.v1.subscriptions.retrieve(sub.id)

    assert (paused.status, paused.pause_collection.behavior) == ("active", "void")
    assert during.resumes_at == resumes_at
    assert after.pause_collection is None
    assert _invoices(client, sub) == [("paid", 500), ("void", 500), ("paid", 500)]


def test_keep_as_draft_leaves_the_renewal_a_draft(client, server):
    sub = _subscribe(client)
    client.v1.subscriptions.update(
        sub.id, params={"pause_collection": {"behavior": "keep_as_draft"}}
    )

    _advance(server, 31)

    assert _invoices(client, sub) == [("paid", 500), ("draft", 500)]
    assert client.v1.subscriptions.retrieve(sub.id).pause_collection.resumes_at is None


def test_another_currency_is_refused(client):
    sub = _subscribe(client)
    item = _new_price(sub, 900)
    item["price_data"]["currency"] = "eur"

    with pytest.raises(stripe.InvalidRequestError, match="different currency"):
        client.v1.subscriptions.update(sub.id, params={"items": [item]})


def test_an_empty_pause_collection_resumes_at_once(client, server):
    sub = _subscribe(client)
    client.v1.subscriptions.update(
        sub.id, params={"pause_collection": {"behavior": "void", "resumes_at": 2**31 - 1}}
    )
    resumed = client.v1.subscriptions.update(sub.id, params={"pause_collection": ""})
    _advance(server, 31)

    assert resumed.pause_collection is None
    assert _invoices(client, sub) == [("paid", 500), ("paid", 500)]


def test_an_empty_metadata_removes_every_key(client):
    sub = _subscribe(client)
    client.v1.subscriptions.update(sub.id, params={"metadata": {"a": "1", "b": "2"}})
    assert client.v1.subscriptions.update(sub.id, params={"metadata": ""}).metadata.to_dict() == {}
