"""deploy/nginx.conf, run on loopback in front of a running app: for the tests and benchmarks,
and to try the cache by hand (`.venv/bin/python -m deploy.nginx 127.0.0.1:5000 8080`)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from string import Template

DEPLOY = Path(__file__).resolve().parent
STATIC_ROOT = DEPLOY.parent / "static"


def render(*, listen: str, app_address: str, state_dir: Path) -> str:
    """The configuration with its ${...} filled in, as envsubst would."""
    template = Template((DEPLOY / "nginx.conf").read_text())
    values = {
        "LISTEN": listen,
        "APP_ADDRESS": app_address,
        "STATIC_ROOT": str(STATIC_ROOT),
        "STATE_DIR": str(state_dir),
    }
    # Only our four names: nginx's own $variables (and ${request_time}) stay as they are.
    return template.safe_substitute(values)


@contextlib.contextmanager
def nginx(app_address: str, port: int) -> Iterator[str]:
    """nginx on 127.0.0.1:port in front of app_address until the block ends; yields its URL.

    Its cache and logs go to a new folder under /tmp, which nginx's workers (they give up root)
    can reach, and which goes with them."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        raise RuntimeError("nginx is not installed: apt-get install -y nginx (make test does)")
    with tempfile.TemporaryDirectory(prefix="nginx-", dir="/tmp") as folder:
        state = Path(folder)
        state.chmod(0o777)
        conf = state / "nginx.conf"
        conf.write_text(
            render(listen=f"127.0.0.1:{port}", app_address=app_address, state_dir=state)
        )
        process = subprocess.Popen(  # noqa: S603  (our own binary and paths)
            [binary, "-p", str(state), "-c", str(conf), "-e", str(state / "error.log"),
             "-g", f"daemon off; pid {state / 'nginx.pid'};{_workers_user()}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            _wait_for_port(port, process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)
            process.stderr.close()


def _workers_user() -> str:
    """Started as root, nginx's workers become "nobody", who may not read a checkout in a
    private folder (a CI clone under mktemp -d is 0700): they run as the checkout's owner."""
    if os.geteuid() != 0:
        return ""  # the workers stay this user, who can read the checkout
    return f" user {pwd.getpwuid(STATIC_ROOT.stat().st_uid).pw_name};"


def _wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {process.stderr.read().decode()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


if __name__ == "__main__":
    app = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:5000"
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8080
    with nginx(app, port) as url:
        print(f"nginx at {url}, in front of {app}; Ctrl-C stops it.")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
