"""The soft paywall's overlay in a real browser: a real dialog, closed by Escape or its button."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from donations.demo import DEMO_FILLER, DEMO_SLUG
from tests.browser.checks import serious_violations
from tests.browser.conftest import SCREENSHOTS

READING_ORDER = [DEMO_FILLER[0]["slug"], DEMO_FILLER[1]["slug"], DEMO_SLUG]


@pytest.fixture
def app(make_app):
    return make_app(PAYWALL_MODE="soft", PAYWALL_FREE_ARTICLES=2)


def watch_console(page: Page) -> list[str]:
    """Errors and warnings in the console (a CSP block shows up here); the favicon aside."""
    problems: list[str] = []

    def note(message) -> None:
        if message.type in ("error", "warning") and "favicon" not in message.location["url"]:
            problems.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def read_three_articles(page: Page, live_server: str) -> None:
    for slug in READING_ORDER[:2]:
        page.goto(f"{live_server}/articles/{slug}")
        expect(page.locator("support-prompt[placement=overlay]")).to_be_attached()
        expect(page.get_by_role("dialog")).to_have_count(0)
    page.goto(f"{live_server}/articles/{READING_ORDER[2]}")


def test_the_overlay_opens_on_the_third_article_and_closes_with_escape(page: Page, live_server):
    problems = watch_console(page)
    read_three_articles(page, live_server)
    dialog = page.get_by_role("dialog", name="A Message from The Moscow Times:")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUPPORT-PROMPT"  # focus inside
    with page.expect_request("**/api/prompt/events"):  # the dismissal is counted
        page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.wait_for_function("document.activeElement === document.body", timeout=3000)
    page.goto(f"{live_server}/articles/{DEMO_FILLER[2]['slug']}")
    expect(page.locator("support-prompt[placement=overlay]")).to_be_attached()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("dialog")).to_have_count(0)  # dismissed: 14 days of quiet
    assert problems == []


def test_the_overlay_closes_with_its_button_and_returns_focus(page: Page, live_server):
    read_three_articles(page, live_server)
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.wait_for_timeout(300)  # nothing closes it by itself
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    # The browser gives focus back as the dialog closes; wait for it rather than race it.
    page.wait_for_function("document.activeElement === document.body", timeout=3000)


def test_the_overlay_has_no_serious_accessibility_violations(browser, live_server):
    # axe is injected as an inline script, which our CSP rightly blocks: bypass it for axe only.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    read_three_articles(page, live_server)
    expect(page.get_by_role("dialog")).to_be_visible()
    assert serious_violations(page) == []
    context.close()


def test_screenshots_of_the_overlay(browser, live_server):
    for width, name in ((1280, "desktop"), (390, "mobile")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        read_three_articles(page, live_server)
        expect(page.get_by_role("dialog")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"prompt-overlay-{name}.png"))  # the viewport
        context.close()
