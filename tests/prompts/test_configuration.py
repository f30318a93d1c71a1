"""The prompts' configuration: what the component decides and draws from, one for every reader."""

from __future__ import annotations

import gzip
import re

import pytest

from donations.demo import DEMO_FILLER, DEMO_SLUG

OTHER_SITE = "https://blog.example.org"


def config(client, query: str = "", **headers):
    return client.get(f"/api/prompt/config{query}", headers=headers)


def test_the_configuration_holds_appeals_rules_amounts_months_and_links(client):
    data = config(client).json
    assert set(data["appeals"]) == {"article-end", "banner", "overlay"}
    assert data["appeals"]["article-end"]["heading"] == "A Message from The Moscow Times:"
    assert data["appeals"]["article-end"]["paragraphs"][0] == "Dear readers,"
    assert data["rules"] == {
        "windowDays": 30,
        "viewCaps": {"article-end": 4},
        "minArticles": {"banner": 3, "overlay": 3},
        "dismissDays": 14,
        "snoozeDays": 7,
        "paywall": "off",
        "freeArticles": 5,
        "impressionSampleRate": 1.0,
    }
    monthly = data["form"]["amounts"]["monthly"]
    assert {key: monthly[key] for key in ("presets", "default", "minimum", "maximum", "per")} == {
        "presets": [200, 500, 1000, 2000], "default": 500, "minimum": 200, "maximum": 1_000_000,
        "per": "/month",
    }  # fmt: skip
    assert monthly["words"]["tooSmall"] == "Monthly support starts at {minimum}/month."
    assert data["form"]["frequency"] == "monthly" and data["form"]["maximum"] == 1_000_000
    assert len(data["remind"]["months"]) == 2
    assert data["links"] == {
        "support": "http://localhost/support",
        "supporter": "http://localhost/supporters/sign-in",
        "remind": "http://localhost/api/reminders",
        "events": "http://localhost/api/prompt/events",
    }
    assert "token" not in str(data).lower()  # nothing in it belongs to one reader


def test_settings_reach_the_browser(make_app):
    client = make_app(
        PROMPT_VIEW_CAPS={"article-end": 2},
        PAYWALL_MODE="soft",
        PROMPT_IMPRESSION_SAMPLE_RATE=0.1,
        NEWSROOM_NAME="The Daily Example",
    ).test_client()
    data = config(client).json
    assert data["rules"]["viewCaps"] == {"article-end": 2}
    assert data["rules"]["paywall"] == "soft"
    assert data["rules"]["impressionSampleRate"] == 0.1
    assert data["thanks"]["heading"] == "Thank you for supporting The Daily Example."


def test_any_site_may_read_it_and_it_says_so_once_for_all(make_app):
    client = make_app(EMBED_ALLOWED_ORIGINS=[OTHER_SITE]).test_client()
    for origin in (OTHER_SITE, "http://elsewhere.example", None):
        response = config(client, **({"Origin": origin} if origin else {}))
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Vary" not in response.headers  # one cached copy for every site


@pytest.mark.parametrize(
    "query, status, words",
    [
        ("?lang=xx", 404, "pages in en, ru only"),
        ("?lang=%00", 400, "character we cannot accept"),
        ("?lang=en&placement=banner", 400, "Unknown parameter 'placement'"),
        ("?cachebuster=1", 400, "Unknown parameter"),
    ],
)
def test_tampered_configuration_requests_get_a_clear_4xx(client, query, status, words):
    response = config(client, query)
    assert response.status_code == status
    assert words in response.json["error"]


def test_the_script_is_a_cacheable_module_under_15_kb_gzipped(client):
    # The whole of the asks (decision, experiments, reader controls) in less than a small image.
    response = client.get("/embed/support-prompt.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["ETag"]
    assert "max-age=300" in response.headers["Cache-Control"]
    assert len(gzip.compress(response.data)) < 15 * 1024
    again = client.get(
        "/embed/support-prompt.js", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_hashed_script_url_is_cached_for_a_year(client):
    page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    src = re.search(r'src="(/static/embed/support-prompt\.js\?v=[0-9a-f]+)"', page).group(1)
    with client.get(src) as served:
        assert served.status_code == 200
    hashed = client.get("/embed/support-prompt.js?v=" + src.rsplit("=", 1)[1])
    assert "max-age=31536000" in hashed.headers["Cache-Control"]
    assert "immutable" in hashed.headers["Cache-Control"]


def test_the_demo_host_page_shows_how_to_embed(client):
    page = client.get("/embed/demo").get_data(as_text=True)
    assert '<support-prompt placement="banner"' in page
    assert "EMBED_ALLOWED_ORIGINS" in page


@pytest.mark.parametrize("slug", [DEMO_SLUG] + [a["slug"] for a in DEMO_FILLER])
def test_demo_articles_are_seeded(client, slug):
    assert client.get(f"/articles/{slug}").status_code == 200
