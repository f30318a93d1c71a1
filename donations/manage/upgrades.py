"""The anniversary e-mail's one-click raise: the link opens a page that asks to confirm (a
mail scanner following the link changes nothing), and the confirm button raises the pledge
from its next payment, once."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask_babel import gettext
from flask_wtf import FlaskForm

from donations.manage import bp
from donations.payments import anniversaries
from donations.payments.stripe_gateway import PaymentServiceError

# Each reason a link cannot be used, with its status: gone for good (410), or no longer
# matching the pledge (409), or not one of ours (400).
STATUSES = {"expired": 410, "used": 410, "not_running": 409, "amount_changed": 409, "invalid": 400}


def unusable(error: anniversaries.OfferUnusable) -> Response:
    page = render_template(
        "manage/upgrade_unusable.html",
        reason=error.reason,
        offer=error.offer,
        days=anniversaries.link_days(),
    )
    return Response(page, status=STATUSES[error.reason])


@bp.get("/support/raise/<token>")
def upgrade(token: str):
    """ "Raise your monthly support from $5 to $10?" with a button; nothing changes yet."""
    try:
        offer = anniversaries.offer_of(token)
    except anniversaries.OfferUnusable as error:
        return unusable(error)
    anniversaries.mark_opened(offer)
    return render_template(
        "manage/upgrade_confirm.html",
        offer=offer,
        pledge=offer.pledge,
        form=FlaskForm(),
        token=token,
    )


@bp.post("/support/raise/<token>")
def confirm_upgrade(token: str):
    """The donor confirmed: the raise goes to Stripe; the pledge changes by its webhook."""
    try:
        offer = anniversaries.offer_of(token)
    except anniversaries.OfferUnusable as error:
        return unusable(error)
    if not FlaskForm().validate_on_submit():
        abort(400, description=gettext("This form has expired. Please open the link again."))
    try:
        anniversaries.accept(offer)
    except anniversaries.OfferUnusable as error:
        return unusable(error)
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        return render_template("manage/upgrade_unavailable.html", token=token), status
    return render_template("manage/upgrade_done.html", offer=offer, pledge=offer.pledge)
