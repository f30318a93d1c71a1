"""Views of the newsletter: the sign-up (the article's box posts here too), confirmation,
one-click unsubscribe, and the staff's export of confirmed subscribers."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    render_template,
    request,
    stream_with_context,
)
from flask_babel import gettext
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from donations.newsletter import bp, service, staff_bp
from donations.newsletter.forms import SignUpForm
from donations.platform import spreadsheet
from donations.platform.database import utcnow
from donations.platform.extensions import csrf, limiter
from donations.platform.web import answered, from_allowed_origin, private


def newsletter_rate_limit() -> str:
    return current_app.config["NEWSLETTER_RATE_LIMIT"]


def wants_json() -> bool:
    accepted = request.accept_mimetypes
    return accepted.accept_json and not accepted.accept_html


def sent_from_our_page() -> bool:
    """The article's box is on a page caches serve, so it carries no reader's token: a post
    from a page of ours is known by its Origin (browsers send it, and no page can forge it);
    this page's own form carries a token, for browsers that leave Origin out."""
    if from_allowed_origin():
        return True
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return False
    return True


def sign_up_page(form: SignUpForm, status: int = 200, **context: object) -> Response:
    page = render_template("newsletter/subscribe.html", form=form, **context)
    return private(make_response(page, status))


@bp.get("/newsletter")
def subscribe():
    """The sign-up page: for readers without JavaScript, and for links from other pages."""
    return sign_up_page(SignUpForm(formdata=None, meta={"csrf": False}))


@bp.post("/newsletter")
@csrf.exempt  # checked in sent_from_our_page(): by Origin, or by this page's own token
@limiter.limit(newsletter_rate_limit, deduct_when=answered)
def subscribe_post():
    """Store the sign-up and owe its address a confirmation e-mail."""
    form = SignUpForm(meta={"csrf": False})
    valid = form.validate()
    if not sent_from_our_page():
        if wants_json():
            return jsonify(error=gettext("Please sign up from our own page.")), 403
        return sign_up_page(form, 400, notice="confirm")
    if not valid:
        if wants_json():
            return jsonify(error=next(iter(form.errors.values()))[0]), 422
        return sign_up_page(form, 422)
    if not form.website.data:  # a bot that filled the hidden field is told the same, and ignored
        service.subscribe(form.email.data)
    message = service.outcome_message(form.email.data)
    if wants_json():
        return private(jsonify(message=message))
    return sign_up_page(form, message=message)


@bp.get("/newsletter/confirm/<code>")
def confirm(code: str):
    """Ask the address's owner to confirm: a GET confirms nothing, so a mail scanner following
    the link cannot say yes for them."""
    subscriber = _find_or_404(code)
    page = render_template("newsletter/confirm.html", subscriber=subscriber, done=False)
    return private(make_response(page))


@bp.post("/newsletter/confirm/<code>")
def confirm_confirmed(code: str):
    """Confirm the subscription: the newsletter will come every Friday."""
    _find_or_404(code)
    subscriber = service.confirm(code)
    page = render_template("newsletter/confirm.html", subscriber=subscriber, done=True)
    return private(make_response(page))


@bp.get("/newsletter/unsubscribe/<token>")
def unsubscribe(token: str):
    """One button to leave; a GET changes nothing, so mail scanners unsubscribe nobody."""
    subscriber = _from_token_or_404(token)
    page = render_template("newsletter/unsubscribe.html", subscriber=subscriber, done=False)
    return private(make_response(page))


@bp.post("/newsletter/unsubscribe/<token>")
@csrf.exempt  # the signed link is the authority; mail clients' one-click POST has no token
def unsubscribe_confirmed(token: str):
    """Leave the newsletter (the button, or a mail client's List-Unsubscribe-Post)."""
    _from_token_or_404(token)
    subscriber = service.unsubscribe(token)
    page = render_template("newsletter/unsubscribe.html", subscriber=subscriber, done=True)
    return private(make_response(page))


def _find_or_404(code: str):
    try:
        return service.find_by_code(code)
    except service.SubscriberNotFound:
        abort(404, description=gettext("We could not find that sign-up. It may have been removed."))


def _from_token_or_404(token: str):
    try:
        return service.from_token(token)
    except service.SubscriberNotFound:
        abort(
            404,
            description=gettext("We could not find that subscription. It may have been removed."),
        )


@staff_bp.get("/")
def overview():
    """How many readers get the newsletter, and the export for the newsroom's mail service."""
    return render_template("newsletter/staff.html", figures=service.figures())


@staff_bp.get("/subscribers.csv")
def subscribers_csv():
    """Every confirmed subscriber with consent and unsubscribe link, as CSV, streamed."""
    rows = (
        [spreadsheet.safe_cell(cell) for cell in row] for row in service.confirmed_subscribers()
    )
    lines = spreadsheet.csv_lines(service.EXPORT_HEADER, rows)
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="newsletter-subscribers-{utcnow():%Y-%m-%d}.csv"'
            )
        },
    )
