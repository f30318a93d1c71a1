"""The `/v1` API: Stripe's wire protocol for the endpoints the app uses.

Every endpoint goes through `endpoint()`, which does what Stripe does around each call:
checks the test-mode key, parses and checks the form parameters against the endpoint's
schema, replays or refuses reused idempotency keys, runs the call inside one state
transaction, applies `expand[]` and answers in Stripe's error envelope on failure.
"""

import base64
import copy
import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, request

from . import billing, objects
from .errors import StripeError, invalid, no_such
from .events import API_VERSION
from .objects import list_object, new_id
from .params import METADATA, RANGE, one_of, parse_form, require, validate
from .store import State

bp = Blueprint("api", __name__, url_prefix="/v1")

Handler = Callable[..., Any]

# Currencies and Checkout locales the sandbox accepts (a subset of Stripe's lists).
# fmt: off
CURRENCIES = frozenset({
    "usd", "eur", "gbp", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk", "pln", "czk", "jpy",
})
LOCALES = frozenset({
    "auto", "bg", "cs", "da", "de", "el", "en", "en-GB", "es", "es-419", "et", "fi", "fil", "fr",
    "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt",
    "pt-BR", "ro", "ru", "sk", "sl", "sv", "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
})
# fmt: on
INTERVALS = ("day", "week", "month", "year")
SUBMIT_TYPES = ("auto", "book", "donate", "pay", "subscribe")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

EXPAND = {"expand": [str]}
LIST = {"limit": int, "starting_after": str, "ending_before": str, "created": RANGE, **EXPAND}


def state() -> State:
    """The running sandbox's state."""
    return current_app.extensions["stripe_sandbox"].state


def base_url() -> str:
    """The sandbox's own address as the caller reached it, for hosted page URLs."""
    return request.host_url.rstrip("/")


def stripe_response(body: dict[str, Any], status: int = 200) -> Response:
    """JSON as Stripe formats it."""
    return Response(json.dumps(body, indent=2), status=status, mimetype="application/json")


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    if not header:
        raise StripeError(
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
            status=401,
        )
    scheme, _, key = header.partition(" ")
    if scheme == "Basic":
        # `curl -u sk_test_…:` as in Stripe's docs: the key is the user name.
        try:
            key = base64.b64decode(key).decode().partition(":")[0]
        except ValueError:
            key = ""
    elif scheme != "Bearer":
        key = ""
    if not key.startswith("sk_test_"):
        masked = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else key
        raise StripeError(f"Invalid API Key provided: {masked}", status=401)


def _params(schema: dict[str, Any]) -> dict[str, Any]:
    source = request.form if request.method == "POST" else request.args
    raw = parse_form(source.items(multi=True))
    return validate(raw, schema)


def _idempotent_replay(key: str, fingerprint: str) -> Response | None:
    saved = state().idempotency.get(key)
    if saved is None:
        return None
    if saved["fingerprint"] != fingerprint:
        raise StripeError(
            "Keys for idempotent requests can only be used with the same parameters they "
            f"were first used with. Try using a key other than '{key}' if you meant to "
            "execute a different request.",
            type="idempotency_error",
        )
    response = stripe_response(saved["body"], saved["status"])
    response.headers["Idempotent-Replayed"] = "true"
    return response


def endpoint(rule: str, methods: list[str], schema: dict[str, Any]) -> Callable[[Handler], Handler]:
    """Register a Stripe API handler: `handler(params, **path_args) -> object`."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        def view(**path_args: str) -> Response:
            request_id = new_id("req_", 14)
            try:
                response = _call(handler, schema, request_id, path_args)
            except StripeError as error:
                response = stripe_response(error.envelope(), error.status)
            response.headers["Request-Id"] = request_id
            response.headers["Stripe-Version"] = request.headers.get("Stripe-Version", API_VERSION)
            return response

        bp.add_url_rule(rule, handler.__name__, view, methods=methods)
        return handler

    return decorate


def _call(
    handler: Handler, schema: dict[str, Any], request_id: str, path_args: dict[str, str]
) -> Response:
    _authenticate()
    params = _params(schema)
    key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
    fingerprint = json.dumps([request.method, request.path, params], sort_keys=True)
    sandbox = state()
    with sandbox.transaction(request_id=request_id, idempotency_key=key):
        if key and (replay := _idempotent_replay(key, fingerprint)):
            return replay
        # Stripe expires sessions and renews subscriptions on its own schedule; the sandbox
        # catches up on whatever fell due before answering, so reads are never stale.
        billing.run_due(sandbox, sandbox.now())
        result = handler(params, **path_args)
        body = _expand(copy.deepcopy(result), params.get("expand", []))
        if key:
            sandbox.idempotency[key] = {"fingerprint": fingerprint, "status": 200, "body": body}
            sandbox.touch()
    return stripe_response(body)


def _expand(obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    for index, path in enumerate(paths):
        _expand_path(obj, path.split("."), path, f"expand[{index}]")
    return obj


def _expand_path(node: Any, parts: list[str], path: str, param: str) -> None:
    if isinstance(node, list):
        for item in node:
            _expand_path(item, parts, path, param)
        return
    head, rest = parts[0], parts[1:]
    if not isinstance(node, dict) or head not in node:
        raise invalid(param, f"This property cannot be expanded ({path}).")
    value = node[head]
    if isinstance(value, str):
        found = state().find(value)
        if found is None:
            raise invalid(param, f"This property cannot be expanded ({path}).")
        value = node[head] = copy.deepcopy(found)
    if value is not None and rest:
        _expand_path(value, rest, path, param)


def _paginate(items: list[dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
    """Stripe's cursor pagination over objects already sorted newest first."""
    created = params.get("created")
    if created:
        items = [obj for obj in items if _in_range(obj["created"], created)]
    limit = params.get("limit", 10)
    if not 1 <= limit <= 100:
        raise invalid("limit", f"Invalid limit: {limit}. Must be between 1 and 100.")
    ids = [obj["id"] for obj in items]
    if "starting_after" in params:
        cursor = params["starting_after"]
        if cursor not in ids:
            raise no_such(objects_kind(cursor), cursor, param="starting_after")
        page = items[ids.index(cursor) + 1 :]
        return list_object(page[:limit], url, has_more=len(page) > limit)
    if "ending_before" in params:
        cursor = params["ending_before"]
        if cursor not in ids:
            raise no_such(objects_kind(cursor), cursor, param="ending_before")
        before = items[: ids.index(cursor)]
        return list_object(before[-limit:], url, has_more=len(before) > limit)
    return list_object(items[:limit], url, has_more=len(items) > limit)


def objects_kind(object_id: str) -> str:
    """The object type an id names, for error messages."""
    found = state().find(object_id)
    return found["object"] if found else "object"


def _in_range(value: int, bounds: dict[str, int]) -> bool:
    checks = {
        "eq": value == bounds.get("eq", value),
        "gt": value > bounds.get("gt", value - 1),
        "gte": value >= bounds.get("gte", value),
        "lt": value < bounds.get("lt", value + 1),
        "lte": value <= bounds.get("lte", value),
    }
    return all(checks.values())


def _check_email(param: str, value: str | None) -> None:
    if value is not None and not _EMAIL.match(value):
        raise invalid(param, f"Invalid email address: {value}", "email_invalid")


# -- customers --------------------------------------------------------------------------------

CUSTOMER_CREATE = {"email": str, "name": str, "description": str, "metadata": METADATA, **EXPAND}


@endpoint("/customers", ["POST"], CUSTOMER_CREATE)
def create_customer(params: dict[str, Any]) -> dict[str, Any]:
    """Create a customer."""
    _check_email("email", params.get("email"))
    return billing.create_customer(
        state(),
        email=params.get("email"),
        name=params.get("name"),
        description=params.get("description"),
        metadata=params.get("metadata"),
    )


@endpoint("/customers/<object_id>", ["GET"], EXPAND)
def retrieve_customer(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a customer."""
    return state().get("customer", object_id)


@endpoint("/customers", ["GET"], {**LIST, "email": str})
def list_customers(params: dict[str, Any]) -> dict[str, Any]:
    """List customers, optionally by exact e-mail."""
    items = [c for c in state().all("customer") if params.get("email") in (None, c["email"])]
    return _paginate(items, params, "/v1/customers")


# -- checkout sessions ------------------------------------------------------------------------

CHECKOUT_CREATE = {
    "mode": str,
    "line_items": [
        {
            "price_data": {
                "currency": str,
                "unit_amount": int,
                "product_data": {"name": str},
                "recurring": {"interval": str},
            },
            "quantity": int,
        }
    ],
    "submit_type": str,
    "success_url": str,
    "cancel_url": str,
    "client_reference_id": str,
    "customer_email": str,
    "customer": str,
    "metadata": METADATA,
    "payment_intent_data": {"metadata": METADATA, "description": str},
    "subscription_data": {"metadata": METADATA, "description": str},
    "locale": str,
    "expires_at": int,
    **EXPAND,
}


def _check_checkout(params: dict[str, Any], now: int) -> tuple[int, str]:
    """Stripe's checks on a Checkout Session; returns (amount_total, currency)."""
    require(params, "mode")
    mode = params["mode"]
    if mode == "setup":
        raise invalid("mode", "The sandbox does not support `setup` mode.")
    one_of("mode", mode, ("payment", "setup", "subscription"))
    require(params, "line_items")
    if len(params["line_items"]) != 1:
        raise invalid("line_items", "The sandbox supports exactly one line item.")
    line = params["line_items"][0]
    require(line, "price_data", "quantity", prefix="line_items[0]")
    prefix = "line_items[0][price_data]"
    price_data = line["price_data"]
    require(price_data, "currency", "product_data", "unit_amount", prefix=prefix)
    require(price_data["product_data"], "name", prefix=f"{prefix}[product_data]")
    currency = price_data["currency"]
    if currency not in CURRENCIES:
        raise invalid(f"{prefix}[currency]", f"Invalid currency: {currency}.")
    if not 1 <= price_data["unit_amount"] <= 99999999:
        raise invalid(
            f"{prefix}[unit_amount]",
            "This value must be greater than or equal to 1 and less than or equal to 99999999.",
        )
    if not 1 <= line["quantity"] <= 999999:
        raise invalid("line_items[0][quantity]", "This value must be greater than or equal to 1.")
    recurring = price_data.get("recurring")
    if recurring is not None:
        require(recurring, "interval", prefix=f"{prefix}[recurring]")
        one_of(f"{prefix}[recurring][interval]", recurring["interval"], INTERVALS)
    if mode == "payment" and recurring is not None:
        raise invalid(
            "line_items",
            "You specified `payment` mode but passed a recurring price. Either switch to "
            "`subscription` mode or use only one-time prices.",
        )
    if mode == "subscription" and recurring is None:
        raise invalid(
            "line_items",
            "You must specify at least one recurring price in `subscription` mode when "
            "using prices.",
        )
    if "submit_type" in params:
        if mode != "payment":
            raise invalid(
                "submit_type",
                "`submit_type` can only be specified on Checkout Sessions in `payment` or "
                f"`setup` mode, but this Checkout Session is in `{mode}` mode.",
            )
        one_of("submit_type", params["submit_type"], SUBMIT_TYPES)
    if "payment_intent_data" in params and mode != "payment":
        raise invalid(
            "payment_intent_data",
            f"You can not pass `payment_intent_data` in `{mode}` mode.",
        )
    if "subscription_data" in params and mode != "subscription":
        raise invalid(
            "subscription_data",
            "You can only specify `subscription_data` in `subscription` mode.",
        )
    if "customer" in params and "customer_email" in params:
        raise invalid(
            "customer_email",
            "You may only specify one of these parameters: customer, customer_email.",
        )
    _check_email("customer_email", params.get("customer_email"))
    if len(params.get("client_reference_id", "")) > 200:
        raise invalid("client_reference_id", "client_reference_id must be at most 200 characters.")
    if params.get("locale") is not None and params["locale"] not in LOCALES:
        raise invalid("locale", f"Invalid locale: {params['locale']}")
    for url_param in ("success_url", "cancel_url"):
        url = params.get(url_param)
        if url is not None and not url.startswith(("http://", "https://")):
            raise invalid(url_param, "Not a valid URL", "url_invalid")
    expires_at = params.get("expires_at")
    if expires_at is not None and not now + 30 * 60 <= expires_at <= now + billing.DAY:
        raise invalid(
            "expires_at",
            "The `expires_at` timestamp must be at least 30 minutes and less than 24 hours "
            "from Checkout Session creation.",
        )
    return price_data["unit_amount"] * line["quantity"], currency


@endpoint("/checkout/sessions", ["POST"], CHECKOUT_CREATE)
def create_checkout_session(params: dict[str, Any]) -> dict[str, Any]:
    """Create a Checkout Session."""
    sandbox = state()
    now = sandbox.now()
    amount, currency = _check_checkout(params, now)
    if "customer" in params:
        sandbox.get("customer", params["customer"], param="customer")
    session = sandbox.add(
        objects.checkout_session(
            created=now,
            expires_at=params.get("expires_at", now + billing.DAY),
            params=params,
            amount=amount,
            currency=currency,
            base_url=base_url(),
            customer_id=params.get("customer"),
        )
    )
    sandbox.checkout_params[session["id"]] = {k: v for k, v in params.items() if k != "expand"}
    return session


@endpoint("/checkout/sessions/<object_id>", ["GET"], EXPAND)
def retrieve_checkout_session(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a Checkout Session."""
    return state().get("checkout.session", object_id)


CHECKOUT_LIST = {**LIST, "payment_intent": str, "subscription": str, "status": str, "customer": str}


@endpoint("/checkout/sessions", ["GET"], CHECKOUT_LIST)
def list_checkout_sessions(params: dict[str, Any]) -> dict[str, Any]:
    """List Checkout Sessions, filtered as Stripe allows."""
    one_of("status", params.get("status"), ("open", "complete", "expired"))
    filters = {
        k: params[k]
        for k in ("payment_intent", "subscription", "status", "customer")
        if k in params
    }
    items = [
        s for s in state().all("checkout.session") if all(s[k] == v for k, v in filters.items())
    ]
    return _paginate(items, params, "/v1/checkout/sessions")


@endpoint("/checkout/sessions/<object_id>/expire", ["POST"], EXPAND)
def expire_checkout_session(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Expire an open Checkout Session."""
    session = state().get("checkout.session", object_id)
    if session["status"] != "open":
        raise StripeError(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This Checkout '
            f'Session has a status of "{session["status"]}".',
        )
    billing.expire_session(state(), session)
    return session


# -- subscriptions ------------------------------------------------------------------------------


@endpoint("/subscriptions/<object_id>", ["GET"], EXPAND)
def retrieve_subscription(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a subscription."""
    return state().get("subscription", object_id)


SUBSCRIPTION_STATUSES = (
    "active",
    "all",
    "canceled",
    "ended",
    "incomplete",
    "incomplete_expired",
    "past_due",
    "paused",
    "trialing",
    "unpaid",
)


@endpoint("/subscriptions", ["GET"], {**LIST, "customer": str, "status": str, "price": str})
def list_subscriptions(params: dict[str, Any]) -> dict[str, Any]:
    """List subscriptions; canceled ones only when asked for, as Stripe."""
    status = params.get("status")
    one_of("status", status, SUBSCRIPTION_STATUSES)

    def wanted(sub: dict[str, Any]) -> bool:
        if params.get("customer") not in (None, sub["customer"]):
            return False
        if params.get("price") not in (None, sub["items"]["data"][0]["price"]["id"]):
            return False
        if status is None:
            return sub["status"] != "canceled"
        if status == "ended":
            return sub["status"] == "canceled"
        return status == "all" or sub["status"] == status

    items = [s for s in state().all("subscription") if wanted(s)]
    return _paginate(items, params, "/v1/subscriptions")


@endpoint(
    "/subscriptions/<object_id>",
    ["POST"],
    {"cancel_at_period_end": bool, "metadata": METADATA, "description": str, **EXPAND},
)
def update_subscription(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Update a subscription: scheduled cancellation, metadata, description."""
    sandbox = state()
    sub = sandbox.get("subscription", object_id)
    if sub["status"] == "canceled":
        raise StripeError(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    if "metadata" in params:
        # As Stripe: keys are merged, and an empty value removes a key.
        sub["metadata"].update(params["metadata"])
        sub["metadata"] = {k: v for k, v in sub["metadata"].items() if v}
    if "description" in params:
        sub["description"] = params["description"]
    if "cancel_at_period_end" in params:
        billing.set_cancel_at_period_end(sandbox, sub, params["cancel_at_period_end"])
    elif params.keys() - {"expand"}:
        sandbox.emit("customer.subscription.updated", sub)
    sandbox.touch()
    return sub


@endpoint("/subscriptions/<object_id>", ["DELETE"], EXPAND)
def cancel_subscription(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Cancel a subscription at once."""
    sub = state().get("subscription", object_id)
    billing.cancel_subscription(state(), sub)
    return sub


# -- invoices, payment intents, charges ------------------------------------------------------


@endpoint("/invoices/<object_id>", ["GET"], EXPAND)
def retrieve_invoice(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve an invoice."""
    return state().get("invoice", object_id)


@endpoint("/invoices", ["GET"], {**LIST, "customer": str, "subscription": str, "status": str})
def list_invoices(params: dict[str, Any]) -> dict[str, Any]:
    """List invoices by customer, subscription or status."""
    one_of("status", params.get("status"), ("draft", "open", "paid", "uncollectible", "void"))

    def wanted(invoice: dict[str, Any]) -> bool:
        subscription = invoice["parent"]["subscription_details"]["subscription"]
        return (
            params.get("customer") in (None, invoice["customer"])
            and params.get("subscription") in (None, subscription)
            and params.get("status") in (None, invoice["status"])
        )

    items = [i for i in state().all("invoice") if wanted(i)]
    return _paginate(items, params, "/v1/invoices")


@endpoint("/invoice_payments/<object_id>", ["GET"], EXPAND)
def retrieve_invoice_payment(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve an invoice payment."""
    return state().get("invoice_payment", object_id)


INVOICE_PAYMENT_LIST = {
    **LIST,
    "invoice": str,
    "payment": {"type": str, "payment_intent": str, "payment_record": str},
    "status": str,
}


@endpoint("/invoice_payments", ["GET"], INVOICE_PAYMENT_LIST)
def list_invoice_payments(params: dict[str, Any]) -> dict[str, Any]:
    """List invoice payments by invoice, by what paid them (`payment[type]` …) or status."""
    one_of("status", params.get("status"), ("canceled", "open", "paid"))
    payment = params.get("payment")
    if payment is not None:
        require(payment, "type", prefix="payment")
        one_of("payment[type]", payment["type"], ("payment_intent", "payment_record"))

    def wanted(invoice_payment: dict[str, Any]) -> bool:
        return (
            params.get("invoice") in (None, invoice_payment["invoice"])
            and params.get("status") in (None, invoice_payment["status"])
            and all(invoice_payment["payment"].get(k) == v for k, v in (payment or {}).items())
        )

    items = [p for p in state().all("invoice_payment") if wanted(p)]
    return _paginate(items, params, "/v1/invoice_payments")


@endpoint("/payment_intents/<object_id>", ["GET"], EXPAND)
def retrieve_payment_intent(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a payment intent."""
    return state().get("payment_intent", object_id)


@endpoint("/charges/<object_id>", ["GET"], EXPAND)
def retrieve_charge(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a charge."""
    return state().get("charge", object_id)


# -- refunds ------------------------------------------------------------------------------------

REFUND_CREATE = {
    "charge": str,
    "payment_intent": str,
    "amount": int,
    "reason": str,
    "metadata": METADATA,
    **EXPAND,
}


@endpoint("/refunds", ["POST"], REFUND_CREATE)
def create_refund(params: dict[str, Any]) -> dict[str, Any]:
    """Refund a charge, fully or in part."""
    sandbox = state()
    if "charge" not in params and "payment_intent" not in params:
        raise StripeError(
            "One of the following params should be provided for this request: "
            "payment_intent or charge.",
        )
    if "charge" in params:
        charge = sandbox.get("charge", params["charge"], param="charge")
    else:
        intent = sandbox.get("payment_intent", params["payment_intent"], param="payment_intent")
        if intent["status"] != "succeeded":
            raise StripeError(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        charge = sandbox.get("charge", intent["latest_charge"])
    if charge["status"] != "succeeded":
        raise StripeError(f"Charge {charge['id']} has not been paid.", param="charge")
    one_of("reason", params.get("reason"), ("duplicate", "fraudulent", "requested_by_customer"))
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining == 0:
        raise StripeError(
            f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
        )
    amount = params.get("amount", remaining)
    if amount < 1:
        raise invalid("amount", "Refund amount must be at least 1.")
    if amount > remaining:
        raise invalid(
            "amount",
            f"Refund amount ({objects.format_amount(amount, charge['currency'])}) is greater "
            f"than unrefunded amount on charge "
            f"({objects.format_amount(remaining, charge['currency'])})",
        )
    return billing.refund(sandbox, charge, amount, params.get("reason"), params.get("metadata", {}))


@endpoint("/refunds/<object_id>", ["GET"], EXPAND)
def retrieve_refund(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a refund."""
    return state().get("refund", object_id)


# -- billing portal -----------------------------------------------------------------------------


@endpoint(
    "/billing_portal/sessions",
    ["POST"],
    {"customer": str, "return_url": str, "locale": str, **EXPAND},
)
def create_portal_session(params: dict[str, Any]) -> dict[str, Any]:
    """Create a Billing Portal session for a customer."""
    sandbox = state()
    require(params, "customer")
    sandbox.get("customer", params["customer"], param="customer")
    if params.get("locale") is not None and params["locale"] not in LOCALES:
        raise invalid("locale", f"Invalid locale: {params['locale']}")
    return sandbox.add(
        objects.portal_session(
            created=sandbox.now(),
            customer_id=params["customer"],
            return_url=params.get("return_url"),
            locale=params.get("locale"),
            base_url=base_url(),
        )
    )


# -- events -------------------------------------------------------------------------------------


@endpoint("/events/<object_id>", ["GET"], EXPAND)
def retrieve_event(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve an event."""
    return state().get("event", object_id)


@endpoint("/events", ["GET"], {**LIST, "type": str, "types": [str]})
def list_events(params: dict[str, Any]) -> dict[str, Any]:
    """List events by type (`*` wildcards allowed, as Stripe) and creation time."""
    if "type" in params and "types" in params:
        raise invalid("types", "You may only specify one of these parameters: type, types.")
    patterns = params.get("types") or ([params["type"]] if "type" in params else [])
    regexes = [re.compile(re.escape(p).replace(r"\*", ".+") + "$") for p in patterns]
    items = [
        e for e in state().all("event") if not regexes or any(r.match(e["type"]) for r in regexes)
    ]
    return _paginate(items, params, "/v1/events")


def unknown_url() -> Response:
    """Stripe's answer for a path or method it does not serve."""
    error = StripeError(
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )
    return stripe_response(error.envelope(), 404)
