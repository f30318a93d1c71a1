"""What every request passes through, trimmed for the page-view hot path (bench/profile.py):
security headers at the WSGI layer, CSRF and rate-limit hooks only where they can matter, and
sessions that cost nothing when absent. Each trim must leave the behaviour it trims whole."""

from __future__ import annotations

import pytest
from flask import Response

from tests.conftest import csrf_token

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/prompt?placement=article-end", 200),
        ("get", "/articles/no-such-story", 404),
        ("get", "/api/prompt?placement=%00", 400),
        ("post", "/stripe/webhook", 400),
        ("get", "/embed/support-prompt.js", 200),
    ],
)
def test_every_response_carries_the_security_headers_error_pages_too(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    for name in SECURITY_HEADERS:
        assert len(response.headers.getlist(name)) == 1, name
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "Strict-Transport-Security" not in response.headers  # plain http: no pinning


def test_hsts_is_sent_over_https_only(client):
    secure = client.get("/healthz", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_response_with_its_own_policy_keeps_it(make_app):
    app = make_app()

    @app.get("/own-policy")
    def own_policy():
        return Response("x", headers={"Content-Security-Policy": "default-src 'none'"})

    response = app.test_client().get("/own-policy")
    assert response.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nul_characters_are_refused_in_queries_as_well_as_forms(client):
    assert client.get("/support?frequency=once%00").status_code == 400
    assert client.get("/support?frequency%00=once").status_code == 400
    token = csrf_token(client)
    refused = client.post("/support", data={"csrf_token": token, "frequency": "once\x00"})
    assert refused.status_code == 400
    # A percent sign that is not a NUL is just text.
    assert client.get("/support?frequency=%2500").status_code == 200


def test_forms_still_need_their_csrf_token_and_reads_never_do(client):
    assert (
        client.post("/support", data={"frequency": "once", "other_amount": "5"}).status_code == 400
    )
    assert client.get("/support").status_code == 200
    token = csrf_token(client)
    answer = client.post(
        "/support", data={"csrf_token": token, "frequency": "once", "other_amount": "5"}
    )
    assert answer.status_code == 303
    # Exempt endpoints (JSON calls with their own token) are not asked for a form token.
    assert client.post("/stripe/webhook", data="{}").status_code == 400  # bad signature, not CSRF


def test_limited_posts_still_report_their_limits_and_reads_carry_no_limit_headers(make_app):
    app = make_app(RATELIMIT_ENABLED=True, WTF_CSRF_ENABLED=False)
    client = app.test_client()
    posted = client.post("/support", data={"frequency": "once", "other_amount": "5"})
    assert posted.status_code == 303
    assert int(posted.headers["X-RateLimit-Limit"]) > 0
    assert int(posted.headers["X-RateLimit-Remaining"]) < int(posted.headers["X-RateLimit-Limit"])
    read = client.get("/api/prompt?placement=article-end")
    assert read.status_code == 200
    assert not [name for name, _ in read.headers if name.startswith("X-RateLimit")]


def test_a_reader_with_no_session_is_sent_none_and_staff_sessions_still_work(client):
    answer = client.get("/api/prompt?placement=article-end")
    assert not [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    # A page with a form does start a session (its CSRF token), and it is read back later.
    token = csrf_token(client)
    assert client.get_cookie("session") is not None
    client.get("/api/prompt?placement=article-end")
    answer = client.post(
        "/support", data={"csrf_token": token, "frequency": "once", "other_amount": "5"}
    )
    assert answer.status_code == 303
