"""The <support-prompt> component in a real browser: on our pages, and on another site's page."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.platform.extensions import db
from donations.prompts.models import PromptStat
from donations.reminders.models import Reminder
from tests.browser.checks import serious_violations
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_prompts_overlay import watch_console
from tests.conftest import free_port

HOST_PORT = free_port()
HOST_ORIGIN = f"http://127.0.0.1:{HOST_PORT}"
READING_ORDER = [DEMO_FILLER[0]["slug"], DEMO_FILLER[1]["slug"], DEMO_SLUG]


@pytest.fixture
def app(make_app):
    return make_app(EMBED_ALLOWED_ORIGINS=[HOST_ORIGIN])


@pytest.fixture
def host_page(live_server) -> Iterator[str]:
    """A partner's page on another origin that embeds the component from the live server."""
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Partner site</title>
<script type="module" src="{live_server}/embed/support-prompt.js"></script></head>
<body><main><h1>A partner's story</h1><p>Some reporting on a partner site.</p>
<support-prompt placement="article-end" article="partner-story"></support-prompt>
</main></body></html>"""

    def partner(environ, start_response):
        return Response(html, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", HOST_PORT, partner, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HOST_ORIGIN + "/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def read_three_articles(page: Page, live_server: str) -> None:
    for slug in READING_ORDER:
        page.goto(f"{live_server}/articles/{slug}")


def banner(page: Page):
    return page.get_by_role(
        "region", name="We, the journalists of The Moscow Times, refuse to be silenced."
    )


def test_the_banner_waits_for_the_third_article(page: Page, live_server):
    problems = watch_console(page)
    page.goto(f"{live_server}/articles/{READING_ORDER[0]}")
    page.wait_for_load_state("networkidle")
    expect(banner(page)).to_have_count(0)
    read_three_articles(page, live_server)
    expect(banner(page)).to_be_visible()
    assert problems == []


def test_closing_the_banner_keeps_it_away(page: Page, live_server):
    read_three_articles(page, live_server)
    with page.expect_request("**/api/prompt/events"):  # the dismissal is counted
        banner(page).get_by_role("button", name="Close").click()
    expect(banner(page)).to_be_hidden()
    page.goto(f"{live_server}/articles/{DEMO_FILLER[2]['slug']}")
    page.wait_for_load_state("networkidle")
    expect(banner(page)).to_have_count(0)


def test_remind_me_later_with_an_email_silences_the_asks_on_reload(page: Page, live_server, app):
    read_three_articles(page, live_server)
    expect(page.locator("#appeal-heading")).to_be_visible()
    box = banner(page)
    box.get_by_role("button", name="Remind me later.").click()
    box.get_by_label("Your e-mail (optional)").fill("not an address")
    box.get_by_label("Yes, you may e-mail me").check()
    box.get_by_role("button", name="Remind me", exact=True).click()
    expect(box.get_by_role("alert")).to_have_text(re.compile("should look like name@example.org"))
    box.get_by_label("Your e-mail (optional)").fill("reader@example.org")
    box.get_by_role("button", name="Remind me", exact=True).click()
    expect(box.get_by_role("status")).to_have_text(
        re.compile("open it to confirm, and we’ll remind you in")
    )
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#appeal-heading")).to_be_hidden()
    expect(banner(page)).to_have_count(0)
    with app.app_context():
        assert db.session.scalars(select(Reminder)).one().email == "reader@example.org"


def test_remind_me_later_opens_in_place_under_the_end_appeal(page: Page, live_server, app):
    problems = watch_console(page)
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    page.get_by_role("link", name="Remind me later.").click()
    expect(page).to_have_url(re.compile(r"/articles/"))  # no trip to the remind-me page
    email = page.get_by_label("Your e-mail (optional)")
    expect(email).to_be_focused()
    email.fill("later@example.org")
    page.get_by_label("Yes, you may e-mail me").check()
    page.get_by_role("button", name="Remind me", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(
        re.compile("open it to confirm, and we’ll remind you in")
    )
    page.reload()
    expect(
        page.get_by_role("heading", name="Russia to Build Drone Factory in Belarus")
    ).to_be_visible()
    expect(page.locator("#appeal-heading")).to_be_hidden()
    with app.app_context():
        assert db.session.scalars(select(Reminder)).one().email == "later@example.org"
    assert problems == []


def test_the_component_works_on_another_sites_page(page: Page, host_page, live_server, app):
    problems = watch_console(page)
    page.goto(host_page)
    appeal = page.get_by_role("region", name="A Message from The Moscow Times:")
    expect(appeal).to_be_visible()
    appeal.get_by_text("Annual", exact=True).click()
    appeal.get_by_text("$100", exact=True).filter(visible=True).click()
    appeal.get_by_role("button", name="Support $100/year").click()
    expect(page).to_have_url(re.compile(re.escape(live_server) + r"/support\?"))
    assert "frequency=annual" in page.url and "amount=100" in page.url
    assert "placement=article-end" in page.url and "prompt=appeal" in page.url
    expect(page.locator("[data-submit]")).to_have_text("Support $100/year")
    page.wait_for_load_state("networkidle")  # the beacon with the Continue click has landed
    with app.app_context():
        kinds = {row.kind for row in db.session.scalars(select(PromptStat))}
        assert {"impression", "continue"} <= kinds
    assert problems == []


def test_remind_me_later_works_from_another_site(page: Page, host_page, app):
    page.goto(host_page)
    appeal = page.get_by_role("region", name="A Message from The Moscow Times:")
    appeal.get_by_role("button", name="Remind me later.").click()
    appeal.get_by_role("button", name="Remind me", exact=True).click()
    expect(appeal.get_by_role("status")).to_have_text(
        re.compile("won’t ask you to support us for 7 days")
    )
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("region", name="A Message from The Moscow Times:")).to_have_count(0)


def test_a_keyboard_alone_can_donate_from_the_component(page: Page, host_page, live_server):
    page.goto(host_page)
    expect(page.get_by_role("region", name="A Message from The Moscow Times:")).to_be_visible()
    page.keyboard.press("Tab")  # the checked frequency: Monthly
    page.keyboard.press("ArrowRight")  # Annual
    page.keyboard.press("Tab")  # the checked amount: $50
    page.keyboard.press("ArrowRight")  # $100
    page.keyboard.press("Tab")  # Other amount
    page.keyboard.press("Tab")  # Currency
    page.keyboard.press("Tab")  # Support $100/year
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/support\?.*frequency=annual"))
    submit = page.locator("[data-submit]")
    expect(submit).to_have_text("Support $100/year")
    submit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("$100.00")).to_be_visible()  # the sandbox's Checkout page


def test_the_remind_me_page_snoozes_this_device_too(page: Page, live_server):
    page.goto(f"{live_server}/remind-me?article={DEMO_SLUG}&placement=article-end")
    page.get_by_role("button", name="Remind me", exact=True).click()
    expect(page.get_by_role("heading", name="We won’t ask for now")).to_be_visible()
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#appeal-heading")).to_be_hidden()


def test_a_banner_gives_way_once_the_reader_reaches_the_end_appeal(page: Page, live_server):
    read_three_articles(page, live_server)
    expect(banner(page)).to_be_visible()
    page.locator("#appeal-heading").scroll_into_view_if_needed()
    expect(banner(page)).to_be_hidden()


def test_an_article_view_asks_the_service_for_nothing_but_its_configuration(
    page: Page, live_server
):
    asked = []
    page.on("request", lambda request: asked.append((request.method, request.url)))
    page.goto(f"{live_server}/articles/{READING_ORDER[0]}")
    page.wait_for_load_state("networkidle")
    calls = [(method, url) for method, url in asked if "/api/" in url or "/support?" in url]
    assert calls == [("GET", f"{live_server}/api/prompt/config?lang=en")]


@pytest.mark.parametrize("path", [f"/articles/{DEMO_SLUG}", "/support", "/remind-me"])
def test_no_serious_accessibility_violations(browser, live_server, path):
    context = browser.new_context(bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    assert serious_violations(page) == []
    context.close()


def test_the_banner_passes_axe(browser, live_server):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    read_three_articles(page, live_server)
    expect(banner(page)).to_be_visible()
    assert serious_violations(page) == []
    context.close()


def test_screenshots_of_the_banner_and_the_end_appeal(browser, live_server, host_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, name in ((1280, "desktop"), (390, "mobile")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        read_three_articles(page, live_server)
        expect(banner(page)).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"prompt-banner-{name}.png"))
        first_visit = browser.new_context(viewport={"width": width, "height": 900})
        fresh = first_visit.new_page()
        fresh.goto(f"{live_server}/articles/{DEMO_SLUG}")
        fresh.locator("section.appeal").screenshot(
            path=str(SCREENSHOTS / f"prompt-article-end-{name}.png")
        )
        fresh.get_by_role("link", name="Remind me later.").click()
        fresh.locator("support-prompt[placement=article-end]").screenshot(
            path=str(SCREENSHOTS / f"prompt-remind-{name}.png")
        )
        first_visit.close()
        page.goto(host_page)
        expect(page.get_by_role("region", name="A Message from The Moscow Times:")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"prompt-embedded-{name}.png"), full_page=True)
        context.close()


def test_the_demo_host_page_shows_a_live_prompt(page: Page, live_server):
    problems = watch_console(page)
    page.goto(f"{live_server}/embed/demo")
    expect(page.get_by_role("region", name="A Message from The Moscow Times:")).to_be_visible()
    assert problems == []
