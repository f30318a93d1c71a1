"""The metered paywall: past the free articles of the window, the body is kept from readers who
have not given. The server decides it (a browser must not decide what it may read), from a
signed cookie of the articles read, so metered pages are private to each reader.

The cookie holds no personal data: short hashes of article slugs and day numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Request, Response, current_app
from itsdangerous import BadSignature

from donations.payments.supporter_pass import SupporterPass
from donations.platform.signing import signer

COOKIE = "rr_meter"
SALT = "article-meter"
# Enough history for any sensible meter; the cookie stays well under 4 KB.
MAX_READS = 60
MAX_AGE = timedelta(days=400)


def day_number(moment: datetime) -> int:
    return int(moment.timestamp() // 86400)


def article_key(slug: str) -> str:
    return hashlib.sha256(slug.encode()).hexdigest()[:10]


@dataclass
class Meter:
    """The articles this reader read (key → day)."""

    reads: dict[str, int] = field(default_factory=dict)

    def articles_read(self, now: datetime, window_days: int) -> int:
        since = day_number(now) - window_days
        return sum(1 for day in self.reads.values() if day > since)

    def has_read(self, slug: str) -> bool:
        return article_key(slug) in self.reads

    def record(self, slug: str, now: datetime, window_days: int) -> None:
        self.reads[article_key(slug)] = day_number(now)
        since = day_number(now) - window_days
        recent = sorted(((k, d) for k, d in self.reads.items() if d > since), key=lambda kd: kd[1])
        self.reads = dict(recent[-MAX_READS:])


def read_meter(request: Request) -> Meter:
    """The reader's meter; a missing, forged or malformed cookie starts afresh."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return Meter()
    try:
        payload = signer(SALT).loads(raw, max_age=int(MAX_AGE.total_seconds()))
        return Meter({str(key): int(day) for key, day in dict(payload).items()})
    except (BadSignature, TypeError, ValueError):
        return Meter()


def write_meter(response: Response, meter: Meter) -> None:
    config = current_app.config
    response.set_cookie(
        COOKIE,
        signer(SALT).dumps(meter.reads),
        max_age=MAX_AGE,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["READER_COOKIE_SAMESITE"],
    )


def is_allowed_crawler(user_agent: str) -> bool:
    lowered = user_agent.lower()
    return any(name.lower() in lowered for name in current_app.config["PAYWALL_ALLOWED_CRAWLERS"])


def count_and_decide(
    meter: Meter, slug: str, supporter: SupporterPass | None, user_agent: str, now: datetime
) -> bool:
    """True when the meter keeps this article's body from this reader; an article shown counts
    as read (one withheld does not, so reloading it opens nothing)."""
    config = current_app.config
    window = config["PROMPT_WINDOW_DAYS"]
    free = meter.has_read(slug) or is_allowed_crawler(user_agent)
    if supporter is not None and supporter.valid_at(now):
        free = True
    if not free and meter.articles_read(now, window) >= config["PAYWALL_FREE_ARTICLES"]:
        return True
    meter.record(slug, now, window)
    return False
