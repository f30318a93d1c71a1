"""The donor's manage page on a 390 px phone, in a real browser, through the sandbox: open it
from the e-mailed link, change the amount, pause, then cancel, decline the save offer and ask
for a win-back reminder. Each page fits the screen and has no serious axe finding; screenshots
at 390 and 1280 px go to test-artifacts/screenshots/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from donations.payments.donor_links import manage_url
from donations.payments.models import PledgeChange
from donations.platform.extensions import db
from donations.reminders.models import WIN_BACK, Reminder
from tests.browser.checks import serious_violations, sideways_overflow
from tests.conftest import serving
from tests.test_lifecycle_e2e import donate, settle

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def donor(make_app, sandbox, smtp_inbox):
    """A monthly $5 donor, the app serving on a real port, and the donor's manage link."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with serving(app, sandbox) as url, app.app_context():
        pledge = donate(url, sandbox, "monthly", "5")
        yield pledge, manage_url(pledge), sandbox


@pytest.fixture
def phone(browser):
    # axe is injected as an inline script, which our CSP rightly blocks: bypass it for axe only.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def check(page: Page, screenshot, name: str) -> None:
    """No sideways scrolling at 390 px, no serious axe finding, and screenshots at both widths."""
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 390px"
    serious = serious_violations(page)
    assert serious == [], name
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)


def test_a_donor_changes_pauses_and_cancels_on_a_phone(phone: Page, donor, screenshot):
    pledge, link, sandbox = donor
    page = phone
    page.goto(link)
    expect(page.get_by_role("heading", name="Your donation")).to_be_visible()
    expect(page.get_by_text("$5 every month")).to_be_visible()
    check(page, screenshot, "manage-page")

    page.get_by_label("New amount (USD)").fill("7")
    page.get_by_role("button", name="Change amount").click()
    expect(page.get_by_text("Your donation will be $7 from the next payment.")).to_be_visible()
    settle(sandbox)
    page.get_by_role("link", name="Back to your donation").click()
    expect(page.get_by_text("$7 every month")).to_be_visible()

    page.get_by_label("Pause for").select_option("1")
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.get_by_text("Your donation is paused")).to_be_visible()
    settle(sandbox)
    page.get_by_role("link", name="Back to your donation").click()
    expect(page.get_by_text("paused until")).to_be_visible()
    check(page, screenshot, "manage-page-paused")

    page.get_by_role("link", name="Cancel this donation").click()
    expect(page.get_by_role("heading", name="Cancel $7 every month")).to_be_visible()
    check(page, screenshot, "manage-cancel")
    page.get_by_label("I can't afford it right now").check()
    page.get_by_role("button", name="Cancel my donation").click()

    expect(page.get_by_role("heading", name="Would a smaller amount help?")).to_be_visible()
    expect(page.get_by_role("button", name="Give $5 every month instead")).to_be_visible()
    check(page, screenshot, "manage-save-offer")
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is False  # nothing sent before the donor decides
    page.get_by_role("button", name="No thanks, cancel my donation").click()

    expect(page.get_by_role("heading", name="Your donation will end")).to_be_visible()
    check(page, screenshot, "manage-cancelled")
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is True
    page.get_by_role("button", name="Remind me in 3 months").click()
    expect(page.get_by_text("We will e-mail donor@example.org in")).to_be_visible()
    check(page, screenshot, "manage-win-back")

    kinds = [c.kind for c in db.session.scalars(select(PledgeChange).order_by(PledgeChange.id))]
    assert kinds == ["amount", "pause", "cancel"]
    [reminder] = db.session.scalars(select(Reminder)).all()
    assert (reminder.kind, reminder.gift_amount) == (WIN_BACK, 700)


def test_a_donor_who_wants_a_break_takes_the_pause_offer_on_a_phone(phone: Page, donor, screenshot):
    pledge, link, sandbox = donor
    page = phone
    page.goto(link)
    page.get_by_role("link", name="Cancel this donation").click()
    page.get_by_label("I'm taking a break from the news").check()
    page.get_by_role("button", name="Cancel my donation").click()
    expect(page.get_by_role("heading", name="Would a break help?")).to_be_visible()
    check(page, screenshot, "manage-save-offer-pause")
    page.get_by_label("Pause for").select_option("2")
    page.get_by_role("button", name="Pause my donation").click()
    expect(page.get_by_text("Thank you for staying. Your donation is paused")).to_be_visible()
    settle(sandbox)
    db.session.refresh(pledge)
    assert (pledge.collection_paused, pledge.cancel_at_period_end) == (True, False)
    [change] = db.session.scalars(select(PledgeChange)).all()
    assert (change.kind, change.save_offer, change.reason) == ("pause", "pause", "break")
