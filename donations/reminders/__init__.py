"""Remind me later: the remind-me form, reminder e-mails, one-click cancel, `reminders send-due`."""

from __future__ import annotations

import click
from flask import Blueprint, Flask
from flask.cli import AppGroup

bp = Blueprint("reminders", __name__)
cli = AppGroup("reminders", help="Reminder e-mails readers asked for.")


@cli.command("send-due")
def send_due_command() -> None:
    """Send the reminders that are due, each once (safe to run on several machines at once)."""
    from donations.reminders.service import send_due

    click.echo(f"sent {send_due()} reminder(s)")


def init_app(app: Flask) -> None:
    from donations.reminders import models, views  # noqa: F401  (models for create_all; routes)

    app.register_blueprint(bp)
    app.cli.add_command(cli)
