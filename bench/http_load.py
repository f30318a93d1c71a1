"""Requests per second and latency of the reader-facing hot paths, against a bare Flask route.

Both run under the same gunicorn configuration (config/gunicorn.py) on PostgreSQL; wrk sends
the load over loopback for a bounded time, in rounds that take turns; medians are reported.
Usage: .venv/bin/python bench/http_load.py [seconds per run] [rounds]
"""

from __future__ import annotations

import gzip
import re
import shutil
import statistics
import subprocess
import sys

import requests
from harness import (
    app_environment,
    free_port,
    gunicorn,
    machine_line,
    migrate_and_seed,
    postgres_database,
)

CONNECTIONS = 64
SLUG = "russia-to-build-drone-factory-in-belarus"


def wrk(url: str, seconds: int, cookie: str = "") -> dict[str, float]:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", *header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {
        "rps": rps,
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
        "non2xx": int(m.group(1))
        if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out))
        else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: make bench-deps")
    print(machine_line(), f"| wrk -t2 -c{CONNECTIONS} -d{seconds}s, {rounds} rounds, medians")
    with postgres_database() as database_url:
        env = app_environment(database_url)
        migrate_and_seed(env)
        with (
            gunicorn("bench.bare_app:create_app()", env, free_port()) as bare,
            gunicorn("app:create_app()", env, free_port()) as app,
        ):
            prompt = app + f"/api/prompt?placement=article-end&article={SLUG}"
            # A returning reader who has seen the appeal once: decided and re-signed each time.
            seen_once = requests.get(prompt, timeout=5).cookies["rr_reader"]
            targets = [
                ("bare Flask route", bare + "/bare", ""),
                ("GET /api/prompt", prompt, ""),
                ("  returning reader", prompt, f"rr_reader={seen_once}"),
                ("GET /articles/<slug>", app + f"/articles/{SLUG}", ""),
                ("GET /healthz", app + "/healthz", ""),
            ]
            # Rounds take turns, so a noisy neighbour on the machine slows every target alike.
            runs: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in targets}
            for _ in range(rounds):
                for name, url, cookie in targets:
                    runs[name].append(wrk(url, seconds, cookie))
            script = requests.get(app + "/embed/support-prompt.js", timeout=5)
            revalidate = requests.get(
                app + "/embed/support-prompt.js",
                headers={"If-None-Match": script.headers.get("ETag", "")},
                timeout=5,
            )
    medians = {name: _median(results) for name, results in runs.items()}
    baseline = medians["bare Flask route"]["rps"]
    print(f"{'endpoint':24} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× bare':>7} {'non-2xx':>8}")
    for name, result in medians.items():
        print(
            f"{name:24} {result['rps']:9.0f} {result['p50']:8.2f} {result['p99']:8.2f} "
            f"{result['rps'] / baseline:7.2f} {result['non2xx']:8.0f}"
        )
    print(
        f"support-prompt.js: {len(script.content)} bytes, "
        f"{len(gzip.compress(script.content, 9))} gzipped; "
        f"revalidation answered {revalidate.status_code}"
    )


def _median(results: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


if __name__ == "__main__":
    main()
