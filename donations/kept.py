"""Answers that are the same for many readers, kept for a short while in each worker.

Per process, bounded in size and age: nothing to run or invalidate, and a stale entry is at
most `seconds` old. Used where a page view would otherwise redo identical work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache
from flask import current_app

_lock = threading.Lock()


class Kept:
    def __init__(self, seconds: float, size: int) -> None:
        self._entries: TTLCache = TTLCache(size, ttl=seconds)

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value kept for key, or make() (outside the lock: two first callers may both)."""
        with _lock:
            value = self._entries.get(key)
        if value is None:
            value = make()
            with _lock:
                self._entries[key] = value
        return value


def kept(name: str, seconds: float, size: int = 2048) -> Kept:
    """This app's cache called name, made on first use."""
    caches = current_app.extensions.setdefault("kept", {})
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = Kept(seconds, size)
    return cache
