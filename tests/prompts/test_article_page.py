"""The article page with the component: server-rendered appeal, remind-me link, paywall modes."""
# ruff: noqa: E501

from __future__ import annotations

from datetime import timedelta

from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.models import utcnow
from tests.prompts.test_api import give_pass

FIRST = "Russia will build a drone production facility"
LATER = "Lukashenko said Belarus was"
FILLER = [article["slug"] for article in DEMO_FILLER]


def read(client, slug=DEMO_SLUG, **headers) -> str:
    return client.get(f"/articles/{slug}", headers=headers).get_data(as_text=True)


def test_the_appeal_sits_inside_the_component_with_its_token(client):
    page = read(client)
    assert (
        '<support-prompt placement="article-end" article="russia-to-build-drone-factory-in-belarus" prompt="appeal" variant="default" token="'
        in page
    )
    assert '<support-prompt placement="banner"' in page
    assert 'type="module" src="/embed/support-prompt.js?v=' in page


def test_the_appeal_offers_remind_me_later_without_javascript(client):
    page = read(client)
    assert "Not ready to support today?" in page
    assert (
        f'href="/remind-me?article={DEMO_SLUG}&amp;placement=article-end" data-remind-link>Remind me later.</a>'
        in page
    )
    assert 'href="/supporters/sign-in"' in page


def test_the_overlay_element_is_only_on_soft_paywall_pages(make_app):
    assert '<support-prompt placement="overlay"' not in read(make_app().test_client())
    soft = make_app(PAYWALL_MODE="soft").test_client()
    assert '<support-prompt placement="overlay"' in read(soft)


def test_metered_mode_withholds_the_body_past_the_free_articles(make_app):
    client = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=2).test_client()
    read(client, FILLER[0])
    read(client, FILLER[1])
    page = read(client)
    assert FIRST in page
    assert LATER not in page
    assert "You have read your free articles" in page
    assert "Dear readers," in page


def test_metered_mode_keeps_articles_read_within_the_meter_open(make_app):
    client = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=2).test_client()
    read(client)
    read(client, FILLER[0])
    read(client, FILLER[1])
    assert LATER in read(client)


def test_metered_mode_never_withholds_from_supporters(make_app):
    app = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=0)
    client = app.test_client()
    give_pass(client, app, "once")
    page = read(client)
    assert LATER in page
    assert "Dear readers," not in page
    assert "Thank you for supporting The Moscow Times." in page


def test_metered_mode_lets_allowed_crawlers_read(make_app):
    app = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=0)
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert LATER in read(app.test_client(), **{"User-Agent": googlebot})
    assert LATER not in read(app.test_client(), **{"User-Agent": "SomeScraper/1.0"})


def test_a_recurring_supporter_sees_no_appeal(client, app):
    give_pass(client, app, "recurring")
    page = read(client)
    assert "Dear readers," not in page and "Thank you for supporting" not in page


def test_an_expired_pass_is_ignored(client, app):
    from flask import Response

    from donations.supporters.passes import SupporterPass, grant

    with app.test_request_context():
        response = Response()
        grant(response, SupporterPass("once", utcnow() - timedelta(days=1)))
        value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    client.set_cookie("rr_supporter", value)
    assert "Dear readers," in read(client)


def test_paywall_mode_is_validated_at_start_up(make_app):
    import pytest

    from config import ConfigError

    with pytest.raises(ConfigError, match="PAYWALL_MODE"):
        make_app(PAYWALL_MODE="hard")
