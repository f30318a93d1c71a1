"""The `/v1` API: Stripe's wire protocol for the endpoints the app uses.

Every endpoint goes through `endpoint()`, which does what Stripe does around each call:
checks the test-mode key, parses the form parameters and checks them against the operation's
published definition (`definitions.py`: every parameter Stripe accepts, and only those),
replays or refuses reused idempotency keys, runs the call inside one state transaction, applies
`expand[]` and answers in Stripe's error envelope on failure. The checks in the handlers are
Stripe's rules that the definitions do not spell out (which parameters go with which mode).
"""

import base64
import copy
import json
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, request

from . import billing, definitions, objects
from .errors import StripeError, invalid, no_such
from .events import API_VERSION
from .objects import list_object, new_id
from .params import one_of, parse_form, require
from .store import State

bp = Blueprint("api", __name__, url_prefix="/v1")

Handler = Callable[..., Any]
# The published operations served here: route -> handler name.
ROUTES: dict[str, str] = {}

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
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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


def _params(route: str) -> dict[str, Any]:
    source = request.form if request.method == "POST" else request.args
    raw = parse_form(source.items(multi=True))
    return definitions.validate(raw, route)


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


def endpoint(rule: str, method: str) -> Callable[[Handler], Handler]:
    """Register a Stripe API handler: `handler(params, **path_args) -> object`, for the published
    operation `method /v1{rule}` (a path's `<object_id>` is its `{id}`)."""
    route = f"{method} /v1{rule.replace('<object_id>', '{id}')}"
    definitions.operation(route)  # an operation Stripe does not publish is a sandbox bug

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        def view(**path_args: str) -> Response:
            request_id = new_id("req_", 14)
            try:
                response = _call(handler, route, request_id, path_args)
            except StripeError as error:
                response = stripe_response(error.envelope(), error.status)
            response.headers["Request-Id"] = request_id
            response.headers["Stripe-Version"] = request.headers.get("Stripe-Version", API_VERSION)
            return response

        bp.add_url_rule(rule, handler.__name__, view, methods=[method])
        ROUTES[route] = handler.__name__
        return handler

    return decorate


def _call(handler: Handler, route: str, request_id: str, path_args: dict[str, str]) -> Response:
    _authenticate()
    params = _params(route)
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
    if isinstance(created, int):
        created = {"eq": created}
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


@endpoint("/customers", "POST")
def create_customer(params: dict[str, Any]) -> dict[str, Any]:
    """Create a customer."""
    _check_email("email", params.get("email"))
    customer = billing.create_customer(
        state(),
        email=params.get("email"),
        name=params.get("name"),
        description=params.get("description"),
        metadata=params.get("metadata"),
    )
    definitions.record(customer, params)
    return customer


@endpoint("/customers/<object_id>", "GET")
def retrieve_customer(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a customer."""
    return state().get("customer", object_id)


@endpoint("/customers", "GET")
def list_customers(params: dict[str, Any]) -> dict[str, Any]:
    """List customers, optionally by exact e-mail."""
    items = [c for c in state().all("customer") if params.get("email") in (None, c["email"])]
    return _paginate(items, params, "/v1/customers")


# -- checkout sessions ------------------------------------------------------------------------


def _checkout_line(params: dict[str, Any]) -> dict[str, Any]:
    """The session's one line item with its price spelled out: `price_data` as sent, or the
    stored Price named by `price` (and its product's name)."""
    require(params, "line_items")
    if len(params["line_items"]) != 1:
        raise invalid("line_items", "The sandbox supports exactly one line item.")
    line = params["line_items"][0]
    require(line, "quantity", prefix="line_items[0]")
    if not 1 <= line["quantity"] <= 999999:
        raise invalid("line_items[0][quantity]", "This value must be greater than or equal to 1.")
    if ("price" in line) == ("price_data" in line):
        raise invalid(
            "line_items[0]",
            "You must specify either `price` or `price_data` in each line item (not both).",
        )
    if "price" in line:
        price = state().get("price", line["price"], param="line_items[0][price]")
        if not price["active"]:
            raise invalid(
                "line_items[0][price]",
                f"The price specified is inactive. This field only accepts active prices: "
                f"{price['id']}.",
            )
        product = state().get("product", price["product"])
        price_data = {
            "currency": price["currency"],
            "unit_amount": price["unit_amount"],
            "product_data": {"name": product["name"]},
        }
        if price["recurring"]:
            price_data["recurring"] = {"interval": price["recurring"]["interval"]}
        return {**line, "price_data": price_data}
    prefix = "line_items[0][price_data]"
    price_data = line["price_data"]
    if ("product" in price_data) == ("product_data" in price_data):
        raise invalid(prefix, "You must specify either `product` or `product_data` (not both).")
    if "product" in price_data:
        product = state().get("product", price_data["product"], param=f"{prefix}[product]")
        price_data = {**price_data, "product_data": {"name": product["name"]}}
    require(price_data, "unit_amount", prefix=prefix)
    require(price_data["product_data"], "name", prefix=f"{prefix}[product_data]")
    if price_data["currency"] not in CURRENCIES:
        raise invalid(f"{prefix}[currency]", f"Invalid currency: {price_data['currency']}.")
    if not 1 <= price_data["unit_amount"] <= 99999999:
        raise invalid(
            f"{prefix}[unit_amount]",
            "This value must be greater than or equal to 1 and less than or equal to 99999999.",
        )
    return {**line, "price_data": price_data}


def _check_checkout(params: dict[str, Any], line: dict[str, Any], now: int) -> None:
    """Stripe's rules for a Checkout Session that its parameters' definitions leave out."""
    require(params, "mode")
    mode = params["mode"]
    if mode == "setup":
        raise invalid("mode", "The sandbox does not support `setup` mode.")
    recurring = line["price_data"].get("recurring")
    if recurring is not None:
        require(recurring, "interval", prefix="line_items[0][price_data][recurring]")
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
    # `submit_type` is for `payment` and `subscription` mode (since 2024-11-20); only `setup`
    # mode, which the sandbox does not serve, refuses it.
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
    if "customer_creation" in params:
        if mode != "payment":
            raise invalid(
                "customer_creation",
                "`customer_creation` can only be used in `payment` mode.",
            )
        if "customer" in params:
            raise invalid(
                "customer_creation",
                "You may only specify one of these parameters: customer, customer_creation.",
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
    for url_param in ("success_url", "cancel_url", "return_url"):
        url = params.get(url_param)
        if url is not None and not url.startswith(("http://", "https://")):
            raise invalid(url_param, "Not a valid URL", "url_invalid")
    if params.get("ui_mode", "hosted_page") != "hosted_page" and "success_url" in params:
        raise invalid(
            "success_url",
            f"`success_url` can only be used with `ui_mode=hosted_page`; use `return_url` "
            f"with `ui_mode={params['ui_mode']}`.",
        )
    expires_at = params.get("expires_at")
    if expires_at is not None and not now + 30 * 60 <= expires_at <= now + billing.DAY:
        raise invalid(
            "expires_at",
            "The `expires_at` timestamp must be at least 30 minutes and less than 24 hours "
            "from Checkout Session creation.",
        )


# Session fields the builder fills from parameters it acts on; every other parameter with a
# field of its name is recorded on the session as sent.
_CHECKOUT_ACTED_ON = {"line_items", "payment_intent_data", "subscription_data", "customer"}


@endpoint("/checkout/sessions", "POST")
def create_checkout_session(params: dict[str, Any]) -> dict[str, Any]:
    """Create a Checkout Session."""
    sandbox = state()
    now = sandbox.now()
    line = _checkout_line(params)
    _check_checkout(params, line, now)
    if "customer" in params:
        sandbox.get("customer", params["customer"], param="customer")
    kept = {k: v for k, v in params.items() if k != "expand"}
    return open_session(sandbox, {**kept, "line_items": [line]}, params.get("expires_at"))


def open_session(
    sandbox: State, params: dict[str, Any], expires_at: int | None = None
) -> dict[str, Any]:
    """Store a new open session for checked parameters (its one line item spelled out)."""
    now = sandbox.now()
    line = params["line_items"][0]
    session = objects.checkout_session(
        created=now,
        expires_at=expires_at or now + billing.DAY,
        params=params,
        amount=line["price_data"]["unit_amount"] * line["quantity"],
        currency=line["price_data"]["currency"],
        base_url=base_url(),
        customer_id=params.get("customer"),
    )
    definitions.record(session, params, skip=_CHECKOUT_ACTED_ON)
    sandbox.add(session)
    sandbox.checkout_params[session["id"]] = params
    return session


@endpoint("/checkout/sessions/<object_id>", "GET")
def retrieve_checkout_session(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a Checkout Session."""
    return state().get("checkout.session", object_id)


@endpoint("/checkout/sessions", "GET")
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


@endpoint("/checkout/sessions/<object_id>/expire", "POST")
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


# -- products -----------------------------------------------------------------------------------


@endpoint("/products", "POST")
def create_product(params: dict[str, Any]) -> dict[str, Any]:
    """Create a product (what a subscription's price is for)."""
    sandbox = state()
    require(params, "name")
    if "default_price_data" in params:
        raise invalid("default_price_data", "The sandbox does not support `default_price_data`.")
    product = objects.product(created=sandbox.now(), name=params["name"])
    if "id" in params:
        if params["id"] in sandbox.objects.get("product", {}):
            raise StripeError(
                f"Product already exists with ID {params['id']}.",
                code="resource_already_exists",
                param="id",
            )
        product["id"] = params["id"]
    definitions.record(product, params, skip={"id", "name"})
    sandbox.add(product)
    sandbox.emit("product.created", product)
    return product


# -- subscriptions ------------------------------------------------------------------------------


# What `POST /v1/subscriptions` acts on; the other parameters it would act on are refused
# below rather than recorded, so that nothing looks done that the sandbox does not do.
_SUBSCRIPTION_ACTED_ON = {
    "customer",
    "items",
    "default_payment_method",
    "billing_cycle_anchor",
    "proration_behavior",
    "description",
    "metadata",
    "off_session",
    "payment_behavior",
}
_SUBSCRIPTION_UNSERVED = (
    "add_invoice_items",
    "backdate_start_date",
    "billing_cycle_anchor_config",
    "cancel_at",
    "collection_method",
    "default_source",
    "trial_end",
    "trial_from_plan",
    "trial_period_days",
)


def _subscription_price(item: dict[str, Any]) -> dict[str, Any]:
    """The item's recurring price: a stored one, or made from `price_data` (with `product`)."""
    sandbox = state()
    if ("price" in item) == ("price_data" in item):
        raise invalid("items[0]", "You must specify either `price` or `price_data` (not both).")
    if "price" in item:
        price = sandbox.get("price", item["price"], param="items[0][price]")
        if price["recurring"] is None:
            raise invalid(
                "items[0][price]",
                f"The price specified is set to `type=one_time` but this field only accepts "
                f"prices with `type=recurring`: {price['id']}.",
            )
        return price
    data = item["price_data"]
    prefix = "items[0][price_data]"
    for name in ("currency", "product", "recurring", "unit_amount"):
        require(data, name, prefix=prefix)
    sandbox.get("product", data["product"], param=f"{prefix}[product]")
    if data["currency"] not in CURRENCIES:
        raise invalid(f"{prefix}[currency]", f"Invalid currency: {data['currency']}.")
    return sandbox.add(
        objects.price(
            created=sandbox.now(),
            product_id=data["product"],
            currency=data["currency"],
            unit_amount=data["unit_amount"],
            interval=data["recurring"]["interval"],
        )
    )


@endpoint("/subscriptions", "POST")
def create_subscription(params: dict[str, Any]) -> dict[str, Any]:
    """Create a subscription for a customer, charged to a card saved on them."""
    sandbox = state()
    now = sandbox.now()
    require(params, "customer")
    customer = sandbox.get("customer", params["customer"], param="customer")
    for name in _SUBSCRIPTION_UNSERVED:
        if name in params:
            raise invalid(name, f"The sandbox does not support `{name}`.")
    items = params.get("items") or []
    if len(items) != 1:
        raise invalid("items", "The sandbox supports exactly one subscription item.")
    price = _subscription_price(items[0])
    pm_id = params.get("default_payment_method")
    if pm_id is None:
        raise invalid(
            "default_payment_method",
            "The sandbox charges subscriptions only to a `default_payment_method`.",
        )
    pm = sandbox.get("payment_method", pm_id, param="default_payment_method")
    if pm["customer"] != customer["id"]:
        raise invalid(
            "default_payment_method",
            f"The customer does not have a payment method with the ID {pm_id}. The payment "
            "method must be attached to the customer.",
        )
    anchor = params.get("billing_cycle_anchor")
    if anchor is not None:
        natural = billing.period_end(now, price["recurring"]["interval"], 1)
        if not now < anchor < natural:
            raise invalid(
                "billing_cycle_anchor",
                f"billing_cycle_anchor must be in the future and before the next natural "
                f"billing date ({natural}) for this price.",
            )
        if params.get("proration_behavior") != "none":
            raise invalid(
                "proration_behavior",
                "The sandbox does not prorate: pass `proration_behavior=none` with a "
                "`billing_cycle_anchor`.",
            )
    sub = billing.subscribe(
        sandbox,
        customer=customer,
        price=price,
        quantity=items[0].get("quantity", 1),
        pm_id=pm_id,
        billing_cycle_anchor=anchor,
        description=params.get("description"),
        metadata=dict(params.get("metadata", {})),
    )
    definitions.record(sub, params, skip=_SUBSCRIPTION_ACTED_ON)
    return sub


@endpoint("/subscriptions/<object_id>", "GET")
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


@endpoint("/subscriptions", "GET")
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


@endpoint("/subscriptions/<object_id>", "POST")
def update_subscription(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Update a subscription: its price (one item), a trial to keep the billing date, paused
    collection (`pause_collection`, resumed by the clock at `resumes_at`), scheduled
    cancellation, metadata, description."""
    sandbox = state()
    sub = sandbox.get("subscription", object_id)
    if sub["status"] == "canceled":
        raise StripeError(
            "A canceled subscription can only update its cancellation_details and metadata."
        )
    if "metadata" in params:
        # As Stripe: keys are merged, an empty value removes a key, and `metadata=` all of them.
        sub["metadata"].update(params["metadata"] or {k: "" for k in sub["metadata"]})
        sub["metadata"] = {k: v for k, v in sub["metadata"].items() if v}
    if "description" in params:
        sub["description"] = params["description"]
    if len(params.get("items", [])) > 1:
        raise invalid("items", "The sandbox keeps one item per subscription, as the app makes.")
    acted_on = {"metadata", "description", "cancel_at_period_end", "items", "trial_end"}
    definitions.record(sub, params, skip=acted_on)
    if params.get("items") or "trial_end" in params:
        billing.change_price(
            sandbox, sub, (params.get("items") or [{}])[0], trial_end=params.get("trial_end")
        )
    if "cancel_at_period_end" in params:
        billing.set_cancel_at_period_end(sandbox, sub, params["cancel_at_period_end"])
    elif params.keys() - {"expand"}:
        sandbox.emit("customer.subscription.updated", sub)
    sandbox.touch()
    return sub


@endpoint("/subscriptions/<object_id>", "DELETE")
def cancel_subscription(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Cancel a subscription at once."""
    sub = state().get("subscription", object_id)
    billing.cancel_subscription(state(), sub)
    return sub


# -- invoices, payment intents, charges ------------------------------------------------------


@endpoint("/invoices/<object_id>", "GET")
def retrieve_invoice(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve an invoice."""
    return state().get("invoice", object_id)


@endpoint("/invoices", "GET")
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


@endpoint("/invoice_payments/<object_id>", "GET")
def retrieve_invoice_payment(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve an invoice payment."""
    return state().get("invoice_payment", object_id)


@endpoint("/invoice_payments", "GET")
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


@endpoint("/payment_intents/<object_id>", "GET")
def retrieve_payment_intent(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a payment intent."""
    return state().get("payment_intent", object_id)


@endpoint("/charges/<object_id>", "GET")
def retrieve_charge(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a charge."""
    return state().get("charge", object_id)


# -- refunds ------------------------------------------------------------------------------------


@endpoint("/refunds", "POST")
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
    refund = billing.refund(
        sandbox, charge, amount, params.get("reason"), params.get("metadata", {})
    )
    definitions.record(refund, params, skip={"charge", "payment_intent", "amount", "reason"})
    return refund


@endpoint("/refunds/<object_id>", "GET")
def retrieve_refund(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve a refund."""
    return state().get("refund", object_id)


# -- billing portal -----------------------------------------------------------------------------


@endpoint("/billing_portal/sessions", "POST")
def create_portal_session(params: dict[str, Any]) -> dict[str, Any]:
    """Create a Billing Portal session for a customer."""
    sandbox = state()
    require(params, "customer")
    sandbox.get("customer", params["customer"], param="customer")
    if params.get("locale") is not None and params["locale"] not in LOCALES:
        raise invalid("locale", f"Invalid locale: {params['locale']}")
    session = objects.portal_session(
        created=sandbox.now(),
        customer_id=params["customer"],
        return_url=params.get("return_url"),
        locale=params.get("locale"),
        base_url=base_url(),
    )
    definitions.record(session, params, skip={"customer", "return_url", "locale"})
    return sandbox.add(session)


# -- events -------------------------------------------------------------------------------------


@endpoint("/events/<object_id>", "GET")
def retrieve_event(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve an event."""
    return state().get("event", object_id)


@endpoint("/events", "GET")
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


# -- webhook endpoints ----------------------------------------------------------------------


def _webhook_endpoint() -> dict[str, Any] | None:
    sandbox = state()
    if not sandbox.webhook_url:
        return None
    return objects.webhook_endpoint(
        endpoint_id=sandbox.webhook_endpoint_id,
        created=sandbox.webhook_created,
        url=sandbox.webhook_url,
        enabled_events=sandbox.webhook_events,
        api_version=sandbox.webhook_api_version,
    )


@endpoint("/webhook_endpoints", "GET")
def list_webhook_endpoints(params: dict[str, Any]) -> dict[str, Any]:
    """The account's webhook endpoints: the sandbox's one, when it delivers somewhere."""
    found = _webhook_endpoint()
    return _paginate([found] if found else [], params, "/v1/webhook_endpoints")


@endpoint("/webhook_endpoints/<object_id>", "GET")
def retrieve_webhook_endpoint(params: dict[str, Any], object_id: str) -> dict[str, Any]:
    """Retrieve the webhook endpoint."""
    found = _webhook_endpoint()
    if found is None or found["id"] != object_id:
        raise no_such("webhook_endpoint", object_id)
    return found


def unknown_url() -> Response:
    """Stripe's answer for a path or method it does not serve."""
    error = StripeError(
        f"Unrecognized request URL ({request.method}: {request.path}). Please see "
        "https://stripe.com/docs or we can help at https://support.stripe.com/.",
        status=404,
    )
    return stripe_response(error.envelope(), 404)
