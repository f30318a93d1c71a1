"""Views of donor self-service: ask for a link, open it, change the pledge (amount, annual,
pause, cancel with a reason, a save offer and a win-back reminder), go to the Billing Portal
for the card."""

from __future__ import annotations

import random

from flask import Response, abort, current_app, redirect, render_template, request
from flask_babel import format_date, gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

from donations.manage import bp
from donations.payments import donor_links, notices, pledge_changes, pledges
from donations.payments.amounts import donation_rules
from donations.payments.enums import Frequency
from donations.payments.models import Pledge
from donations.payments.money import AmountError, Money
from donations.payments.stripe_gateway import PaymentServiceError, gateway
from donations.platform import seams
from donations.platform.extensions import limiter
from donations.platform.web import external_url, private


class ManageLinkForm(FlaskForm):
    email = EmailField(
        lazy_gettext("The e-mail address you gave with your donation"),
        filters=[lambda value: value.strip().lower() if value else value],
        validators=[
            DataRequired(message=lazy_gettext("Please enter your e-mail address.")),
            Length(max=254),
            Email(message=lazy_gettext("Please check your e-mail address.")),
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
        abort(404, description=gettext("We could not find a donation for this link."))
    return render_template(
        "manage/donation.html",
        pledges=found,
        token=token,
        form=FlaskForm(),
        pause_months=pledge_changes.PAUSE_MONTHS,
        annual_amount=lambda p: Money(pledge_changes.annual_amount(p), p.currency),
    )


def donors_own(token: str, public_id: str) -> Pledge | Response | None:
    """The pledge `public_id` if it is the link's donor's (None if not), or the page that says
    why the link cannot be used."""
    pledge = linked_pledge(token)
    if isinstance(pledge, Response):
        return pledge
    found = pledges.find_by_public_id(public_id[:40])
    if found is None or not pledge.customer_id or found.customer_id != pledge.customer_id:
        return None
    return found


def changeable_pledge(token: str, public_id: str) -> Pledge | Response:
    """A running recurring pledge of the link's donor, or the page that says why not."""
    found = donors_own(token, public_id)
    if isinstance(found, Response):
        return found
    if found is None or not found.subscription_id or not found.status.running:
        abort(404, description=gettext("We could not find a running donation for this link."))
    return found


def changed(
    token: str, message: str, change, page: str = "manage/changed.html", **context
) -> Response | str:
    """Run a change through the gateway; say it is on its way, or that Stripe is away."""
    try:
        change()
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        return render_template("manage/unavailable.html", token=token), status
    return render_template(page, token=token, message=message, **context)


@bp.post("/support/manage/<token>/<public_id>/amount")
def change_amount(token: str, public_id: str):
    """A new amount, charged from the next payment."""
    pledge = changeable_pledge(token, public_id)
    if isinstance(pledge, Response):
        return pledge
    if not FlaskForm().validate_on_submit():
        abort(400, description=gettext("This form has expired. Please go back and try again."))
    try:
        money = Money.parse(request.form.get("amount", "")[:20], pledge.currency)
        problem = donation_rules().problem(pledge.frequency, money)
    except AmountError as error:
        problem = str(error)
    if problem:
        return render_template("manage/changed.html", token=token, message=problem), 422
    return changed(
        token,
        gettext("Your donation will be %(money)s from the next payment.", money=money),
        lambda: pledge_changes.change_amount(pledge, money),
    )


@bp.post("/support/manage/<token>/<public_id>/annual")
def switch_to_annual(token: str, public_id: str):
    """Monthly becomes annual from the date the next monthly payment was due."""
    pledge = changeable_pledge(token, public_id)
    if isinstance(pledge, Response):
        return pledge
    if not FlaskForm().validate_on_submit() or pledge.frequency is not Frequency.MONTHLY:
        abort(400, description=gettext("Only a monthly donation can become annual."))
    amount = Money(pledge_changes.annual_amount(pledge), pledge.currency)
    return changed(
        token,
        gettext("From your next payment date you will give %(money)s once a year.", money=amount),
        lambda: pledge_changes.switch_to_annual(pledge),
    )


@bp.post("/support/manage/<token>/<public_id>/pause")
def pause(token: str, public_id: str):
    """Skip the next 1–3 monthly payments."""
    pledge = changeable_pledge(token, public_id)
    if isinstance(pledge, Response):
        return pledge
    months = request.form.get("months", "")
    if (
        not FlaskForm().validate_on_submit()
        or pledge.frequency is not Frequency.MONTHLY
        or not months.isdigit()
        or int(months) not in pledge_changes.PAUSE_MONTHS
    ):
        abort(400, description=gettext("Please choose a pause of 1, 2 or 3 months."))
    resumes = pledge_changes.resumes_after(pledge, int(months))
    return changed(
        token,
        gettext(
            "Your donation is paused; payments start again after %(date)s.",
            date=format_date(resumes, "long"),
        ),
        lambda: pledge_changes.pause(pledge, int(months)),
    )


@bp.post("/support/manage/<token>/<public_id>/resume")
def resume(token: str, public_id: str):
    """End a pause now, before the date it would have ended by itself."""
    pledge = changeable_pledge(token, public_id)
    if isinstance(pledge, Response):
        return pledge
    if not FlaskForm().validate_on_submit() or not pledge.collection_paused:
        abort(400, description=gettext("This donation is not paused."))
    message = (
        gettext(
            "Your donation runs again; the next payment is due on %(date)s.",
            date=format_date(pledge.current_period_end, "long"),
        )
        if pledge.current_period_end
        else gettext("Your donation runs again from the next payment.")
    )
    return changed(token, message, lambda: pledge_changes.resume(pledge))


@bp.route("/support/manage/<token>/<public_id>/cancel", methods=["GET", "POST"])
def cancel(token: str, public_id: str):
    """Ask why (reasons in random order); then, where one fits and the donor has not declined
    it yet, a save offer; else stop at the end of the paid period."""
    pledge = changeable_pledge(token, public_id)
    if isinstance(pledge, Response):
        return pledge
    form = FlaskForm()
    reason = request.form.get("reason", "")
    if not form.validate_on_submit() or reason not in pledge_changes.CANCEL_REASONS:
        reasons = list(pledge_changes.CANCEL_REASONS.items())
        random.shuffle(reasons)
        page = render_template(
            "manage/cancel.html",
            pledge=pledge,
            token=token,
            form=form,
            reasons=reasons,
            text_max=pledge_changes.REASON_TEXT_MAX,
            missing=form.is_submitted(),
        )
        return page, 422 if form.is_submitted() else 200
    reason_text = (request.form.get("reason_text") or "")[: pledge_changes.REASON_TEXT_MAX]
    offer = offer_for(pledge, reason)
    if offer is not None and not request.form.get("declined"):
        return render_template(
            "manage/save_offer.html",
            pledge=pledge,
            token=token,
            form=form,
            offer=offer,
            reason=reason,
            reason_text=reason_text,
            pause_months=pledge_changes.PAUSE_MONTHS,
        )
    win_back = pledge_changes.WIN_BACK_MONTHS if current_app.config["WIN_BACK_REMINDERS"] else ()
    return changed(
        token,
        gettext(
            "Your donation will stop at the end of the period you have paid for, on %(date)s; "
            "nothing more will be charged. Thank you for supporting us.",
            date=format_date(pledge.current_period_end, "long"),
        )
        if pledge.current_period_end
        else gettext(
            "Your donation will stop at the end of the period you have paid for; nothing more "
            "will be charged. Thank you for supporting us."
        ),
        lambda: pledge_changes.cancel(pledge, reason, reason_text, declined=offer),
        page="manage/cancelled.html",
        pledge=pledge,
        form=form,
        win_back_months=win_back,
    )


def offer_for(pledge: Pledge, reason: str) -> pledge_changes.SaveOffer | None:
    return pledge_changes.save_offer(
        pledge, reason, donation_rules(), enabled=current_app.config["CANCEL_SAVE_OFFERS"]
    )


@bp.post("/support/manage/<token>/<public_id>/save")
def take_save_offer(token: str, public_id: str):
    """The donor keeps giving: the save offer their reason fits, worked out again here (a
    posted amount is never trusted), through the same gateway calls as the page's own."""
    pledge = changeable_pledge(token, public_id)
    if isinstance(pledge, Response):
        return pledge
    reason = request.form.get("reason", "")
    offer = offer_for(pledge, reason) if reason in pledge_changes.CANCEL_REASONS else None
    if not FlaskForm().validate_on_submit() or offer is None:
        abort(400, description=gettext("This offer has expired. Please go back and try again."))
    if offer.kind == "amount":
        return changed(
            token,
            gettext(
                "Thank you for staying. Your donation will be %(money)s from the next payment.",
                money=offer.amount,
            ),
            lambda: pledge_changes.change_amount(pledge, offer.amount, saved_from=reason),
        )
    months = request.form.get("months", "")
    if not months.isdigit() or int(months) not in pledge_changes.PAUSE_MONTHS:
        abort(400, description=gettext("Please choose a pause of 1, 2 or 3 months."))
    resumes = pledge_changes.resumes_after(pledge, int(months))
    return changed(
        token,
        gettext(
            "Thank you for staying. Your donation is paused; payments start again after %(date)s.",
            date=format_date(resumes, "long"),
        ),
        lambda: pledge_changes.pause(pledge, int(months), saved_from=reason),
    )


@bp.post("/support/manage/<token>/<public_id>/win-back")
def win_back(token: str, public_id: str):
    """Remind me in 3 or 6 months: a reminder to the pledge's address to give the same again."""
    # The pledge may have ended by the time the donor clicks: any of the link's donor's
    # pledges they asked to cancel will do.
    found = donors_own(token, public_id)
    if isinstance(found, Response):
        return found
    if found is None or not found.email or not pledge_changes.has_cancelled(found):
        abort(404, description=gettext("We could not find a cancelled donation for this link."))
    months = request.form.get("months", "")
    if (
        not FlaskForm().validate_on_submit()
        or not current_app.config["WIN_BACK_REMINDERS"]
        or not months.isdigit()
        or int(months) not in pledge_changes.WIN_BACK_MONTHS
    ):
        abort(400, description=gettext("Please choose a reminder in 3 or 6 months."))
    month = seams.provided("schedule_win_back")(
        found.email, int(months), found.frequency, found.money
    )
    return render_template(
        "manage/changed.html",
        token=token,
        message=gettext(
            "Thank you. We will e-mail %(email)s in %(month)s to invite you back.",
            email=found.email,
            month=format_date(month, "LLLL y"),
        ),
    )


@bp.post("/support/manage/<token>/portal")
def portal(token: str):
    """Open Stripe's Billing Portal for the link's customer."""
    pledge = linked_pledge(token)
    if isinstance(pledge, Response):
        return pledge
    if not pledge.customer_id:
        abort(404, description=gettext("We could not find a donation for this link."))
    try:
        url = gateway().billing_portal_url(
            pledge.customer_id, return_url=external_url("manage.donation", token=token)
        )
    except PaymentServiceError as error:
        status = 503 if error.retryable else 502
        return render_template("manage/unavailable.html", token=token), status
    return redirect(url, code=303)
