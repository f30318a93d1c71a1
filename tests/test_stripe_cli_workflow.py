"""The Stripe CLI workflow: `make stripe-listen` lists exactly the events the app handles."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from donations.payments.webhooks.handlers import HANDLERS

ROOT = Path(__file__).resolve().parents[1]


def run_listen(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("STRIPE_")}
    return subprocess.run(
        ["bash", "scripts/stripe-listen.sh"],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_a_real_key_it_explains_what_it_needs():
    result = run_listen()
    assert result.returncode == 2
    assert "STRIPE_SECRET_KEY=sk_test_… make stripe-listen" in result.stderr
    assert "whsec_" in result.stderr


def test_a_live_key_is_refused_too():
    assert run_listen(STRIPE_SECRET_KEY="sk_live_123").returncode == 2


def test_readme_lists_every_event_the_app_handles():
    readme = (ROOT / "README.md").read_text()
    listed = readme.split("--events ", 1)[1].split()[0].split(",")
    assert sorted(listed) == sorted(HANDLERS)


def test_events_are_forwarded_at_the_version_the_app_reads():
    # The CLI sends the account's default version unless told --latest, which is the pinned
    # one while the SDK is current (the app refuses, and says so, any other).
    script = (ROOT / "scripts" / "stripe-listen.sh").read_text()
    assert "--latest" in script
    readme = (ROOT / "README.md").read_text()
    assert "stripe listen --latest --forward-to" in readme
