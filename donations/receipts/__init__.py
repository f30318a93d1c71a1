"""Receipts: the year-end statement each donor gets of what they gave (`receipts year-end`)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

receipts_cli = AppGroup("receipts", help="Donors' statements of what they gave.")


@receipts_cli.command("year-end")
@click.argument("year", type=click.IntRange(2000, 2999))
@click.option("--dry-run", is_flag=True, help="Say who would get a statement; send nothing.")
def year_end_command(year: int, dry_run: bool) -> None:
    """E-mail each donor one statement of YEAR's gifts; safe to run again (sends what is left)."""
    from donations.receipts.statements import send_year_end

    report = send_year_end(year, dry_run=dry_run)
    click.echo(report.in_words())
    if report.failed:
        raise click.ClickException(f"{report.failed} statement(s) could not be sent: run it again.")


def init_app(app: Flask) -> None:
    from donations.receipts import models  # noqa: F401  (models for create_all)

    app.cli.add_command(receipts_cli)
