"""Both languages in a real browser: the Russian article shows the Russian appeal, form and
component; the switch takes a reader to English and back, and links keep their choice; the
Russian pages pass axe and are photographed at a desktop's and a phone's width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from donations.demo import DEMO_SLUG, DEMO_SLUG_RU
from tests.browser.checks import serious_violations, sideways_overflow
from tests.browser.test_donate_in_browser import fill_checkout
from tests.checkout import GOOD_CARD

NBSP = "\xa0"


def appeal(page: Page):
    return page.locator("support-prompt[placement=article-end]")


def test_the_russian_article_asks_in_russian_and_the_switch_keeps_the_choice(
    page: Page, live_server
):
    page.goto(f"{live_server}/articles/{DEMO_SLUG_RU}")
    assert page.locator("html").get_attribute("lang") == "ru"
    expect(
        page.get_by_role("heading", name="Россия построит завод по производству дронов в Беларуси")
    ).to_be_visible()
    end = appeal(page)
    expect(end.get_by_role("heading", name="Обращение The Moscow Times:")).to_be_visible()
    # The form's script writes the button in the page's language, with Russian money.
    end.get_by_text("Ежемесячно", exact=True).click()
    expect(end.get_by_role("button", name=f"Поддержать: 5{NBSP}$ в месяц")).to_be_visible()
    end.get_by_label("Другая сумма").fill("1")
    expect(end.get_by_text(f"Ежемесячная поддержка — от 2{NBSP}$ в месяц.")).to_be_visible()
    # "Почему я это вижу?" is the component's own words, from the Russian configuration.
    expect(end.get_by_text("Почему я это вижу?")).to_be_visible()
    end.get_by_text("Почему я это вижу?").click()
    expect(end.get_by_text("Прочитано у нас за последние 30 дней: 1 статья.")).to_be_visible()

    # To English: the same article with English around it; and back to Russian.
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(
        appeal(page).get_by_role("heading", name="A Message from The Moscow Times:")
    ).to_be_visible()
    page.get_by_role("link", name="Русский").click()
    assert page.locator("html").get_attribute("lang") == "ru"
    # The choice is kept as the reader goes on: the masthead's ask, then the remind-me page.
    page.get_by_role("link", name="Поддержать", exact=True).click()
    expect(page.get_by_role("heading", name="Поддержите The Moscow Times")).to_be_visible()
    assert "lang=ru" in page.url
    page.goto(f"{live_server}/remind-me?lang=ru")
    expect(page.get_by_role("heading", name="Напомнить позже")).to_be_visible()
    expect(page.get_by_text("Когда напомнить?")).to_be_visible()


def test_an_english_reader_switches_to_russian_on_the_front_page(page: Page, live_server):
    page.goto(f"{live_server}/")
    expect(page.get_by_role("heading", name="Latest news")).to_be_visible()
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", name="Последние новости")).to_be_visible()
    page.get_by_role("link", name="Россия построит завод по производству дронов в Беларуси").click()
    expect(appeal(page).get_by_role("heading", name="Обращение The Moscow Times:")).to_be_visible()


@pytest.mark.parametrize(
    "path",
    [f"/articles/{DEMO_SLUG_RU}", "/support?lang=ru", "/remind-me?lang=ru", "/?lang=ru"],
)
def test_the_russian_pages_have_no_serious_accessibility_violations(
    browser: Browser, live_server, path
):
    # axe is injected as an inline script, which our CSP rightly blocks: bypass it for axe only.
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}{path}")
    page.wait_for_load_state("networkidle")
    serious = serious_violations(page)
    context.close()
    assert serious == []


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_in_both_languages(browser: Browser, live_server, screenshot, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for name, path in [
        ("ru-article", f"/articles/{DEMO_SLUG_RU}"),
        ("en-article", f"/articles/{DEMO_SLUG}"),
        ("ru-support", "/support?lang=ru"),
        ("ru-remind", "/remind-me?lang=ru"),
    ]:
        page.goto(f"{live_server}{path}")
        page.wait_for_load_state("networkidle")
        # Nothing is wider than the window: no word or button runs off a phone's screen.
        overflow = sideways_overflow(page)
        assert overflow <= 0, f"{name} is {overflow}px wider than the window"
        # The first screen alone, at a size a person can read it at.
        first = screenshot(page, f"languages-{name}-{width}").with_name(
            f"languages-{name}-{width}-top.png"
        )
        page.screenshot(path=str(first))
    context.close()


def test_a_russian_reader_gives_and_is_thanked_in_russian(page: Page, live_server):
    page.goto(f"{live_server}/articles/{DEMO_SLUG_RU}")
    end = appeal(page)
    end.get_by_text("Разово", exact=True).click()
    end.get_by_text(f"10{NBSP}$", exact=True).filter(visible=True).click()
    end.get_by_role("button", name=f"Поддержать: 10{NBSP}$").click()
    fill_checkout(page, GOOD_CARD)
    # Stripe's return page keeps the reader's language.
    expect(page.get_by_role("heading", name=f"Спасибо — 10{NBSP}$ разово")).to_be_visible()
    assert "lang=ru" in page.url
    assert page.locator("html").get_attribute("lang") == "ru"
