"""Views of donor self-service: ask for a link, open it, go to the Billing Portal."""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, render_template
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from donations.manage import bp
from donations.payments import donor_links, notices, pledges
from donations.payments.models import Pledge
from donations.payments.stripe_gateway import PaymentServiceError, gateway
from donations.platform.extensions import limiter
from donations.platform.web import external_url, private


class ManageLinkForm(FlaskForm):
    email = EmailField(
        "The e-mail address you gave with your donation",
        filters=[lambda value: value.strip().lower() if value else value],
        validators=[
            DataRequired(message="Please enter your e-mail address."),
            Length(max=254),
            Email(message="Please check your e-mail address."),
        ],
    )


def manage_rate_limit() -> str:
    return current_app.config["MANAGE_LINK_RATE_LIMIT"]


@bp.after_request
def never_stored(response: Response) -> Response:
    """Every answer here carries a donor's address, token or donation: no cache keeps one."""
    return private(response)


@bp.route("/support/manage", methods=["GET", "POST"])
@limiter.limit(manage_rate_limit, methods=["POST"])
def request_link():
    """Ask for a manage link by e-mail; the answer never tells whether the address is known."""
    form = ManageLinkForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("manage/request.html", form=form), status
    notices.queue_requested("manage_link", pledges.latest_manageable_pledge(form.email.data))
    return render_template("manage/sent.html", email=form.email.data, days=link_days())


def link_days() -> int:
    return donor_links.max_age_hours(donor_links.MANAGE) // 24


def linked_pledge(token: str) -> Pledge | Response:
    """The pledge a manage link was sent for, or the page that says why it cannot be used."""
    try:
        return donor_links.pledge_of(donor_links.MANAGE, token)
    except donor_links.LinkExpired:
        expired = True
    except donor_links.LinkInvalid:
        expired = False
    page = render_template("manage/expired.html", expired=expired, days=link_days())
    return Response(page, status=410)


@bp.get("/support/manage/<token>")
def donation(token: str):
    """The donor's recurring pledges, with a button to change or cancel them on Stripe."""
    pledge = linked_pledge(token)
    if isinstance(pledge, Response):
        return pledge
    found = pledges.pledges_of_customer(pledge.customer_id) if pledge.customer_id else []
    if not found:
        abort(404, description="We could not find a donation for this link.")
    return render_template("manage/donation.html", pledges=found, token=token, form=FlaskForm())


@bp.post("/support/manage/<token>/portal")
def portal(token: str):
    """Open Stripe's Billing Portal for the link's customer."""
    pledge = linked_pledge(token)
    if isinstance(pledge, Response):
        return pledge
    if not pledge.customer_id:
        abort(404, description="We could not find a donation for this link.")
    try:
        url = gateway().billing_portal_url(
            pledge.customer_id, return_url=external_url("manage.donation", token=token)
        )
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        return render_template("manage/unavailable.html", token=token), status
    return redirect(url, code=303)
