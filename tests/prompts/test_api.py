"""The prompt API: decisions from cookies, tokens bound to origins, CORS, events and the script."""

from __future__ import annotations

import gzip
import json
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.extensions import db
from donations.models import utcnow
from donations.prompts.models import PromptStat
from donations.prompts.reader_state import COOKIE
from donations.reminders.models import Reminder
from donations.supporters.passes import SupporterPass

OTHER_SITE = "http://partner.example"
SLUGS = [DEMO_SLUG, *(article["slug"] for article in DEMO_FILLER)]


@contextmanager
def counted_queries(app):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def ask(client, placements="article-end,banner", article="some-story", **headers):
    return client.get(f"/api/prompt?placements={placements}&article={article}", headers=headers)


def give_pass(client, app, kind: str) -> None:
    from flask import Response

    from donations.supporters.passes import grant

    with app.test_request_context():
        response = Response()
        grant(response, SupporterPass(kind, utcnow() + timedelta(days=30)))
        value = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    client.set_cookie("rr_supporter", value)


def test_a_new_reader_gets_the_end_appeal_with_its_copy_and_a_token(client):
    data = ask(client).json
    end = data["prompts"]["article-end"]
    assert end["prompt"] == "appeal"
    assert end["heading"] == "A Message from The Moscow Times:"
    assert end["paragraphs"][0] == "Dear readers,"
    assert data["prompts"]["banner"] is None  # not before the 3rd article
    assert data["token"]
    assert data["form"]["amounts"]["monthly"]["default"] == 500
    assert len(data["form"]["months"]) == 2


def test_the_banner_shows_on_the_third_article_read(client):
    for slug in ("one", "two"):
        assert ask(client, "banner", slug).json["prompts"]["banner"] is None
    banner = ask(client, "banner", "three").json["prompts"]["banner"]
    assert banner["prompt"] == "appeal"
    assert "refuse to be silenced" in banner["heading"]


def test_reading_the_same_article_again_counts_once(client):
    for _ in range(3):
        assert ask(client, "banner", "same").json["prompts"]["banner"] is None


def test_the_end_appeal_stops_after_four_views_in_thirty_days(client):
    shown = [
        ask(client, "article-end", f"story-{n}").json["prompts"]["article-end"] for n in range(6)
    ]
    assert [bool(prompt) for prompt in shown] == [True, True, True, True, False, False]


def test_the_article_page_counts_its_server_rendered_appeal_as_a_view(client):
    pages = [client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True) for _ in range(5)]
    assert ["Dear readers," in page for page in pages] == [True, True, True, True, False]


def test_a_forged_cookie_is_ignored(client):
    client.set_cookie(COOKIE, "not-signed")
    assert ask(client).json["prompts"]["article-end"]["prompt"] == "appeal"


def test_recurring_supporters_see_no_asks(client, app):
    give_pass(client, app, "recurring")
    assert ask(client).json["prompts"] == {"article-end": None, "banner": None}


def test_one_off_donors_see_a_thank_you_instead(client, app):
    give_pass(client, app, "once")
    assert ask(client).json["prompts"]["article-end"]["prompt"] == "thanks"


def test_deciding_for_a_shown_prompt_costs_one_query_then_none_once_cached(app, client):
    with counted_queries(app) as statements:
        ask(client)
    assert len(statements) == 1 and "FROM appeal" in statements[0]
    with counted_queries(app) as statements:
        ask(client, article="another")
    assert statements == []


def test_deciding_for_a_supporter_or_snoozed_reader_costs_no_query(app, client):
    give_pass(client, app, "recurring")
    with counted_queries(app) as statements:
        assert ask(client).status_code == 200
    assert statements == []
    other = app.test_client()
    token = ask(other).json["token"]
    other.post(
        "/api/prompt/remind",
        json={"email": ""},
        headers={"X-Prompt-Token": token, "Origin": "http://localhost"},
    )
    with counted_queries(app) as statements:
        assert ask(other).json["prompts"]["article-end"] is None
    assert statements == []


def test_force_and_debug_are_for_staff_only(client):
    response = client.get("/api/prompt?placements=banner&debug=1")
    assert response.status_code == 403
    assert "staff" in response.json["error"]


def test_staff_can_force_a_prompt_and_see_why(make_app):
    from donations.staff.auth import create_staff
    from tests.conftest import csrf_token

    app = make_app()
    client = app.test_client()
    with app.app_context():
        create_staff("editor@example.org", "viewer", "a long enough password")
    token = csrf_token(client, "/staff/login")
    client.post(
        "/staff/login",
        data={
            "email": "editor@example.org",
            "password": "a long enough password",
            "csrf_token": token,
        },
    )
    data = client.get("/api/prompt?placements=banner&article=x&debug=1").json
    assert data["prompts"]["banner"] is None
    assert data["debug"]["banner"]["reason"] == "too-early"
    assert {"rule": "articles-read", "passed": False, "detail": "1 read, needs 3"} in data["debug"][
        "banner"
    ]["checks"]
    forced = client.get("/api/prompt?placements=banner&article=x&force=1").json
    assert forced["prompts"]["banner"]["variant"] == "forced"


def test_unknown_placements_are_a_clear_400(client):
    response = client.get("/api/prompt?placements=sidebar")
    assert response.status_code == 400
    assert "placements" in response.json["error"]


def test_cors_is_exactly_as_wide_as_the_embed_list(make_app):
    client = make_app(EMBED_ALLOWED_ORIGINS=[OTHER_SITE]).test_client()
    allowed = ask(client, Origin=OTHER_SITE)
    assert allowed.headers["Access-Control-Allow-Origin"] == OTHER_SITE
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert "Origin" in allowed.headers["Vary"]
    refused = ask(client, Origin="http://evil.example")
    assert "Access-Control-Allow-Origin" not in refused.headers
    preflight = client.options(
        "/api/prompt/remind",
        headers={"Origin": OTHER_SITE, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == OTHER_SITE
    assert "X-Prompt-Token" in preflight.headers["Access-Control-Allow-Headers"]


def dismiss(client, token, origin):
    return client.post(
        "/api/prompt/dismiss",
        json={"placement": "banner", "prompt": "appeal", "variant": "default"},
        headers={"X-Prompt-Token": token, "Origin": origin},
    )


def test_state_changes_need_the_token_issued_to_the_same_origin(make_app):
    client = make_app(EMBED_ALLOWED_ORIGINS=[OTHER_SITE, "http://second.example"]).test_client()
    token = ask(client, Origin=OTHER_SITE).json["token"]
    assert dismiss(client, token, OTHER_SITE).status_code == 204
    assert dismiss(client, token, "http://second.example").status_code == 403
    assert dismiss(client, token, "http://evil.example").status_code == 403
    assert dismiss(client, "forged", OTHER_SITE).status_code == 403
    response = client.post(
        "/api/prompt/dismiss", json={"placement": "banner"}, headers={"Origin": OTHER_SITE}
    )
    assert response.status_code == 403
    assert "token" in response.json["error"]


def test_an_expired_token_is_refused(make_app):
    client = make_app(PROMPT_TOKEN_MAX_AGE_SECONDS=-1).test_client()
    token = ask(client).json["token"]
    response = dismiss(client, token, "http://localhost")
    assert response.status_code == 403
    assert "expired" in response.json["error"]


def test_a_dismissed_banner_stays_hidden(client):
    for slug in ("one", "two", "three"):
        data = ask(client, "banner", slug).json
    assert data["prompts"]["banner"]
    assert dismiss(client, data["token"], "http://localhost").status_code == 204
    assert ask(client, "banner", "four").json["prompts"]["banner"] is None


def test_events_are_counted_per_day_prompt_placement_variant_and_kind(client, app):
    token = ask(client).json["token"]
    batch = [
        {
            "kind": "impression",
            "prompt": "appeal",
            "placement": "article-end",
            "variant": "default",
        },
        {
            "kind": "impression",
            "prompt": "appeal",
            "placement": "article-end",
            "variant": "default",
        },
        {"kind": "continue", "prompt": "appeal", "placement": "article-end", "variant": "default"},
        {"kind": "hack", "prompt": "appeal", "placement": "article-end"},
        {"kind": "open", "prompt": "appeal", "placement": "nowhere"},
    ]
    for _ in range(2):
        response = client.post(
            "/api/prompt/events",
            data=json.dumps({"token": token, "events": batch}),
            headers={"Origin": "http://localhost", "Content-Type": "text/plain"},
        )
        assert response.status_code == 204
    with app.app_context():
        rows = db.session.scalars(select(PromptStat).order_by(PromptStat.kind)).all()
        assert [(row.kind, row.count, row.placement, row.day) for row in rows] == [
            ("continue", 2, "article-end", utcnow().date()),
            ("impression", 4, "article-end", utcnow().date()),
        ]


def test_events_without_a_token_are_refused(client):
    response = client.post(
        "/api/prompt/events", json={"events": []}, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 403


def test_the_script_is_a_cacheable_module_under_12_kb_gzipped(client):
    response = client.get("/embed/support-prompt.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["ETag"]
    assert "max-age=300" in response.headers["Cache-Control"]
    assert len(gzip.compress(response.data)) < 12 * 1024
    again = client.get(
        "/embed/support-prompt.js", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_hashed_script_url_is_cached_for_a_year(client):
    page = client.get(f"/articles/{DEMO_SLUG}").get_data(as_text=True)
    src = re.search(r'src="(/embed/support-prompt\.js\?v=[0-9a-f]+)"', page).group(1)
    response = client.get(src)
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "immutable" in response.headers["Cache-Control"]


def test_the_script_may_be_loaded_by_listed_sites_only(make_app):
    client = make_app(EMBED_ALLOWED_ORIGINS=[OTHER_SITE]).test_client()
    listed = client.get("/embed/support-prompt.js", headers={"Origin": OTHER_SITE})
    assert listed.headers["Access-Control-Allow-Origin"] == OTHER_SITE
    other = client.get("/embed/support-prompt.js", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_the_demo_host_page_shows_how_to_embed(client):
    page = client.get("/embed/demo").get_data(as_text=True)
    assert '<support-prompt placement="banner"' in page
    assert "EMBED_ALLOWED_ORIGINS" in page


@pytest.mark.parametrize("slug", SLUGS)
def test_demo_articles_are_seeded(client, slug):
    assert client.get(f"/articles/{slug}").status_code == 200


def test_demo_filler_is_labelled_as_such(client):
    page = client.get(f"/articles/{DEMO_FILLER[0]['slug']}").get_data(as_text=True)
    assert "Demo filler" in page and "fictional" in page


def remind_json(client, token, **fields):
    return client.post(
        "/api/prompt/remind",
        json=fields,
        headers={"X-Prompt-Token": token, "Origin": "http://localhost"},
    )


def test_the_component_remind_call_explains_a_bad_email(client):
    token = ask(client).json["token"]
    response = remind_json(client, token, email="nope", consent=True)
    assert response.status_code == 422
    assert response.json["fields"]["email"].endswith("it should look like name@example.org.")


def test_the_component_remind_call_stores_a_reminder_and_snoozes(client, app):
    data = ask(client).json
    month = data["form"]["months"][1]["value"]
    response = remind_json(
        client, data["token"], email="r@example.org", month=month, consent=True, placement="banner"
    )
    assert response.status_code == 200
    assert "e-mail you in" in response.json["message"]
    assert ask(client).json["prompts"]["article-end"] is None
    with app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert reminder.month.strftime("%Y-%m") == month
        stat = db.session.scalars(select(PromptStat)).one()
        assert (stat.kind, stat.placement) == ("remind", "banner")


def test_the_remind_form_endpoint_is_not_csrf_exempt_but_the_json_one_checks_its_token(client):
    assert client.post("/remind-me", data={"email": ""}).status_code == 400
    refused = client.post("/api/prompt/remind", json={}, headers={"Origin": "http://localhost"})
    assert refused.status_code == 403


def test_reader_responses_do_not_vary_on_cookies_they_never_read(client):
    # Shared caches keep one copy of the script for every reader, cookies or not.
    client.set_cookie("session", "anything")
    script = client.get("/embed/support-prompt.js")
    assert script.headers["Vary"] == "Origin"
    assert "Vary" not in client.get("/healthz").headers


def test_first_visits_get_the_same_answer_and_each_a_cookie_counting_the_view(app):
    first, second, forged = app.test_client(), app.test_client(), app.test_client()
    forged.set_cookie("rr_reader", "not-a-signed-state")
    answers = [ask(reader, article=DEMO_SLUG) for reader in (first, second, forged)]
    assert answers[0].get_data() == answers[1].get_data() == answers[2].get_data()
    cookies = {answer.headers["Set-Cookie"] for answer in answers}
    assert len(cookies) == 1 and "rr_reader=" in cookies.pop()
    # Once known, a reader is answered for their own state: the second view is counted too.
    again = ask(first, article=DEMO_SLUG)
    assert again.headers["Set-Cookie"] != answers[0].headers["Set-Cookie"]
    for _ in range(3):
        ask(first, article=DEMO_SLUG)
    assert ask(first, article=DEMO_SLUG).json["prompts"]["article-end"] is None  # capped at 4
