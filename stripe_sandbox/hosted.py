"""The hosted pages a reader visits: Checkout (`/c/pay/…`) and the Billing Portal (`/p/…`)."""

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from . import api, billing, cards, objects
from .store import State

bp = Blueprint("hosted", __name__)


def _state() -> State:
    return current_app.extensions["stripe_sandbox"].state


def merchant(session: dict[str, Any] | None = None) -> str:
    """The business name a page shows: the session's `branding_settings[display_name]`, else
    the account's."""
    params = _state().checkout_params.get(session["id"], {}) if session else {}
    return (params.get("branding_settings") or {}).get("display_name") or _state().business_name


def message_page(
    title: str, text: str, status: int = 200, link: tuple[str, str] | None = None
) -> tuple[str, int]:
    """A plain page with one message (and optionally one link onwards)."""
    return render_template("message.html", title=title, text=text, link=link), status


def _date(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%-d %B %Y")


def cadence(amount: int, currency: str, interval: str | None) -> str:
    """`$5.00 per month`, or `$10.00` for a one-off payment."""
    text = objects.format_amount(amount, currency)
    return f"{text} per {interval}" if interval else text


# -- Checkout -----------------------------------------------------------------------------------


def _closed_page(session: dict[str, Any]) -> tuple[str, int]:
    if session["status"] == "complete":
        link = (session["success_url"], "Continue") if session["success_url"] else None
        return message_page(
            "Payment complete", "This payment has already been completed. Thank you!", 200, link
        )
    link = (session["cancel_url"], "← Back") if session["cancel_url"] else None
    return message_page(
        "This page has expired",
        "This checkout session has expired. Please go back and start again.",
        410,
        link,
    )


def _checkout_page(
    session: dict[str, Any],
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    decline: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    params = _state().checkout_params[session["id"]]
    line = params["line_items"][0]
    price_data = line["price_data"]
    interval = price_data.get("recurring", {}).get("interval")
    # Stripe's words for the button: `submit_type`'s, else Subscribe or Pay by mode.
    labels = {"donate": "Donate", "book": "Book", "pay": "Pay", "subscribe": "Subscribe"}
    default = "Subscribe" if session["mode"] == "subscription" else "Pay"
    button = labels.get(session["submit_type"] or "", default)
    form = form or {"email": session["customer_email"] or ""}
    return render_template(
        "checkout.html",
        session=session,
        merchant=merchant(session),
        product=price_data["product_data"]["name"],
        quantity=line["quantity"],
        price=cadence(session["amount_total"], session["currency"], interval),
        button=button,
        form=form,
        errors=errors or {},
        decline=decline,
        test_cards=cards.TEST_CARDS,
    ), status


def _success(session: dict[str, Any]) -> Response | tuple[str, int]:
    if not session["success_url"]:
        return message_page("Payment complete", "Thank you! Your payment was received.")
    return redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"]), 303)


def _open_session(state: State, session_id: str) -> dict[str, Any] | None:
    billing.run_due(state, state.now())
    return state.objects.get("checkout.session", {}).get(session_id)


def _refusal(session: dict[str, Any] | None) -> tuple[str, int] | None:
    """The page for a link that cannot take a payment: unknown, or no longer open."""
    if session is None:
        return message_page("Not found", "This checkout link is not valid.", 404)
    if session["status"] != "open":
        return _closed_page(session)
    return None


@bp.get("/c/pay/<session_id>")
def checkout(session_id: str) -> Response | tuple[str, int]:
    """The hosted Checkout page."""
    state = _state()
    with state.transaction():
        session = _open_session(state, session_id)
        refusal = _refusal(session)
        if refusal is not None:
            return refusal
        if session_id in state.pending_authentication:
            return render_template(
                "authenticate.html", session=session, merchant=merchant(session)
            ), 200
        return _checkout_page(session)


@bp.post("/c/pay/<session_id>")
def pay(session_id: str) -> Response | tuple[str, int]:
    """Submit the card: pay, ask for 3-D Secure, or show why it failed."""
    state = _state()
    with state.transaction():
        session = _open_session(state, session_id)
        refusal = _refusal(session)
        if refusal is not None:
            return refusal
        fields = {k: request.form.get(k, "") for k in ("email", "number", "expiry", "cvc", "name")}
        card, errors = cards.check(cards.CardForm(**fields), state.now())
        kept = {k: v for k, v in fields.items() if k != "cvc"}
        kept["promotions"] = request.form.get("promotions", "")
        _remember_payer(state, session, kept)
        if card is None:
            return _checkout_page(session, form=kept, errors=errors, status=400)
        params = state.checkout_params[session_id]
        behaviour = card["behaviour"]
        if behaviour in cards.DECLINES:
            decline = cards.DECLINES[behaviour]
            billing.decline_checkout(state, session, params, card, decline)
            return _checkout_page(session, form=kept, decline=decline["message"], status=402)
        if behaviour == cards.THREE_D_SECURE:
            state.pending_authentication[session_id] = card
            state.touch()
            return render_template(
                "authenticate.html", session=session, merchant=merchant(session)
            ), 200
        billing.complete_checkout(state, session, params, card)
        return _success(session)


def _remember_payer(state: State, session: dict[str, Any], typed: dict[str, str]) -> None:
    """Checkout keeps what the payer typed on the open session, as Stripe does, so an
    abandoned session still says who it was and whether they agreed to promotional e-mails
    (the checkbox `consent_collection[promotions]=auto` shows)."""
    if "@" in typed["email"]:
        session["customer_details"] = objects.customer_details(
            typed["email"], typed["name"] or None
        )
    if (session.get("consent_collection") or {}).get("promotions") == "auto":
        answer = "opt_in" if typed["promotions"] else "opt_out"
        session["consent"] = {"promotions": answer, "terms_of_service": None}
    state.touch()


@bp.get("/c/recover/<session_id>")
def recover(session_id: str) -> Response | tuple[str, int]:
    """An expired session's recovery URL: a new session copied from it, then its page."""
    state = _state()
    with state.transaction():
        expired = _open_session(state, session_id)
        recovery = ((expired or {}).get("after_expiration") or {}).get("recovery") or {}
        if expired is None or not recovery.get("url"):
            return message_page("Not found", "This checkout link is not valid.", 404)
        if recovery["expires_at"] <= state.now():
            return message_page(
                "This link has expired", "Please go back to the site and start again.", 410
            )
        params = {k: v for k, v in state.checkout_params[session_id].items() if k != "expires_at"}
        copied = api.open_session(state, params)
        copied["recovered_from"] = session_id
        return redirect(copied["url"], 303)


@bp.post("/c/pay/<session_id>/authenticate")
def authenticate(session_id: str) -> Response | tuple[str, int]:
    """The 3-D Secure step's answer: `action=complete` or `action=fail`."""
    state = _state()
    with state.transaction():
        session = _open_session(state, session_id)
        refusal = _refusal(session)
        if refusal is not None:
            return refusal
        card = state.pending_authentication.pop(session_id, None)
        if card is None:
            return redirect(url_for("hosted.checkout", session_id=session_id), 303)
        state.touch()
        params = state.checkout_params[session_id]
        if request.form.get("action") == "complete":
            card["three_d_secure"] = True
            billing.complete_checkout(state, session, params, card)
            return _success(session)
        billing.fail_authentication(state, session, params, card)
        kept = {"email": card["email"], "name": card["name"]}
        return _checkout_page(
            session, form=kept, decline=cards.AUTHENTICATION_FAILED["message"], status=402
        )


# -- Billing Portal -------------------------------------------------------------------------------


def _portal_rows(state: State, customer_id: str) -> list[dict[str, Any]]:
    rows = []
    for sub in state.all("subscription"):
        if sub["customer"] != customer_id:
            continue
        item = sub["items"]["data"][0]
        price = item["price"]
        if sub["status"] == "canceled":
            when = f"Canceled on {_date(sub['ended_at'])}"
        elif sub["cancel_at_period_end"]:
            when = f"Cancels on {_date(item['current_period_end'])}"
        else:
            when = f"Renews on {_date(item['current_period_end'])}"
        rows.append(
            {
                "id": sub["id"],
                "name": state.get("product", price["product"])["name"],
                "price": cadence(
                    price["unit_amount"] * item["quantity"],
                    price["currency"],
                    price["recurring"]["interval"],
                ),
                "status": sub["status"].replace("_", " "),
                "when": when,
                "active": sub["status"] != "canceled",
                "cancel_at_period_end": sub["cancel_at_period_end"],
            }
        )
    return rows


@bp.get("/p/session/<session_id>")
def portal(session_id: str) -> tuple[str, int]:
    """The customer's subscriptions, with ways to cancel them."""
    state = _state()
    with state.transaction():
        billing.run_due(state, state.now())
        portal_session = state.objects.get("billing_portal.session", {}).get(session_id)
        if portal_session is None:
            return message_page("Not found", "This link is not valid.", 404)
        customer = state.get("customer", portal_session["customer"])
        return render_template(
            "portal.html",
            portal=portal_session,
            customer=customer,
            merchant=merchant(),
            subscriptions=_portal_rows(state, customer["id"]),
        ), 200


@bp.post("/p/session/<session_id>/subscriptions/<sub_id>")
def portal_action(session_id: str, sub_id: str) -> Response | tuple[str, int]:
    """Cancel now, cancel at period end, or keep a subscription scheduled to cancel."""
    state = _state()
    with state.transaction():
        portal_session = state.objects.get("billing_portal.session", {}).get(session_id)
        sub = state.objects.get("subscription", {}).get(sub_id)
        if portal_session is None or sub is None or sub["customer"] != portal_session["customer"]:
            return message_page("Not found", "This link is not valid.", 404)
        action = request.form.get("action")
        if sub["status"] != "canceled":
            if action == "cancel_now":
                billing.cancel_subscription(state, sub)
            elif action == "cancel_at_period_end":
                billing.set_cancel_at_period_end(state, sub, True)
            elif action == "keep":
                billing.set_cancel_at_period_end(state, sub, False)
            state.touch()
    return redirect(url_for("hosted.portal", session_id=session_id), 303)
