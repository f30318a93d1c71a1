"""`flask --app app privacy forget EMAIL`: act on a reader's deletion request."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from donations.privacy import forget

privacy_cli = AppGroup("privacy", help="Readers' data: deletion requests.")


@privacy_cli.command("forget")
@click.argument("email")
def forget_command(email: str) -> None:
    """Remove EMAIL from reminders, pledges, stored Stripe events and the audit log."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    for what, count in forget(email).items():
        click.echo(f"{what}: {count}")
    click.echo("Done. Stripe keeps its own copy: delete the customer in Stripe's dashboard too.")
