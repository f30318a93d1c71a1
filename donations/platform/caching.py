"""The service's own cache: every entry declared here, with its key's parts and its lifetime.

Most of what readers see is cached in front of the app (nginx, deploy/nginx.conf) from the
Cache-Control each public answer carries; this is for work the app itself repeats. It is
Flask-Caching: Redis when REDIS_URL is set (shared by every machine), else each process's
memory. A value is at most its lifetime old; nothing is invalidated by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app

from donations.platform.extensions import cache

T = TypeVar("T")


@dataclass(frozen=True)
class CacheEntry:
    """One kind of cached value: its name, what its key is made of, and its lifetime setting."""

    name: str
    key_parts: tuple[str, ...]
    lifetime_setting: str

    def key(self, *parts: Hashable) -> str:
        if len(parts) != len(self.key_parts):
            raise TypeError(f"{self.name} is keyed by {', '.join(self.key_parts)}")
        return ":".join([self.name, *map(str, parts)])

    def lifetime(self) -> int:
        return int(current_app.config[self.lifetime_setting])


# Sums of the staff dashboard's days that are past the charts and can no longer change much.
STAFF_SETTLED_FIGURES = CacheEntry("staff-settled", ("before_day",), "STAFF_SETTLED_CACHE_SECONDS")
# The retention page's 12-month value: the first years it sums ended before this month began.
STAFF_YEAR_VALUE = CacheEntry("staff-year-value", ("month",), "STAFF_SETTLED_CACHE_SECONDS")
# A retention figure's sums over the part of its period before this month (this month's is live).
STAFF_SETTLED_BEFORE_MONTH = CacheEntry(
    "staff-settled-before-month", ("figure", "start", "end"), "STAFF_SETTLED_CACHE_SECONDS"
)


def remembered(entry: CacheEntry, parts: tuple[Hashable, ...], make: Callable[[], T]) -> T:
    """The cached value for the entry's key, or make() stored for the entry's lifetime."""
    seconds = entry.lifetime()
    if seconds <= 0:
        return make()
    key = entry.key(*parts)
    value: Any = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, timeout=seconds)
    return value
