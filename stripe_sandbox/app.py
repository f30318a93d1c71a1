"""The sandbox application factory: state, delivery worker and the three blueprints."""

import logging
import os
import secrets
from collections.abc import Sequence

from flask import Flask, Response, request

from . import admin, api, hosted
from .delivery import DeliveryWorker
from .store import State

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS = (1.0, 5.0, 30.0, 120.0)


class Sandbox:
    """One running sandbox: its state and its webhook delivery worker."""

    def __init__(self, state: State, worker: DeliveryWorker) -> None:
        self.state = state
        self.worker = worker

    def set_webhook(
        self,
        url: str | None,
        secret: str | None = None,
        *,
        enabled_events: list[str] | None = None,
        api_version: str | None = None,
    ) -> str | None:
        """Point delivery of future events at `url`; returns the signing secret in use.

        `enabled_events` (default every event) and `api_version` (default: the account's, the
        pinned one) are what Stripe's API then lists for the endpoint.
        """
        with self.state.lock:
            self.state.webhook_url = url
            self.state.webhook_events = list(enabled_events or ["*"])
            self.state.webhook_api_version = api_version
            if url and not secret and not self.state.webhook_secret:
                secret = "whsec_" + secrets.token_hex(32)
                log.info("Webhook signing secret: %s", secret)
            if secret:
                self.state.webhook_secret = secret
            return self.state.webhook_secret

    def wait_for_deliveries(self, timeout: float = 10.0) -> bool:
        """Block until no delivery is pending; False if `timeout` seconds passed first."""
        return self.worker.wait_idle(timeout)

    def close(self) -> None:
        """Stop the delivery worker."""
        self.worker.stop()


def create_sandbox(
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
    shuffle_events: bool = False,
    state_file: str | os.PathLike[str] | None = None,
    business_name: str = "Sandbox newsroom",
) -> Flask:
    """Build the sandbox WSGI app; `app.extensions["stripe_sandbox"]` is its `Sandbox`.

    `business_name` is the account's, as Checkout and the portal show it. The delivery
    worker starts here; call `Sandbox.close()` (or use `SandboxServer`) to
    stop it.
    """
    app = Flask(__name__)
    state = State(shuffle_events=shuffle_events, state_file=state_file, business_name=business_name)
    worker = DeliveryWorker(state, retry_delays)
    sandbox = Sandbox(state, worker)
    sandbox.set_webhook(webhook_url, webhook_secret)
    app.extensions["stripe_sandbox"] = sandbox
    app.register_blueprint(api.bp)
    app.register_blueprint(hosted.bp)
    app.register_blueprint(admin.bp)

    @app.errorhandler(404)
    @app.errorhandler(405)
    def not_served(error: Exception) -> Response | tuple[str, int]:
        """Stripe's JSON error under /v1, a plain page elsewhere."""
        if request.path.startswith("/v1/"):
            return api.unknown_url()
        return hosted.message_page("Not found", "There is nothing at this address.", 404)

    @app.errorhandler(500)
    def failed(error: Exception) -> Response | tuple[str, int]:
        """A sandbox bug answers as Stripe's own failures do, so the SDK raises APIError."""
        if request.path.startswith("/v1/"):
            return api.stripe_response(
                {"error": {"type": "api_error", "message": "The sandbox failed: see its log."}},
                500,
            )
        return hosted.message_page("Something went wrong", "The sandbox failed: see its log.", 500)

    worker.start()
    return app
