"""What every request passes through: security headers and request ids (error pages too), body
limits, NUL characters refused, CSRF on forms, rate limits on the writes they guard, and no
session for a reader who has not started one."""

from __future__ import annotations

import pytest
from flask import Response

from tests.conftest import csrf_token

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/prompt/config", 200),
        ("get", "/articles/no-such-story", 404),
        ("get", "/api/prompt/config?lang=%00", 400),
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
    assert len(response.headers["X-Request-ID"]) == 32


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
    read = client.get("/api/prompt/config")
    assert read.status_code == 200
    assert not [name for name, _ in read.headers if name.startswith("X-RateLimit")]


def test_a_reader_with_no_session_is_sent_none_and_staff_sessions_still_work(client):
    answer = client.get("/api/prompt/config")
    assert not [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session=")]
    # A page with a form does start a session (its CSRF token), and it is read back later.
    token = csrf_token(client)
    assert client.get_cookie("session") is not None
    client.get("/api/prompt/config")
    answer = client.post(
        "/support", data={"csrf_token": token, "frequency": "once", "other_amount": "5"}
    )
    assert answer.status_code == 303


def test_a_load_balancers_request_id_is_kept_and_a_strange_one_replaced(client):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert kept.headers["X-Request-ID"] == "lb-1234.abc"
    odd = client.get("/healthz", headers={"X-Request-ID": "two words; and <more>"})
    assert odd.headers["X-Request-ID"] != "two words; and <more>"


def test_a_large_form_is_refused_before_it_is_read(client):
    answer = client.post("/support", data={"other_amount": "5", "website": "x" * 100_000})
    assert answer.status_code == 413


def test_a_webhook_larger_than_any_stripe_event_is_refused_unread(client):
    answer = client.post(
        "/stripe/webhook",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=00"},
    )
    assert answer.status_code == 413
    assert answer.json["status"] == 413
