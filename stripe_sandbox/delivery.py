"""Signed webhook delivery with retries, in a background thread.

Each queued delivery is POSTed as Stripe does: the event as a JSON body and a
`Stripe-Signature: t=…,v1=…` header signed with the endpoint's `whsec_` secret at the time
of the attempt. A non-2xx answer, a timeout or a refused connection is retried after the
next of `retry_delays` seconds; when they are used up the delivery is marked failed.
Retries run on real time, not the test clock, so a test never waits for sandbox days.
"""

import json
import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import requests

from .events import signature_header
from .store import State

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5


class DeliveryWorker:
    """Delivers pending webhook deliveries of a `State` until stopped."""

    def __init__(self, state: State, retry_delays: Sequence[float]) -> None:
        self.state = state
        self.retry_delays = tuple(retry_delays)
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)

    def start(self) -> None:
        """Start delivering in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Finish the attempt in flight, then stop."""
        with self.state.changed:
            self._stopping = True
            self.state.changed.notify_all()
        if self._thread.is_alive():
            self._thread.join()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no delivery is pending; False if `timeout` seconds passed first."""
        with self.state.changed:
            return self.state.changed.wait_for(
                lambda: not any(d["state"] == "pending" for d in self.state.deliveries),
                timeout=timeout,
            )

    def _run(self) -> None:
        with requests.Session() as http:
            while (delivery := self._next()) is not None:
                status, error = self._attempt(http, delivery)
                self._record(delivery, status, error)

    def _next(self) -> dict[str, Any] | None:
        """The next due delivery, waiting for one; None once stopping."""
        with self.state.changed:
            while not self._stopping:
                pending = [d for d in self.state.deliveries if d["state"] == "pending"]
                now = time.time()
                due = [d for d in pending if d["next_attempt_at"] <= now]
                if due:
                    return due[0]
                wait = min((d["next_attempt_at"] - now for d in pending), default=None)
                self.state.changed.wait(timeout=wait)
            return None

    def _attempt(
        self, http: requests.Session, delivery: dict[str, Any]
    ) -> tuple[int | None, str | None]:
        with self.state.lock:
            event = self.state.find(delivery["event"])
            if event is None:  # the sandbox was reset while this delivery waited
                return None, "event no longer exists"
            payload = json.dumps(event, indent=2)
            secret = self.state.webhook_secret or ""
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            # Signed with real time: the receiver checks it against its own clock.
            "Stripe-Signature": signature_header(payload, secret, int(time.time())),
        }
        try:
            with http.post(
                delivery["url"], data=payload.encode(), headers=headers, timeout=TIMEOUT_SECONDS
            ) as response:
                return response.status_code, None
        except requests.RequestException as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def _record(self, delivery: dict[str, Any], status: int | None, error: str | None) -> None:
        with self.state.transaction():
            if not any(d is delivery for d in self.state.deliveries):
                return  # forgotten by a reset
            delivery["attempts"] += 1
            delivery["status_code"] = status
            delivery["error"] = error
            retries_done = delivery["attempts"] - 1
            if status is not None and 200 <= status < 300:
                delivery["state"] = "delivered"
            elif retries_done < len(self.retry_delays):
                delivery["next_attempt_at"] = time.time() + self.retry_delays[retries_done]
            else:
                delivery["state"] = "failed"
                log.warning(
                    "Gave up delivering %s (%s) to %s after %d attempts",
                    delivery["event"],
                    delivery["type"],
                    delivery["url"],
                    delivery["attempts"],
                )
            self.state.touch()
            self.state.changed.notify_all()
