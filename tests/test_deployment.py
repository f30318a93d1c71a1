"""The documented deployment, for real: migrations, then gunicorn with config/gunicorn.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import WEBHOOK_SECRET, free_port, fresh_database
from tests.flood import signed
from tests.stripe_events import checkout_session, event

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def deployed(tmp_path, sandbox):
    """`flask db upgrade`, then `gunicorn -c config/gunicorn.py "app:create_app()"`, on an
    empty database of the run's kind (SQLite, or PostgreSQL in its pass)."""
    with fresh_database(tmp_path) as database_url:
        yield from _deploy(tmp_path, sandbox, database_url)


def _deploy(tmp_path, sandbox, database_url):
    port = free_port()
    env = {
        **os.environ,
        "SECRET_KEY": "deployment-test-secret",
        "DATABASE_URL": database_url,
        "STRIPE_API_BASE": sandbox.url,
        "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "TRUSTED_PROXY_COUNT": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "LOG_FORMAT": "json",
    }
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [BIN / "flask", "--app", "app", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [BIN / "gunicorn", "-c", "config/gunicorn.py", "app:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for(url, server, log)
            yield url, log
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            requests.get(url + "/healthz", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer:\n{log.read_text()}")


def test_gunicorn_serves_the_app_with_health_checks_and_request_ids(deployed):
    url, log = deployed
    health = requests.get(url + "/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"database": "ok", "redis": "ok", "status": "ok"}
    ready = requests.get(url + "/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["schema"] == "ok"
    page = requests.get(url + "/articles/no-such-story", headers={"X-Request-ID": "lb-123"})
    assert page.status_code == 404 and page.headers["X-Request-ID"] == "lb-123"
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
    # Behind the load balancer, https is read from its header: HSTS is sent.
    secure = requests.get(url + "/healthz", headers={"X-Forwarded-Proto": "https"}, timeout=5)
    assert "Strict-Transport-Security" in secure.headers
    # Every forked worker answers, with its own database connections.
    answers = {requests.get(url + "/readyz", timeout=5).status_code for _ in range(20)}
    assert answers == {200}
    # The access log is JSON lines like the app's, each tied to its request's id.
    time.sleep(0.5)
    [access] = [e for e in _json_lines(log) if e["request_id"] == "lb-123"]
    assert access["logger"] == "gunicorn.access"
    assert access["message"] == "GET /articles/no-such-story 404"
    assert (access["method"], access["path"], access["status"]) == (
        "GET",
        "/articles/no-such-story",
        404,
    )
    assert access["bytes"] == len(page.content) and access["duration_ms"] >= 0


def test_app_logs_are_json_lines_with_the_request_id(deployed):
    url, log = deployed
    session = checkout_session(pledge_id="pl_unknown", mode="payment", amount=500)
    [(body, signature)] = signed([event("checkout.session.completed", session)], WEBHOOK_SECRET)
    answer = requests.post(
        url + "/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": signature, "X-Request-ID": "hook-7"},
        timeout=5,
    )
    assert answer.status_code == 200
    time.sleep(0.5)
    entries = _json_lines(log)
    assert all({"time", "level", "logger", "message", "request_id"} <= set(e) for e in entries)
    # gunicorn's own lines are JSON too: its start-up notices and the access log.
    assert any(
        e["logger"] == "gunicorn.error" and "Booting worker" in e["message"] for e in entries
    )
    applied, access = [e for e in entries if e["request_id"] == "hook-7"]
    assert applied["logger"] == "donations.webhooks.processor"
    assert "unmatched" in applied["message"]
    assert access["logger"] == "gunicorn.access" and access["status"] == 200
    assert WEBHOOK_SECRET not in log.read_text()  # secrets never logged


def _json_lines(log: Path) -> list[dict]:
    """Every line of the server's output, each of which must be JSON."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
