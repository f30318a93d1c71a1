"""Remind me later: the remind-me form, reminder e-mails, one-click cancel, `reminders send-due`."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.cli import AppGroup

from donations.platform import outbox, seams

bp = Blueprint("reminders", __name__)
cli = AppGroup("reminders", help="Reminder e-mails readers asked for.")


@cli.command("send-due")
@outbox.every_option
def send_due_command(every: int | None) -> None:
    """Send owed confirmations, then the reminders that are due, each once (safe to run on
    several machines at once)."""
    from donations.reminders.service import send_confirmations, send_due

    def send() -> tuple[int, str]:
        confirmations, reminders = send_confirmations(), send_due()
        words = f"sent {confirmations} confirmation(s), {reminders} reminder(s)"
        return confirmations + reminders, words

    outbox.keep_sending(every, send)


def init_app(app: Flask) -> None:
    from donations.reminders import models, service, views  # noqa: F401  (models; routes)

    app.register_blueprint(bp)
    app.cli.add_command(cli)
    seams.provide(app, "reminder_months", service.months_on_offer)
    seams.provide(app, "reminder_figures", service.reminder_figures)
    seams.provide(app, "reminder_unsubscribes", service.unsubscribes_by_variant)
    seams.provide(app, "schedule_win_back", service.schedule_win_back)
    seams.provide(app, "win_back_figures", service.win_back_figures)
