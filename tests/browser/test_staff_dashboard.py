"""The membership team's dashboard in a real browser: a sandbox donation shows up, an admin
refunds it, and Stripe's webhook brings the refund back."""

from __future__ import annotations

import itertools
import re

from playwright.sync_api import Browser, Page, expect

from donations.demo.pledges import seed_pledges
from donations.staff import auth
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_donate_in_browser import fill_checkout
from tests.checkout import GOOD_CARD

ADMIN = "admin@newsroom.example"
PASSWORD = "correct horse battery staple"


def make_admin(app) -> None:
    with app.app_context():
        auth.create_staff(ADMIN, "admin", PASSWORD)


def sign_in(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/staff/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()


def test_a_sandbox_donation_appears_and_an_admin_refunds_it(page: Page, live_server, app, sandbox):
    make_admin(app)
    page.goto(f"{live_server}/support?frequency=once&amount=25")
    page.get_by_role("button", name="Support $25").click()
    fill_checkout(page, GOOD_CARD)
    expect(page.get_by_role("heading", name=re.compile("Thank you"))).to_be_visible()
    sandbox.wait_for_deliveries()

    sign_in(page, live_server)
    raised = page.get_by_role("region", name="Money kept")
    expect(raised.get_by_role("row", name=re.compile("USD"))).to_contain_text("$25")

    page.get_by_role("link", name="Pledges").click()
    page.get_by_label("E-mail or Stripe id").fill("reader@example.org")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Showing 1–1 of 1 pledge")).to_be_visible()
    page.get_by_role("link", name="reader@example.org").click()
    expect(page.get_by_role("heading", name=re.compile(r"\$25 once"))).to_be_visible()
    expect(page.get_by_text("checkout.session.completed", exact=True)).to_be_visible()

    page.get_by_role("link", name="Refund…").click()
    page.get_by_label("Yes, refund this payment").check()
    page.get_by_role("button", name="Refund").click()
    expect(page.get_by_text(re.compile("Refund re_\\w+ requested"))).to_be_visible()
    sandbox.wait_for_deliveries()
    page.reload()
    expect(page.locator("h1 .badge")).to_have_text("refunded")
    expect(page.get_by_text("charge.refunded", exact=True)).to_be_visible()
    payments = page.get_by_role("region", name="Payments")
    expect(payments.get_by_role("row").nth(1)).to_contain_text("$25")
    expect(page.get_by_role("link", name="Refund…")).to_have_count(0)

    page.get_by_role("link", name="Overview").click()
    raised = page.get_by_role("region", name="Money kept")
    expect(raised.get_by_role("row", name=re.compile("USD"))).to_contain_text("$0")


def test_screenshots_of_the_dashboard(browser: Browser, live_server, app, screenshot):
    make_admin(app)
    with app.app_context():
        seed_pledges(3000, seed=11)
    for width, name in ((1280, "desktop"), (390, "mobile")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server)
        screenshot(page, f"staff-overview-{name}")
        page.goto(f"{live_server}/staff/pledges")
        expect(page.get_by_text(re.compile("abandoned checkouts .* are left out"))).to_be_visible()
        page.locator("form.filters").screenshot(path=str(SCREENSHOTS / f"staff-filters-{name}.png"))
        page.goto(f"{live_server}/staff/pledges?status=active")
        screenshot(page, f"staff-pledges-{name}")
        page.locator("table.list tbody a").first.click()
        expect(page.get_by_role("heading", name="Payments")).to_be_visible()
        screenshot(page, f"staff-pledge-{name}")
        context.close()


# Each visible label of the charts: its box, its chart's box, and the height it is drawn at.
CHART_LABELS = """
() => [...document.querySelectorAll('.chart')].map(chart => ({
  chart: chart.getBoundingClientRect().toJSON(),
  labels: [...chart.querySelectorAll('.chart__axis')]
    .filter(text => text.getClientRects().length > 0)
    .map(text => ({
      text: text.textContent,
      axis: text.closest('svg').classList.contains('chart__y') ? 'y' : 'x',
      box: text.getBoundingClientRect().toJSON(),
    })),
}))
"""


def test_the_charts_are_readable_on_a_desktop_and_on_a_phone(browser: Browser, live_server, app):
    make_admin(app)
    with app.app_context():
        seed_pledges(1500, seed=3)
    for width, name in ((1280, "desktop"), (390, "mobile")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        sign_in(page, live_server)
        charts = page.get_by_role("region", name="Daily, last 90 days")
        charts.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        charts.screenshot(path=str(SCREENSHOTS / f"staff-charts-{name}.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        found = page.evaluate(CHART_LABELS)
        assert len(found) == 2
        for chart in found:
            left, right = chart["chart"]["left"], chart["chart"]["right"]
            y_labels = [label for label in chart["labels"] if label["axis"] == "y"]
            dates = [label for label in chart["labels"] if label["axis"] == "x"]
            assert len(y_labels) == 3, (name, chart["labels"])
            assert len(dates) >= 2, (name, dates)
            for label in chart["labels"]:
                box = label["box"]
                # Inside its chart and the screen: nothing clipped, nothing scrolled away.
                assert left - 0.5 <= box["left"] and box["right"] <= right + 0.5, (name, label)
                assert box["left"] >= 0 and box["right"] <= width, (name, label)
                assert box["height"] >= 12, (name, label)  # drawn at 12 px, never shrunk
            # The last day is labelled and ends at the chart's right edge.
            assert abs(max(d["box"]["right"] for d in dates) - right) < 2, (name, dates)
            in_order = sorted(dates, key=lambda d: d["box"]["left"])
            for before, after in itertools.pairwise(in_order):
                assert before["box"]["right"] < after["box"]["left"], (name, before, after)
        context.close()
