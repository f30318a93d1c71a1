"""Views of donor self-service: ask for a link, open it, go to the Billing Portal."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from donations import pledges
from donations.donor_mail import send_to_donor
from donations.extensions import limiter
from donations.manage import bp
from donations.manage.links import customer_from_token
from donations.stripe_gateway import PaymentServiceError, gateway
from donations.web import external_url


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


@bp.route("/support/manage", methods=["GET", "POST"])
@limiter.limit(manage_rate_limit, methods=["POST"])
def request_link():
    """Ask for a manage link by e-mail; the answer never tells whether the address is known."""
    form = ManageLinkForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("manage/request.html", form=form), status
    pledge = pledges.latest_manageable_pledge(form.email.data)
    if pledge is not None:
        send_to_donor("manage_link", pledge)
    return render_template("manage/sent.html", email=form.email.data)


@bp.get("/support/manage/<token>")
def donation(token: str):
    """The donor's recurring pledges, with a button to change or cancel them on Stripe."""
    customer = customer_from_token(token)
    if customer is None:
        return render_template("manage/expired.html"), 410
    found = pledges.pledges_of_customer(customer)
    if not found:
        abort(404, description="We could not find a donation for this link.")
    return render_template("manage/donation.html", pledges=found, token=token, form=FlaskForm())


@bp.post("/support/manage/<token>/portal")
def portal(token: str):
    """Open Stripe's Billing Portal for the link's customer."""
    customer = customer_from_token(token)
    if customer is None:
        return render_template("manage/expired.html"), 410
    try:
        url = gateway().billing_portal_url(
            customer, return_url=external_url("manage.donation", token=token)
        )
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        return render_template("manage/unavailable.html", token=token), status
    return redirect(url, code=303)
