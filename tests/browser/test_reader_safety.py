"""Reader pages in a real browser under DONOR_SAFETY: nothing asked of any third party before
the reader chooses to pay, the newsletter box signing up in place, axe on the new pages, and
screenshots at desktop and phone widths."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from donations.demo import DEMO_SLUG
from donations.newsletter.models import NewsletterSubscriber
from donations.platform.extensions import db
from tests.browser.checks import serious_violations

NEW_PAGES = (f"/articles/{DEMO_SLUG}", "/", "/newsletter", "/privacy", "/support")


@pytest.fixture
def app(make_app):
    return make_app(DONOR_SAFETY=True)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_reader_pages_ask_no_third_party_for_anything_before_the_reader_pays(
    page: Page, live_server
):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    page.locator("#newsletter-box-email").fill("reader@example.org")  # the box's script runs
    page.get_by_role("button", name="Subscribe").click()
    expect(page.locator(".newsletter-box [data-status]")).to_contain_text("open it to confirm")
    page.locator("form.donate").first.focus()  # the donation form fetches its token
    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/support")
    page.get_by_label("Other amount").fill("7")
    page.wait_for_load_state("networkidle")
    assert len(requested) >= 8  # pages, styles, scripts and calls were all seen
    elsewhere = [url for url in requested if not url.startswith(("data:", "blob:"))]
    assert [url for url in elsewhere if origin(url) != live_server] == []


def test_the_newsletter_box_signs_up_in_place(app, page: Page, live_server):
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    box = page.locator(".newsletter-box")
    box.get_by_label("Your e-mail").fill("Box.Reader@example.org")
    box.get_by_role("button", name="Subscribe").click()
    expect(box.get_by_role("status")).to_have_text(
        "Thank you. We’re e-mailing box.reader@example.org a link: open it to confirm, and the "
        "newsletter will arrive every Friday."
    )
    assert page.url.endswith(f"/articles/{DEMO_SLUG}")
    with app.app_context():
        [row] = db.session.scalars(select(NewsletterSubscriber)).all()
        assert row.email == "box.reader@example.org" and row.confirmed_at is None


@pytest.mark.parametrize("path", NEW_PAGES)
def test_the_new_pages_have_no_serious_accessibility_violations(browser, live_server, path):
    # axe is injected as an inline script, which our CSP rightly blocks: bypass it for axe only.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    serious = serious_violations(page)
    context.close()
    assert serious == []


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_article_box_read_more_and_newsletter_page(
    browser, live_server, screenshot, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    expect(page.locator(".read-more")).to_be_visible()
    screenshot(page, f"newsletter-article-{width}")
    page.goto(f"{live_server}/newsletter")
    screenshot(page, f"newsletter-page-{width}")
    page.goto(f"{live_server}/support")
    screenshot(page, f"support-anonymous-{width}")
    context.close()
