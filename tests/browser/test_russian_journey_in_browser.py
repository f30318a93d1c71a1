"""A Russian reader's whole journey in a real browser, at a phone's and a desktop's width: the
Russian article and its appeal, the donation form and its error summary, Checkout (the
sandbox), the thank-you page, remind-me, the newsletter sign-up and the privacy page. Each
page is in Russian, fits the window, has no serious axe finding and is photographed; the
"Other amount" field puts the symbol after the number, where Russian writes it ("25 $")."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from wsgiref.simple_server import make_server

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from donations.demo import DEMO_SLUG_RU
from tests.browser.checks import serious_violations, sideways_overflow
from tests.browser.test_donate_in_browser import fill_checkout
from tests.browser.test_prompts_embed import HOST_ORIGIN, HOST_PORT
from tests.checkout import GOOD_CARD

NBSP = "\xa0"


def look(page: Page, screenshot, name: str, width: int) -> None:
    """Nothing wider than the window, no serious axe finding, and a screenshot to look at."""
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "ru", name
    overflow = sideways_overflow(page)
    assert overflow <= 0, f"{name} is {overflow}px wider than the window at {width}px"
    serious = serious_violations(page)
    assert serious == [], name
    screenshot(page, f"ru-journey-{name}-{width}")


def symbol_follows_the_number(field: Locator, symbol: Locator) -> None:
    expect(symbol).to_have_text("$")
    assert symbol.bounding_box()["x"] > field.bounding_box()["x"]


@pytest.fixture
def russian_host_page(live_server) -> Iterator[str]:
    """A partner's Russian page on another origin that embeds the component."""
    html = f"""<!doctype html><html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Партнёр</title>
<script type="module" src="{live_server}/embed/support-prompt.js"></script></head>
<body><main><h1>Статья партнёра</h1><p>Репортаж на сайте партнёра.</p>
<support-prompt placement="article-end" article="partner-story"></support-prompt>
</main></body></html>"""

    def partner(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    server = make_server("127.0.0.1", HOST_PORT, partner)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield HOST_ORIGIN + "/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_components_money_field_writes_the_symbol_after_the_number_in_russian(
    page: Page, russian_host_page, screenshot
):
    page.goto(russian_host_page)
    appeal = page.get_by_role("region", name="Обращение The Moscow Times:")
    expect(appeal).to_be_visible()
    screenshot(page, "ru-journey-component-1280")
    symbol_follows_the_number(appeal.get_by_label("Другая сумма"), appeal.locator("[data-symbol]"))


@pytest.mark.parametrize("width", [390, 1280])
def test_a_russian_reader_goes_from_the_article_to_the_privacy_page(
    browser: Browser, live_server, screenshot, width
):
    # axe is injected as an inline script, which our CSP rightly blocks: bypass it for axe only.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)

    page.goto(f"{live_server}/articles/{DEMO_SLUG_RU}")
    end = page.locator("support-prompt[placement=article-end]")
    expect(end.get_by_role("heading", name="Обращение The Moscow Times:")).to_be_visible()
    # The article's appeal is the server's form, enhanced; the symbol is the server's choice.
    symbol_follows_the_number(
        end.locator("#other_amount"), end.locator(".money-input [data-symbol]")
    )
    look(page, screenshot, "article", width)

    page.get_by_role("link", name="Поддержать", exact=True).click()
    expect(page.get_by_role("heading", name="Поддержите The Moscow Times")).to_be_visible()
    other = page.get_by_label("Другая сумма")
    symbol_follows_the_number(other, page.locator(".money-input [data-symbol]"))
    look(page, screenshot, "form", width)
    page.get_by_text("Ежемесячно", exact=True).click()
    other.fill("1")
    page.locator("main form [data-submit]").click()
    expect(page.get_by_text("Есть проблема")).to_be_visible()
    expect(page.get_by_text(f"Ежемесячная поддержка — от 2{NBSP}$ в месяц.").first).to_be_visible()
    look(page, screenshot, "form-error", width)

    other.fill("25")
    page.get_by_role("button", name=f"Поддержать: 25{NBSP}$ в месяц").click()
    expect(page.get_by_label("Card number")).to_be_visible()
    screenshot(page, f"ru-journey-checkout-{width}")  # the sandbox's page, not ours
    fill_checkout(page, GOOD_CARD)
    expect(page.get_by_role("heading", name=f"Спасибо — 25{NBSP}$ каждый месяц")).to_be_visible()
    look(page, screenshot, "thank-you", width)

    page.goto(f"{live_server}/remind-me?lang=ru")
    expect(page.get_by_text("Когда напомнить?")).to_be_visible()
    look(page, screenshot, "remind", width)
    page.get_by_label("Ваш e-mail", exact=False).fill("reader@example.org")
    page.locator("[name=consent]").check()
    page.get_by_role("button", name="Напомнить").click()
    expect(page.get_by_text("Спасибо. Мы отправляем ссылку на reader@example.org")).to_be_visible()
    look(page, screenshot, "remind-asked", width)

    page.goto(f"{live_server}/newsletter?lang=ru")
    look(page, screenshot, "newsletter", width)
    page.get_by_label("E-mail", exact=False).first.fill("reader@example.org")
    page.locator("form.newsletter-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    look(page, screenshot, "newsletter-signed-up", width)

    page.goto(f"{live_server}/privacy?lang=ru")
    look(page, screenshot, "privacy", width)
    context.close()
