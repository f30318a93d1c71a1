""" "Read more" under the article and its appeal, the front page's list, and the demo's articles."""

from __future__ import annotations

import re

import pytest

from donations.demo import DEMO_ARTICLE, DEMO_FILLER, DEMO_SLUG

ALL_DEMO = [DEMO_ARTICLE, *DEMO_FILLER]


def read_more_slugs(client, slug: str) -> list[str]:
    page = client.get(f"/articles/{slug}").get_data(as_text=True)
    section = page[page.index('<section class="read-more"') :]
    return re.findall(r'href="/articles/([a-z0-9-]+)"', section)


def test_read_more_puts_articles_sharing_most_tags_first(client):
    assert read_more_slugs(client, DEMO_SLUG) == [
        "belarus-extends-joint-military-drills-with-russia",  # belarus, defense; newer
        "drone-debris-damages-homes-in-russian-border-region",  # drones, defense
        "sanctions-squeeze-belarus-potash-exports",  # belarus
    ]


def test_read_more_falls_back_to_the_most_recent(client):
    assert read_more_slugs(client, "readers-fined-for-sharing-links-to-undesirable-outlets") == [
        DEMO_SLUG,
        "belarus-extends-joint-military-drills-with-russia",
        "russian-central-bank-holds-key-rate-as-inflation-slows",
    ]


def test_read_more_comes_after_the_appeal_and_the_newsletter_box(client):
    page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    assert page.index("newsletter-box") < page.index("A Message from The Moscow Times")
    assert page.index("A Message from The Moscow Times") < page.index(">Read more<")


def test_the_front_page_lists_every_article_newest_first(client):
    page = client.get("/").get_data(as_text=True)
    listed = re.findall(r'<h2><a href="/articles/([a-z0-9-]+)"', page)
    newest_first = sorted(ALL_DEMO, key=lambda a: a["published_at"], reverse=True)
    assert listed == [article["slug"] for article in newest_first]


@pytest.mark.parametrize("article", ALL_DEMO, ids=lambda a: a["slug"])
def test_every_demo_article_has_a_real_body_and_tags(article):
    assert "filler" not in article["slug"] and "demo" not in article["slug"].split("-")
    paragraphs = [p for p in article["body"].split("\n\n") if p.strip()]
    assert len(paragraphs) >= 6 and all(len(p) > 40 for p in paragraphs)
    assert article["tags"] and "fictional" not in article["body"].lower()
