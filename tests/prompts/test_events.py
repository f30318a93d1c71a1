"""What readers do with the asks, counted per day: from our pages and the listed sites only,
each thing once per batch, impressions scaled back from their sample."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from donations.experiments import service
from donations.experiments.models import Experiment
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.prompts.models import PromptStat
from donations.reminders.models import Reminder

OWN = "http://localhost"
OTHER_SITE = "https://blog.example.org"


def event(kind: str, placement: str = "article-end", variant: str = "default") -> dict:
    return {"kind": kind, "prompt": "appeal", "placement": placement, "variant": variant}


def send(client, events, origin: str | None = OWN):
    # As navigator.sendBeacon sends them: text/plain, no cookies.
    headers = {"Content-Type": "text/plain", **({"Origin": origin} if origin else {})}
    return client.post("/api/prompt/events", data=json.dumps({"events": events}), headers=headers)


def counts(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(PromptStat).order_by(PromptStat.kind)).all()
        return [(r.kind, r.placement, r.variant, r.count, r.received, r.day) for r in rows]


def test_events_are_counted_per_day_prompt_placement_variant_and_kind(app, client):
    batch = [
        event("impression"),
        event("continue"),
        event("open", "banner"),
        event("open", "banner", "made-up"),
        {"kind": "hack", "prompt": "appeal", "placement": "article-end"},
        {"kind": "open", "prompt": "appeal", "placement": "nowhere"},
        {"kind": ["open"], "prompt": {"a": 1}, "placement": None},
        "not an event",
    ]
    for _ in range(2):
        assert send(client, batch).status_code == 204
    today = utcnow().date()
    assert counts(app) == [
        ("continue", "article-end", "default", 2, 2, today),
        ("impression", "article-end", "default", 2, 2, today),
        ("open", "banner", "default", 2, 2, today),
    ]


def test_an_experiments_variants_count_while_it_runs_and_unknown_ones_never(app, client):
    variants = [{"name": "control", "weight": 1}, {"name": "short", "weight": 1}]
    with app.app_context():
        experiment = service.create(
            by="admin@newsroom.example", name="short-banner", placement="banner",
            hypothesis="", variants=variants, holdback=0.1,
        )  # fmt: skip
        service.start(experiment, "admin@newsroom.example")
        experiment_id = experiment.id
    batch = [
        event("impression", "banner", "short-banner-short"),
        event("impression", "banner", "short-banner-holdback"),
        event("impression", "banner", "other-test-short"),
    ]
    assert send(client, batch).headers["X-Events-Counted"] == "2"
    with app.app_context():
        service.stop(db.session.get(Experiment, experiment_id), "admin@x", "done")
    assert send(client, batch).headers["X-Events-Counted"] == "0"
    assert {variant for _, _, variant, *_ in counts(app)} == {
        "short-banner-short",
        "short-banner-holdback",
    }


def test_a_forged_batch_counts_each_thing_once(app, client):
    assert send(client, [event("impression")] * 500).headers["X-Events-Counted"] == "1"
    assert [(kind, count) for kind, _, _, count, _, _ in counts(app)] == [("impression", 1)]


def test_sampled_impressions_are_scaled_back_and_what_arrived_is_kept(make_app):
    app = make_app(PROMPT_IMPRESSION_SAMPLE_RATE=0.1)
    client = app.test_client()
    for _ in range(3):
        send(client, [event("impression"), event("open")])
    rows = {kind: (count, received) for kind, _, _, count, received, _ in counts(app)}
    assert rows == {"impression": (30, 3), "open": (3, 3)}


@pytest.mark.parametrize("origin", [None, "http://evil.example", "null"])
def test_events_from_elsewhere_are_refused(app, client, origin):
    response = send(client, [event("impression")], origin)
    assert response.status_code == 403
    assert counts(app) == []


def test_a_listed_site_may_send_events(make_app):
    app = make_app(EMBED_ALLOWED_ORIGINS=[OTHER_SITE])
    assert send(app.test_client(), [event("open", "banner")], OTHER_SITE).status_code == 204
    assert len(counts(app)) == 1


@pytest.mark.parametrize("body", ["not json", "[]", "7", '{"events": "lots"}'])
def test_a_body_that_is_not_a_batch_is_a_clear_400_or_counts_nothing(app, client, body):
    response = client.post(
        "/api/prompt/events", data=body, headers={"Content-Type": "text/plain", "Origin": OWN}
    )
    assert response.status_code in (400, 204)
    if response.status_code == 400:
        assert "JSON object" in response.json["error"]
    assert counts(app) == []


def test_events_are_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, PROMPT_EVENTS_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [send(client, [event("open")]).status_code for _ in range(5)]
    assert statuses == [204, 204, 204, 429, 429]
    assert [count for _, _, _, count, _, _ in counts(app)] == [3]


def remind(client, origin=OWN, **fields):
    return client.post("/api/reminders", json=fields, headers={"Origin": origin} if origin else {})


def test_the_component_remind_call_explains_a_bad_email(client):
    response = remind(client, email="nope", consent=True)
    assert response.status_code == 422
    assert response.json["fields"]["email"].endswith("it should look like name@example.org.")


def test_the_component_remind_call_stores_a_reminder_and_says_until_when(app, client):
    month = client.get("/api/prompt/config").json["remind"]["months"][1]["value"]
    response = remind(client, email="r@example.org", month=month, consent=True, placement="banner")
    assert response.status_code == 200
    assert "open it to confirm" in response.json["message"]
    assert response.json["until"] == f"{month}-01T00:00:00+00:00"
    with app.app_context():
        reminder = db.session.scalars(select(Reminder)).one()
        assert (reminder.month.strftime("%Y-%m"), reminder.placement) == (month, "banner")


def test_the_remind_form_needs_its_csrf_token_and_the_json_call_an_allowed_origin(client):
    assert client.post("/remind-me", data={"email": ""}).status_code == 400
    assert remind(client, origin=None).status_code == 403
    assert remind(client, origin="http://evil.example").status_code == 403


def test_cors_for_the_calls_is_exactly_as_wide_as_the_embed_list(make_app):
    client = make_app(EMBED_ALLOWED_ORIGINS=[OTHER_SITE]).test_client()
    preflight = client.options(
        "/api/reminders", headers={"Origin": OTHER_SITE, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == OTHER_SITE
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers  # no cookies are used
    refused = client.options(
        "/api/reminders",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Access-Control-Allow-Origin" not in refused.headers
