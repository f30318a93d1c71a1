"""The one door to Stripe: every call to its API and every webhook check goes through here."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import stripe
from flask import Flask, current_app
from flask_babel import pgettext

from donations.payments.models import Payment, Pledge
from donations.payments.purpose import purpose
from donations.platform.i18n import speaking

# The languages Checkout speaks (Session's `locale`, as Stripe publishes it); a pledge in
# another leaves Checkout to the reader's browser.
# fmt: off
CHECKOUT_LOCALES = frozenset({
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fil", "fr", "hr", "hu", "id", "it",
    "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl", "sv",
    "th", "tr", "vi", "zh",
})
# fmt: on
# The API version every request is sent with (stripe-python's pin), and the one the webhook
# handlers read events in: an event rendered at another version is refused.
API_VERSION: str = stripe.api_version


class PaymentServiceError(Exception):
    """Stripe could not do what we asked; nothing was charged.

    `retryable` is True when trying again later may work (network, rate limit, Stripe outage)
    and False when our request itself was refused (a bug or a configuration error).
    """

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class WebhookRejected(Exception):
    """A webhook that is not provably from Stripe, or not readable; the message says why."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str


@dataclass(frozen=True)
class Subscription:
    id: str
    customer: str


class StripeGateway:
    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        api_base: str | None,
        timeout: float,
        tolerance: int,
        newsroom_name: str,
    ) -> None:
        base_addresses = {"api": api_base} if api_base else None
        self._http_client = stripe.RequestsClient(timeout=timeout)
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses=base_addresses,
            http_client=self._http_client,
            max_network_retries=2,
        )
        # Several secrets during a rotation: "whsec_new,whsec_old".
        self._webhook_secrets = [part.strip() for part in webhook_secret.split(",") if part.strip()]
        self._tolerance = tolerance
        self._newsroom_name = newsroom_name

    def create_checkout_session(
        self, pledge: Pledge, *, success_url: str, cancel_url: str
    ) -> CheckoutSession:
        """A hosted Checkout page for this pledge; retries with the same pledge reuse it."""
        metadata = {"pledge_id": pledge.public_id, "frequency": pledge.frequency}
        description = self._description(pledge)
        price_data: dict[str, Any] = {
            "currency": pledge.currency,
            "unit_amount": pledge.amount,
            "product_data": {"name": self._product_name(pledge)},
        }
        params: dict[str, Any] = {
            # Checkout's own words in the language the reader gave in, like ours.
            "locale": pledge.language if pledge.language in CHECKOUT_LOCALES else "auto",
            "line_items": [{"price_data": price_data, "quantity": 1}],
            "success_url": success_url,
            "cancel_url": cancel_url,
            "client_reference_id": pledge.public_id,
            "metadata": metadata,
            # The button says "Donate" in every mode (subscriptions too, since 2024-11-20).
            "submit_type": "donate",
            # Checkout names the newsroom, whatever the Stripe account is called.
            "branding_settings": {"display_name": self._newsroom_name},
            # A reader who leaves may agree there to hear from us; the expired session then
            # carries a recovery URL for the reminders (payments/recovery.py).
            "consent_collection": {"promotions": "auto"},
            "after_expiration": {"recovery": {"enabled": True}},
        }
        if pledge.email:
            params["customer_email"] = pledge.email
        if pledge.is_recurring:
            price_data["recurring"] = {"interval": pledge.frequency.interval}
            params["mode"] = "subscription"
            params["subscription_data"] = {"metadata": metadata, "description": description}
        else:
            params["mode"] = "payment"
            # Payment mode makes a Customer only when told to: without one a one-off donor has
            # no manage link (Billing Portal) and no giving history.
            params["payment_intent_data"] = {"metadata": metadata, "description": description}
            # An anonymous gift leaves no Customer and no saved card behind.
            if not pledge.anonymous:
                params["customer_creation"] = "always"
                # The card stays on the customer, so "make it monthly" needs nothing retyped.
                params["payment_intent_data"]["setup_future_usage"] = "off_session"
        session = self._call(
            self._client.v1.checkout.sessions.create,
            params,
            {"idempotency_key": f"checkout-{pledge.public_id}"},
        )
        return CheckoutSession(id=session.id, url=session.url)

    def _product_name(self, pledge: Pledge) -> str:
        """What Checkout and the donor's receipts from Stripe call the gift, in their language."""
        with speaking(pledge.language):
            # A name, not the call to action the pages' "Support %(newsroom)s" is.
            return pgettext("product", "Support %(newsroom)s", newsroom=self._newsroom_name)

    def _description(self, pledge: Pledge) -> str:
        """What the donor's bank statement and Stripe's dashboard call the pledge's payments,
        in the donor's language."""
        with speaking(pledge.language):
            return f"{purpose(pledge, self._newsroom_name)}: {pledge.money.format()}"

    def payment_intent(self, payment_intent_id: str) -> dict[str, Any]:
        """A payment intent as its `payment_intent.succeeded` webhook would bring it."""
        intent = self._call(self._client.v1.payment_intents.retrieve, {}, path=payment_intent_id)
        return intent.to_dict()

    def start_subscription(
        self, pledge: Pledge, *, customer_id: str, payment_method: str, first_payment_at: int
    ) -> Subscription:
        """A subscription for a recurring pledge on a card the customer saved, its first
        payment at `first_payment_at` (nothing is charged before: no prorations). Repeating
        the call for the same pledge makes no second one."""
        metadata = {"pledge_id": pledge.public_id, "frequency": pledge.frequency}
        product = self._call(
            self._client.v1.products.create,
            {"name": self._product_name(pledge), "metadata": metadata},
            {"idempotency_key": f"product-{pledge.public_id}"},
        )
        subscription = self._call(
            self._client.v1.subscriptions.create,
            {
                "customer": customer_id,
                "items": [
                    {
                        "price_data": {
                            "currency": pledge.currency,
                            "product": product.id,
                            "unit_amount": pledge.amount,
                            "recurring": {"interval": pledge.frequency.interval},
                        }
                    }
                ],
                "default_payment_method": payment_method,
                "billing_cycle_anchor": first_payment_at,
                "proration_behavior": "none",
                "metadata": metadata,
                "description": self._description(pledge),
            },
            {"idempotency_key": f"subscription-{pledge.public_id}"},
        )
        return Subscription(id=subscription.id, customer=customer_id)

    def billing_portal_url(self, customer_id: str, *, return_url: str) -> str:
        """A Billing Portal session where the donor changes their card or cancels."""
        session = self._call(
            self._client.v1.billing_portal.sessions.create,
            {"customer": customer_id, "return_url": return_url},
        )
        return session.url

    def refund_payment(self, payment: Payment, amount: int | None = None) -> str:
        """Refund a payment, all of it or `amount` minor units; returns the refund's id."""
        payment_intent = payment.stripe_payment_intent_id or self._invoice_payment_intent(
            payment.stripe_invoice_id
        )
        if payment_intent is None:
            raise PaymentServiceError(
                f"Stripe has no payment for invoice {payment.stripe_invoice_id}", retryable=False
            )
        params: dict[str, Any] = {"payment_intent": payment_intent}
        if amount is not None:
            params["amount"] = amount
        refund = self._call(
            self._client.v1.refunds.create,
            params,
            {"idempotency_key": f"refund-{payment.id}-{payment.refunded_amount}-{amount}"},
        )
        return refund.id

    def cancel_subscription(self, subscription_id: str, *, at_period_end: bool) -> None:
        """Stop a recurring pledge now, or let it run to the end of the paid period."""
        if at_period_end:
            self._call(
                self._client.v1.subscriptions.update,
                {"cancel_at_period_end": True},
                path=subscription_id,
            )
        else:
            self._call(self._client.v1.subscriptions.cancel, {}, path=subscription_id)

    def change_price(
        self, subscription_id: str, *, amount: int, interval: str, keep_billing_date: bool
    ) -> None:
        """Bill `amount` every `interval` from the next invoice, with no proration.

        A new interval would start a new cycle now and charge at once; `keep_billing_date`
        starts it when the current period ends instead (a trial until then, Stripe's way).
        """
        subscription = self._call(self._client.v1.subscriptions.retrieve, {}, path=subscription_id)
        item = subscription["items"].data[0]
        params: dict[str, Any] = {
            "items": [
                {
                    "id": item.id,
                    "price_data": {
                        "currency": item.price.currency,
                        "product": item.price.product,
                        "unit_amount": amount,
                        "recurring": {"interval": interval},
                    },
                }
            ],
            "proration_behavior": "none",
        }
        if keep_billing_date:
            params["trial_end"] = item.current_period_end
        self._call(self._client.v1.subscriptions.update, params, path=subscription_id)

    def pause_collection(self, subscription_id: str, *, resumes_at: int) -> None:
        """Collect nothing until `resumes_at` (Unix seconds); renewals meanwhile are voided."""
        self._call(
            self._client.v1.subscriptions.update,
            {"pause_collection": {"behavior": "void", "resumes_at": resumes_at}},
            path=subscription_id,
        )

    def resume_collection(self, subscription_id: str) -> None:
        """Collect again from the next invoice on: an empty `pause_collection` unsets it."""
        self._call(
            self._client.v1.subscriptions.update, {"pause_collection": ""}, path=subscription_id
        )

    def checkout_sessions_since(self, since: int) -> Iterator[dict[str, Any]]:
        return self._list(self._client.v1.checkout.sessions.list, {"created": {"gte": since}})

    def invoices_since(self, since: int) -> Iterator[dict[str, Any]]:
        return self._list(
            self._client.v1.invoices.list, {"created": {"gte": since}, "status": "paid"}
        )

    def subscriptions(self) -> Iterator[dict[str, Any]]:
        return self._list(self._client.v1.subscriptions.list, {"status": "all"})

    def invoice_payments_since(self, since: int) -> Iterator[dict[str, Any]]:
        """Paid invoice payments since `since`: which payment intent paid which invoice."""
        return self._list(
            self._client.v1.invoice_payments.list, {"created": {"gte": since}, "status": "paid"}
        )

    def invoice_paid_by(self, payment_intent: str) -> str | None:
        """The invoice a payment intent paid, or None (a one-off payment, or nothing paid).

        Current API versions link them only through invoice payments, which the
        `invoice_payment.paid` webhook brings; this asks Stripe when that event was missed.
        """
        found = self._call(
            self._client.v1.invoice_payments.list,
            {"payment": {"type": "payment_intent", "payment_intent": payment_intent}},
        )
        for invoice_payment in found.data:
            if invoice_payment.status == "paid":
                invoice = invoice_payment.invoice
                return invoice if isinstance(invoice, str) else invoice.id
        return None

    def webhook_endpoints(self) -> list[dict[str, Any]]:
        """The account's webhook endpoints (url, status, enabled_events, api_version)."""
        return list(self._list(self._client.v1.webhook_endpoints.list, {}))

    def _invoice_payment_intent(self, invoice_id: str | None) -> str | None:
        if not invoice_id:
            return None
        found = self._call(self._client.v1.invoice_payments.list, {"invoice": invoice_id})
        for invoice_payment in found.data:
            payment = invoice_payment.payment
            if invoice_payment.status == "paid" and payment.type == "payment_intent":
                return payment.payment_intent
        return None

    def _list(self, method: Any, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page = self._call(method, {**params, "limit": 100})
        try:
            for item in page.auto_paging_iter():
                yield item.to_dict()
        except stripe.StripeError as error:
            raise PaymentServiceError(_message(error), retryable=True) from error

    def verify_webhook(self, payload: bytes, signature: str | None) -> dict[str, Any]:
        """The JSON object in a signed webhook body, as plain data; WebhookRejected if it is
        unproven, or not an object with an event id. Its shape is checked by the caller, which
        keeps a signed but malformed event (webhooks/shape.py)."""
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            raise WebhookRejected("body is not UTF-8") from None
        if _signed_in_the_future(signature, self._tolerance):
            # Stripe's check looks back only; a timestamp ahead of our clock by more than the
            # tolerance was not made by Stripe just now.
            raise WebhookRejected("signature timestamp in the future")
        detail = ""
        for secret in self._webhook_secrets:
            try:
                stripe.WebhookSignature.verify_header(text, signature, secret, self._tolerance)
                break
            except stripe.SignatureVerificationError as error:
                detail = str(error)
        else:
            raise WebhookRejected(_signature_reason(detail, signature))
        try:
            event = json.loads(text, parse_constant=_no_constant)
        except (ValueError, RecursionError):  # RecursionError: nested deeper than Python goes
            raise WebhookRejected("body is not valid JSON") from None
        if not _has_event_id(event):
            raise WebhookRejected("body is not a Stripe event")
        return event

    def _call(
        self,
        method: Any,
        params: dict[str, Any],
        options: dict[str, Any] | None = None,
        *,
        path: str | None = None,
    ) -> Any:
        args = (path,) if path is not None else ()
        try:
            return method(*args, params=params, options=options or {})
        except (stripe.APIConnectionError, stripe.RateLimitError) as error:
            raise PaymentServiceError(_message(error), retryable=True) from error
        except stripe.StripeError as error:
            # 5xx from Stripe is an outage worth retrying; 4xx means our request was wrong.
            retryable = (error.http_status or 500) >= 500
            raise PaymentServiceError(_message(error), retryable=retryable) from error


def _message(error: stripe.StripeError) -> str:
    return f"{type(error).__name__}: {error.user_message or error}"


def _signature_reason(detail: str, header: str | None) -> str:
    if not header:
        return "missing Stripe-Signature header"
    if "tolerance" in detail:
        return "signature timestamp too old"
    if "extract" in detail or "expected scheme" in detail:
        return "malformed Stripe-Signature header"
    return "signature does not match"


def _signed_in_the_future(header: str | None, tolerance: int) -> bool:
    """Whether the header's timestamp (`t=`) is more than `tolerance` seconds ahead."""
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) < 20:
            return int(value) > time.time() + tolerance
    return False


def _no_constant(name: str) -> Any:
    """NaN and Infinity are Python's extensions to JSON, which Stripe never sends."""
    raise ValueError(f"{name} is not JSON")


def _has_event_id(event: Any) -> bool:
    """An object with an id an event can be stored under (Stripe's are `evt_…`)."""
    return (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and event.get("object") == "event"
    )


def init_app(app: Flask) -> None:
    app.extensions["stripe_gateway"] = StripeGateway(
        secret_key=app.config["STRIPE_SECRET_KEY"],
        webhook_secret=app.config["STRIPE_WEBHOOK_SECRET"],
        api_base=app.config.get("STRIPE_API_BASE"),
        timeout=app.config["STRIPE_TIMEOUT_SECONDS"],
        tolerance=app.config["STRIPE_WEBHOOK_TOLERANCE_SECONDS"],
        newsroom_name=app.config["NEWSROOM_NAME"],
    )


def gateway() -> StripeGateway:
    """The app's gateway (tests may swap it in app.extensions)."""
    return current_app.extensions["stripe_gateway"]
