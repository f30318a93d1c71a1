"""Views of the staff dashboard: parse the request, ask queries or actions, render."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from donations import pledge_status
from donations.extensions import db, limiter
from donations.models import Payment, utcnow
from donations.money import format_money
from donations.staff import actions, auth, bp, charts, csv_export, queries, search
from donations.staff.forms import (
    CancelForm,
    LoginForm,
    OverviewForm,
    PledgeFilterForm,
    RefundForm,
    ResendForm,
)

SIGN_IN_REFUSED = "That e-mail and password do not open a staff account. Check both and try again."


def login_rate_limit() -> str:
    return current_app.config["STAFF_LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def login():
    """Sign in; every refusal gets the same words, so they reveal nothing about the account."""
    if current_user.is_authenticated:
        return redirect(url_for("staff.overview"))
    form = LoginForm()
    if form.validate_on_submit():
        user = auth.authenticate(form.email.data, form.password.data)
        if user is not None:
            # A fresh session for the signed-in staff member: nothing carried over from before.
            session.clear()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        flash(SIGN_IN_REFUSED, "error")
        return render_template("staff/login.html", form=form), 401
    return render_template("staff/login.html", form=form), 422 if form.is_submitted() else 200


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: only back into the dashboard, never to another site."""
    if target and target.startswith("/staff") and "//" not in target and "\\" not in target:
        return target
    return url_for("staff.overview")


@bp.post("/logout")
def logout():
    """Sign out and forget the session."""
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("staff.login"))


@bp.get("/")
def overview():
    """Today's figures: money, recurring revenue, pledges in and out, refunds, prompts."""
    form = OverviewForm(request.args).with_currencies(queries.known_currencies())
    window = queries.window(form.period(), form.chosen_currency())
    figures = queries.overview(window)
    days = [day.day for day in figures.chart.days]
    currency = figures.chart.currency or "usd"
    money_chart = charts.bar_chart(
        days,
        [day.raised for day in figures.chart.days],
        label=f"Money kept per day, last {queries.CHART_DAYS} days, {currency.upper()}",
        describe=lambda value: format_money(value, currency),
        css_class="chart--money",
    )
    pledge_chart = charts.bar_chart(
        days,
        [day.new_pledges for day in figures.chart.days],
        label=f"New pledges per day, last {queries.CHART_DAYS} days, {currency.upper()}",
        describe=lambda value: f"{value:,}",
        css_class="chart--pledges",
    )
    return render_template(
        "staff/overview.html",
        form=form,
        o=figures,
        money_chart=money_chart,
        pledge_chart=pledge_chart,
    )


def pledge_filter_form() -> PledgeFilterForm:
    return PledgeFilterForm(request.args).with_choices(
        queries.known_currencies(), search.known_prompts()
    )


@bp.get("/pledges")
def pledges():
    """Pledges matching the search and filters, newest first, a page at a time."""
    form = pledge_filter_form()
    found = search.find_pledges(
        form.pledge_filter(),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["STAFF_PAGE_SIZE"],
    )
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("staff/pledges.html", form=form, found=found, filters=filters)


@bp.get("/pledges/<public_id>")
def pledge(public_id: str):
    """One pledge: its amounts, payments, Stripe's events about it, and what staff did."""
    found = get_pledge(public_id)
    return render_template(
        "staff/pledge.html",
        pledge=found,
        events=search.events_of(found),
        audit=actions.audit_entries(pledge=found),
    )


@bp.get("/pledges.csv")
def pledges_csv():
    """Every pledge matching the current filters, as CSV, streamed."""
    rows = search.stream_pledges(pledge_filter_form().pledge_filter())
    return csv_response(
        "pledges", csv_export.csv_lines(csv_export.PLEDGE_HEADER, rows, csv_export.PLEDGE_MONEY)
    )


@bp.get("/payments.csv")
def payments_csv():
    """Every payment of the pledges matching the current filters, as CSV, streamed."""
    rows = search.stream_payments(pledge_filter_form().pledge_filter())
    return csv_response(
        "payments", csv_export.csv_lines(csv_export.PAYMENT_HEADER, rows, csv_export.PAYMENT_MONEY)
    )


def csv_response(name: str, lines) -> Response:
    filename = f"{name}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# An id past the database's integer column is not a payment: 404, never an overflow.
@bp.route("/payments/<int(max=2147483647):payment_id>/refund", methods=["GET", "POST"])
@auth.admin_required
def refund(payment_id: int):
    """Confirm, then ask Stripe to refund a payment; the webhook records the refund."""
    payment = db.get_or_404(Payment, payment_id)
    form = RefundForm(payment.amount - payment.refunded_amount)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/refund.html", form=form, payment=payment), status
    try:
        refund_id = actions.refund(current_user, payment, form.minor)
    except actions.ActionRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Refund {refund_id} requested; it shows here once Stripe confirms it.", "success")
    return redirect(url_for("staff.pledge", public_id=payment.pledge.public_id))


@bp.route("/pledges/<public_id>/cancel", methods=["GET", "POST"])
@auth.admin_required
def cancel(public_id: str):
    """Confirm, then ask Stripe to end a recurring pledge now or at the end of its period."""
    found = get_pledge(public_id)
    if found.status not in (pledge_status.ACTIVE, pledge_status.PAST_DUE):
        abort(409, "Only a running recurring pledge can be canceled.")
    form = CancelForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/cancel.html", form=form, pledge=found), status
    try:
        actions.cancel(current_user, found, at_period_end=form.when.data == "period_end")
    except actions.ActionRefused as refused:
        flash(str(refused), "error")
    else:
        flash("Cancellation requested; the status changes once Stripe confirms it.", "success")
    return redirect(url_for("staff.pledge", public_id=public_id))


@bp.route("/pledges/<public_id>/resend", methods=["GET", "POST"])
@auth.admin_required
def resend(public_id: str):
    """Confirm, then e-mail the donor their receipt or manage link again."""
    found = get_pledge(public_id)
    form = ResendForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/resend.html", form=form, pledge=found), status
    try:
        actions.resend(current_user, found, form.what.data)
    except actions.ActionRefused as refused:
        flash(str(refused), "error")
    else:
        flash(f"Sent to {found.email}.", "success")
    return redirect(url_for("staff.pledge", public_id=public_id))


@bp.get("/audit")
@auth.admin_required
def audit():
    """The latest staff actions: who did what to which pledge, and when."""
    return render_template("staff/audit.html", entries=actions.audit_entries())


def get_pledge(public_id: str):
    found = search.find_pledge(public_id[:40])
    if found is None:
        abort(404, "No pledge has this id.")
    return found


@bp.errorhandler(CSRFError)
def form_expired(error: CSRFError):
    """A stale or missing form token: say so in the dashboard's own words, and change nothing."""
    if request.endpoint == "staff.login":
        flash("The sign-in form had expired. Please sign in again.", "error")
        return render_template("staff/login.html", form=LoginForm(formdata=None)), 400
    message = "The form had expired, so nothing was done. Please try again."
    return render_template("staff/error.html", status=400, message=message), 400


@bp.errorhandler(403)
@bp.errorhandler(404)
@bp.errorhandler(409)
def refused(error: HTTPException):
    """Refusals and missing pages inside the dashboard keep its navigation."""
    return render_template(
        "staff/error.html", status=error.code, message=error.description
    ), error.code
