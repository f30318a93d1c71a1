"""Views of remind-me-later: the form, its result, and the reminder's cancel page."""

from __future__ import annotations

from flask import abort, current_app, make_response, render_template, request, url_for

from donations.extensions import limiter
from donations.models import utcnow
from donations.prompts import reader_state
from donations.prompts import service as prompts
from donations.reminders import bp, service
from donations.reminders.forms import RemindForm


def remind_rate_limit() -> str:
    return current_app.config["REMIND_RATE_LIMIT"]


def back_url(form: RemindForm) -> str:
    article = form.safe_article()
    if article:
        return url_for("articles.article", slug=article)
    return url_for("articles.index")


@bp.get("/remind-me")
def remind_form():
    """The remind-me form, for readers without JavaScript and for links in other places."""
    form = RemindForm(utcnow(), formdata=None, data=request.args.to_dict())
    return render_template("reminders/remind.html", form=form, back=back_url(form))


@bp.post("/remind-me")
@limiter.limit(remind_rate_limit, methods=["POST"])
def remind():
    """Snooze the asks on this device and, with an e-mail, store one reminder for that month."""
    now = utcnow()
    form = RemindForm(now)
    if not form.validate():
        return render_template("reminders/remind.html", form=form, back=back_url(form)), 422
    outcome = service.remind(
        form.email.data or None,
        form.chosen_month(),
        now,
        article_slug=form.safe_article(),
        placement=form.safe_placement(),
    )
    if form.safe_placement():
        prompts.record_events([("appeal", form.safe_placement(), "default", "remind")])
    response = make_response(
        render_template(
            "reminders/done.html",
            outcome=outcome,
            message=service.outcome_message(outcome),
            back=back_url(form),
        )
    )
    state = reader_state.load(request)
    state.snooze(outcome.snoozed_until)
    reader_state.save(state, response)
    return response


@bp.get("/reminders/<code>/cancel")
def cancel(code: str):
    """Ask to confirm: a GET never cancels, so mail scanners following links change nothing."""
    reminder = _find_or_404(code)
    return render_template("reminders/cancel.html", reminder=reminder, done=False)


@bp.post("/reminders/<code>/cancel")
def cancel_confirmed(code: str):
    """Cancel the reminder."""
    _find_or_404(code)
    reminder = service.cancel(code)
    return render_template("reminders/cancel.html", reminder=reminder, done=True)


def _find_or_404(code: str):
    try:
        return service.find_by_code(code)
    except service.ReminderNotFound:
        abort(404, description="We could not find that reminder. It may have been removed.")
