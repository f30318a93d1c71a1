"""Fixtures for the sandbox's own tests: a served sandbox, an SDK client, a webhook receiver."""

from collections.abc import Iterator

import pytest
import stripe

from stripe_sandbox import SandboxServer

from .helpers import Receiver

SECRET = "whsec_test_sandbox_secret"
FAST_RETRIES = (0.01, 0.02, 0.05)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    """A fresh sandbox over real HTTP, delivering nowhere until told to."""
    with SandboxServer(webhook_secret=SECRET, retry_delays=FAST_RETRIES) as running:
        yield running


@pytest.fixture
def client(server: SandboxServer) -> stripe.StripeClient:
    """The official SDK pointed at the sandbox, as the app configures it."""
    return stripe.StripeClient(
        "sk_test_sandbox", base_addresses={"api": server.url}, max_network_retries=0
    )


@pytest.fixture
def receiver(server: SandboxServer) -> Iterator[Receiver]:
    """A webhook endpoint the sandbox delivers to."""
    with Receiver().running() as running:
        server.set_webhook(running.url, SECRET)
        yield running
