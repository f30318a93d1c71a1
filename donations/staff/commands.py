"""`flask --app app staff …`: create, list and disable staff accounts, and set a password."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from donations.staff import auth
from donations.staff.models import ROLES, VIEWER

staff_cli = AppGroup("staff", help="Staff accounts for the pledge dashboard.")

PASSWORD_STDIN = click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input instead."
)


def password_from_stdin(wanted: bool) -> str | None:
    """The first line of standard input when asked for (an error if there is none), else None
    for a generated password."""
    if not wanted:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.UsageError(
            "--password-stdin: standard input has no password on its first line."
        )
    return password


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default=VIEWER, show_default=True)
@PASSWORD_STDIN
def create_command(email: str, role: str, password_stdin: bool) -> None:
    """Create a staff account and print its password (generated unless read from stdin)."""
    try:
        user, password = auth.create_staff(email, role, password_from_stdin(password_stdin))
    except auth.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} {user.email}")
    if not password_stdin:
        click.echo(f"Password: {password}")


@staff_cli.command("set-password")
@click.argument("email")
@PASSWORD_STDIN
def set_password_command(email: str, password_stdin: bool) -> None:
    """Give an account a new password (printed unless read from stdin); its sessions end."""
    try:
        user, password = auth.set_password(email, password_from_stdin(password_stdin))
    except auth.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {user.email}; its sessions are signed out.")
    if not password_stdin:
        click.echo(f"Password: {password}")


@staff_cli.command("list")
def list_command() -> None:
    """List staff accounts with their role and state."""
    for user in auth.all_staff():
        state = "disabled" if user.disabled else "active"
        last = (
            user.last_signed_in_at.strftime("%Y-%m-%d %H:%M") if user.last_signed_in_at else "never"
        )
        click.echo(f"{user.email}\t{user.role}\t{state}\tlast sign-in {last}")


@staff_cli.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Disable a staff account: it can no longer sign in, and open sessions end."""
    try:
        user = auth.disable_staff(email)
    except auth.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled {user.email}")
