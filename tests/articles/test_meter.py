"""The metered paywall's meter: what counts as read, and passes from before it changed."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import URLSafeSerializer

from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.payments.supporter_pass import COOKIE, SALT
from donations.platform.database import utcnow

LATER = "Lukashenko said Belarus was"


def read(client, slug=DEMO_SLUG) -> str:
    return client.get(f"/articles/{slug}").get_data(as_text=True)


def test_reloading_a_withheld_article_opens_nothing(make_app):
    client = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=1).test_client()
    read(client, DEMO_FILLER[0]["slug"])  # the one free article
    assert LATER not in read(client)
    assert LATER not in read(client)  # a withheld article is not counted as read
    assert DEMO_FILLER[0]["title"] in read(
        client, DEMO_FILLER[0]["slug"]
    )  # what was read stays open


def test_a_pass_granted_before_passes_carried_a_timestamp_still_opens_the_meter(make_app):
    app = make_app(PAYWALL_MODE="metered", PAYWALL_FREE_ARTICLES=0)
    with app.app_context():
        until = int((utcnow() + timedelta(days=30)).timestamp())
        old = URLSafeSerializer(app.secret_key, salt=SALT).dumps({"k": "once", "x": until})
    client = app.test_client()
    client.set_cookie(COOKIE, old)
    assert LATER in read(client)
