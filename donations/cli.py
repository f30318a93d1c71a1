"""Command-line tasks: `flask --app app <command>`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from donations.demo import seed_demo
from donations.stripe_cli import stripe_cli


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Store the demo article and its appeal (safe to run again)."""
    for line in seed_demo():
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(stripe_cli)
