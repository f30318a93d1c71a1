"""`flask --app app stripe …`: replay stored events, reconcile with Stripe, drive the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime

import click
import requests
from flask import current_app
from flask.cli import AppGroup

from donations.stripe_gateway import PaymentServiceError
from donations.webhooks.processor import replay_event
from donations.webhooks.reconcile import reconcile

stripe_cli = AppGroup("stripe", help="Stripe operations: replay, reconcile, sandbox.")


@stripe_cli.command("replay")
@click.argument("event_id")
def replay_command(event_id: str) -> None:
    """Apply a stored Stripe event again (harmless when it was applied already)."""
    try:
        result = replay_event(event_id)
    except LookupError:
        raise click.ClickException(
            f"No stored event {event_id!r}. `flask stripe reconcile` fetches what was missed."
        ) from None
    click.echo(f"{event_id}: {result.outcome}{': ' + result.reason if result.reason else ''}")


@stripe_cli.command("reconcile")
@click.option(
    "--since",
    required=True,
    help="Start date (YYYY-MM-DD, UTC) of the checkout sessions and invoices to check.",
)
def reconcile_command(since: str) -> None:
    """Read sessions, invoices and subscriptions back from Stripe and repair what is missing."""
    try:
        start = datetime.strptime(since, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise click.BadParameter("use a date like 2026-11-01", param_hint="--since") from None
    if start > datetime.now(UTC):
        raise click.BadParameter("the date is in the future", param_hint="--since")
    changed = 0
    try:
        for change in reconcile(start):
            click.echo(change)
            changed += 1
    except PaymentServiceError as error:
        raise click.ClickException(f"Stripe could not be read: {error}") from None
    click.echo(f"{changed} change(s)." if changed else "Nothing to repair.")


@stripe_cli.group("sandbox")
def sandbox_group() -> None:
    """Drive the local Stripe sandbox (STRIPE_API_BASE)."""


@sandbox_group.command("advance")
@click.option("--days", type=click.IntRange(1, 3650), required=True, help="Days to move forward.")
def advance_command(days: int) -> None:
    """Move the sandbox's test clock forward: subscriptions renew, retry or lapse."""
    base = current_app.config.get("STRIPE_API_BASE")
    if not base:
        raise click.ClickException("STRIPE_API_BASE is not set: this talks to the sandbox only.")
    try:
        response = requests.post(f"{base}/_sandbox/clock/advance", data={"days": days}, timeout=30)
        response.raise_for_status()
    except requests.RequestException as error:
        raise click.ClickException(f"The sandbox did not answer: {error}") from None
    click.echo(f"Sandbox clock moved {days} day(s): {response.json()}")
