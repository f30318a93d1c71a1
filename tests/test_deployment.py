"""The documented deployment, for real: migrations, then gunicorn with config/gunicorn.py."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from deploy.nginx import nginx
from donations.demo import DEMO_SLUG
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
    assert applied["logger"] == "donations.payments.webhooks.processor"
    assert "unmatched" in applied["message"]
    assert access["logger"] == "gunicorn.access" and access["status"] == 200
    assert WEBHOOK_SECRET not in log.read_text()  # secrets never logged


def _json_lines(log: Path) -> list[dict]:
    """Every line of the server's output, each of which must be JSON."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


# nginx in front (deploy/nginx.conf) -------------------------------------------------------------


@pytest.fixture
def cached(deployed):
    """The deployment behind nginx, as deploy/nginx.conf sets it up, on loopback."""
    url, log = deployed
    with nginx(url.removeprefix("http://"), free_port()) as front:
        yield front, log


def app_saw(log: Path, path: str, method: str = "GET") -> int:
    """How many requests for the path reached gunicorn (its access log)."""
    time.sleep(0.3)  # the access line is written just after the answer
    lines = [e for e in _json_lines(log) if e["logger"] == "gunicorn.access"]
    return sum(1 for e in lines if (e["method"], e["path"]) == (method, path))


def test_a_second_anonymous_article_view_is_served_from_the_cache(cached):
    front, log = cached
    path = f"/articles/{DEMO_SLUG}"
    first = requests.get(front + path, timeout=5)
    second = requests.get(front + path, timeout=5)
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.content == first.content and "Set-Cookie" not in second.headers
    assert app_saw(log, path) == 1
    # Each answer names its own request, the kept one too.
    assert second.headers["X-Request-ID"] != first.headers["X-Request-ID"]
    config = [requests.get(front + "/api/prompt/config", timeout=5) for _ in range(3)]
    assert [c.headers["X-Cache"] for c in config] == ["MISS", "HIT", "HIT"]
    assert app_saw(log, "/api/prompt/config") == 1


def test_a_post_is_never_cached(cached):
    front, log = cached
    beacon = json.dumps({"events": [{"kind": "open", "prompt": "appeal", "placement": "banner"}]})
    for _ in range(2):
        answer = requests.post(
            front + "/api/prompt/events",
            data=beacon,
            headers={"Content-Type": "text/plain", "Origin": front},
            timeout=5,
        )
        assert answer.status_code == 403  # nginx's address is not the site's own: refused
        assert answer.headers.get("X-Cache", "") in ("", "-")
    assert app_saw(log, "/api/prompt/events", "POST") == 2


def test_a_readers_cookies_never_reach_another_readers_answer(cached):
    front, log = cached
    path = f"/articles/{DEMO_SLUG}"
    with requests.Session() as first_reader, requests.Session() as second_reader:
        token = first_reader.get(front + "/support/token", timeout=5)
        assert "session" in first_reader.cookies and token.headers.get("X-Cache") != "HIT"
        first_reader.cookies.set("rr_supporter", "their-pass")
        seen_first = first_reader.get(front + path, timeout=5)
        seen_second = second_reader.get(front + path, timeout=5)
        assert seen_second.headers["X-Cache"] == "HIT"
        assert seen_second.content == seen_first.content
        assert "Set-Cookie" not in seen_second.headers and not second_reader.cookies
        # Answers with a reader's own token are never kept: each reader gets their own.
        other = second_reader.get(front + "/support/token", timeout=5)
        assert other.json()["csrfToken"] != token.json()["csrfToken"]
        assert app_saw(log, "/support/token") == 2
        assert token.json()["csrfToken"] not in seen_second.text


def test_nginx_serves_static_files_and_the_component_itself_compressed(cached):
    front, log = cached
    page = requests.get(front + f"/articles/{DEMO_SLUG}", timeout=5).text
    script = re.search(r'src="(/static/embed/support-prompt\.js\?v=[0-9a-f]+)"', page).group(1)
    hashed = requests.get(front + script, headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert hashed.status_code == 200
    assert hashed.headers["Content-Encoding"] == "gzip"
    assert "immutable" in hashed.headers["Cache-Control"]
    pasted = requests.get(front + "/embed/support-prompt.js", timeout=5)
    assert pasted.content == hashed.content
    assert pasted.headers["Cache-Control"] == "public, max-age=300"
    assert pasted.headers["Access-Control-Allow-Origin"] == "*"
    assert app_saw(log, "/embed/support-prompt.js") == 0
    assert not [e for e in _json_lines(log) if e.get("path", "").startswith("/static/")]


def test_no_answer_through_nginx_names_the_servers_behind_it(cached):
    front, _ = cached
    for path in ("/", f"/articles/{DEMO_SLUG}", "/staff/login", "/no-such-page", "/healthz"):
        server = requests.get(front + path, timeout=5).headers.get("Server", "")
        assert "gunicorn" not in server.lower() and "werkzeug" not in server.lower(), path
        assert not re.search(r"[0-9]", server), server  # and no version


def test_gunicorn_listens_only_on_loopback_unless_told_otherwise(monkeypatch):
    for name in ("GUNICORN_BIND", "PORT"):
        monkeypatch.delenv(name, raising=False)
    assert runpy.run_path(str(ROOT / "config" / "gunicorn.py"))["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("PORT", "9000")
    assert runpy.run_path(str(ROOT / "config" / "gunicorn.py"))["bind"] == "127.0.0.1:9000"
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:8000")
    assert runpy.run_path(str(ROOT / "config" / "gunicorn.py"))["bind"] == "0.0.0.0:8000"
