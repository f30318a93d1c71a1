"""What Flask and its extensions run on every request, kept to what it needs to do.

Each cut here came from a profile of the per-page-view calls (bench/profile.py); none changes
what a request does, only what it costs. app.py wires them in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request

from donations.extensions import csrf, limiter

READS = frozenset({"GET", "HEAD", "OPTIONS"})


class App(Flask):
    """Flask, remembering which functions are plain: it asks of every hook and view on every
    request whether it is async (a dozen inspect calls per page view, bench/profile.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runnable: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        runnable = self._runnable.get(func)
        if runnable is None:
            runnable = self._runnable[func] = super().ensure_sync(func)
        return runnable


def init_csrf(app: Flask) -> None:
    """Flask-WTF's CSRF check, asked only of requests that can carry a form: its own hook
    matches every request's view against the exemptions before it looks at the method."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(protect_forms)


def protect_forms() -> None:
    config = current_app.config
    if config["WTF_CSRF_ENABLED"] and request.method in config["WTF_CSRF_METHODS"]:
        csrf.protect(apply_exemptions=True)


def init_rate_limits(app: Flask) -> None:
    """Flask-Limiter, its hooks kept to where our limits are (bench/profile.py).

    Every limit we set sits on a view that takes POSTs, and that view's decorator checks it.
    Unless app-wide limits are configured, the extension's check before every request does
    nothing (it took 15 % of the per-page-view prompt call), and its header and clean-up hooks
    have nothing to do on a read (another 8 %): the check goes, the others run on writes only.
    """
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    hook_tables = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    existing = [list(table.get(None, [])) for table in hook_tables]
    limiter.init_app(app)
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    before, after, teardown = (
        [hook for hook in table.get(None, []) if hook not in kept]
        for table, kept in zip(hook_tables, existing, strict=True)
    )
    for hook in before:
        app.before_request_funcs[None].remove(hook)
    for table, hooks in ((app.after_request_funcs, after), (app.teardown_request_funcs, teardown)):
        for hook in hooks:
            table[None][table[None].index(hook)] = _on_writes(hook)


def _on_writes(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        return value if request.method in READS else hook(value)

    return run
