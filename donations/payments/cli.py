"""The payment core's commands: `flask --app app stripe …` (replay stored events, reconcile
with Stripe, check the account's webhook endpoints, drive the sandbox) and
`flask --app app mail send-notices` / `queue-anniversaries` (donors' e-mails)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
import requests
from flask import current_app
from flask.cli import AppGroup

from donations.payments import anniversaries, recovery
from donations.payments.notices import send_pending_notices
from donations.payments.stripe_gateway import API_VERSION, PaymentServiceError, gateway
from donations.payments.webhooks.handlers import HANDLERS
from donations.payments.webhooks.processor import replay_event
from donations.payments.webhooks.reconcile import reconcile
from donations.platform import outbox

stripe_cli = AppGroup("stripe", help="Stripe operations: replay, reconcile, sandbox.")
mail_cli = AppGroup("mail", help="Outgoing donor e-mail.")


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
    click.echo(f"{event_id}: {result.outcome}{': ' + result.words if result.details else ''}")


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


@stripe_cli.command("check-endpoint")
def check_endpoint_command() -> None:
    """List the account's webhook endpoints and say what this app's one is missing."""
    expected = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/stripe/webhook"
    try:
        endpoints = gateway().webhook_endpoints()
    except PaymentServiceError as error:
        raise click.ClickException(f"Stripe could not be read: {error}") from None
    ours = [e for e in endpoints if e["url"] == expected]
    for endpoint in endpoints:
        marker = "this app" if endpoint in ours else "another endpoint"
        version = endpoint.get("api_version") or "the account's default version"
        click.echo(
            f"{endpoint['id']}  {endpoint['url']}  ({marker}; {endpoint['status']}; {version}; "
            f"{len(endpoint['enabled_events'])} event type(s))"
        )
    if not ours:
        raise click.ClickException(
            f"No endpoint sends to {expected}. Add one in the Dashboard (Developers → Webhooks) "
            f"with API version {API_VERSION} and these events: {', '.join(HANDLERS)}"
            + ("" if endpoints else ". (The account has no webhook endpoint at all.)")
        )
    problems = [problem for endpoint in ours for problem in endpoint_problems(endpoint)]
    for problem in problems:
        click.echo(f"  ✗ {problem}")
    if problems:
        raise click.ClickException(f"{len(problems)} thing(s) to change on the endpoint.")
    click.echo(f"✓ {expected} is enabled, at {API_VERSION}, with every event the app handles.")


def endpoint_problems(endpoint: dict) -> list[str]:
    """What is wrong with a webhook endpoint for this app, in words saying what to change."""
    problems = []
    if endpoint["status"] != "enabled":
        problems.append(f"it is {endpoint['status']}: enable it")
    version = endpoint.get("api_version")
    if version is None:
        problems.append(
            f"it sends events at the account's default version, which may not be {API_VERSION}: "
            f"make a new endpoint with API version {API_VERSION} (an endpoint's version is set "
            "when it is made) and delete this one"
        )
    elif version != API_VERSION:
        problems.append(
            f"endpoint API version {version}; this app reads {API_VERSION}; set the endpoint's "
            f"version to {API_VERSION} (make a new endpoint with it, then delete this one)"
        )
    enabled = set(endpoint["enabled_events"])
    missing = [kind for kind in HANDLERS if kind not in enabled and "*" not in enabled]
    if missing:
        problems.append(f"these events are not enabled: {', '.join(missing)}")
    return problems


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


@mail_cli.command("send-notices")
@outbox.every_option
def send_notices_command(every: int | None) -> None:
    """Send queued thank-you and payment-failed e-mails, and the reminders to finish an
    abandoned Checkout that are due; safe to run on several machines."""

    def send() -> tuple[int, str]:
        sent = send_pending_notices() + recovery.send_due()
        return sent, f"{sent} e-mail(s) sent."

    outbox.keep_sending(every, send)


@mail_cli.command("queue-anniversaries")
@click.option(
    "--on",
    "day",
    help="The day (YYYY-MM-DD, UTC) whose anniversaries to queue; today by default. A day "
    "missed by cron can be caught up the next morning.",
)
@outbox.every_option
def queue_anniversaries_command(day: str | None, every: int | None) -> None:
    """Queue the anniversary e-mails due today (ANNIVERSARY_EMAILS), each with its offer to
    raise the gift; `send-notices` sends them. Rerunning the same day queues nothing new."""
    try:
        fixed = None if day is None else date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter("use a date like 2026-11-01", param_hint="--on") from None
    if not current_app.config["ANNIVERSARY_EMAILS"]:
        click.echo("ANNIVERSARY_EMAILS is off: nothing queued.")
        return

    def queue() -> tuple[int, str]:
        on = fixed or datetime.now(UTC).date()
        queued = anniversaries.queue_anniversaries(on)
        return queued, f"{queued} anniversary e-mail(s) queued for {on:%Y-%m-%d}."

    outbox.keep_sending(every, queue)
