"""Views of the donation form: parse, call the pledge service, render."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import math
import re
import time
from datetime import timedelta

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_limiter import RequestLimit
from flask_wtf.csrf import CSRFError, generate_csrf

from donations.payments import pledges, recovery, supporter_pass
from donations.payments.amounts import donation_rules, monthly_upsell
from donations.payments.donor_links import manage_url
from donations.payments.enums import UpsellStep
from donations.payments.models import Pledge
from donations.payments.stripe_gateway import PaymentServiceError
from donations.payments.supporter_pass import SupporterPass
from donations.platform.database import utcnow
from donations.platform.extensions import limiter
from donations.platform.web import external_url, private
from donations.support import bp, challenge, upsell
from donations.support.forms import (
    OTHER,
    DonationForm,
    MakeMonthlyForm,
    TamperedForm,
    UpsellForm,
    prefill,
)

log = logging.getLogger(__name__)
SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")


def donation_rate_limit() -> str:
    return current_app.config["DONATE_RATE_LIMIT"]


def session_rate_limit() -> str:
    return current_app.config["DONATE_SESSION_RATE_LIMIT"]


def reached_stripe(_response: Response) -> bool:
    """Only an attempt that reached Stripe counts: card testers need Checkout, while a reader
    correcting an amount the form refused has tried nothing yet."""
    return g.get("reached_stripe", False)


def rate_limited(limit: RequestLimit) -> Response:
    """Too many attempts: the donation page again, the reader's choice kept, and when to retry."""
    wait = max(1, math.ceil(limit.reset_at - time.time()))
    response = render_form(
        DonationForm(donation_rules()), notice="rate-limited", status=429, retry_after=wait
    )
    response.headers["Retry-After"] = str(wait)
    return response


def browser_session() -> str:
    """The reader's form session (its CSRF secret), or the address for a cookieless bot."""
    token = session.get("csrf_token")
    if token:
        return "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "")


def donation_form(**data: str) -> DonationForm:
    """The form as a page around it first shows it (the article's appeal): no reader's token
    in it, so the page stays the same for every reader; the form's script fetches one."""
    return DonationForm(donation_rules(), formdata=None, meta={"csrf": False}, data=data)


@bp.get("/support")
def form():
    """The donation form, prefilled from the query string when it makes sense."""
    donation_form = DonationForm(
        donation_rules(), formdata=None, data=prefill(donation_rules(), request.args)
    )
    donation_form.placement.data = donation_form.placement.data or "support-page"
    return render_form(donation_form)


def card_testing_limits(view):
    """Per address and per browser session: they count only attempts that reached Stripe, and
    a reader over them gets the form back with their choice kept."""
    per_session = limiter.limit(
        session_rate_limit,
        methods=["POST"],
        key_func=browser_session,
        deduct_when=reached_stripe,
        on_breach=rate_limited,
    )
    per_address = limiter.limit(
        donation_rate_limit, methods=["POST"], deduct_when=reached_stripe, on_breach=rate_limited
    )
    return per_address(per_session(view))


@bp.get("/support/token")
@limiter.exempt
def token():
    """A form token for this reader, fetched when they start to give on a page caches serve."""
    return private(jsonify(csrfToken=generate_csrf()))


@bp.post("/support")
@card_testing_limits
def submit():
    """Check the reader's choice, store the pledge, and send the reader to Stripe Checkout."""
    donation_form = DonationForm(donation_rules())
    if not donation_form.validate():
        return render_form(donation_form, status=422)
    try:
        donation_form.check_hidden_fields()
    except TamperedForm as tampered:
        log.info("donation refused: %s field tampered", tampered)
        return render_form(donation_form, notice="tampered", status=400)
    if not challenge.passed(request.form.get(challenge.TOKEN_FIELD), request.remote_addr):
        return render_form(donation_form, notice="challenge", status=400)
    choice = donation_form.pledge_request(request.referrer)
    choice = dataclasses.replace(choice, upsell=upsell.step_for(choice))
    pledge = pledges.start_pledge(choice)
    if pledge.upsell == UpsellStep.OFFERED:
        session[UPSELL_KEY] = pledge.public_id  # only this browser answers its offer
        return render_upsell(pledge)
    return to_checkout(pledge, donation_form)


UPSELL_KEY = "upsell_pledge"


@bp.post("/support/upsell")
@card_testing_limits
def answer_upsell():
    """The reader's answer to "make it monthly?", then Checkout for what they chose."""
    public_id = (request.form.get("pledge") or "")[:40]
    pledge = pledges.find_by_public_id(public_id) if public_id else None
    if pledge is None or session.get(UPSELL_KEY) != public_id:
        return offer_closed()
    upsell_form = UpsellForm(donation_rules(), pledge.currency)
    if not upsell_form.validate():
        return render_upsell(pledge, upsell_form, status=422)
    try:
        pledges.answer_upsell(pledge, upsell_form.monthly)
    except pledges.UpsellAnswered:
        if pledge.checkout_session_id is None:
            return offer_closed()
        # Back from Checkout and pressed again: the same session (its key is the pledge's).
    return to_checkout(pledge, DonationForm(donation_rules(), formdata=None))


def offer_closed():
    message = gettext("This offer is no longer open. Please choose your gift again.")
    page = render_template("errors/error.html", status=400, message=message)
    return private(make_response(page, 400))


def render_upsell(pledge: Pledge, upsell_form: UpsellForm | None = None, status: int = 200):
    """The one step between a small one-off choice and Checkout: monthly, or once."""
    suggested = monthly_upsell(donation_rules(), pledge.money)
    if upsell_form is None:
        upsell_form = UpsellForm(
            donation_rules(),
            pledge.currency,
            formdata=None,
            data={"pledge": pledge.public_id, "monthly_amount": suggested.major_text},
        )
    page = render_template(
        "support/upsell.html", form=upsell_form, pledge=pledge, suggested=suggested
    )
    return private(make_response(page, status))


def to_checkout(pledge: Pledge, donation_form: DonationForm):
    """Create the pledge's Checkout session and send the reader there."""
    g.reached_stripe = True  # what the card-testing limits count
    # Stripe fills in {CHECKOUT_SESSION_ID} itself, so it is added after url_for's escaping;
    # the URL may already ask for the reader's language (?lang=ru).
    thank_you = external_url("support.thank_you")
    joiner = "&" if "?" in thank_you else "?"
    try:
        checkout = pledges.open_checkout(
            pledge,
            success_url=f"{thank_you}{joiner}session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=external_url("support.cancelled", pledge=pledge.public_id),
        )
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        page = render_template("support/unavailable.html", form=donation_form)
        return private(make_response(page, status))
    return redirect(checkout.url, code=303)


@bp.get("/support/thank-you")
def thank_you():
    """Thank the reader once Stripe's webhook has confirmed the pledge; until then, wait."""
    session_id = request.args.get("session_id", "")
    if not SESSION_ID.fullmatch(session_id):
        return render_template("support/not_found.html", reason="incomplete"), 400
    pledge = pledges.find_by_checkout_session(session_id)
    if pledge is None:
        return render_template("support/not_found.html", reason="unknown"), 404
    if not pledge.is_confirmed:
        patience = timedelta(seconds=current_app.config["CONFIRMATION_PATIENCE_SECONDS"])
        overdue = utcnow() - pledge.updated_at > patience
        page = render_template("support/confirming.html", pledge=pledge, overdue=overdue)
        return private(make_response(page))
    supporter = supporter_pass.pass_for(pledge)
    response = private(make_response(render_thank_you(pledge, session_id, supporter=supporter)))
    if supporter is not None:
        supporter_pass.grant(response, supporter)  # no more asks on this device
    return response


@bp.post("/support/thank-you/monthly")
@limiter.limit(donation_rate_limit, methods=["POST"])
def make_monthly():
    """One click after a one-off gift: the same amount monthly from next month, on its card."""
    form = MakeMonthlyForm()
    if not form.validate():
        return render_template("support/not_found.html", reason="incomplete"), 400
    session_id = form.session_id.data
    gift = pledges.find_by_checkout_session(session_id)
    if gift is None or not gift.is_confirmed:
        return render_template("support/not_found.html", reason="unknown"), 404
    try:
        pledges.make_monthly(gift)
    except pledges.NotConvertible:
        page = render_thank_you(gift, session_id, notice="not_convertible")
        return private(make_response(page, 409))
    except PaymentServiceError as error:
        page = render_thank_you(gift, session_id, notice="unavailable")
        return private(make_response(page, 503 if error.retryable else 502))
    return redirect(url_for("support.thank_you", session_id=session_id), code=303)


def render_thank_you(
    pledge: Pledge,
    session_id: str,
    *,
    supporter: SupporterPass | None = None,
    notice: str | None = None,
) -> str:
    """The thank-you page: the gift, where its receipt went, its manage link, and for a
    one-off gift "make it monthly" (or the monthly pledge it became)."""
    monthly = pledges.conversion_of(pledge)
    offer = None if monthly else pledges.monthly_offer(pledge)
    return render_template(
        "support/thank_you.html",
        pledge=pledge,
        supporter=supporter,
        monthly=monthly,
        offer=offer,
        form=MakeMonthlyForm(session_id=session_id) if offer else None,
        manage_url=manage_url(pledge) if pledge.customer_id and pledge.email else None,
        notice=notice,
    )


@bp.get("/support/cancelled")
def cancelled():
    """Back from Checkout without paying: the form again, as the reader left it."""
    pledge = pledges.find_by_public_id(request.args.get("pledge", "")[:40])
    data = prefill(donation_rules(), request.args)
    if pledge is not None and not pledge.is_confirmed:
        data = prefill(
            donation_rules(),
            {
                "frequency": pledge.frequency,
                "amount": pledge.money.major_text,
                "currency": pledge.currency,
                "article": pledge.article_slug or "",
                "prompt": pledge.prompt or "",
                "variant": pledge.variant or "",
            },
        )
        data["placement"] = pledge.placement or "support-page"
    donation_form = DonationForm(donation_rules(), formdata=None, data=data)
    return render_form(donation_form, notice="cancelled")


@bp.get("/support/reminders/<code>/stop")
def stop_recovery(code: str):
    """Ask to confirm: a GET never stops them, so mail scanners following links change nothing."""
    found = _recovery_or_404(code)
    page = render_template("support/recovery_stop.html", recovery=found, done=False)
    return private(make_response(page))


@bp.post("/support/reminders/<code>/stop")
def stop_recovery_confirmed(code: str):
    """Stop the reminders about an unfinished gift."""
    found = _recovery_or_404(code)
    recovery.stop(found)
    page = render_template("support/recovery_stop.html", recovery=found, done=True)
    return private(make_response(page))


def _recovery_or_404(code: str):
    found = recovery.find(code[:40])
    if found is None:
        abort(
            404,
            description=gettext("We could not find those reminders. They may have been removed."),
        )
    return found


@bp.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """An expired or missing form token: show the form again, choices kept, and say why."""
    if request.endpoint == "support.submit":
        return render_form(DonationForm(donation_rules()), notice="expired", status=400)
    return render_template("errors/error.html", status=400, message=error.description), 400


def render_form(
    donation_form: DonationForm,
    notice: str | None = None,
    status: int = 200,
    retry_after: int | None = None,
) -> Response:
    """The donation page: the reader's own form token is in it, so no cache may keep it."""
    page = render_template(
        "support/form.html",
        form=donation_form,
        notice=notice,
        other=OTHER,
        retry_after=retry_after,
    )
    return private(make_response(page, status))
