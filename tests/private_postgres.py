"""A PostgreSQL server of the test's own, so a test may stop and restart it for real.

The shared server on 5432 serves every other test; this one lives in a temporary directory on
a free port and is removed afterwards. Debian's server binaries come with PostgreSQL itself.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import free_port

# PostgreSQL refuses to run as root: as root (CI), it runs as its own system user.
AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class PrivatePostgres:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        self.bindir = Path(found.stdout.strip())

    def _run(self, program: str, *args: str) -> None:
        command = [*AS_POSTGRES, str(self.bindir / program), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def initialise(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.directory / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        # "fast" is what an operator's restart or a failover does: open sessions are cut off.
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started server in a fresh directory (owned by the postgres user when run as root)."""
    directory = Path(tempfile.mkdtemp(prefix="private-postgres-"))
    if AS_POSTGRES:
        account = pwd.getpwnam("postgres")
        os.chown(directory, account.pw_uid, account.pw_gid)
    server = PrivatePostgres(directory)
    try:
        server.initialise()
        server.start()
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()  # unless the test left it stopped
        shutil.rmtree(directory, ignore_errors=True)
