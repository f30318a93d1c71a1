"""A reader donates from the article page in a real browser, through the sandbox's Checkout."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.payments.enums import PledgeStatus
from donations.payments.models import Payment, Pledge
from donations.platform.extensions import db
from tests.checkout import DECLINED_CARD, GOOD_CARD


def open_article(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    expect(
        page.get_by_role("heading", name="Russia to Build Drone Factory in Belarus")
    ).to_be_visible()


def fill_checkout(page: Page, card: str) -> None:
    page.get_by_label("Email").fill("reader@example.org")
    page.get_by_label("Card number").fill(card)
    page.get_by_label("Expiry").fill("12 / 34")
    page.get_by_label("CVC").fill("123")
    page.get_by_label("Name on card").fill("Ann Reader")
    page.get_by_role("button", name=re.compile("^(Pay|Donate)")).click()


def test_donate_ten_dollars_once_from_the_article(page: Page, live_server, app, screenshot):
    visited = []
    page.on("request", lambda request: visited.append(request.url))
    open_article(page, live_server)
    page.get_by_text("Once", exact=True).click()
    page.get_by_text("$10", exact=True).filter(visible=True).click()
    submit = page.get_by_role("button", name="Support $10")
    expect(submit).to_be_visible()
    submit.click()
    expect(page.get_by_text("$10.00")).to_be_visible()
    # Straight from the article to Checkout, with a form token fetched when the reader began.
    assert f"{live_server}/support/token" in visited
    assert not [url for url in visited if url.startswith(f"{live_server}/support?")]
    fill_checkout(page, GOOD_CARD)
    expect(page.get_by_role("heading", name="Thank you — $10 once")).to_be_visible()
    screenshot(page, "thank-you-desktop")
    with app.app_context():
        pledge = db.session.scalars(select(Pledge)).one()
        assert pledge.status == PledgeStatus.PAID
        assert pledge.placement == "article-end"
    # Back on the article, this device thanks the donor instead of asking again.
    page.get_by_role("link", name="Back to the news").click()
    expect(page.get_by_text("Thank you for supporting The Moscow Times.")).to_be_visible()
    expect(page.locator("#appeal-heading")).to_be_hidden()


def test_donate_five_dollars_monthly_by_default(page: Page, live_server, app):
    open_article(page, live_server)
    page.get_by_role("button", name="Support $5/month").click()
    fill_checkout(page, GOOD_CARD)
    expect(page.get_by_role("heading", name="Thank you — $5 every month")).to_be_visible()
    with app.app_context():
        pledge = db.session.scalars(select(Pledge)).one()
        assert (pledge.status, pledge.frequency, pledge.amount) == ("active", "monthly", 500)
    # A monthly supporter is asked nothing more on this device, the banner included.
    for slug in (DEMO_SLUG, DEMO_FILLER[0]["slug"], DEMO_FILLER[1]["slug"]):
        page.goto(f"{live_server}/articles/{slug}")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#appeal-heading")).to_be_hidden()
    expect(page.get_by_text("Thank you for supporting")).to_have_count(0)
    expect(page.get_by_role("region", name=re.compile("refuse to be silenced"))).to_have_count(0)


def test_declined_card_shows_the_decline_and_nothing_is_paid(page: Page, live_server, app, sandbox):
    open_article(page, live_server)
    page.get_by_role("button", name="Support $5/month").click()
    fill_checkout(page, DECLINED_CARD)
    expect(page.get_by_text("Your card was declined.")).to_be_visible()
    sandbox.wait_for_deliveries()
    with app.app_context():
        assert db.session.scalars(select(Pledge)).one().status == PledgeStatus.PENDING
        assert db.session.scalars(select(Payment)).all() == []


def test_tabs_swap_presets_without_a_reload(page: Page, live_server):
    open_article(page, live_server)
    page.evaluate("window.notReloaded = true")
    page.get_by_text("Annual", exact=True).click()
    labels = page.locator(".amount-grid__label").filter(visible=True)
    expect(labels).to_have_text(["$25", "$50", "$100", "$200"])
    expect(page.locator("[data-submit]")).to_have_text("Support $50/year")
    page.get_by_label("Currency").select_option("gbp")
    expect(labels).to_have_text(["£25", "£50", "£100", "£200"])
    page.get_by_label("Other amount").fill("75")
    expect(page.locator("[data-submit]")).to_have_text("Support £75/year")
    assert page.evaluate("window.notReloaded") is True


def test_the_form_works_with_the_keyboard_alone(page: Page, live_server, app):
    open_article(page, live_server)
    page.locator("#frequency-monthly").focus()
    page.keyboard.press("ArrowRight")  # Monthly -> Annual, as a radio group does
    expect(page.locator("#frequency-annual")).to_be_checked()
    expect(page.locator("[data-submit]")).to_have_text("Support $50/year")
    page.keyboard.press("Tab")  # into the amounts: the checked preset
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-submit]")).to_have_text("Support $100/year")
    page.locator("[data-submit]").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("$100.00")).to_be_visible()
    with app.app_context():
        pledge = db.session.scalars(select(Pledge)).one()
        assert (pledge.frequency, pledge.amount) == ("annual", 10000)


def test_the_articles_form_works_without_javascript(browser, live_server, app):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    page.locator("label[for=frequency-once]").click()
    page.get_by_label("Other amount").fill("12")
    page.locator("[data-submit]").click()
    # The cached page has no reader's token: the donation page carries the choice on.
    expect(page).to_have_url(re.compile(r"/support\?"))
    expect(page.get_by_role("button", name="Support $12")).to_be_visible()
    page.locator("[data-submit]").click()
    expect(page.get_by_text("$12.00")).to_be_visible()
    context.close()
    with app.app_context():
        pledge = db.session.scalars(select(Pledge)).one()
        assert (pledge.amount, pledge.placement, pledge.article_slug) == (
            1200,
            "article-end",
            DEMO_SLUG,
        )


def test_the_form_works_without_javascript(browser, live_server, app):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server}/support")
    page.locator("label[for=frequency-once]").click()
    page.get_by_label("Other amount").fill("12")
    page.locator("[data-submit]").click()
    expect(page.get_by_text("$12.00")).to_be_visible()
    context.close()
    with app.app_context():
        assert db.session.scalars(select(Pledge)).one().amount == 1200


def test_screenshots_of_the_article_and_form(browser, live_server, screenshot):
    for width, name in ((1280, "desktop"), (390, "mobile")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(f"{live_server}/articles/{DEMO_SLUG}")
        screenshot(page, f"article-{name}")
        page.goto(f"{live_server}/support?frequency=once")
        page.get_by_label("Other amount").fill("0.5")
        page.locator("[data-submit]").click()
        expect(page.locator("[data-error-summary]")).to_be_focused()
        screenshot(page, f"form-error-{name}")
        context.close()
