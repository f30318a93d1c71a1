"""The command line, the environment it reads and the state file that survives restarts."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stripe_sandbox import create_sandbox
from stripe_sandbox.__main__ import main, parse_args

from .helpers import session_params

ROOT = Path(__file__).parents[2]
AUTH = {"Authorization": "Bearer sk_test_cli"}


def test_options_fall_back_to_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDBOX_PORT", "12999")
    monkeypatch.setenv("SANDBOX_WEBHOOK_URL", "http://127.0.0.1:5000/stripe/webhook")
    monkeypatch.setenv("SANDBOX_WEBHOOK_SECRET", "whsec_env")

    args = parse_args(["--webhook-secret", "whsec_flag"])

    assert (args.host, args.port) == ("127.0.0.1", 12999)
    assert args.webhook_url == "http://127.0.0.1:5000/stripe/webhook"
    assert args.webhook_secret == "whsec_flag"


def test_other_hosts_are_refused(caplog: pytest.LogCaptureFixture) -> None:
    assert main(["--host", "0.0.0.0"]) == 2
    assert "only binds to 127.0.0.1" in caplog.text


def test_module_starts_and_logs_its_url() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        [sys.executable, "-m", "stripe_sandbox", "--port", "0"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        line = process.stderr.readline()
        process.send_signal(signal.SIGINT)
        process.stderr.read()
        assert process.wait(timeout=10) == 0
    assert "Stripe sandbox on http://127.0.0.1:" in line


def _form(params: dict[str, object]) -> dict[str, object]:
    price = params["line_items"][0]["price_data"]  # type: ignore[index]
    return {
        "mode": params["mode"],
        "line_items[0][price_data][currency]": price["currency"],
        "line_items[0][price_data][unit_amount]": price["unit_amount"],
        "line_items[0][price_data][product_data][name]": price["product_data"]["name"],
        "line_items[0][quantity]": 1,
        "success_url": params["success_url"],
    }


def test_state_file_keeps_sessions_over_a_restart(tmp_path: Path) -> None:
    state_file = tmp_path / "sandbox.json"
    first = create_sandbox(state_file=state_file)
    created = first.test_client().post(
        "/v1/checkout/sessions", data=_form(session_params()), headers=AUTH
    )
    first.extensions["stripe_sandbox"].close()

    second = create_sandbox(state_file=state_file)
    fetched = second.test_client().get(f"/v1/checkout/sessions/{created.json['id']}", headers=AUTH)
    second.extensions["stripe_sandbox"].close()

    assert created.status_code == 200
    assert fetched.status_code == 200
    assert fetched.json["status"] == "open"


def test_admin_endpoints_refuse_other_addresses() -> None:
    app = create_sandbox()
    remote = app.test_client().get("/_sandbox/deliveries", environ_base={"REMOTE_ADDR": "10.0.0.5"})
    local = app.test_client().get("/_sandbox/deliveries")
    app.extensions["stripe_sandbox"].close()

    assert (remote.status_code, local.status_code) == (403, 200)
