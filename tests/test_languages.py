"""Two languages: an article's own language decides its page, `?lang=` switches any page and
every link keeps it, Russian plurals are right, and money and dates follow the locale."""

from __future__ import annotations

import os
import re
import shutil
import time
from datetime import UTC, date, datetime
from gettext import GNUTranslations
from pathlib import Path

import pytest
from flask_babel import force_locale, format_date, ngettext

from donations.demo import DEMO_SLUG, DEMO_SLUG_RU
from donations.payments.amounts import donation_rules, pledge_summary
from donations.payments.money import Money
from donations.platform.i18n import compile_catalogues, plural_forms
from donations.platform.text import wait_in_words
from donations.prompts.configuration import configuration
from tests.conftest import csrf_token
from tests.prompts.node import READ_INPUT, run_module

NBSP = "\xa0"


def links_on(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def test_a_russian_article_speaks_russian_around_it(client):
    page = client.get(f"/articles/{DEMO_SLUG_RU}").get_data(as_text=True)
    assert '<html lang="ru">' in page
    assert "Россия построит завод по производству дронов в Беларуси" in page
    assert "Обращение The Moscow Times:" in page  # the Russian appeal, not the English one
    assert "Как часто вы хотите жертвовать?" in page  # the donation form's own words
    assert "15 мая 2025\u202fг." in page  # the date, as Russian writes it (a narrow space)
    assert "Перейти к содержанию" in page and "Skip to content" not in page
    assert "A Message from The Moscow Times" not in page


def test_an_english_article_is_as_it_was(client):
    page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "A Message from The Moscow Times:" in page
    assert "May 15, 2025" in page
    assert "How often would you like to give?" in page
    # Links of the default language carry no ?lang=, so English URLs are unchanged.
    assert [url for url in links_on(page) if "lang=" in url] == [f"/articles/{DEMO_SLUG}?lang=ru"]


def test_the_reader_switches_and_every_link_keeps_the_language(client):
    english = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    switch = re.search(r'<a href="([^"]+)" lang="ru" hreflang="ru">Русский</a>', english)
    assert switch, "the English page links to itself in Russian"
    russian = client.get(switch.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert '<html lang="ru">' in russian and "Обращение The Moscow Times:" in russian
    site_links = [url for url in links_on(russian) if url.startswith("/") and "/static/" not in url]
    # Every link of ours keeps Russian, but the switch back to English.
    assert [url for url in site_links if "lang=ru" not in url] == [f"/articles/{DEMO_SLUG}?lang=en"]
    # The form and what follows it speak Russian too.
    form = client.get("/support?lang=ru").get_data(as_text=True)
    assert "Поддержите The Moscow Times" in form and 'action="/support?lang=ru"' in form


def test_a_russian_article_can_be_read_with_english_around_it(client):
    page = client.get(f"/articles/{DEMO_SLUG_RU}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "A Message from The Moscow Times:" in page


def test_an_unknown_language_is_a_404_that_names_the_ones_there_are(client):
    response = client.get(f"/articles/{DEMO_SLUG}?lang=de")
    assert response.status_code == 404
    assert "There are pages in en, ru only" in response.get_data(as_text=True)


def test_form_errors_come_in_the_readers_language(client):
    data = {"csrf_token": csrf_token(client), "frequency": "monthly", "other_amount": "1"}
    response = client.post("/support?lang=ru", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Ежемесячная поддержка — от 2{NBSP}$ в месяц." in page
    assert "Есть проблема" in page
    assert "Monthly support starts at" not in page


def test_russian_plurals_for_counts(app):
    with app.test_request_context("/?lang=ru"):
        words = [
            ngettext("{n} article", "{n} articles", n).replace("{n}", str(n))
            for n in (1, 2, 5, 21, 11)
        ]
        assert words == ["1 статья", "2 статьи", "5 статей", "21 статья", "11 статей"]
        assert [wait_in_words(s) for s in (1, 3, 40, 300)] == [
            "1 секунду",
            "3 секунды",
            "40 секунд",
            "5 минут",
        ]
        forms = plural_forms(lambda n: ngettext("{n} article", "{n} articles", n))
        assert forms == {"one": "{n} статья", "few": "{n} статьи", "many": "{n} статей"}
    with app.test_request_context("/"):
        assert plural_forms(lambda n: ngettext("{n} article", "{n} articles", n)) == {
            "one": "{n} article",
            "other": "{n} articles",
        }


def test_the_component_picks_the_russian_plural_in_the_browser(app):
    with app.test_request_context("/api/prompt/config?lang=ru"):
        words = configuration("ru")["words"]
    script = (
        READ_INPUT
        + """
const lines = [1, 2, 5].map((read) => component.explain(
  { reason: "eligible", facts: { read, windowDays: 30, views: 0 } }, input.words, "ru")[0]);
process.stdout.write(JSON.stringify(lines));
"""
    )
    assert run_module(script, {"words": words}) == [
        "Прочитано у нас за последние 30 дней: 1 статья.",
        "Прочитано у нас за последние 30 дней: 2 статьи.",
        "Прочитано у нас за последние 30 дней: 5 статей.",
    ]


def test_the_configuration_speaks_its_language(client):
    russian = client.get("/api/prompt/config?lang=ru").get_json()
    assert russian["language"] == "ru"
    assert russian["appeals"]["article-end"]["heading"] == "Обращение The Moscow Times:"
    assert set(russian["appeals"]) == {"article-end", "banner", "overlay"}
    assert russian["words"]["why"] == "Почему я это вижу?"
    assert russian["form"]["frequencies"] == [
        ["once", "Разово"],
        ["monthly", "Ежемесячно"],
        ["annual", "Раз в год"],
    ]
    assert russian["links"]["support"].endswith("/support?lang=ru")
    english = client.get("/api/prompt/config?lang=en").get_json()
    assert english["words"]["why"] == "Why am I seeing this?"
    assert english["links"]["support"].endswith("/support")


@pytest.mark.parametrize(
    "language, money, summary, day",
    [
        ("en", "$12.50", "$5 every month", "May 15, 2025"),
        ("ru", f"12,50{NBSP}$", f"5{NBSP}$ каждый месяц", "15 мая 2025\u202fг."),
    ],
)
def test_money_and_dates_follow_the_locale(app, language, money, summary, day):
    with app.test_request_context(f"/?lang={language}"):
        assert str(Money(1250, "usd")) == money
        assert pledge_summary("monthly", Money(500, "usd")) == summary
        assert format_date(datetime(2025, 5, 15, 9, 30, tzinfo=UTC), "long") == day
        rules = donation_rules()
        assert "{minimum}" in rules.words("monthly")["tooSmall"]
    with app.app_context(), force_locale(language):
        assert str(Money(1250, "usd")) == money
        assert format_date(date(2026, 12, 1), "LLLL y") in ("December 2026", "декабрь 2026")


def test_the_catalogues_compile_from_the_po_files_alone(tmp_path):
    """A fresh clone has only the .po files (the .mo are never committed): the app compiles
    them at start, and again only when a .po changes."""
    source = Path(__file__).resolve().parents[1] / "translations" / "ru" / "LC_MESSAGES"
    target = tmp_path / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(source / "messages.po", target / "messages.po")
    assert compile_catalogues(str(tmp_path)) == [str(target / "messages.mo")]
    assert compile_catalogues(str(tmp_path)) == []  # up to date: nothing rewritten
    with open(target / "messages.mo", "rb") as file:
        russian = GNUTranslations(file)
    assert russian.gettext("Latest news") == "Последние новости"
    assert russian.ngettext("{n} article", "{n} articles", 5) == "{n} статей"
    os.utime(target / "messages.po", (time.time() + 10, time.time() + 10))
    assert compile_catalogues(str(tmp_path)) == [str(target / "messages.mo")]


@pytest.mark.parametrize("language, after", [("en", False), ("ru", True)])
def test_the_money_fields_symbol_stands_where_the_language_writes_it(client, language, after):
    # Russian writes "25 $": the "Other amount" field's symbol follows the number there.
    page = client.get(f"/support?lang={language}").get_data(as_text=True)
    assert ('class="money-input money-input--after"' in page) is after
    assert 'class="money-input' in page
    config = client.get(f"/api/prompt/config?lang={language}").get_json()
    assert config["form"]["symbolAfter"] is after


def test_the_months_to_be_reminded_in_read_naturally_in_russian(client):
    # Babel has no "в январе": the month stands alone as the choice, under "Когда напомнить?".
    page = client.get("/remind-me?lang=ru").get_data(as_text=True)
    labels = re.findall(r'<label for="month-\d">([^<]+)</label>', page)
    assert len(labels) == 2
    for label in labels:
        assert re.fullmatch(r"[А-Я][а-я]+ \d{4}", label), label
    assert "Когда напомнить?" in page and "На " not in "".join(labels)
    months = client.get("/api/prompt/config?lang=ru").get_json()["remind"]["months"]
    assert [m["label"] for m in months] == labels
    english = client.get("/remind-me").get_data(as_text=True)
    assert re.findall(r'<label for="month-\d">In [A-Z][a-z]+ \d{4}</label>', english)
