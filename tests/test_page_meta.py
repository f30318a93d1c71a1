"""What a reader's browser, a search engine and a shared link see of a page besides its text:
the favicon, the description, Open Graph and the Twitter card."""

from __future__ import annotations

import re

import pytest

from donations.demo import DEMO_SLUG

ARTICLE = f"/articles/{DEMO_SLUG}"


def meta(page: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:name|property)="{re.escape(key)}" content="([^"]*)"', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("path", ["/", ARTICLE, "/support"])
def test_pages_name_their_favicon(client, path):
    page = client.get(path).get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', page).group(1)

    answer = client.get(icon)
    answer.close()  # a static file is streamed from disk
    assert (answer.status_code, answer.mimetype) == (200, "image/svg+xml")


def test_the_article_is_described_by_its_standfirst(client):
    page = client.get(ARTICLE).get_data(as_text=True)

    description = meta(page, "description")
    assert description and len(description) <= 161
    assert meta(page, "og:description") == description


def test_the_article_has_an_open_graph_card_with_its_photo(client):
    page = client.get(ARTICLE).get_data(as_text=True)

    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == "Russia to Build Drone Factory in Belarus"
    assert meta(page, "og:url").endswith(ARTICLE)
    assert "/static/images/" in meta(page, "og:image")
    assert meta(page, "twitter:card") == "summary_large_image"


def test_the_support_page_has_a_description_and_a_card(client):
    page = client.get("/support").get_data(as_text=True)

    assert "once, monthly or every year" in meta(page, "description")
    assert meta(page, "og:title") == "Support The Moscow Times"
    assert meta(page, "twitter:card") == "summary"


def test_the_article_page_stays_the_same_for_every_reader(client):
    first = client.get(ARTICLE)
    second = client.get(ARTICLE)

    assert "Set-Cookie" not in first.headers
    assert first.get_data() == second.get_data()
