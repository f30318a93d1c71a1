"""Views of the staff dashboard: parse the request, ask queries or actions, render."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from donations.payments import pledge_changes
from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment
from donations.payments.money import Money
from donations.platform.database import utcnow
from donations.platform.extensions import db, limiter
from donations.platform.text import wait_in_words
from donations.staff import (
    actions,
    auth,
    bp,
    charts,
    csv_export,
    queries,
    retention,
    search,
    throttle,
)
from donations.staff.forms import (
    CancelForm,
    LoginForm,
    OverviewForm,
    PasswordForm,
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
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 422 if form.is_submitted() else 200
    address = request.remote_addr or ""
    attempt = auth.sign_in(
        form.email.data,
        form.password.data,
        address=address,
        device_cookie=request.cookies.get(throttle.DEVICE_COOKIE),
    )
    if attempt.wait is not None:
        seconds = math.ceil(attempt.wait.total_seconds())
        wait = wait_in_words(seconds)
        flash(f"Too many wrong passwords. Please wait {wait}, then try again.", "error")
        response = make_response(render_template("staff/login.html", form=form), 429)
        response.retry_after = seconds
        return response
    if attempt.user is None:
        flash(SIGN_IN_REFUSED, "error")
        response = make_response(render_template("staff/login.html", form=form), 401)
        if attempt.tell_owner is not None:
            throttle.tell_owner_after(response, attempt.tell_owner, address)
        return response
    auth.start_session(attempt.user)
    response = redirect(safe_next(request.args.get("next")))
    throttle.trust_device(response, attempt.user, attempt.device)
    return response


def safe_next(target: str | None) -> str:
    """Where to go after sign-in: a dashboard page that exists. Anything else (another site, a
    line break that would split the Location header, a made-up path) goes to the overview."""
    overview = url_for("staff.overview")
    if not target or not target.isprintable() or "\\" in target:
        return overview
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return overview
    try:
        endpoint, _ = current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return overview
    return target if endpoint.startswith("staff.") and endpoint != "staff.login" else overview


@bp.post("/logout")
def logout():
    """Sign out: the session ends on the server, so a copy of its cookie opens nothing."""
    auth.end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("staff.login"))


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def change_password():
    """Change your own password; every other session of your account ends."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            auth.change_password(user, form.current.data, form.new.data)
        except auth.WrongPassword as error:
            form.current.errors.append(str(error))
        except auth.AccountError as error:
            form.new.errors.append(str(error).capitalize())
        else:
            auth.start_session(user)
            flash("Your password is changed, and every other session is signed out.", "success")
            return redirect(url_for("staff.overview"))
    status = 422 if form.is_submitted() else 200
    return render_template("staff/password.html", form=form), status


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
        describe=lambda value: str(Money(value, currency)),
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


@bp.get("/retention")
def retention_page():
    """Churn and its reasons, cohorts, value per donor, saves, win-backs, reminders, the goal."""
    form = OverviewForm(request.args).with_currencies(queries.known_currencies())
    window = queries.window(form.period(), form.chosen_currency())
    figures = retention.retention(window)
    curve_chart = charts.share_chart(
        [f"M{age}" for age in range(1, retention.MONTHS + 1)],
        figures.curve,
        label="Share of recurring donors still giving, by month since they started",
    )
    return render_template("staff/retention.html", form=form, r=figures, curve_chart=curve_chart)


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
    """One pledge: its amounts, payments, the donor's changes and whether Stripe confirmed
    them, Stripe's events about it, and what staff did."""
    found = get_pledge(public_id)
    events = search.events_of(found)
    changes = [
        (change, pledge_changes.confirmed_at(change, events))
        for change in pledge_changes.changes_of(found)
    ]
    return render_template(
        "staff/pledge.html",
        pledge=found,
        events=events,
        changes=changes,
        reasons=pledge_changes.CANCEL_REASONS,
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
    form = RefundForm(payment.money - payment.refunded)
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
    if found.status not in (PledgeStatus.ACTIVE, PledgeStatus.PAST_DUE):
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
