"""Builders for the Stripe objects the sandbox returns, each shaped from Stripe's own sample.

Every builder starts from a deep copy of the matching object in `fixtures/fixtures3.json` and
overwrites its values, so the field names are always Stripe's: a field the sample does not
have cannot appear. Values that Stripe leaves empty for a plain card payment are set to
null or empty rather than kept from the sample.
"""

import copy
import json
import secrets
import string
from functools import cache
from pathlib import Path
from typing import Any

from .definitions import default, object_type

_FIXTURES = Path(__file__).parent / "fixtures" / "fixtures3.json"
_ALPHABET = string.ascii_letters + string.digits
_EMPTY_ADDRESS = {
    "city": None,
    "country": None,
    "line1": None,
    "line2": None,
    "postal_code": None,
    "state": None,
}


@cache
def _samples() -> dict[str, Any]:
    return json.loads(_FIXTURES.read_text(encoding="utf-8"))["resources"]


def fixture(kind: str) -> dict[str, Any]:
    """A fresh deep copy of Stripe's sample object of this type."""
    return copy.deepcopy(_samples()[kind])


def new_id(prefix: str, length: int = 24) -> str:
    """A random id with Stripe's prefix (Checkout Session ids are longer, as Stripe's)."""
    if prefix == "cs_test_":
        length = 58
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def list_object(data: list[dict[str, Any]], url: str, has_more: bool = False) -> dict[str, Any]:
    """Stripe's list envelope."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def customer(
    *,
    created: int,
    email: str | None,
    name: str | None,
    description: str | None,
    metadata: dict[str, str],
) -> dict[str, Any]:
    """A customer with no address, discount or saved sources."""
    obj = fixture("customer")
    obj.update(
        id=new_id("cus_", 14),
        address=None,
        created=created,
        currency=None,
        description=description,
        discount=None,
        email=email,
        invoice_prefix=secrets.token_hex(4).upper(),
        metadata=metadata,
        name=name,
        shipping=None,
    )
    obj["invoice_settings"].update(rendering_options=None)
    return obj


def checkout_session(
    *,
    created: int,
    expires_at: int,
    params: dict[str, Any],
    amount: int,
    currency: str,
    base_url: str,
    customer_id: str | None,
) -> dict[str, Any]:
    """An open Checkout Session for one line item, as Stripe returns it from create."""
    session_id = new_id("cs_test_")
    mode = params["mode"]
    ui_mode = params.get("ui_mode", "hosted_page")
    obj = fixture("checkout.session")
    obj.update(
        id=session_id,
        adaptive_pricing={"enabled": False},
        after_expiration=None,
        amount_subtotal=amount,
        amount_total=amount,
        automatic_tax={"enabled": False, "liability": None, "status": None, "provider": None},
        cancel_url=params.get("cancel_url"),
        client_reference_id=params.get("client_reference_id"),
        collected_information=None,
        consent=None,
        consent_collection=None,
        created=created,
        currency=currency,
        currency_conversion=None,
        custom_text={
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        customer=customer_id,
        # Payment mode makes a Customer only when asked (`always`); subscriptions always do.
        customer_creation=params.get("customer_creation", "if_required")
        if mode == "payment"
        else None,
        customer_details=None,
        customer_email=params.get("customer_email"),
        expires_at=expires_at,
        invoice=None,
        invoice_creation=None,
        locale=params.get("locale"),
        managed_payments=None,
        metadata=params.get("metadata", {}),
        mode=mode,
        payment_intent=None,
        payment_method_collection="always" if mode == "subscription" else None,
        payment_method_configuration_details=None,
        payment_method_options={"card": {"request_three_d_secure": "automatic"}},
        payment_status="unpaid",
        permissions=None,
        saved_payment_method_options=None,
        shipping_address_collection=None,
        shipping_cost=None,
        status="open",
        submit_type=params.get("submit_type"),
        subscription=None,
        success_url=params.get("success_url"),
        total_details={"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
        ui_mode=ui_mode,
        # Only the hosted page has an address; the other modes mount Checkout in the site's
        # page with the client secret.
        url=f"{base_url}/c/pay/{session_id}" if ui_mode == "hosted_page" else None,
        client_secret=None if ui_mode == "hosted_page" else f"{session_id}_secret_{new_id('', 24)}",
        allowed_payment_method_types=None,
        wallet_options=None,
    )
    if mode == "payment":
        obj["invoice_creation"] = {
            "enabled": False,
            "invoice_data": {
                "account_tax_ids": None,
                "custom_fields": None,
                "description": None,
                "footer": None,
                "issuer": None,
                "metadata": {},
                "rendering_options": None,
            },
        }
    return obj


def customer_details(email: str, name: str | None) -> dict[str, Any]:
    """What Checkout collected from the payer."""
    details = fixture("checkout.session")["customer_details"]
    details.update(address=dict(_EMPTY_ADDRESS), email=email, name=name, tax_ids=[])
    return details


def payment_method(
    *, created: int, card: dict[str, Any], customer_id: str | None
) -> dict[str, Any]:
    """A card payment method from the hosted page's fields."""
    obj = fixture("payment_method")
    obj.update(
        id=new_id("pm_"),
        allow_redisplay="limited",
        created=created,
        customer=customer_id,
        metadata={},
    )
    obj["billing_details"].update(
        address=dict(_EMPTY_ADDRESS), email=card["email"], name=card["name"], phone=None
    )
    obj["card"].update(
        brand=card["brand"],
        country="US",
        display_brand=card["brand"],
        exp_month=card["exp_month"],
        exp_year=card["exp_year"],
        fingerprint=card["fingerprint"],
        funding=card["funding"],
        generated_from=None,
        last4=card["last4"],
        networks={"available": [card["brand"]], "preferred": None},
        wallet=None,
    )
    return obj


def payment_intent(
    *,
    created: int,
    amount: int,
    currency: str,
    customer_id: str | None,
    description: str | None,
    metadata: dict[str, str],
    receipt_email: str | None,
    setup_future_usage: str | None = None,
) -> dict[str, Any]:
    """A card payment intent waiting for its payment method."""
    intent_id = new_id("pi_")
    obj = fixture("payment_intent")
    obj.update(
        id=intent_id,
        amount=amount,
        allowed_payment_method_types=None,
        amount_details={"tip": {}},
        automatic_payment_methods=None,
        canceled_at=None,
        capture_method="automatic_async",
        client_secret=f"{intent_id}_secret_{new_id('', 25)}",
        created=created,
        currency=currency,
        customer=customer_id,
        description=description,
        last_payment_error=None,
        latest_charge=None,
        managed_payments=None,
        metadata=metadata,
        next_action=None,
        payment_method=None,
        payment_method_configuration_details=None,
        payment_method_options={
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        payment_record=None,
        processing=None,
        receipt_email=receipt_email,
        setup_future_usage=setup_future_usage,
        shipping=None,
        status="requires_payment_method",
        transfer_data=None,
    )
    return obj


def statement_descriptor(business_name: str, suffix: str | None) -> str:
    """What a card statement shows, as Stripe combines it: the account's descriptor (its
    business name, in the Latin letters, digits and spaces card networks take, at most 22
    characters), and with a suffix the shortened prefix, "* " and the suffix, 22 in all."""
    prefix = " ".join(
        "".join(
            c for c in business_name.upper() if c.isascii() and (c.isalnum() or c == " ")
        ).split()
    )
    if not suffix:
        return prefix[:22]
    suffix = suffix.upper()[:20]
    return f"{prefix[: 22 - len(suffix) - 2].rstrip()}* {suffix}"


def charge(
    *,
    created: int,
    intent: dict[str, Any],
    card: dict[str, Any],
    pm_id: str,
    decline: dict[str, str] | None,
    business_name: str,
) -> dict[str, Any]:
    """A card charge for a payment intent: succeeded, or failed with `decline`."""
    charge_id = new_id("ch_")
    obj = fixture("charge")
    succeeded = decline is None
    obj.update(
        id=charge_id,
        amount=intent["amount"],
        amount_captured=intent["amount"] if succeeded else 0,
        amount_refunded=0,
        balance_transaction=new_id("txn_") if succeeded else None,
        calculated_statement_descriptor=statement_descriptor(
            business_name, intent.get("statement_descriptor_suffix")
        ),
        captured=succeeded,
        created=created,
        currency=intent["currency"],
        customer=intent["customer"],
        description=intent["description"],
        disputed=False,
        failure_code=None if succeeded else decline["code"],
        failure_message=None if succeeded else decline["message"],
        metadata=dict(intent["metadata"]),
        outcome={
            "advice_code": None,
            "network_advice_code": None,
            "network_decline_code": None,
            "network_status": "approved_by_network" if succeeded else "declined_by_network",
            "reason": None if succeeded else decline["decline_code"],
            "seller_message": "Payment complete."
            if succeeded
            else "The bank did not return any further details with this decline.",
            "type": "authorized" if succeeded else "issuer_declined",
        },
        paid=succeeded,
        payment_intent=intent["id"],
        payment_method=pm_id,
        receipt_email=intent["receipt_email"],
        receipt_url=None,
        refunded=False,
        refunds=list_object([], f"/v1/charges/{charge_id}/refunds"),
        shipping=None,
        source=None,
        status="succeeded" if succeeded else "failed",
        transfer_data=None,
    )
    obj["billing_details"].update(
        address=dict(_EMPTY_ADDRESS), email=card["email"], name=card["name"]
    )
    details = obj["payment_method_details"]["card"]
    details.update(
        amount_authorized=intent["amount"] if succeeded else None,
        authorization_code=secrets.token_hex(3) if succeeded else None,
        brand=card["brand"],
        country="US",
        # Set from the 3-D Secure result below; null for a payment without it.
        electronic_commerce_indicator=None,
        exp_month=card["exp_month"],
        exp_year=card["exp_year"],
        fingerprint=card["fingerprint"],
        funding=card["funding"],
        installments=None,
        last4=card["last4"],
        network=card["brand"],
        network_transaction_id=new_id("", 15) if succeeded else None,
        regulated_status="unregulated",
        three_d_secure=None,
        wallet=None,
    )
    details["overcapture"]["maximum_amount_capturable"] = intent["amount"]
    if card["three_d_secure"]:
        details["three_d_secure"] = {
            "authentication_flow": "challenge",
            "electronic_commerce_indicator": "05" if succeeded else None,
            "exemption_indicator": None,
            "result": "authenticated" if succeeded else "failed",
            "result_reason": None,
            "transaction_id": new_id("", 32),
            "version": "2.2.0",
        }
        details["electronic_commerce_indicator"] = "05" if succeeded else None
    return obj


def product(*, created: int, name: str) -> dict[str, Any]:
    """The product Checkout creates for `line_items[].price_data.product_data`."""
    obj = fixture("product")
    obj.update(
        id=new_id("prod_", 14),
        created=created,
        default_price=None,
        description=None,
        metadata={},
        name=name,
        package_dimensions=None,
        tax_details=None,
        type="service",
        updated=created,
    )
    return obj


def price(
    *, created: int, product_id: str, currency: str, unit_amount: int, interval: str
) -> dict[str, Any]:
    """The recurring price Checkout creates for `line_items[].price_data`."""
    obj = fixture("price")
    obj.update(
        id=new_id("price_"),
        active=False,  # inline prices are not reusable, so Stripe archives them at once
        created=created,
        currency=currency,
        metadata={},
        product=product_id,
        transform_quantity=None,
        type="recurring",
        unit_amount=unit_amount,
        unit_amount_decimal=str(unit_amount),
    )
    obj["recurring"].update(interval=interval, interval_count=1)
    return obj


def plan(price_obj: dict[str, Any]) -> dict[str, Any]:
    """The legacy `plan` view of a recurring price, as subscription items still carry it."""
    obj = fixture("plan")
    obj.update(
        id=price_obj["id"],
        active=price_obj["active"],
        amount=price_obj["unit_amount"],
        amount_decimal=price_obj["unit_amount_decimal"],
        billing_scheme="per_unit",
        created=price_obj["created"],
        currency=price_obj["currency"],
        interval=price_obj["recurring"]["interval"],
        interval_count=price_obj["recurring"]["interval_count"],
        livemode=False,
        metadata={},
        product=price_obj["product"],
        transform_usage=None,
    )
    return obj


def subscription(
    *,
    created: int,
    customer_id: str,
    price_obj: dict[str, Any],
    quantity: int,
    period_end: int,
    pm_id: str,
    description: str | None,
    metadata: dict[str, str],
) -> dict[str, Any]:
    """An active subscription with one item, its first period starting now."""
    sub_id = new_id("sub_")
    item = fixture("subscription_item")
    item.update(
        id=new_id("si_", 14),
        billing_thresholds=None,
        created=created,
        current_period_end=period_end,
        current_period_start=created,
        current_trial=None,
        metadata={},
        plan=plan(price_obj),
        price=price_obj,
        quantity=quantity,
        subscription=sub_id,
    )
    obj = fixture("subscription")
    obj.update(
        id=sub_id,
        automatic_tax={"enabled": False, "liability": None, "disabled_reason": None},
        billing_cycle_anchor=created,
        billing_cycle_anchor_config=None,
        billing_mode={"type": "classic", "flexible": None},
        billing_schedules=[],
        billing_thresholds=None,
        cancel_at=None,
        cancel_at_period_end=False,
        canceled_at=None,
        created=created,
        currency=price_obj["currency"],
        customer=customer_id,
        default_payment_method=pm_id,
        description=description,
        ended_at=None,
        items=list_object([item], f"/v1/subscription_items?subscription={sub_id}"),
        latest_invoice=None,
        managed_payments=None,
        metadata=metadata,
        next_pending_invoice_item_invoice=None,
        pause_collection=None,
        payment_settings={
            "payment_method_options": None,
            "payment_method_types": None,
            "save_default_payment_method": "off",
        },
        pending_invoice_item_interval=None,
        pending_update=None,
        start_date=created,
        status="active",
        transfer_data=None,
        trial_end=None,
        trial_start=None,
    )
    obj["invoice_settings"].update(custom_fields=None, description=None, footer=None)
    obj["cancellation_details"].update(feedback_option=None)
    if obj.get("trial_settings"):
        obj["trial_settings"]["end_behavior"].update(billing_cycle_anchor=None)
    return obj


def invoice(
    *,
    created: int,
    sub: dict[str, Any],
    customer_obj: dict[str, Any],
    billing_reason: str,
    period_start: int,
    period_end: int,
    line_period: tuple[int, int],
    number: str,
    product_name: str,
    account_name: str,
    free: bool = False,
) -> dict[str, Any]:
    """A finalized subscription invoice for the subscription's one item, not yet paid; `free`
    for the period before a future billing cycle anchor (nothing due, with no prorations)."""
    invoice_id = new_id("in_")
    item = sub["items"]["data"][0]
    amount = 0 if free else item["price"]["unit_amount"] * item["quantity"]
    currency = item["price"]["currency"]
    line = fixture("line_item")
    line.update(
        id=new_id("il_"),
        amount=amount,
        currency=currency,
        description=_line_description(item, product_name),
        invoice=invoice_id,
        metadata=dict(sub["metadata"]),
        period={"start": line_period[0], "end": line_period[1]},
        pretax_credit_amounts=[],
        quantity=item["quantity"],
        subscription=sub["id"],
        subtotal=amount,
        taxes=[],
        parent={
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": sub["id"],
                "subscription_item": item["id"],
            },
            "type": "subscription_item_details",
        },
        pricing={
            "type": "price_details",
            "unit_amount_decimal": item["price"]["unit_amount_decimal"],
        },
    )
    obj = fixture("invoice")
    # The sample still has the top-level `subscription` field that current API versions
    # replaced by `parent.subscription_details`; the SDK no longer knows it, so neither do we.
    del obj["subscription"]
    obj.update(
        id=invoice_id,
        account_name=account_name,
        amount_due=amount,
        amount_overpaid=0,
        amount_paid=0,
        amount_remaining=amount,
        attempt_count=0,
        attempted=False,
        auto_advance=True,
        automatic_tax={
            "enabled": False,
            "liability": None,
            "status": None,
            "disabled_reason": None,
            "provider": None,
        },
        billing_reason=billing_reason,
        created=created,
        currency=currency,
        customer=customer_obj["id"],
        customer_address=None,
        customer_email=customer_obj["email"],
        customer_name=customer_obj["name"],
        customer_shipping=None,
        description=None,
        due_date=None,
        effective_at=created,
        ending_balance=0,
        from_invoice=None,
        last_finalization_error=None,
        lines=list_object([line], f"/v1/invoices/{invoice_id}/lines"),
        metadata={},
        next_payment_attempt=None,
        number=number,
        parent={
            "quote_details": None,
            "subscription_details": {"metadata": dict(sub["metadata"]), "subscription": sub["id"]},
            "type": "subscription_details",
        },
        payment_settings={
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": None,
        },
        period_end=period_end,
        period_start=period_start,
        rendering=None,
        shipping_cost=None,
        shipping_details=None,
        status="open",
        status_transitions={
            "finalized_at": created,
            "marked_uncollectible_at": None,
            "paid_at": None,
            "voided_at": None,
        },
        subtotal=amount,
        subtotal_excluding_tax=amount,
        total=amount,
        total_excluding_tax=amount,
        total_pretax_credit_amounts=[],
        total_taxes=[],
        webhooks_delivered_at=created,
    )
    return obj


def invoice_payment(
    *, created: int, invoice_obj: dict[str, Any], intent: dict[str, Any]
) -> dict[str, Any]:
    """An invoice's default payment, paid in full by `intent` at `created`."""
    obj = fixture("invoice_payment")
    obj.update(
        id=new_id("inpay_"),
        amount_paid=intent["amount_received"],
        amount_requested=invoice_obj["amount_due"],
        created=created,
        currency=invoice_obj["currency"],
        invoice=invoice_obj["id"],
        is_default=True,
        livemode=False,
        payment={"type": "payment_intent", "payment_intent": intent["id"]},
        status="paid",
        status_transitions={"canceled_at": None, "paid_at": created},
    )
    return obj


def _line_description(item: dict[str, Any], product_name: str) -> str:
    """Stripe's wording for a subscription line: `1 × Monthly gift (at $5.00 / month)`."""
    price_obj = item["price"]
    amount = format_amount(price_obj["unit_amount"], price_obj["currency"])
    interval = price_obj["recurring"]["interval"]
    return f"{item['quantity']} × {product_name} (at {amount} / {interval})"


def refund(
    *,
    created: int,
    charge_obj: dict[str, Any],
    amount: int,
    reason: str | None,
    metadata: dict[str, str],
) -> dict[str, Any]:
    """A succeeded card refund."""
    obj = fixture("refund")
    obj.update(
        id=new_id("re_"),
        amount=amount,
        balance_transaction=new_id("txn_"),
        charge=charge_obj["id"],
        created=created,
        currency=charge_obj["currency"],
        customer=charge_obj["customer"],
        destination_details={"card": {"type": "refund"}, "type": "card"},
        metadata=metadata,
        payment_intent=charge_obj["payment_intent"],
        payment_method=charge_obj["payment_method"],
        reason=reason,
        status="succeeded",
    )
    return obj


def dispute(*, created: int, charge_obj: dict[str, Any], reason: str) -> dict[str, Any]:
    """A card chargeback that needs a response within a week."""
    obj = fixture("dispute")
    obj.update(
        id=new_id("dp_"),
        amount=charge_obj["amount"],
        charge=charge_obj["id"],
        created=created,
        currency=charge_obj["currency"],
        enhanced_eligibility_types=[],
        intended_submission_method=None,
        is_charge_refundable=False,
        metadata={},
        payment_intent=charge_obj["payment_intent"],
        reason=reason,
        status="needs_response",
    )
    obj["evidence_details"].update(due_by=created + 7 * 86400, submission_method="not_submitted")
    card = charge_obj["payment_method_details"]["card"]
    obj["payment_method_details"]["card"].update(
        brand=card["brand"], case_type="chargeback", network=card["network"]
    )
    return obj


def portal_session(
    *,
    created: int,
    customer_id: str,
    return_url: str | None,
    locale: str | None,
    base_url: str,
) -> dict[str, Any]:
    """A Billing Portal session whose `url` is the sandbox's portal page."""
    session_id = new_id("bps_")
    obj = fixture("billing_portal.session")
    obj.update(
        id=session_id,
        configuration="bpc_sandboxdefault",
        created=created,
        customer=customer_id,
        flow=None,
        livemode=False,
        locale=locale,
        return_url=return_url,
        url=f"{base_url}/p/session/{session_id}",
    )
    return obj


def webhook_endpoint(
    *,
    endpoint_id: str,
    created: int,
    url: str,
    enabled_events: list[str],
    api_version: str | None,
) -> dict[str, Any]:
    """The sandbox's webhook endpoint as Stripe's API lists it (without its secret, which
    Stripe shows only when the endpoint is made). Stripe's samples have none, so it is built
    from the published definition's fields."""
    obj = default(object_type("webhook_endpoint"))
    obj.update(
        id=endpoint_id,
        object="webhook_endpoint",
        api_version=api_version,
        application=None,
        created=created,
        description="The sandbox's endpoint",
        enabled_events=list(enabled_events),
        livemode=False,
        metadata={},
        status="enabled",
        url=url,
    )
    return obj


ZERO_DECIMAL = {"jpy", "krw"}
_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}


def format_amount(amount: int, currency: str) -> str:
    """An amount in minor units as a reader would read it: `$5.00`, `€10.00`, `CHF 3.50`."""
    major = f"{amount:,}" if currency in ZERO_DECIMAL else f"{amount / 100:,.2f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{major}" if symbol else f"{currency.upper()} {major}"
