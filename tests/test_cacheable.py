"""Reader page views a cache can serve: the same bytes for every reader, marked so, and kept
private only where the metered paywall decides on the server."""

from __future__ import annotations

import pytest

from donations.demo import DEMO_SLUG, DEMO_SLUG_RU
from donations.platform.extensions import db
from donations.prompts.models import Appeal

PUBLIC_PATHS = (
    "/",
    f"/articles/{DEMO_SLUG}",
    "/api/prompt/config",
    "/api/prompt/config?lang=en",
    # Russian: an article in it, and any page or the configuration asked for in it.
    f"/articles/{DEMO_SLUG_RU}",
    f"/articles/{DEMO_SLUG}?lang=ru",
    "/?lang=ru",
    "/api/prompt/config?lang=ru",
)


def a_reader_with_cookies(app, client):
    """Someone who has started to give (a session), has given (a pass) and signed in as staff."""
    client.get("/support/token")  # a session with a CSRF secret
    client.set_cookie("rr_supporter", "whatever-they-hold")
    client.set_cookie("rr_meter", "some.reads")
    client.set_cookie("remember_token", "1|abc")
    return client


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_reader_pages_are_public_with_a_lifetime_and_an_etag(client, path):
    response = client.get(path)
    assert response.status_code == 200
    cache_control = response.cache_control
    assert cache_control.public and cache_control.max_age == 60
    assert cache_control.stale_if_error and cache_control.stale_while_revalidate
    assert response.headers["ETag"]
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")
    assert "csrf_token" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_every_reader_gets_the_same_bytes_whatever_cookies_they_send(app, path):
    anonymous = app.test_client().get(path)
    known = a_reader_with_cookies(app, app.test_client()).get(path)
    assert known.data == anonymous.data
    assert known.headers["ETag"] == anonymous.headers["ETag"]
    assert "Set-Cookie" not in known.headers


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_an_unchanged_page_revalidates_with_a_304_and_a_stale_etag_gets_the_page(client, path):
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    stale = client.get(path, headers={"If-None-Match": '"an-old-version"'})
    assert stale.status_code == 200 and stale.headers["ETag"] == etag
    garbled = client.get(path, headers={"If-None-Match": "W/\x7f not an etag"})
    assert garbled.status_code == 200


def test_an_edit_changes_the_etag(app, client):
    path = f"/articles/{DEMO_SLUG}"
    before = client.get(path).headers["ETag"]
    with app.app_context():
        appeal = db.session.scalar(db.select(Appeal).filter_by(placement="article-end"))
        appeal.heading = "A word from our editor"
        db.session.commit()
    after = client.get(path, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert "A word from our editor" in after.get_data(as_text=True)


def test_metered_article_pages_are_private_to_each_reader(make_app):
    client = make_app(PAYWALL_MODE="metered").test_client()
    article = client.get(f"/articles/{DEMO_SLUG}")
    assert article.cache_control.private and article.cache_control.no_store
    assert "rr_meter=" in article.headers["Set-Cookie"]
    front = client.get("/")  # nothing on it is the reader's own
    assert front.cache_control.public and "Set-Cookie" not in front.headers


def test_pages_with_a_readers_token_or_choices_are_never_stored(client):
    for path in ("/support", "/support/token", "/remind-me", "/supporters/sign-in"):
        response = client.get(path)
        assert response.cache_control.no_store and response.cache_control.private, path


def test_a_public_answer_that_would_set_a_cookie_goes_out_private_instead(make_app, caplog):
    from flask import make_response, session

    from donations.platform.web import public

    app = make_app()

    @app.get("/careless")
    def careless():
        session["oops"] = "per reader"
        return public(make_response("the same for all?"))

    response = app.test_client().get("/careless")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "session=" in response.headers["Set-Cookie"]
    assert "a public answer set a cookie" in caplog.text


@pytest.fixture
def goal_app(make_app):
    """A goal of 10 new monthly supporters this month, shown to readers; two have given."""
    from tests.pledges import new_pledge

    app = make_app(GOAL_TARGET=10, GOAL_PERIOD="month", GOAL_PUBLIC=True)
    with app.app_context():
        for status in ("active", "active", "pending"):
            new_pledge("monthly", 500).status = status
        new_pledge("once", 500).status = "paid"  # a one-off is not a monthly supporter
        db.session.commit()
    return app


def test_the_goal_shows_in_the_appeal_and_the_components_configuration_alike(goal_app):
    client = goal_app.test_client()
    words = "2 of 10 new monthly supporters this month"
    config = client.get("/api/prompt/config").json
    assert config["goal"] == {"words": words, "share": 0.2}
    article = client.get(f"/articles/{DEMO_SLUG}")
    assert f'<progress max="1" value="0.2" aria-label="{words}">' in article.get_data(as_text=True)
    assert article.cache_control.public and "Set-Cookie" not in article.headers


def test_a_goal_staff_keep_to_themselves_is_not_shown_to_readers(make_app):
    client = make_app(GOAL_TARGET=10, GOAL_PUBLIC=False).test_client()
    assert client.get("/api/prompt/config").json["goal"] is None
    assert "<progress" not in client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
