"""Views of remind-me-later: the form (and its JSON twin for the prompt component), its result,
and the reminder's cancel page."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from donations.platform.database import utcnow
from donations.platform.extensions import csrf, limiter
from donations.platform.web import allow_embedding, answered, posted_json, private
from donations.reminders import bp, service
from donations.reminders.forms import RemindForm

# What the component may post besides consent, as the form names it.
REMIND_FIELDS = ("email", "month", "article", "placement", "variant")

allow_embedding(bp)


def remind_rate_limit() -> str:
    return current_app.config["REMIND_RATE_LIMIT"]


def back_url(form: RemindForm) -> str:
    article = form.safe_article()
    if article:
        return url_for("articles.article", slug=article)
    return url_for("articles.index")


def remind_as_asked(form: RemindForm, now: datetime) -> service.RemindOutcome:
    return service.remind(
        form.email.data or None,
        form.chosen_month(),
        now,
        article_slug=form.safe_article(),
        placement=form.safe_placement(),
        variant=form.safe_variant(),
    )


@bp.get("/remind-me")
def remind_form():
    """The remind-me form, for readers without JavaScript and for links in other places."""
    form = RemindForm(utcnow(), formdata=None, data=request.args.to_dict())
    page = render_template("reminders/remind.html", form=form, back=back_url(form))
    return private(make_response(page))


@bp.post("/remind-me")
@limiter.limit(remind_rate_limit, methods=["POST"], deduct_when=answered)
def remind():
    """Store the reminder (with an e-mail) and tell this device to stop asking until then."""
    now = utcnow()
    form = RemindForm(now)
    if not form.validate():
        page = render_template("reminders/remind.html", form=form, back=back_url(form))
        return private(make_response(page, 422))
    outcome = remind_as_asked(form, now)
    page = render_template(
        "reminders/done.html",
        outcome=outcome,
        message=service.outcome_message(outcome),
        back=back_url(form),
    )
    return private(make_response(page))


@bp.post("/api/reminders")
@csrf.exempt  # no cookies are read or set: the page's Origin is what is checked
@limiter.limit(remind_rate_limit, deduct_when=answered)
def remind_api():
    """Remind me later from the prompt component: the same rules as the form."""
    data = posted_json("This site may not ask for reminders.")
    now = utcnow()
    fields = {k: str(v) for k, v in data.items() if k in REMIND_FIELDS}
    if data.get("consent") is True:
        fields["consent"] = "y"
    form = RemindForm(now, formdata=MultiDict(fields), meta={"csrf": False})
    if not form.validate():
        errors = {name: messages[0] for name, messages in form.errors.items()}
        return jsonify(error=next(iter(errors.values())), fields=errors), 422
    outcome = remind_as_asked(form, now)
    return jsonify(
        message=service.outcome_message(outcome), until=outcome.snoozed_until.isoformat()
    )


# The links in reminders' e-mails ask on GET and act only on POST, so a mail scanner following
# them changes nothing.


@bp.get("/reminders/<code>/confirm")
def confirm(code: str):
    """Ask the address's owner to confirm the reminder."""
    return _answer("confirm", _find_or_404(code), done=False)


@bp.post("/reminders/<code>/confirm")
def confirm_confirmed(code: str):
    """Confirm the reminder: it will be sent in its month."""
    _find_or_404(code)
    return _answer("confirm", service.confirm(code), done=True)


@bp.get("/reminders/<code>/cancel")
def cancel(code: str):
    """Ask to confirm the cancel."""
    return _answer("cancel", _find_or_404(code), done=False)


@bp.post("/reminders/<code>/cancel")
def cancel_confirmed(code: str):
    """Cancel the reminder."""
    _find_or_404(code)
    return _answer("cancel", service.cancel(code), done=True)


def _answer(page: str, reminder, *, done: bool):
    html = render_template(f"reminders/{page}.html", reminder=reminder, done=done)
    return private(make_response(html))


def _find_or_404(code: str):
    try:
        return service.find_by_code(code)
    except service.ReminderNotFound:
        abort(
            404, description=gettext("We could not find that reminder. It may have been removed.")
        )
