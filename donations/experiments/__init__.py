"""Experiments on prompts: variants of copy, amounts and cadence, assigned in readers' browsers,
with honest statistics and guardrails that stop a variant doing harm."""

from __future__ import annotations

import click
from flask import Blueprint, Flask, current_app
from flask.cli import AppGroup

from donations.platform import seams
from donations.platform.access import staff_pages

bp = Blueprint("experiments", __name__, url_prefix="/staff/experiments")
staff_pages(bp)
experiments_cli = AppGroup("experiments", help="Experiments on prompts.")


@experiments_cli.command("check")
def check_command() -> None:
    """Stop the running variants that breached a guardrail (cron: every hour)."""
    from donations.experiments.service import enforce_guardrails

    stopped = enforce_guardrails(current_app.config["DONATION_DEFAULT_CURRENCY"])
    for line in stopped:
        click.echo(line)
    click.echo(f"{len(stopped)} variant(s) stopped.")


def init_app(app: Flask) -> None:
    from donations.experiments import models, service, views  # noqa: F401  (models; routes)

    app.register_blueprint(bp)
    app.cli.add_command(experiments_cli)
    seams.provide(app, "running_experiments", service.for_readers)
