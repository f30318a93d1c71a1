"""`flask --app app mail send-notices`: send the donor e-mails webhooks queued (from cron)."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from donations.donor_mail import send_pending_notices

mail_cli = AppGroup("mail", help="Outgoing donor e-mail.")


@mail_cli.command("send-notices")
@click.option(
    "--every",
    type=click.IntRange(1, 3600),
    default=None,
    help="Keep running, sending every N seconds (development); once when left out.",
)
def send_notices_command(every: int | None) -> None:
    """Send queued thank-you and payment-failed e-mails; safe to run on several machines."""
    while True:
        sent = send_pending_notices()
        if sent or every is None:
            click.echo(f"{sent} e-mail(s) sent.")
        if every is None:
            return
        time.sleep(every)
