"""Shared by the benchmarks: a throwaway PostgreSQL database and gunicorn servers on loopback."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("BENCH_POSTGRES_SERVER", "postgres@127.0.0.1:5432")
WEBHOOK_SECRET = "whsec_" + "b" * 32


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def postgres_database(prefix: str = "donations_bench") -> Iterator[str]:
    """A fresh database, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = f"postgresql://{POSTGRES}/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://{POSTGRES}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def app_environment(database_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SECRET_KEY="bench-secret",
        DATABASE_URL=database_url,
        STRIPE_API_BASE="http://127.0.0.1:9",  # the hot paths never call Stripe
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        PUBLIC_BASE_URL="http://127.0.0.1",
        LOG_LEVEL="WARNING",
        GUNICORN_ACCESSLOG="/dev/null",
        **extra,
    )
    return env


def migrate_and_seed(env: dict[str, str]) -> None:
    flask = str(VENV_BIN / "flask")
    for args in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run(
            [flask, "--app", "app", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )


@contextlib.contextmanager
def gunicorn(target: str, env: dict[str, str], port: int) -> Iterator[str]:
    """Serve `target` with config/gunicorn.py on 127.0.0.1:port until the block ends."""
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    process = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-c", "config/gunicorn.py", target],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                requests.get(url + "/", timeout=5)
                break
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode())
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # keep-alive clients can hold a graceful stop open
            process.kill()
            process.wait()


def machine_line() -> str:
    return f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}"
