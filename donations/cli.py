"""App-level commands (`flask --app app <command>`): the demo data and deletion requests.

Each feature registers its own commands (`stripe`, `mail`, `staff`, `reminders`) in its init_app.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from donations.demo import seed_demo
from donations.demo.experiments import seed_experiment
from donations.demo.pledges import seed_pledges
from donations.privacy import privacy_cli


@click.command("seed-demo")
@click.option(
    "--pledges",
    type=click.IntRange(min=1),
    default=None,
    help="Also store this many made-up pledges with a year of payments, and a running "
    "experiment with two weeks of results, for the dashboard.",
)
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same data.")
@with_appcontext
def seed_demo_command(pledges: int | None, seed: int) -> None:
    """Store the demo article and its appeal (safe to run again)."""
    for line in seed_demo():
        click.echo(line)
    if pledges:
        click.echo(seed_pledges(pledges, seed=seed))
        click.echo(seed_experiment(seed=seed))


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(privacy_cli)
