"""Holds the app and the sandbox to Stripe's published definitions during the whole suite.

Loaded by tests/conftest.py. At the SDK's HTTP client (`stripe.RequestsClient.request`):
every request the app's gateway sends is checked against its operation's parameters, and
every successful answer the sandbox gives any SDK client against the operation's published
return type. Every webhook event the sandbox delivers is checked too. A mismatch fails the
test during which it was seen; the summary at the end says how much was checked.
"""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import stripe

from donations.payments import stripe_gateway
from stripe_sandbox import delivery
from tests.contract import stripe_contract


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: Counter[str] = field(default_factory=Counter)
    objects: Counter[str] = field(default_factory=Counter)
    events: Counter[str] = field(default_factory=Counter)
    mismatches: list[str] = field(default_factory=list)

    def add(self, counter: Counter[str], key: str, problems: list[str]) -> None:
        with self.lock:
            counter[key] += 1
            self.mismatches.extend(problems)


RECORD = Record()
# The HTTP clients of the app's gateways: only their requests are the app's.
_APP_CLIENTS: weakref.WeakSet[Any] = weakref.WeakSet()


def _checked_request(original):
    def request(self, method, url, headers, post_data=None):
        content, status, response_headers = original(self, method, url, headers, post_data)
        body = post_data.decode() if isinstance(post_data, bytes) else post_data
        if self in _APP_CLIENTS:
            operation, problems = stripe_contract.check_request(method, url, body)
            RECORD.add(RECORD.requests, operation or url, problems)
        else:
            operation = stripe_contract.operation_for(method, url_path(url))
        if operation and 200 <= status < 300:
            answer = json.loads(content)
            RECORD.add(RECORD.objects, operation, stripe_contract.check_response(operation, answer))
        return content, status, response_headers

    return request


def url_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path


def _app_gateway(original):
    def __init__(self, *args, **kwargs):
        original(self, *args, **kwargs)
        _APP_CLIENTS.add(self._http_client)

    return __init__


def _checked_delivery(original):
    def attempt(self, http, delivery_record):
        with self.state.lock:
            event = self.state.find(delivery_record["event"])
        if event is not None:
            RECORD.add(RECORD.events, event["type"], stripe_contract.check_event(event))
        return original(self, http, delivery_record)

    return attempt


@pytest.fixture(scope="session", autouse=True)
def _stripe_contract():
    patcher = pytest.MonkeyPatch()
    patcher.setattr(
        stripe.RequestsClient, "request", _checked_request(stripe.RequestsClient.request)
    )
    gateway_class = stripe_gateway.StripeGateway
    patcher.setattr(gateway_class, "__init__", _app_gateway(gateway_class.__init__))
    worker = delivery.DeliveryWorker
    patcher.setattr(worker, "_attempt", _checked_delivery(worker._attempt))
    yield RECORD
    patcher.undo()


@pytest.fixture(autouse=True)
def _no_contract_mismatch(_stripe_contract: Record):
    """Fail the test during which Stripe's definitions were broken, saying how."""
    seen = len(_stripe_contract.mismatches)
    yield
    new = _stripe_contract.mismatches[seen:]
    if new:
        shown = "\n  ".join(dict.fromkeys(new))
        pytest.fail(f"Stripe's published definitions were not met:\n  {shown}", pytrace=False)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    source = stripe_contract.source()
    lines = [
        f"against {source['package']}, API {source['api_version']}, spec {source['openapi_spec']}:",
        f"{sum(RECORD.requests.values())} requests of the app checked "
        f"({len(RECORD.requests)} operations)",
        f"{sum(RECORD.objects.values())} answers of the sandbox checked "
        f"({len(RECORD.objects)} operations)",
        f"{sum(RECORD.events.values())} delivered events checked ({len(RECORD.events)} types)",
        f"{len(RECORD.mismatches)} mismatches",
    ]
    report = os.environ.get("STRIPE_CONTRACT_REPORT")
    if report:  # every distinct mismatch, for working through them
        Path(report).write_text("\n".join(sorted(set(RECORD.mismatches))) + "\n")
    terminalreporter.write_sep("-", "Stripe contract")
    for line in lines:
        terminalreporter.write_line(line)
