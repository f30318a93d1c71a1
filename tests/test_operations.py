"""What operations rely on: health checks, request ids, JSON logs, proxies, secret rotation."""

from __future__ import annotations

import json
import logging

import pytest
from flask_migrate import upgrade

from app import create_app
from donations.platform.extensions import db
from donations.platform.observability import ENVIRON_KEY, JsonFormatter, RequestIdFilter
from tests.conftest import WEBHOOK_SECRET, app_settings, fresh_database
from tests.stripe_events import event, post_event


def test_healthz_checks_the_database(client):
    assert client.get("/healthz").json == {
        "status": "ok",
        "database": "ok",
        "redis": "not configured",
    }


def test_healthz_checks_redis_when_configured(make_app):
    assert (
        make_app(REDIS_URL="redis://127.0.0.1:6379/0").test_client().get("/healthz").json["redis"]
        == "ok"
    )
    down = make_app(REDIS_URL="redis://127.0.0.1:1/0").test_client().get("/healthz")
    assert down.status_code == 503
    assert down.json == {"status": "unavailable", "database": "ok", "redis": "failing"}


def test_readyz_waits_for_migrations(sandbox, tmp_path):
    with fresh_database(tmp_path) as url:
        app = create_app(app_settings(url, sandbox.url))
        client = app.test_client()
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json["schema"] == "failing"
        with app.app_context():
            upgrade()
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json["schema"] == "ok"
        with app.app_context():
            db.engine.dispose()


def test_every_response_carries_a_request_id(client):
    given = client.get("/healthz", headers={"X-Request-ID": "lb-1234.abc"})
    assert given.headers["X-Request-ID"] == "lb-1234.abc"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id; with <chars>"})
    assert len(unsafe.headers["X-Request-ID"]) == 32


def test_log_lines_are_json_with_the_request_id(app):
    record = logging.LogRecord(
        "donations", logging.INFO, __file__, 1, "pledge %s paid", ("pl_1",), None
    )
    with app.test_request_context(headers={"X-Request-ID": "req-7"}):
        app.preprocess_request()
        RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "pledge pl_1 paid"
    assert line["request_id"] == "req-7"
    assert line["level"] == "INFO"


@pytest.fixture
def gunicorn_access_log(tmp_path, monkeypatch):
    """gunicorn's logger as config/gunicorn.py sets it up, and a way to log one request the way
    gunicorn's worker does: with its response's status, byte count and headers. (JSON lines
    from a running server are checked in test_deployment.py.)"""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from donations.platform.observability import GunicornLogger

    def log_one(log_format: str, status: str | None) -> str:
        monkeypatch.setenv("LOG_FORMAT", log_format)
        config = Config()
        config.set("accesslog", str(tmp_path / f"{log_format}.log"))
        config.set("access_log_format", '%(h)s "%(r)s" %(s)s rid=%({x-request-id}o)s')
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/healthz",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "203.0.113.9",
            ENVIRON_KEY: "req-9",
        }
        response = SimpleNamespace(status=status, sent=15, headers=[("X-Request-ID", "req-9")])
        logger = GunicornLogger(config)
        logger.access(response, [], environ, timedelta(milliseconds=3))
        for log in (logger.access_log, logger.error_log):  # gunicorn's loggers are global
            for handler in log.handlers[:]:
                log.removeHandler(handler)
                handler.close()
        return (tmp_path / f"{log_format}.log").read_text()

    return log_one


def test_with_text_logs_gunicorn_keeps_its_access_log_format(gunicorn_access_log):
    line = gunicorn_access_log("text", "200 OK")
    assert line == '203.0.113.9 "GET /healthz HTTP/1.1" 200 rid=req-9\n'


def test_gunicorn_access_lines_are_json_even_for_a_request_stopped_before_its_answer(
    gunicorn_access_log,
):
    answered = json.loads(gunicorn_access_log("json", "404 NOT FOUND"))
    assert answered["message"] == "GET /healthz 404" and answered["status"] == 404
    assert answered["request_id"] == "req-9" and answered["duration_ms"] == 3.0
    # A worker stopped by its timeout logs the request with no status, rather than failing.
    stopped = json.loads(gunicorn_access_log("json", None).splitlines()[-1])
    assert stopped["status"] is None and stopped["message"] == "GET /healthz -"


def test_behind_one_proxy_the_client_address_comes_from_x_forwarded_for(make_app):
    app = make_app(TRUSTED_PROXY_COUNT=1)

    @app.get("/_test/remote")
    def remote():
        from flask import request

        return {"addr": request.remote_addr, "secure": request.is_secure}

    seen = app.test_client().get(
        "/_test/remote",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert seen.json == {"addr": "203.0.113.9", "secure": True}
    assert "max-age=" in seen.headers["Strict-Transport-Security"]


def test_no_hsts_over_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_webhook_secret_rotation_accepts_both_secrets(make_app):
    app = make_app(STRIPE_WEBHOOK_SECRET=f"whsec_brandnew,{WEBHOOK_SECRET}")
    client = app.test_client()
    for secret in ("whsec_brandnew", WEBHOOK_SECRET):
        evt = event("customer.created", {"id": "cus_1", "object": "customer"})
        assert post_event(client, evt, secret).status_code == 200
    evt = event("customer.created", {"id": "cus_2", "object": "customer"})
    assert post_event(client, evt, "whsec_retired").status_code == 400


def test_donations_still_work_when_the_rate_limit_store_is_down(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",
    )
    client = app.test_client()
    page = client.get("/support")
    token = page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    response = client.post(
        "/support",
        data={"csrf_token": token.split('"')[0], "frequency": "once", "other_amount": "0.5"},
    )
    assert response.status_code == 422  # validated as usual, not a 500
