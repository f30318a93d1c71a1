"""What the service remembers about a reader, kept in a signed cookie on the reader's device.

No database row per reader: articles read, prompt views, dismissals and the snooze live in one
itsdangerous-signed cookie, so deciding for a returning reader costs no query. The cookie holds
no personal data: hashed article slugs, day numbers and times.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import Request, Response, current_app
from itsdangerous import BadSignature
from werkzeug.http import dump_cookie

from donations.kept import kept
from donations.signing import page_view_serializer
from donations.web import cookie

COOKIE = "rr_reader"
SALT = "reader-state"
# Enough history for any sensible meter; the cookie stays well under 4 KB.
MAX_READS = 60
MAX_AGE = timedelta(days=400)


def day_number(moment: datetime) -> int:
    return int(moment.timestamp() // 86400)


def article_key(slug: str) -> str:
    # A short hash keeps the cookie small and says nothing readable about what was read.
    return hashlib.sha256(slug.encode()).hexdigest()[:10]


@dataclass
class ReaderState:
    """Articles read (key → day), views per placement (days), dismissals and the snooze."""

    reads: dict[str, int] = field(default_factory=dict)
    views: dict[str, list[int]] = field(default_factory=dict)
    dismissed: dict[str, int] = field(default_factory=dict)  # placement → epoch seconds
    snoozed_until: int | None = None  # epoch seconds
    changed: bool = False

    def articles_read(self, now: datetime, window_days: int) -> int:
        since = day_number(now) - window_days
        return sum(1 for day in self.reads.values() if day > since)

    def has_read(self, slug: str) -> bool:
        return article_key(slug) in self.reads

    def views_of(self, placement: str, now: datetime, window_days: int) -> int:
        since = day_number(now) - window_days
        return sum(1 for day in self.views.get(placement, []) if day > since)

    def dismissed_at(self, placement: str) -> datetime | None:
        stamp = self.dismissed.get(placement)
        return None if stamp is None else datetime.fromtimestamp(stamp, UTC)

    def snooze_end(self) -> datetime | None:
        return (
            None if self.snoozed_until is None else datetime.fromtimestamp(self.snoozed_until, UTC)
        )

    def record_read(self, slug: str, now: datetime, window_days: int) -> None:
        key = article_key(slug)
        if self.reads.get(key) == day_number(now):
            return
        self.reads[key] = day_number(now)
        since = day_number(now) - window_days
        recent = sorted(((k, d) for k, d in self.reads.items() if d > since), key=lambda kd: kd[1])
        self.reads = dict(recent[-MAX_READS:])
        self.changed = True

    def record_view(self, placement: str, now: datetime, window_days: int) -> None:
        since = day_number(now) - window_days
        days = [day for day in self.views.get(placement, []) if day > since]
        self.views[placement] = [*days, day_number(now)][-20:]
        self.changed = True

    def dismiss(self, placement: str, now: datetime) -> None:
        self.dismissed[placement] = int(now.timestamp())
        self.changed = True

    def snooze(self, until: datetime) -> None:
        stamp = int(until.timestamp())
        if self.snoozed_until is None or stamp > self.snoozed_until:
            self.snoozed_until = stamp
            self.changed = True

    def as_payload(self) -> dict:
        payload: dict = {"r": self.reads, "v": self.views, "d": self.dismissed}
        if self.snoozed_until is not None:
            payload["s"] = self.snoozed_until
        return payload


def load(request: Request) -> ReaderState:
    """The reader's state from the cookie; a missing, forged or malformed cookie starts afresh."""
    raw = cookie(request, COOKIE)
    if not raw:
        return ReaderState()
    try:
        payload = page_view_serializer(SALT).loads(raw)
        return ReaderState(
            reads={str(k): int(v) for k, v in dict(payload.get("r", {})).items()},
            views={str(k): [int(d) for d in v] for k, v in dict(payload.get("v", {})).items()},
            dismissed={str(k): int(v) for k, v in dict(payload.get("d", {})).items()},
            snoozed_until=int(payload["s"]) if payload.get("s") is not None else None,
        )
    except (BadSignature, AttributeError, TypeError, ValueError):
        return ReaderState()


def save(state: ReaderState, response: Response) -> None:
    """Write the state back when it changed."""
    if state.changed:
        write(response, signed(state))


def signed(state: ReaderState) -> str:
    """The cookie's value for this state."""
    return page_view_serializer(SALT).dumps(state.as_payload())


def write(response: Response, value: str) -> None:
    # The value is URL-safe base64 and a dot: nothing in it needs quoting.
    response.headers.add("Set-Cookie", f"{COOKIE}={value}{_cookie_attributes()}")


def _cookie_attributes() -> str:
    """ "; Expires=…; Max-Age=…; Secure; HttpOnly; Path=/; SameSite=…", the same for every reader
    for a minute (Expires moves by at most a minute in 400 days): made once a minute, not on
    every page view."""
    return kept("reader_cookie_attributes", 60, size=1).get("attributes", _made_attributes)


def _made_attributes() -> str:
    config = current_app.config
    header = dump_cookie(
        COOKIE,
        "",
        max_age=MAX_AGE,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["READER_COOKIE_SAMESITE"],
    )
    return header.removeprefix(f"{COOKIE}=")
