"""Remind me later: the remind-me form, reminder e-mails, one-click cancel, `reminders send-due`."""

from __future__ import annotations

import time

import click
from flask import Blueprint, Flask
from flask.cli import AppGroup

from donations.platform import seams

bp = Blueprint("reminders", __name__)
cli = AppGroup("reminders", help="Reminder e-mails readers asked for.")


@cli.command("send-due")
@click.option(
    "--every",
    type=click.IntRange(1, 3600),
    default=None,
    help="Keep running, sending every N seconds (development); once when left out.",
)
def send_due_command(every: int | None) -> None:
    """Send owed confirmations, then the reminders that are due, each once (safe to run on
    several machines at once)."""
    from donations.reminders.service import send_confirmations, send_due

    while True:
        confirmations, reminders = send_confirmations(), send_due()
        if confirmations or reminders or every is None:
            click.echo(f"sent {confirmations} confirmation(s), {reminders} reminder(s)")
        if every is None:
            return
        time.sleep(every)


def init_app(app: Flask) -> None:
    from donations.reminders import models, service, views  # noqa: F401  (models; routes)

    app.register_blueprint(bp)
    app.cli.add_command(cli)
    seams.provide(app, "reminder_months", service.months_on_offer)
    seams.provide(app, "reminder_figures", service.reminder_figures)
    seams.provide(app, "reminder_unsubscribes", service.unsubscribes_by_variant)
