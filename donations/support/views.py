"""Views of the donation form: parse, call the pledge service, render."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta

from flask import current_app, make_response, redirect, render_template, request, session
from flask_wtf.csrf import CSRFError

from donations import pledges
from donations.articles.queries import article_exists
from donations.extensions import limiter
from donations.models import utcnow
from donations.money import major_text
from donations.stripe_gateway import PaymentServiceError
from donations.support import bp, challenge, rules
from donations.support.forms import OTHER, DonationForm, TamperedForm, prefill
from donations.supporters import passes
from donations.web import external_url

log = logging.getLogger(__name__)
SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")


def donation_rate_limit() -> str:
    return current_app.config["DONATE_RATE_LIMIT"]


def session_rate_limit() -> str:
    return current_app.config["DONATE_SESSION_RATE_LIMIT"]


def browser_session() -> str:
    """The reader's form session (its CSRF secret), or the address for a cookieless bot."""
    token = session.get("csrf_token")
    if token:
        return "session:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "address:" + (request.remote_addr or "")


@bp.get("/support")
def form():
    """The donation form, prefilled from the query string when it makes sense."""
    donation_form = DonationForm(rules(), formdata=None, data=prefill(rules(), request.args))
    donation_form.placement.data = donation_form.placement.data or "support-page"
    return render_form(donation_form)


@bp.post("/support")
@limiter.limit(donation_rate_limit, methods=["POST"])
@limiter.limit(session_rate_limit, methods=["POST"], key_func=browser_session)
def submit():
    """Check the reader's choice, store the pledge, and send the reader to Stripe Checkout."""
    donation_form = DonationForm(rules())
    if not donation_form.validate():
        return render_form(donation_form), 422
    try:
        article = donation_form.article.data
        donation_form.check_hidden_fields(known_article=not article or article_exists(article))
    except TamperedForm as tampered:
        log.info("donation refused: %s field tampered", tampered)
        return render_form(donation_form, notice="tampered"), 400
    if not challenge.passed(request.form.get(challenge.TOKEN_FIELD), request.remote_addr):
        return render_form(donation_form, notice="challenge"), 400
    pledge = pledges.start_pledge(
        donation_form.choice(), donation_form.attribution(), request.referrer
    )
    try:
        session = pledges.open_checkout(
            pledge,
            success_url=external_url("support.thank_you") + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=external_url("support.cancelled", pledge=pledge.public_id),
        )
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        return render_template("support/unavailable.html", form=donation_form), status
    return redirect(session.url, code=303)


@bp.get("/support/thank-you")
def thank_you():
    """Thank the reader once Stripe's webhook has confirmed the pledge; until then, wait."""
    session_id = request.args.get("session_id", "")
    if not SESSION_ID.fullmatch(session_id):
        return render_template("support/not_found.html", reason="incomplete"), 400
    pledge = pledges.find_by_checkout_session(session_id)
    if pledge is None:
        return render_template("support/not_found.html", reason="unknown"), 404
    if pledge.is_confirmed:
        response = make_response(render_template("support/thank_you.html", pledge=pledge))
        supporter = passes.pass_for(pledge)
        if supporter is not None:
            passes.grant(response, supporter)  # no more asks on this device
        return response
    patience = timedelta(seconds=current_app.config["CONFIRMATION_PATIENCE_SECONDS"])
    overdue = utcnow() - pledge.updated_at > patience
    return render_template("support/confirming.html", pledge=pledge, overdue=overdue)


@bp.get("/support/cancelled")
def cancelled():
    """Back from Checkout without paying: the form again, as the reader left it."""
    pledge = pledges.find_by_public_id(request.args.get("pledge", "")[:40])
    data = prefill(rules(), request.args)
    if pledge is not None and not pledge.is_confirmed:
        data = prefill(
            rules(),
            {
                "frequency": pledge.frequency,
                "amount": major_text(pledge.amount),
                "currency": pledge.currency,
                "article": pledge.article_slug or "",
                "prompt": pledge.prompt or "",
                "variant": pledge.variant or "",
            },
        )
        data["placement"] = pledge.placement or "support-page"
    donation_form = DonationForm(rules(), formdata=None, data=data)
    return render_form(donation_form, notice="cancelled")


@bp.app_errorhandler(CSRFError)
def csrf_failed(error: CSRFError):
    """An expired or missing form token: show the form again, choices kept, and say why."""
    if request.endpoint == "support.submit":
        return render_form(DonationForm(rules()), notice="expired"), 400
    return render_template("errors/error.html", status=400, message=error.description), 400


def render_form(donation_form: DonationForm, notice: str | None = None) -> str:
    return render_template("support/form.html", form=donation_form, notice=notice, other=OTHER)
