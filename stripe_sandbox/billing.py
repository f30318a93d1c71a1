"""What happens to money: Checkout payments, subscriptions and renewals, refunds, disputes.

Each function changes stored objects and records the events Stripe emits for that change,
in Stripe's order. Callers hold `State.transaction()`.
"""

import calendar
from datetime import UTC, datetime
from typing import Any

from . import cards, objects
from .errors import StripeError
from .store import State

DAY = 86400
# Days between a failed renewal and each retry (Stripe's Smart Retries are configurable;
# these are its usual schedule); after the last retry fails the subscription is canceled.
RETRY_DAYS = (3, 5, 7)


# -- customers --------------------------------------------------------------------------------


def create_customer(
    state: State,
    *,
    email: str | None,
    name: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A new customer, with its `customer.created` event."""
    customer = state.add(
        objects.customer(
            created=state.now(),
            email=email,
            name=name,
            description=description,
            metadata=metadata or {},
        )
    )
    state.emit("customer.created", customer)
    return customer


def _customer_for(
    state: State, session: dict[str, Any], email: str, name: str
) -> dict[str, Any] | None:
    """The session's customer; else a new one, as Stripe makes for every subscription and for a
    payment with `customer_creation=always` (never one found by e-mail); else none: a one-off
    payment without it leaves only `customer_details`."""
    if session["customer"]:
        return state.get("customer", session["customer"])
    if session["mode"] == "subscription" or session["customer_creation"] == "always":
        return create_customer(state, email=email, name=name)
    return None


# -- payments ---------------------------------------------------------------------------------


def _charge_card(
    state: State,
    intent: dict[str, Any],
    card: dict[str, Any],
    pm_id: str,
    decline: dict[str, str] | None,
) -> dict[str, Any]:
    """One attempt on a payment intent: a charge, and the intent's new status and events."""
    charge = state.add(
        objects.charge(
            created=state.now(),
            intent=intent,
            card=card,
            pm_id=pm_id,
            decline=decline,
            business_name=state.business_name,
        )
    )
    intent.update(payment_method=pm_id, latest_charge=charge["id"])
    if decline is None:
        intent.update(status="succeeded", amount_received=intent["amount"], last_payment_error=None)
        state.emit("charge.succeeded", charge)
        state.emit("payment_intent.succeeded", intent)
    else:
        intent.update(
            status="requires_payment_method",
            last_payment_error={
                "charge": charge["id"],
                "code": decline["code"],
                "decline_code": decline["decline_code"],
                "doc_url": "https://stripe.com/docs/error-codes/card-declined",
                "message": decline["message"],
                "type": "card_error",
            },
        )
        state.emit("charge.failed", charge)
        state.emit("payment_intent.payment_failed", intent)
    return charge


def _new_intent(
    state: State,
    *,
    amount: int,
    currency: str,
    customer_id: str | None,
    description: str | None,
    metadata: dict[str, str],
    receipt_email: str | None,
    setup_future_usage: str | None = None,
) -> dict[str, Any]:
    intent = state.add(
        objects.payment_intent(
            created=state.now(),
            amount=amount,
            currency=currency,
            customer_id=customer_id,
            description=description,
            metadata=metadata,
            receipt_email=receipt_email,
            setup_future_usage=setup_future_usage,
        )
    )
    state.emit("payment_intent.created", intent)
    return intent


def _session_intent(
    state: State, session: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    """A payment-mode session's intent: made at the first attempt, reused by later ones."""
    if session["payment_intent"]:
        return state.get("payment_intent", session["payment_intent"])
    data = params.get("payment_intent_data", {})
    intent = _new_intent(
        state,
        amount=session["amount_total"],
        currency=session["currency"],
        customer_id=session["customer"],
        description=data.get("description"),
        metadata=dict(data.get("metadata", {})),
        receipt_email=None,
        setup_future_usage=data.get("setup_future_usage"),
    )
    session["payment_intent"] = intent["id"]
    return intent


def decline_checkout(
    state: State,
    session: dict[str, Any],
    params: dict[str, Any],
    card: dict[str, Any],
    decline: dict[str, str],
) -> None:
    """Record a refused card at Checkout; the session stays open and unpaid."""
    pm = state.add(objects.payment_method(created=state.now(), card=card, customer_id=None))
    intent = _attempt_intent(state, session, params)
    _charge_card(state, intent, card, pm["id"], decline)
    state.touch()


def _attempt_intent(
    state: State, session: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    """The intent a failed attempt is recorded on: the session's own, or a new one for a
    subscription (whose first invoice has none until it is paid)."""
    if session["mode"] == "payment":
        return _session_intent(state, session, params)
    return _new_intent(
        state,
        amount=session["amount_total"],
        currency=session["currency"],
        customer_id=session["customer"],
        description="Subscription creation",
        metadata={},
        receipt_email=None,
    )


def fail_authentication(
    state: State, session: dict[str, Any], params: dict[str, Any], card: dict[str, Any]
) -> None:
    """The payer failed 3-D Secure: no charge is made, the intent records why."""
    pm = state.add(objects.payment_method(created=state.now(), card=card, customer_id=None))
    intent = _attempt_intent(state, session, params)
    intent.update(
        status="requires_payment_method",
        payment_method=pm["id"],
        last_payment_error={
            **cards.AUTHENTICATION_FAILED,
            "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            "type": "invalid_request_error",
        },
    )
    state.emit("payment_intent.payment_failed", intent)


def complete_checkout(
    state: State, session: dict[str, Any], params: dict[str, Any], card: dict[str, Any]
) -> None:
    """The card was accepted: pay (or start the subscription) and complete the session."""
    customer = _customer_for(state, session, card["email"], card["name"])
    customer_id = customer["id"] if customer else None
    # A subscription keeps the card on the customer for later charges; a payment does only
    # when `payment_intent_data[setup_future_usage]` asked for it (and there is a customer).
    saves_card = params.get("payment_intent_data", {}).get("setup_future_usage") is not None
    keeps_card = customer_id is not None and (session["mode"] == "subscription" or saves_card)
    pm = state.add(
        objects.payment_method(
            created=state.now(), card=card, customer_id=customer_id if keeps_card else None
        )
    )
    if keeps_card:
        state.emit("payment_method.attached", pm)
    session["customer"] = customer_id
    if session["mode"] == "payment":
        intent = _session_intent(state, session, params)
        intent["customer"] = customer_id
        _charge_card(state, intent, card, pm["id"], None)
    else:
        sub, invoice = _start_subscription(state, session, params, customer, pm["id"], card)
        session.update(subscription=sub["id"], invoice=invoice["id"])
    session.update(
        status="complete",
        payment_status="paid",
        customer_details=objects.customer_details(card["email"], card["name"]),
        url=None,
    )
    state.pending_authentication.pop(session["id"], None)
    state.emit("checkout.session.completed", session)


def _start_subscription(
    state: State,
    session: dict[str, Any],
    params: dict[str, Any],
    customer: dict[str, Any],
    pm_id: str,
    card: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Subscription mode: product, price, subscription and its paid first invoice."""
    now = state.now()
    line = params["line_items"][0]
    price_data = line["price_data"]
    if "price" in line:  # a stored Price, named by id
        price = state.get("price", line["price"])
    else:  # inline `price_data`: Checkout makes the product (unless named) and the price
        product_id = (
            price_data.get("product")
            or state.add(objects.product(created=now, name=price_data["product_data"]["name"]))[
                "id"
            ]
        )
        price = state.add(
            objects.price(
                created=now,
                product_id=product_id,
                currency=price_data["currency"],
                unit_amount=price_data["unit_amount"],
                interval=price_data["recurring"]["interval"],
            )
        )
    data = params.get("subscription_data", {})
    sub = state.add(
        objects.subscription(
            created=now,
            customer_id=customer["id"],
            price_obj=price,
            quantity=line["quantity"],
            period_end=period_end(now, price_data["recurring"]["interval"], 1),
            pm_id=pm_id,
            description=data.get("description"),
            metadata=dict(data.get("metadata", {})),
        )
    )
    customer["currency"] = price["currency"]
    # Stripe creates the subscription incomplete and activates it once the invoice is paid.
    sub["status"] = "incomplete"
    state.emit("customer.subscription.created", sub)
    invoice = _open_invoice(
        state, sub, "subscription_create", (now, now), (now, sub_period(sub)[1])
    )
    _pay_invoice(state, invoice, sub, card)
    sub["status"] = "active"
    state.emit("customer.subscription.updated", sub)
    return sub, invoice


def subscribe(
    state: State,
    *,
    customer: dict[str, Any],
    price: dict[str, Any],
    quantity: int,
    pm_id: str,
    billing_cycle_anchor: int | None,
    description: str | None,
    metadata: dict[str, str],
) -> dict[str, Any]:
    """`POST /v1/subscriptions` for a customer's saved card. Charged now unless the first full
    period starts at a future `billing_cycle_anchor`: then, without prorations, the time
    until it is free, and its $0 invoice is paid at once (no charge, no invoice payment)."""
    now = state.now()
    interval = price["recurring"]["interval"]
    anchor = billing_cycle_anchor or now
    sub = state.add(
        objects.subscription(
            created=now,
            customer_id=customer["id"],
            price_obj=price,
            quantity=quantity,
            period_end=anchor if anchor > now else period_end(now, interval, 1),
            pm_id=pm_id,
            description=description,
            metadata=metadata,
        )
    )
    sub["billing_cycle_anchor"] = anchor
    customer["currency"] = price["currency"]
    free = anchor > now
    if not free:
        sub["status"] = "incomplete"
    state.emit("customer.subscription.created", sub)
    invoice = _open_invoice(
        state, sub, "subscription_create", (now, now), (now, sub_period(sub)[1]), free=free
    )
    if free:
        invoice.update(status="paid", amount_remaining=0, attempted=True)
        invoice["status_transitions"]["paid_at"] = now
        state.emit("invoice.paid", invoice)
        state.emit("invoice.payment_succeeded", invoice)
        return sub
    if _pay_invoice(state, invoice, sub, _card_of(state, sub)):
        sub["status"] = "active"
        state.emit("customer.subscription.updated", sub)
    return sub


# -- invoices and renewals --------------------------------------------------------------------


def sub_period(sub: dict[str, Any]) -> tuple[int, int]:
    """The current period of a subscription (kept on its item in current API versions)."""
    item = sub["items"]["data"][0]
    return item["current_period_start"], item["current_period_end"]


def period_end(anchor: int, interval: str, count: int) -> int:
    """The end of the `count`-th period from `anchor`, keeping the anchor's day of month."""
    if interval in ("day", "week"):
        return anchor + count * DAY * (7 if interval == "week" else 1)
    start = datetime.fromtimestamp(anchor, UTC)
    months = start.month - 1 + count * (12 if interval == "year" else 1)
    year, month = start.year + months // 12, months % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return int(start.replace(year=year, month=month, day=day).timestamp())


def _open_invoice(
    state: State,
    sub: dict[str, Any],
    reason: str,
    period: tuple[int, int],
    line_period: tuple[int, int],
    *,
    free: bool = False,
) -> dict[str, Any]:
    """Create and finalize the invoice for one period, emitting both events."""
    customer = state.get("customer", sub["customer"])
    product = state.get("product", sub["items"]["data"][0]["price"]["product"])
    invoice = objects.invoice(
        created=state.now(),
        sub=sub,
        customer_obj=customer,
        billing_reason=reason,
        period_start=period[0],
        period_end=period[1],
        line_period=line_period,
        number=f"{customer['invoice_prefix']}-{customer['next_invoice_sequence']:04d}",
        product_name=product["name"],
        account_name=state.business_name,
        free=free,
    )
    customer["next_invoice_sequence"] += 1
    number, finalized_at = invoice["number"], invoice["status_transitions"]["finalized_at"]
    # A draft has no number yet; Stripe assigns it when the invoice is finalized.
    invoice.update(status="draft", number=None)
    invoice["status_transitions"]["finalized_at"] = None
    state.add(invoice)
    state.emit("invoice.created", invoice)
    invoice.update(status="open", number=number)
    invoice["status_transitions"]["finalized_at"] = finalized_at
    state.emit("invoice.finalized", invoice)
    sub["latest_invoice"] = invoice["id"]
    return invoice


def _card_of(state: State, sub: dict[str, Any]) -> dict[str, Any]:
    """The subscription's saved card, in the form the charge builder takes."""
    pm = state.get("payment_method", sub["default_payment_method"])
    card = pm["card"]
    return {
        "brand": card["brand"],
        "funding": card["funding"],
        "last4": card["last4"],
        "exp_month": card["exp_month"],
        "exp_year": card["exp_year"],
        "fingerprint": card["fingerprint"],
        "email": pm["billing_details"]["email"],
        "name": pm["billing_details"]["name"],
        "three_d_secure": False,
        "behaviour": cards.behaviour_of(card["last4"]),
    }


def _pay_invoice(
    state: State,
    invoice: dict[str, Any],
    sub: dict[str, Any],
    card: dict[str, Any],
    *,
    renewal: bool = False,
) -> bool:
    """Charge the card for an open invoice; on failure schedule the next retry.

    A paid invoice gets its `invoice_payment`; a failed attempt records none, because each
    attempt here has its own payment intent where Stripe retries the invoice's one.
    """
    description = "Subscription update" if renewal else "Subscription creation"
    intent = _new_intent(
        state,
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        customer_id=invoice["customer"],
        description=description,
        metadata={},
        receipt_email=None,
    )
    fails = renewal and card["behaviour"] == cards.FAILS_LATER
    decline = cards.DECLINES["generic_decline"] if fails else None
    _charge_card(state, intent, card, sub["default_payment_method"], decline)
    now = state.now()
    invoice.update(attempt_count=invoice["attempt_count"] + 1, attempted=True)
    if decline is None:
        invoice.update(
            status="paid",
            amount_paid=invoice["amount_due"],
            amount_remaining=0,
            next_payment_attempt=None,
        )
        invoice["status_transitions"]["paid_at"] = now
        # Current API versions link an invoice to what paid it only through this object.
        payment = state.add(
            objects.invoice_payment(created=now, invoice_obj=invoice, intent=intent)
        )
        state.emit("invoice.paid", invoice)
        state.emit("invoice_payment.paid", payment)
        state.emit("invoice.payment_succeeded", invoice)
        return True
    retries_done = invoice["attempt_count"] - 1
    invoice["next_payment_attempt"] = (
        now + RETRY_DAYS[retries_done] * DAY if retries_done < len(RETRY_DAYS) else None
    )
    state.emit("invoice.payment_failed", invoice)
    return False


def _renew(state: State, sub: dict[str, Any]) -> None:
    """The period (or trial) ended: cancel if asked to, else invoice the next period and
    charge it, unless collection is paused."""
    start, end = sub_period(sub)
    if sub["cancel_at_period_end"]:
        _end_subscription(state, sub, ended_at=end, reason="cancellation_requested")
        return
    if sub["status"] == "trialing":
        # The first full period starts when the trial ends, anchored there.
        sub.update(status="active", billing_cycle_anchor=end)
    interval = sub["items"]["data"][0]["price"]["recurring"]["interval"]
    count = 1
    while period_end(sub["billing_cycle_anchor"], interval, count) <= end:
        count += 1
    new_end = period_end(sub["billing_cycle_anchor"], interval, count)
    sub["items"]["data"][0].update(current_period_start=end, current_period_end=new_end)
    invoice = _open_invoice(state, sub, "subscription_cycle", (start, end), (end, new_end))
    if sub["pause_collection"]:
        _leave_uncollected(state, invoice, sub["pause_collection"]["behavior"])
    elif not _pay_invoice(state, invoice, sub, _card_of(state, sub), renewal=True):
        sub["status"] = "past_due"
    state.emit("customer.subscription.updated", sub)


def _leave_uncollected(state: State, invoice: dict[str, Any], behavior: str) -> None:
    """A renewal while collection is paused: Stripe makes the invoice and collects nothing."""
    invoice.update(auto_advance=False, next_payment_attempt=None)
    if behavior == "keep_as_draft":
        invoice.update(status="draft", number=None)
        invoice["status_transitions"]["finalized_at"] = None
    elif behavior == "void":
        invoice["status"] = "void"
        invoice["status_transitions"]["voided_at"] = state.now()
        state.emit("invoice.voided", invoice)
    else:  # mark_uncollectible
        invoice["status"] = "uncollectible"
        invoice["status_transitions"]["marked_uncollectible_at"] = state.now()
        state.emit("invoice.marked_uncollectible", invoice)


def resume_collection(state: State, sub: dict[str, Any]) -> None:
    """`pause_collection.resumes_at` came: Stripe clears the pause and collects again."""
    sub["pause_collection"] = None
    state.emit("customer.subscription.updated", sub)


def change_price(
    state: State,
    sub: dict[str, Any],
    item_params: dict[str, Any],
    *,
    trial_end: int | str | None,
) -> None:
    """A new price on the subscription's one item (`items[0][price_data]` or `[price]`).

    The new price is billed from the next invoice, as Stripe does with
    `proration_behavior=none`; the sandbox makes no proration items for the other behaviours
    (the app sends none). A change of interval resets the billing cycle to now and invoices at
    once, as Stripe does, unless `trial_end` puts the start of the new cycle later (the way to
    keep the date).
    """
    item = sub["items"]["data"][0]
    if item_params.get("id", item["id"]) != item["id"]:
        raise StripeError(
            f"No such subscription item: '{item_params['id']}'",
            status=404,
            code="resource_missing",
            param="items[0][id]",
        )
    now = state.now()
    if "price" in item_params:
        price = state.get("price", item_params["price"], param="items[0][price]")
    elif "price_data" in item_params:
        data = item_params["price_data"]
        state.get("product", data["product"], param="items[0][price_data][product]")
        if data.get("unit_amount") is None:
            raise StripeError(
                "Missing required param: items[0][price_data][unit_amount].",
                code="parameter_missing",
                param="items[0][price_data][unit_amount]",
            )
        price = state.add(
            objects.price(
                created=now,
                product_id=data["product"],
                currency=data["currency"],
                unit_amount=data["unit_amount"],
                interval=data["recurring"]["interval"],
            )
        )
    else:
        price = item["price"]
    if price["currency"] != sub["currency"]:
        raise StripeError(
            "The price specified has a different currency than the subscription.",
            param="items[0][price_data][currency]",
        )
    old_interval = item["price"]["recurring"]["interval"]
    item.update(price=price, plan=objects.plan(price), quantity=item_params.get("quantity") or 1)
    if isinstance(trial_end, int):
        if trial_end <= now:
            raise StripeError(
                "Invalid timestamp: must be an integer Unix timestamp in the future.",
                param="trial_end",
            )
        sub.update(status="trialing", trial_start=now, trial_end=trial_end)
        item.update(current_period_start=now, current_period_end=trial_end)
        if sub["cancel_at_period_end"]:
            sub["cancel_at"] = trial_end
    elif price["recurring"]["interval"] != old_interval or trial_end == "now":
        start, _ = sub_period(sub)
        new_end = period_end(now, price["recurring"]["interval"], 1)
        sub.update(billing_cycle_anchor=now, status="active", trial_end=None)
        item.update(current_period_start=now, current_period_end=new_end)
        invoice = _open_invoice(state, sub, "subscription_update", (start, now), (now, new_end))
        if not _pay_invoice(state, invoice, sub, _card_of(state, sub), renewal=True):
            sub["status"] = "past_due"


def _retry(state: State, invoice: dict[str, Any]) -> None:
    """A scheduled retry of a failed renewal invoice."""
    sub = state.get("subscription", invoice["parent"]["subscription_details"]["subscription"])
    if sub["status"] == "canceled":
        invoice["next_payment_attempt"] = None
        return
    if _pay_invoice(state, invoice, sub, _card_of(state, sub), renewal=True):
        sub["status"] = "active"
        state.emit("customer.subscription.updated", sub)
    elif invoice["next_payment_attempt"] is None:
        _end_subscription(state, sub, ended_at=state.now(), reason="payment_failed")


def _end_subscription(state: State, sub: dict[str, Any], *, ended_at: int, reason: str) -> None:
    sub.update(status="canceled", ended_at=ended_at, cancel_at_period_end=False)
    if sub["canceled_at"] is None:
        sub["canceled_at"] = ended_at
    sub["cancellation_details"]["reason"] = reason
    state.emit("customer.subscription.deleted", sub)


def cancel_subscription(state: State, sub: dict[str, Any]) -> None:
    """Cancel now (API `DELETE` or the portal's "Cancel now")."""
    if sub["status"] == "canceled":
        raise StripeError(
            f"No such subscription: '{sub['id']}'",
            status=404,
            code="resource_missing",
            param="id",
        )
    now = state.now()
    sub["canceled_at"] = now
    _end_subscription(state, sub, ended_at=now, reason="cancellation_requested")


def set_cancel_at_period_end(state: State, sub: dict[str, Any], value: bool) -> None:
    """Schedule (or withdraw) cancellation at the end of the current period."""
    sub["cancel_at_period_end"] = value
    sub["cancel_at"] = sub_period(sub)[1] if value else None
    sub["canceled_at"] = state.now() if value else None
    sub["cancellation_details"]["reason"] = "cancellation_requested" if value else None
    state.emit("customer.subscription.updated", sub)


# How long an expired session's recovery URL works (Stripe: 30 days).
RECOVERY_DAYS = 30


def expire_session(state: State, session: dict[str, Any]) -> None:
    """Close an open Checkout Session unpaid; with `after_expiration.recovery.enabled`, give
    it the recovery URL that opens a copy of it (`recovered_from` names this one)."""
    page = session["url"]
    session.update(status="expired", url=None)
    recovery = (session.get("after_expiration") or {}).get("recovery")
    if recovery and recovery["enabled"] and page:
        # The recovery page lives beside the session's own hosted page.
        base = page.removesuffix(f"/c/pay/{session['id']}")
        recovery.update(
            url=f"{base}/c/recover/{session['id']}", expires_at=state.now() + RECOVERY_DAYS * DAY
        )
    state.pending_authentication.pop(session["id"], None)
    state.emit("checkout.session.expired", session)


def _next_due(state: State, until: int) -> tuple[int, str, dict[str, Any]] | None:
    """The earliest scheduled change at or before `until`."""
    due: list[tuple[int, str, dict[str, Any]]] = []
    for session in state.all("checkout.session"):
        if session["status"] == "open" and session["expires_at"] <= until:
            due.append((session["expires_at"], "expire", session))
    for sub in state.all("subscription"):
        if sub["status"] in ("active", "trialing") and sub_period(sub)[1] <= until:
            due.append((sub_period(sub)[1], "renew", sub))
        resumes_at = (sub["pause_collection"] or {}).get("resumes_at")
        if sub["status"] != "canceled" and resumes_at is not None and resumes_at <= until:
            due.append((resumes_at, "resume", sub))
    for invoice in state.all("invoice"):
        attempt = invoice["next_payment_attempt"]
        if invoice["status"] == "open" and attempt is not None and attempt <= until:
            due.append((attempt, "retry", invoice))
    # At the same second, a pause ends before a renewal: collection resumes "after" resumes_at.
    return min(due, key=lambda d: (d[0], d[1] != "resume")) if due else None


def run_due(state: State, until: int) -> None:
    """Apply everything scheduled up to `until` in time order, at its own time."""
    while (due := _next_due(state, until)) is not None:
        when, kind, obj = due
        state.set_now(when)
        if kind == "expire":
            expire_session(state, obj)
        elif kind == "renew":
            _renew(state, obj)
        elif kind == "resume":
            resume_collection(state, obj)
        else:
            _retry(state, obj)
        state.touch()


def advance_clock(state: State, seconds: int) -> None:
    """Move sandbox time forward, renewing, retrying and expiring on the way."""
    target = state.now() + seconds
    run_due(state, target)
    state.set_now(target)


# -- refunds and disputes ---------------------------------------------------------------------


def refund(
    state: State,
    charge: dict[str, Any],
    amount: int,
    reason: str | None,
    metadata: dict[str, str],
) -> dict[str, Any]:
    """Refund part or all of a charge."""
    created = state.add(
        objects.refund(
            created=state.now(),
            charge_obj=charge,
            amount=amount,
            reason=reason,
            metadata=metadata,
        )
    )
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    charge["refunds"]["data"].insert(0, created)
    state.emit("refund.created", created)
    state.emit("charge.refunded", charge)
    return created


def dispute(state: State, charge: dict[str, Any], reason: str) -> dict[str, Any]:
    """The cardholder disputes a charge."""
    created = state.add(objects.dispute(created=state.now(), charge_obj=charge, reason=reason))
    charge["disputed"] = True
    state.emit("charge.dispute.created", created)
    return created
