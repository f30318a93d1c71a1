"""Lighthouse scores of the pages readers see: the demo article, /support and a thank-you page.

Serves the app as it is deployed, gunicorn behind nginx (deploy/nginx.conf: its cache, its
compression, static files from disk), on a throwaway SQLite database and the Stripe sandbox;
gives one one-off gift through Checkout to reach a real thank-you page, then runs Lighthouse (npm
`lighthouse`, a devDependency) on Debian's Chromium and prints Performance, Accessibility,
Best Practices and SEO for each page. Lighthouse's defaults: a phone with throttled network and
CPU, simulated, so figures move a little between runs on a busy machine.

    .venv/bin/python bench/lighthouse.py [--runs 3]

`LIGHTHOUSE` names another lighthouse binary; `CHROME_PATH` another Chromium.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import requests
from harness import (
    ROOT,
    VENV_BIN,
    WEBHOOK_SECRET,
    free_port,
    gunicorn,
    machine_line,
    migrate_and_seed,
)

sys.path.insert(0, str(ROOT))
from deploy.nginx import nginx

ARTICLE = "/articles/russia-to-build-drone-factory-in-belarus"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def lighthouse_binary() -> str:
    found = os.environ.get("LIGHTHOUSE") or shutil.which(
        "lighthouse", path=str(ROOT / "node_modules" / ".bin")
    )
    if not found:
        sys.exit("lighthouse not found: `npm ci` installs it (package.json devDependencies)")
    return found


@contextlib.contextmanager
def sandbox(port: int, webhook_url: str) -> Iterator[str]:
    """The Stripe sandbox on 127.0.0.1:port, delivering webhooks to the app."""
    process = subprocess.Popen(
        [
            str(VENV_BIN / "python"),
            "-m",
            "stripe_sandbox",
            "--port",
            str(port),
            "--webhook-url",
            webhook_url,
            "--webhook-secret",
            WEBHOOK_SECRET,
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                requests.get(url + "/_sandbox/clock", timeout=2)
                break
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def thank_you_page(app: str) -> str:
    """Give $10 once through the form and the sandbox's Checkout; the thank-you URL once the
    webhook has confirmed it."""
    with requests.Session() as browser:
        page = browser.get(f"{app}/support", timeout=10).text
        form = {
            "csrf_token": TOKEN.search(page).group(1),
            "frequency": "once",
            "amount": "10",
            "currency": "usd",
            "email": "reader@example.org",
        }
        checkout = browser.post(f"{app}/support", data=form, allow_redirects=False, timeout=10)
        paid = requests.post(
            checkout.headers["Location"],
            data={
                "email": "reader@example.org",
                "number": "4242 4242 4242 4242",
                "expiry": "12 / 34",
                "cvc": "123",
                "name": "Ann Reader",
            },
            allow_redirects=False,
            timeout=10,
        )
        url = paid.headers["Location"]
        deadline = time.monotonic() + 30
        while "Confirming your payment" in browser.get(url, timeout=10).text:
            if time.monotonic() > deadline:
                sys.exit("the sandbox's webhook never confirmed the gift")
            time.sleep(0.5)
    return url


def scores(binary: str, url: str) -> dict[str, int]:
    """One Lighthouse run: each category's score out of 100."""
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    done = subprocess.run(
        [
            binary,
            url,
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(done.stdout)
    failing = [
        f"{audit['id']} ({audit['score']})"
        for audit in report["audits"].values()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit["scoreDisplayMode"] in ("binary", "numeric")
    ]
    if failing:
        print(f"    below 1: {', '.join(sorted(failing))}", file=sys.stderr)
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    args = parser.parse_args()
    binary = lighthouse_binary()
    app_port, sandbox_port, front_port = free_port(), free_port(), free_port()
    app = f"http://127.0.0.1:{app_port}"
    front = f"http://127.0.0.1:{front_port}"  # what readers reach: nginx
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "SECRET_KEY": "bench-secret",
            "DATABASE_URL": f"sqlite:///{scratch}/lighthouse.db",
            "STRIPE_SECRET_KEY": "sk_test_sandbox",
            "STRIPE_API_BASE": f"http://127.0.0.1:{sandbox_port}",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "PUBLIC_BASE_URL": front,
            "TRUSTED_PROXY_COUNT": "1",
            "MAIL_SERVER": "",
            "LOG_LEVEL": "WARNING",
            "GUNICORN_ACCESSLOG": "/dev/null",
            "WEB_CONCURRENCY": "1",
        }
        migrate_and_seed(env)
        with (
            sandbox(sandbox_port, f"{app}/stripe/webhook"),
            gunicorn("app:create_app()", env, app_port),
            nginx(f"127.0.0.1:{app_port}", front_port),
        ):
            pages = {
                "article": front + ARTICLE,
                "/support": front + "/support",
                "thank-you": thank_you_page(front),
            }
            print(machine_line())
            print(f"{'page':<10} " + " ".join(f"{name:>15}" for name in CATEGORIES))
            for name, url in pages.items():
                runs = [scores(binary, url) for _ in range(args.runs)]
                median = {c: int(statistics.median(r[c] for r in runs)) for c in CATEGORIES}
                print(f"{name:<10} " + " ".join(f"{median[c]:>15}" for c in CATEGORIES))


if __name__ == "__main__":
    main()
