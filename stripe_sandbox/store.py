"""The sandbox's state: Stripe objects by type, events, deliveries and the test clock.

One re-entrant lock guards everything; every request and every clock step runs inside
`State.transaction()`, which on the way out queues the events it recorded for delivery and
saves the state file (when one is configured), so each action is all-or-nothing on disk.
"""

import copy
import json
import logging
import os
import random
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import events
from .errors import no_such

log = logging.getLogger(__name__)

# Stripe's id prefix for each object type the sandbox stores.
PREFIXES = {
    "cs_test_": "checkout.session",
    "cus_": "customer",
    "sub_": "subscription",
    "in_": "invoice",
    "inpay_": "invoice_payment",
    "pi_": "payment_intent",
    "ch_": "charge",
    "re_": "refund",
    "dp_": "dispute",
    "evt_": "event",
    "bps_": "billing_portal.session",
    "price_": "price",
    "prod_": "product",
    "pm_": "payment_method",
}


class State:
    """Everything the sandbox knows, with the lock and bookkeeping around it."""

    def __init__(
        self,
        *,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        shuffle_events: bool = False,
        state_file: str | os.PathLike[str] | None = None,
        business_name: str = "Sandbox newsroom",
    ) -> None:
        self.lock = threading.RLock()
        # The account's business name, which Checkout, the portal and invoices show (Stripe
        # takes it from the account's settings, or a session's `branding_settings`).
        self.business_name = business_name
        # The delivery worker waits on this; transactions notify it when they queue events.
        self.changed = threading.Condition(self.lock)
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        # The one webhook endpoint the sandbox delivers to, as Stripe's API lists it: which
        # events it is sent (`*`: all) and the API version it was created with (None: the
        # account's default, which here is the pinned version).
        self.webhook_endpoint_id = "we_" + secrets.token_hex(12)
        self.webhook_events: list[str] = ["*"]
        self.webhook_api_version: str | None = None
        self.webhook_created = int(time.time())
        self.shuffle_events = shuffle_events
        self.state_file = Path(state_file) if state_file else None
        self._depth = 0
        self._batch: list[dict[str, Any]] = []
        self._dirty = False
        self._request: dict[str, str | None] = {"id": None, "idempotency_key": None}
        self._clear()
        if self.state_file and self.state_file.exists():
            self._load()

    def _clear(self) -> None:
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.idempotency: dict[str, dict[str, Any]] = {}
        # Card details waiting for a 3-D Secure answer, by Checkout Session id; Stripe keeps
        # these on its side too, never on the session object.
        self.pending_authentication: dict[str, dict[str, Any]] = {}
        # The parameters each Checkout Session was created with (line items, intent and
        # subscription data): Stripe keeps them too but does not echo them on the session.
        self.checkout_params: dict[str, dict[str, Any]] = {}
        self.clock_offset = 0

    # -- clock ---------------------------------------------------------------------------

    def now(self) -> int:
        """Sandbox time in Unix seconds: real time moved by the test clock."""
        return int(time.time()) + self.clock_offset

    def set_now(self, timestamp: int) -> None:
        """Move sandbox time so that `now()` is `timestamp` (never backwards)."""
        self.clock_offset = max(self.clock_offset, timestamp - int(time.time()))
        self._dirty = True

    # -- objects -------------------------------------------------------------------------

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Store a new object under its type."""
        self.objects.setdefault(obj["object"], {})[obj["id"]] = obj
        self._dirty = True
        return obj

    def touch(self) -> None:
        """Record that a stored object was changed in place."""
        self._dirty = True

    def get(self, kind: str, object_id: str, *, param: str | None = None) -> dict[str, Any]:
        """The stored object, or Stripe's `resource_missing` error."""
        found = self.objects.get(kind, {}).get(object_id)
        if found is None:
            raise no_such(kind, object_id, param=param)
        return found

    def find(self, object_id: str) -> dict[str, Any] | None:
        """Any stored object by id, its type told by the id's prefix."""
        for prefix, kind in PREFIXES.items():
            if object_id.startswith(prefix):
                return self.objects.get(kind, {}).get(object_id)
        return None

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Stored objects of one type, newest first as Stripe lists them."""
        return list(reversed(self.objects.get(kind, {}).values()))

    # -- events --------------------------------------------------------------------------

    def emit(self, event_type: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Record the event Stripe would send for `obj` as it is now."""
        event = events.build(
            event_type,
            copy.deepcopy(obj),
            created=self.now(),
            request=dict(self._request),
            pending_webhooks=1 if self.webhook_url and self.webhook_wants(event_type) else 0,
        )
        self.add(event)
        self._batch.append(event)
        return event

    def webhook_wants(self, event_type: str) -> bool:
        """Whether the endpoint is sent events of this type (its `enabled_events`)."""
        return "*" in self.webhook_events or event_type in self.webhook_events

    def queue_delivery(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Queue one event for the configured endpoint; None when there is no endpoint, or it
        is not sent events of this type."""
        if not self.webhook_url or not self.webhook_wants(event["type"]):
            return None
        delivery = {
            "event": event["id"],
            "type": event["type"],
            "url": self.webhook_url,
            "attempts": 0,
            "status_code": None,
            "state": "pending",
            "next_attempt_at": time.time(),
            "error": None,
        }
        self.deliveries.append(delivery)
        self._dirty = True
        self.changed.notify_all()
        return delivery

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(
        self, request_id: str | None = None, idempotency_key: str | None = None
    ) -> Iterator["State"]:
        """Hold the lock; on leaving, queue the recorded events and save."""
        with self.lock:
            outermost = self._depth == 0
            if outermost:
                self._request = {"id": request_id, "idempotency_key": idempotency_key}
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
                if outermost:
                    self._finish()

    def _finish(self) -> None:
        batch, self._batch = self._batch, []
        # Stripe does not promise the order of the events of one action; tests can ask for it
        # to be shuffled so that the app's handling of out-of-order events is exercised.
        if self.shuffle_events:
            random.shuffle(batch)
        for event in batch:
            self.queue_delivery(event)
        if self._dirty:
            self._dirty = False
            self._save()

    def reset(self) -> None:
        """Forget every object, event and delivery; the clock goes back to real time."""
        with self.lock:
            self._clear()
            self._dirty = True
            self._save()

    # -- persistence -----------------------------------------------------------------------

    def _save(self) -> None:
        if not self.state_file:
            return
        data = {
            "objects": self.objects,
            "deliveries": self.deliveries,
            "idempotency": self.idempotency,
            "pending_authentication": self.pending_authentication,
            "checkout_params": self.checkout_params,
            "clock_offset": self.clock_offset,
        }
        # Write then rename, so a crash never leaves half a file behind.
        tmp = self.state_file.with_suffix(self.state_file.suffix + ".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.state_file)

    def _load(self) -> None:
        assert self.state_file is not None
        data = json.loads(self.state_file.read_text(encoding="utf-8"))
        self.objects = data["objects"]
        self.deliveries = data["deliveries"]
        self.idempotency = data["idempotency"]
        self.pending_authentication = data["pending_authentication"]
        self.checkout_params = data["checkout_params"]
        self.clock_offset = data["clock_offset"]
        log.info("Loaded sandbox state from %s", self.state_file)
