"""Requests per second and latency of what readers ask for, side by side in one run:

- a static file served by nginx itself (the ceiling on this machine);
- a bare Flask route under the same gunicorn configuration as the app (the yardstick);
- the article page and the prompts' configuration through nginx's cache (deploy/nginx.conf),
  and the same two straight from gunicorn;
- the interactions the component sends (an event batch, remind me later with an e-mail),
  straight from gunicorn.

On PostgreSQL; wrk sends the load over loopback for a bounded time, in rounds that take turns
(a noisy neighbour slows every target alike); medians are reported.
Usage: .venv/bin/python bench/http_load.py [seconds per run] [rounds]
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from harness import (
    ROOT,
    app_environment,
    free_port,
    gunicorn,
    machine_line,
    migrate_and_seed,
    postgres_database,
)

sys.path.insert(0, str(ROOT))
from deploy.nginx import nginx

CONNECTIONS = 64
SLUG = "russia-to-build-drone-factory-in-belarus"
ORIGIN = "http://127.0.0.1"  # the app's PUBLIC_BASE_URL in the benchmark: its own pages
# A page's batch: what one reader did with the banner (closing it, or a snooze without an
# e-mail, is such an event too: the component keeps those on the reader's device).
EVENTS = {
    "events": [
        {"kind": "impression", "prompt": "appeal", "placement": "banner", "variant": "default"},
        {"kind": "dismiss", "prompt": "appeal", "placement": "banner", "variant": "default"},
    ]
}


def wrk(url: str, seconds: int, script: Path | None = None) -> dict[str, float]:
    extra = ["-s", str(script)] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "non2xx": int(m.group(1))
        if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out))
        else 0,
    }


def post_script(folder: Path, name: str, body: dict, content_type: str) -> Path:
    """A wrk script that POSTs this JSON body, from one of the site's own pages."""
    script = folder / f"{name}.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = {json.dumps(json.dumps(body))}\n"
        f'wrk.headers["Content-Type"] = "{content_type}"\n'
        f'wrk.headers["Origin"] = "{ORIGIN}"\n'
    )
    return script


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not shutil.which("wrk") or not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        sys.exit("wrk or nginx is missing: make bench-deps")
    print(machine_line(), f"| wrk -t2 -c{CONNECTIONS} -d{seconds}s, {rounds} rounds, medians")
    with postgres_database() as database_url, tempfile.TemporaryDirectory() as folder:
        env = app_environment(
            database_url,
            TRUSTED_PROXY_COUNT="1",
            # Every request comes from one address here: the limits would answer 429.
            PROMPT_EVENTS_RATE_LIMIT="100000000 per minute",
            REMIND_RATE_LIMIT="100000000 per minute",
        )
        migrate_and_seed(env)
        events = post_script(Path(folder), "events", EVENTS, "text/plain")
        app_port = free_port()
        with (
            gunicorn("bench.bare_app:create_app()", env, free_port()) as bare,
            gunicorn("app:create_app()", env, app_port) as app,
            nginx(f"127.0.0.1:{app_port}", free_port()) as front,
        ):
            page = requests.get(f"{front}/articles/{SLUG}", timeout=5).text
            month = requests.get(f"{app}/api/prompt/config", timeout=5).json()["remind"]["months"]
            remind = post_script(
                Path(folder),
                "remind",
                {"email": "reader@example.org", "month": month[0]["value"], "consent": True},
                "application/json",
            )
            stylesheet = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"', page).group(1)
            targets = [
                ("nginx: static file", front + stylesheet, None),
                ("bare Flask route", bare + "/bare", None),
                ("nginx cache: article", f"{front}/articles/{SLUG}", None),
                ("nginx cache: prompt config", f"{front}/api/prompt/config", None),
                ("gunicorn: article", f"{app}/articles/{SLUG}", None),
                ("gunicorn: prompt config", f"{app}/api/prompt/config", None),
                ("gunicorn: POST event batch", f"{app}/api/prompt/events", events),
                ("gunicorn: POST remind, e-mail", f"{app}/api/reminders", remind),
            ]
            runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in targets}
            for _ in range(rounds):
                for name, url, script in targets:
                    runs[name].append(wrk(url, seconds, script))
            component = requests.get(front + "/embed/support-prompt.js", timeout=5)
            revalidate = requests.get(
                front + "/embed/support-prompt.js",
                headers={"If-None-Match": component.headers.get("ETag", "")},
                timeout=5,
            )
    medians = {name: _median(results) for name, results in runs.items()}
    bare_rps = medians["bare Flask route"]["rps"]
    static_rps = medians["nginx: static file"]["rps"]
    print(f"{'endpoint':30} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× bare':>7} "
          f"{'× static':>8} {'non-2xx':>8}")  # fmt: skip
    for name, result in medians.items():
        print(
            f"{name:30} {result['rps']:9.0f} {result['p50']:8.2f} {result['p99']:8.2f} "
            f"{result['rps'] / bare_rps:7.2f} {result['rps'] / static_rps:8.2f} "
            f"{result['non2xx']:8.0f}"
        )
    print(
        f"support-prompt.js: {len(component.content)} bytes, "
        f"{len(gzip.compress(component.content, 9))} gzipped; "
        f"revalidation through nginx answered {revalidate.status_code}"
    )


def _median(results: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


if __name__ == "__main__":
    main()
