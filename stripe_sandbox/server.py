"""`SandboxServer`: the sandbox served on a free loopback port in a background thread."""

import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server

from .app import Sandbox, create_sandbox


class SandboxServer:
    """Serve a sandbox for the length of a `with` block; `.url` is where it listens.

    Takes the keyword arguments of `create_sandbox`.
    """

    def __init__(self, **options: Any) -> None:
        self.app = create_sandbox(**options)
        self.sandbox: Sandbox = self.app.extensions["stripe_sandbox"]
        self.url = ""
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> "SandboxServer":
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll interval makes shutdown quick, which adds up over a test suite.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.sandbox.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def set_webhook(
        self, url: str | None, secret: str | None = None, **endpoint: Any
    ) -> str | None:
        """Deliver future events to `url`, signed with `secret`; returns the secret.
        `enabled_events=[…]` and `api_version=` set what Stripe's API lists for the endpoint."""
        return self.sandbox.set_webhook(url, secret, **endpoint)

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until no delivery is pending; False if `timeout` seconds passed first."""
        return self.sandbox.wait_for_deliveries(timeout)
