"""The article page around the component: the server-rendered appeal and its form without
JavaScript, and the metered paywall, which the server decides."""
# ruff: noqa: E501

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Response

from config import ConfigError
from donations.articles.meter import COOKIE as METER
from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.payments.supporter_pass import SupporterPass, grant
from donations.platform.database import utcnow

FIRST = "Russia will build a drone production facility"
LATER = "Lukashenko said Belarus was"
FILLER = [article["slug"] for article in DEMO_FILLER]


def read(client, slug=DEMO_SLUG, **headers) -> str:
    return client.get(f"/articles/{slug}", headers=headers).get_data(as_text=True)


def give_pass(client, app, kind: str, days: int = 30) -> None:
    """The supporter pass the thank-you page would set on this device."""
    with app.test_request_context():
        response = Response()
        grant(response, SupporterPass(kind, utcnow() + timedelta(days=days)))
        value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    client.set_cookie("rr_supporter", value)


def test_the_appeal_sits_inside_the_component(client):
    page = read(client)
    assert (
        f'<support-prompt placement="article-end" article="{DEMO_SLUG}" variant="default">' in page
    )
    assert '<support-prompt placement="banner"' in page
    assert re.search(r'type="module" src="/static/embed/support-prompt\.js\?v=[0-9a-f]{16}"', page)


def test_without_javascript_the_form_goes_to_the_donation_page_with_the_readers_choice(client):
    page = read(client)
    form = re.search(r'<form class="donate"[^>]*>', page).group(0)
    assert 'method="get"' in form and 'action="/support"' in form
    assert 'data-token-url="/support/token"' in form  # the script's way to POST directly
    choice = client.get(
        "/support?frequency=annual&amount=100&currency=eur&article="
        f"{DEMO_SLUG}&placement=article-end&prompt=appeal&variant=default"
    ).get_data(as_text=True)
    assert "Support €100/year" in choice
    assert 'name="placement" type="hidden" value="article-end"' in choice
    assert 'name="csrf_token"' in choice  # this page is the reader's own


def test_a_typed_amount_travels_with_the_form(client):
    page = client.get("/support?frequency=once&amount=other&other_amount=7.50").get_data(
        as_text=True
    )
    assert 'value="7.50"' in page and "Support $7.50" in page


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
    assert FIRST in page and LATER not in page
    assert "You have read your free articles" in page
    assert "Dear readers," in page
    assert f'article="{DEMO_SLUG}" variant="default" always>' in page  # shown whatever the caps


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
    assert LATER in read(client)


def test_an_expired_or_forged_pass_opens_nothing(make_app):
    app = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=0)
    expired = app.test_client()
    give_pass(expired, app, "once", days=-1)
    assert LATER not in read(expired)
    forged = app.test_client()
    forged.set_cookie("rr_supporter", "eyJrIjoicmVjdXJyaW5nIn0.forged")
    assert LATER not in read(forged)


def test_metered_mode_lets_allowed_crawlers_read(make_app):
    app = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=0)
    googlebot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
    assert LATER in read(app.test_client(), **{"User-Agent": googlebot})
    assert LATER not in read(app.test_client(), **{"User-Agent": "SomeScraper/1.0"})


def test_the_meter_cookie_is_signed_http_only_and_holds_no_slugs(make_app):
    client = make_app(PAYWALL_MODE="metered").test_client()
    header = client.get(f"/articles/{DEMO_SLUG}").headers["Set-Cookie"]
    assert header.startswith(f"{METER}=") and "HttpOnly" in header and "SameSite=Lax" in header
    assert "drone" not in header and "Max-Age=34560000" in header


def test_a_forged_or_garbled_meter_starts_afresh(make_app):
    client = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=1).test_client()
    for junk in ("forged.value", "e30.AAAA.BBBB", "%00"):
        client.set_cookie(METER, junk)
        assert LATER in read(client)


def test_paywall_mode_is_validated_at_start_up(make_app):
    with pytest.raises(ConfigError, match="PAYWALL_MODE"):
        make_app(PAYWALL_MODE="hard")
