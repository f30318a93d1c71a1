"""Command-line tasks: `flask --app app <command>`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from donations.demo import seed_demo
from donations.mail_cli import mail_cli
from donations.privacy_cli import privacy_cli
from donations.staff.commands import staff_cli
from donations.staff.demo_data import seed_pledges
from donations.stripe_cli import stripe_cli


@click.command("seed-demo")
@click.option(
    "--pledges",
    type=click.IntRange(min=1),
    default=None,
    help="Also store this many made-up pledges with a year of payments, for the dashboard.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@with_appcontext
def seed_demo_command(pledges: int | None, seed: int) -> None:
    """Store the demo article and its appeal (safe to run again)."""
    for line in seed_demo():
        click.echo(line)
    if pledges:
        click.echo(seed_pledges(pledges, seed=seed))


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(staff_cli)
    app.cli.add_command(stripe_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(privacy_cli)
