"""An anniversary e-mail's raise link in a real browser: the page asks, the button raises the
monthly pledge through the sandbox, and the link then says it was used."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from donations.payments import anniversaries
from donations.payments.models import Pledge, UpgradeOffer
from donations.platform.extensions import db
from tests.browser.test_thank_you_in_browser import both_widths
from tests.test_lifecycle_e2e import donate, settle


def test_the_raise_link_asks_then_raises_the_pledge_once(
    page: Page, live_server, app, sandbox, screenshot
):
    with app.app_context():
        pledge = donate(live_server, sandbox, "monthly", "5")
        # The offer `mail queue-anniversaries` stores with a year-old pledge's e-mail.
        offer = UpgradeOffer(
            pledge_id=pledge.id, year=1, amount_before=500, amount_offered=1000,
            currency="usd", frequency="monthly",
        )  # fmt: skip
        db.session.add(offer)
        db.session.commit()
        link = anniversaries.offer_url(offer)
        next_payment = f"{pledge.current_period_end:%B %-d, %Y}"
        pledge_id = pledge.id

    page.goto(link)
    expect(
        page.get_by_role("heading", name="Raise your monthly support from $5 to $10?")
    ).to_be_visible()
    expect(page.get_by_text(f"starts with your next payment on {next_payment}")).to_be_visible()
    both_widths(page, screenshot, "raise-confirm")

    page.get_by_role("button", name="Yes, give $10 a month").click()
    expect(
        page.get_by_text("Your donation will be $10 a month from your next payment")
    ).to_be_visible()
    with app.app_context():
        settle(sandbox)
        assert db.session.get(Pledge, pledge_id).amount == 1000

    page.goto(link)
    expect(page.get_by_role("heading", name="This link has been used")).to_be_visible()
