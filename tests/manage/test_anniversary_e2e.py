"""A year-old monthly pledge's anniversary over real HTTP: the sandbox's clock makes it a year
old, the e-mail goes through a real SMTP server, the donor follows its link, confirms, and the
raise comes back by Stripe's webhook and is charged at the next renewal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import select

from donations.payments.models import PledgeChange
from donations.platform.extensions import db
from donations.staff import queries, retention
from tests.conftest import serving
from tests.test_lifecycle_e2e import advance, donate, settle


@pytest.fixture
def anniversary_world(make_app, own_sandbox, smtp_inbox):
    app = make_app(
        stripe_api_base=own_sandbox.url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_inbox.port,
        ANNIVERSARY_EMAILS=True,
    )
    with serving(app, own_sandbox) as url, app.app_context():
        yield app, url, own_sandbox, smtp_inbox


def anniversary_email(inbox):
    found = [m for m in inbox.messages if m["Subject"].startswith("Thank you for your support")]
    assert len(found) == 1, [m["Subject"] for m in inbox.messages]
    return found[0].get_body(("plain",)).get_content()


def test_a_year_old_pledge_is_raised_from_its_anniversary_email(anniversary_world):
    app, url, sandbox, inbox = anniversary_world
    runner = app.test_cli_runner()
    pledge = donate(url, sandbox, "monthly", "5")
    advance(runner, sandbox, 366)  # twelve renewals: a year and a day of the sandbox's clock
    db.session.refresh(pledge)
    assert len(pledge.payments) == 13
    first = pledge.payments[0].paid_at
    day = first.replace(year=first.year + 1).date()

    early = runner.invoke(
        args=["mail", "queue-anniversaries", "--on", f"{day - timedelta(days=1)}"]
    )
    assert early.output.startswith("0 ")
    queued = runner.invoke(args=["mail", "queue-anniversaries", "--on", f"{day}"])
    assert queued.exit_code == 0 and queued.output.startswith("1 "), queued.output
    settle(sandbox)  # sends the queued e-mails
    text = anniversary_email(inbox)
    assert "Thank you for a year of support" in text and "you have given $65." in text
    link = re.search(rf"{re.escape(url)}/support/raise/\S+", text).group(0)

    browser = requests.Session()
    page = browser.get(link, timeout=10)
    assert page.status_code == 200
    assert "Raise your monthly support from $5 to $10?" in page.text
    next_payment = pledge.current_period_end
    assert f"{next_payment:%B %-d, %Y}" in page.text
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.amount == 500  # following the link changed nothing

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    done = browser.post(link, data={"csrf_token": token}, timeout=10)
    assert done.status_code == 200 and "$10 a month from your next payment" in done.text
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.amount_before, change.amount_after) == ("upgrade", 500, 1000)
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.amount == 1000  # from Stripe's customer.subscription.updated

    again = browser.post(link, data={"csrf_token": token}, timeout=10)
    assert again.status_code == 410 and "already raised" in again.text

    advance(runner, sandbox, 31)
    db.session.refresh(pledge)
    assert [p.amount for p in pledge.payments][-2:] == [500, 1000]

    figures = retention.anniversary_figures(queries.window(30, None, datetime.now(UTC)))
    assert (figures.sent, figures.opened, figures.used, figures.confirmed) == (1, 1, 1, 1)
    assert [str(m) for m in figures.added] == ["$5"]
