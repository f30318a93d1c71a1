"""Sending owed e-mails exactly once, from several machines at once: the claim-and-send loop
that double opt-in confirmations (reminders, the newsletter) share.

On PostgreSQL each row is claimed with SELECT … FOR UPDATE SKIP LOCKED, and on every database
the claim is a conditional UPDATE, so a second sender finds the row taken or already sent. The
e-mail goes out while the claim is held and the send is recorded in the same transaction; a
mail server's refusal rolls the claim back, so the e-mail stays owed for the next run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import click
from sqlalchemy import ColumnElement, delete, select, update

from donations.platform.extensions import db
from donations.platform.mail import MailError

log = logging.getLogger(__name__)


def send_each_once(
    model: Any,
    owed: ColumnElement[bool],
    claim: dict[str, Any],
    send: Callable[[Any], None],
) -> int:
    """Send `send(row)` for every row of `model` matching `owed`, claiming each by setting
    `claim` (which must make `owed` false); returns how many were sent."""
    sent = 0
    failed: set[int] = set()
    while True:
        row = db.session.scalar(
            select(model)
            .where(owed, model.id.not_in(failed))
            .order_by(model.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if row is None:
            db.session.rollback()
            return sent
        claimed = db.session.execute(
            update(model)
            .where(model.id == row.id, owed)
            .values(**claim)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            db.session.rollback()  # another sender took it first
            continue
        try:
            send(row)
        except MailError:
            log.exception("%s %s not sent; it stays owed", model.__name__, row.id)
            db.session.rollback()
            failed.add(row.id)
            continue
        db.session.commit()
        sent += 1


def send_confirmations(
    model: Any, send: Callable[[Any], None], now: datetime, kept: timedelta
) -> int:
    """Double opt-in: e-mail each owed confirmation once (rows with `confirmed_at` and
    `confirmation_sent_at`), and first delete what nobody confirmed within `kept`."""
    db.session.execute(
        delete(model).where(model.confirmed_at.is_(None), model.confirmation_sent_at < now - kept)
    )
    db.session.commit()
    return send_each_once(
        model, model.confirmation_sent_at.is_(None), {"confirmation_sent_at": now}, send
    )


# The senders' commands run once (cron), or with --every as make run's background loop.
every_option = click.option(
    "--every",
    type=click.IntRange(1, 3600),
    default=None,
    help="Keep running, sending every N seconds (development); once when left out.",
)


def keep_sending(every: int | None, send: Callable[[], tuple[int, str]]) -> None:
    """Run `send` (how many went, and words saying so) once, or every `every` seconds; a loop
    speaks only when something was sent."""
    while True:
        sent, words = send()
        if sent or every is None:
            click.echo(words)
        if every is None:
            return
        time.sleep(every)
