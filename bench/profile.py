"""Where a hot path spends its time: py-spy samples one gunicorn worker while wrk loads it.

Usage: .venv/bin/python bench/profile.py [path | webhooks] [seconds]
  path defaults to the article page as gunicorn renders it (on a cache miss, or under the
  metered paywall); "webhooks" samples the workers of
  bench/webhook_flood.py. Prints the functions with the largest share of samples, inclusive
  (the function and what it calls) and self (its own code only).
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import (
    ROOT,
    VENV_BIN,
    app_environment,
    free_port,
    gunicorn,
    machine_line,
    migrate_and_seed,
    postgres_database,
)
from http_load import SLUG

DEFAULT_PATH = f"/articles/{SLUG}"
SHOWN = 45


def frame_name(frame: str) -> str:
    """'view (donations/prompts/views.py:52)' → 'view (donations/prompts/views.py)'."""
    name, _, place = frame.partition(" (")
    place = place.rstrip(")").rsplit(":", 1)[0]
    for marker in ("site-packages/", "python3.11/", "/work/main/"):
        if marker in place:
            place = place.split(marker, 1)[1]
    return f"{name} ({place})"


def summarise(collapsed: Path) -> tuple[int, collections.Counter, collections.Counter]:
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [frame_name(f) for f in stack.split(";")]
        total += int(count)
        for name in set(frames):
            inclusive[name] += int(count)
        own[frames[-1]] += int(count)
    return total, inclusive, own


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_PATH
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    for tool in ("wrk", str(VENV_BIN / "py-spy")):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: make bench-deps")
    with tempfile.TemporaryDirectory() as scratch:
        collapsed = Path(scratch) / "profile.txt"
        if path == "webhooks":
            print(machine_line(), f"| the webhook flood's workers, {seconds}s")
            flood = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "webhook_flood.py"), "4000"],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(8)  # past the set-up: migrations, pledges, signing
            record(collapsed, seconds)
            flood.wait()
        else:
            print(machine_line(), f"| one worker, wrk -c16 -d{seconds}s on {path}")
            with postgres_database() as database_url:
                env = app_environment(database_url, WEB_CONCURRENCY="1")
                migrate_and_seed(env)
                with gunicorn("app:create_app()", env, free_port()) as url:
                    load = subprocess.Popen(
                        ["wrk", "-t1", "-c16", f"-d{seconds + 2}s", url + path],
                        stdout=subprocess.DEVNULL,
                    )
                    time.sleep(1)
                    record(collapsed, seconds)
                    load.wait()
        total, inclusive, own = summarise(collapsed)
    print(f"{total} samples")
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"\n{title:>9}  function")
        for name, count in counter.most_common(SHOWN):
            print(f"{100 * count / total:8.1f}%  {name}")


def record(collapsed: Path, seconds: int) -> None:
    """py-spy on the app's gunicorn master and its workers, as collapsed stacks."""
    master = subprocess.run(
        ["pgrep", "-f", "-o", "gunicorn -c config/gunicorn.py app:create_app"],
        capture_output=True,
        text=True,
    ).stdout.split()[0]
    subprocess.run(
        [
            *(str(VENV_BIN / "py-spy"), "record", "--pid", master, "--subprocesses"),
            *("--duration", str(seconds), "--rate", "500", "--format", "raw"),
            *("--output", str(collapsed)),
        ],
        check=True,
        capture_output=True,
    )


if __name__ == "__main__":
    main()
