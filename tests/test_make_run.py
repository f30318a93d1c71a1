"""`make run` as the README tells a developer to use it: the service in one terminal, and in a
second terminal the CLI, with nothing exported, on the same database and the same sandbox."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("db", "mail", "privacy", "reminders", "routes", "run", "seed-demo", "shell", "staff")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the project's files (its own .env, instance/ and database), sharing the venv."""
    copy = tmp_path_factory.mktemp("checkout")
    tracked = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in tracked:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def a_terminal() -> dict[str, str]:
    """A new terminal's environment: nothing of the project's exported."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def running(checkout) -> dict[str, str]:
    """`make run`'s script in the first terminal, until the app answers."""
    port, sandbox_port = free_port(), free_port()
    env = {
        **a_terminal(),
        "PORT": str(port),
        "SANDBOX_PORT": str(sandbox_port),
        "DEMO_PLEDGES": "20",
    }
    log = (checkout / "run.log").open("wb")
    server = subprocess.Popen(
        ["bash", "scripts/dev-run.sh"],
        cwd=checkout,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (checkout / "run.log").read_text()
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (checkout / "run.log").read_text()
            time.sleep(0.5)
        yield {"url": url, "sandbox": f"http://127.0.0.1:{sandbox_port}"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def flask(checkout: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`.venv/bin/flask --app app …` typed in the second terminal."""
    return subprocess.run(
        [".venv/bin/flask", "--app", "app", *args],
        cwd=checkout,
        env=a_terminal(),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_make_run_writes_the_env_file_flask_reads_and_git_ignores(checkout, running):
    env_file = (checkout / ".env").read_text()
    assert "SECRET_KEY=" in env_file and f"STRIPE_API_BASE={running['sandbox']}" in env_file
    assert oct((checkout / ".env").stat().st_mode)[-3:] == "600"
    ignored = subprocess.run(["git", "check-ignore", ".env"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0


def test_the_cli_lists_every_command_in_a_second_terminal(checkout, running):
    helped = flask(checkout, "--help")
    assert helped.returncode == 0, helped.stderr
    assert "Error" not in helped.stderr
    listed = {
        line.split()[0] for line in helped.stdout.split("Commands:")[1].splitlines() if line.strip()
    }
    assert set(COMMANDS) | {"stripe"} <= listed


def test_staff_create_works_beside_make_run(checkout, running):
    created = flask(checkout, "staff", "create", "desk@newsroom.example", "--role", "admin")
    assert created.returncode == 0, created.stderr
    assert "desk@newsroom.example" in created.stdout
    assert "desk@newsroom.example" in flask(checkout, "staff", "list").stdout


def test_the_sandbox_clock_moves_from_a_second_terminal(checkout, running):
    moved = flask(checkout, "stripe", "sandbox", "advance", "--days", "31")
    assert moved.returncode == 0, moved.stderr
    assert "Sandbox clock moved 31 day(s)" in moved.stdout


def test_the_printed_staff_account_opens_the_dashboard(checkout, running):
    output = (checkout / "run.log").read_text()
    password = next(
        line.split("=", 1)[1]
        for line in (checkout / ".env").read_text().splitlines()
        if line.startswith("DEV_STAFF_PASSWORD=")
    )
    assert f"admin@newsroom.example / {password}" in output
    with requests.Session() as browser:
        page = browser.get(running["url"] + "/staff/login", timeout=10).text
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        signed_in = browser.post(
            running["url"] + "/staff/login",
            data={"csrf_token": token, "email": "admin@newsroom.example", "password": password},
            timeout=10,
        )
        assert signed_in.url.endswith("/staff/") and "<h1>Overview</h1>" in signed_in.text
