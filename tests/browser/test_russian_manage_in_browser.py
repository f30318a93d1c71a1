"""A Russian donor's manage pages in a real browser, through the sandbox: from the e-mailed
link (which keeps `lang=ru`) to the cancel page, the save offer, the cancelled page and the
win-back reminder. Each is in Russian with Russian money and dates, fits a 390 px phone, has
no serious axe finding, and is photographed at 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from donations.payments.donor_links import manage_url
from donations.platform.extensions import db
from donations.platform.i18n import speaking
from donations.reminders.models import WIN_BACK, Reminder
from tests.browser.test_manage_in_browser import PHONE, check
from tests.conftest import serving
from tests.test_lifecycle_e2e import donate, settle

NBSP = "\xa0"
# Words only an English page would show: a Russian page left half-translated shows them.
ENGLISH = re.compile(r"\b(the|your|donation|month|cancel|every|and)\b", re.IGNORECASE)


@pytest.fixture
def russian_donor(make_app, sandbox, smtp_inbox):
    """A monthly 5 $ donor who gave from a Russian page, and the manage link they were sent."""
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)
    with serving(app, sandbox) as url, app.app_context():
        pledge = donate(url, sandbox, "monthly", "5")
        pledge.language = "ru"
        db.session.commit()
        with speaking(pledge.language):
            link = manage_url(pledge)
        yield pledge, link, sandbox


@pytest.fixture
def phone(browser):
    # axe is injected as an inline script, which our CSP rightly blocks: bypass it for axe only.
    context = browser.new_context(viewport=PHONE, bypass_csp=True, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def in_russian(page: Page, name: str) -> None:
    """The page says it is Russian, and no English sentence was left in its main text."""
    assert page.locator("html").get_attribute("lang") == "ru", name
    main = page.locator("main").inner_text()
    assert not ENGLISH.findall(main.replace("The Moscow Times", "")), (name, main)


def test_a_russian_donor_cancels_declines_the_offer_and_asks_to_be_won_back(
    phone: Page, russian_donor, screenshot
):
    pledge, link, sandbox = russian_donor
    assert "lang=ru" in link
    page = phone
    page.goto(link)
    expect(page.get_by_role("heading", name="Ваше пожертвование")).to_be_visible()
    expect(page.get_by_text(f"5{NBSP}$ каждый месяц").first).to_be_visible()
    in_russian(page, "manage")
    check(page, screenshot, "ru-manage-page")

    page.get_by_role("link", name="Отменить это пожертвование").click()
    expect(page.get_by_role("heading", name=f"Отменить: 5{NBSP}$ каждый месяц")).to_be_visible()
    in_russian(page, "cancel")
    check(page, screenshot, "ru-manage-cancel")
    page.get_by_label("Сейчас я не могу себе этого позволить").check()
    page.get_by_role("button", name="Отменить пожертвование").click()

    expect(
        page.get_by_role("heading", name="Может быть, помогла бы меньшая сумма?")
    ).to_be_visible()
    # What a Russian donor would say: "Лучше жертвовать", not a word-for-word "Давать".
    expect(page.get_by_role("button", name=f"Лучше жертвовать 2{NBSP}$ в месяц")).to_be_visible()
    in_russian(page, "save offer")
    check(page, screenshot, "ru-manage-save-offer")
    page.get_by_role("button", name="Нет, спасибо, отменить пожертвование").click()

    expect(page.get_by_role("heading", name="Ваше пожертвование будет прекращено")).to_be_visible()
    in_russian(page, "cancelled")
    check(page, screenshot, "ru-manage-cancelled")
    settle(sandbox)
    db.session.refresh(pledge)
    assert pledge.cancel_at_period_end is True
    page.get_by_role("button", name="Напомнить через 3 месяца").click()
    expect(
        page.get_by_text(re.compile(r"пригласим вас вернуться\. Месяц письма: [а-я]+ \d{4}\."))
    ).to_be_visible()
    in_russian(page, "win-back")
    check(page, screenshot, "ru-manage-win-back")
    [reminder] = db.session.scalars(select(Reminder)).all()
    assert (reminder.kind, reminder.language) == (WIN_BACK, "ru")
