"""After a one-off gift, the reader makes it monthly from next month with one click on the
thank-you page, in a real browser, through the sandbox."""

from __future__ import annotations

import re

import stripe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from donations.payments.enums import PledgeStatus
from donations.payments.models import Pledge
from donations.payments.pledges import first_of_next_month
from donations.platform.extensions import db
from tests.browser.test_donate_in_browser import fill_checkout, open_article
from tests.checkout import GOOD_CARD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def both_widths(page: Page, screenshot, name: str) -> None:
    screenshot(page, f"{name}-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_one_click_makes_a_one_off_gift_monthly_from_next_month(
    page: Page, live_server, app, sandbox, screenshot
):
    open_article(page, live_server)
    page.get_by_text("Once", exact=True).click()
    page.get_by_text("$10", exact=True).filter(visible=True).click()
    page.get_by_role("button", name="Support $10").click()
    fill_checkout(page, GOOD_CARD)
    expect(page.get_by_role("heading", name="Thank you — $10 once")).to_be_visible()
    offer = page.get_by_role("region", name="Make it monthly from next month")
    expect(offer).to_be_visible()
    both_widths(page, screenshot, "thank-you-monthly-offer")

    offer.get_by_role("button", name="Give $10 every month").click()

    # The page refreshes itself until Stripe's webhook has confirmed the monthly pledge.
    expect(page.get_by_role("heading", name="Your monthly gift is set up")).to_be_visible(
        timeout=20_000
    )
    both_widths(page, screenshot, "thank-you-monthly-set-up")
    with app.app_context():
        gift, monthly = db.session.scalars(select(Pledge).order_by(Pledge.id)).all()
        assert (monthly.frequency, monthly.amount, monthly.status) == (
            "monthly",
            1000,
            PledgeStatus.ACTIVE,
        )
        assert monthly.converted_from_id == gift.id
        client = stripe.StripeClient("sk_test_sandbox", base_addresses={"api": sandbox.url})
        subscription = client.v1.subscriptions.retrieve(monthly.subscription_id)
        first_invoice = int(first_of_next_month(monthly.created_at).timestamp())
    assert subscription.customer == gift.customer_id
    assert subscription.billing_cycle_anchor == first_invoice
    assert subscription["items"].data[0].current_period_end == first_invoice
    expect(page.get_by_text(re.compile(r"\$10 every month, on the same card"))).to_be_visible()
