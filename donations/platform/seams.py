"""What one feature offers another without importing it.

Features depend on the platform and the payment core, never on each other
(tests/test_architecture.py checks it). Where one needs another's knowledge, the owner provides
a function under one of these names as the app starts, and the other asks for it by name:

- `reminder_months()`: the months the remind-me form offers today (reminders → prompts' config).
- `reminder_figures(since)`: reminders confirmed, sent, converted, cancelled, unconfirmed
  (reminders → staff).
- `reminder_unsubscribes(start, end)`: per experiment variant, reminders confirmed and then
  cancelled (reminders → experiments' guardrails).
- `schedule_win_back(email, months_ahead, frequency, money)`: a reminder, months ahead, to
  give that again, for a donor who just cancelled (reminders → manage); returns its month.
- `win_back_figures(since)`: win-back reminders set, sent, and followed by a gift
  (reminders → staff).
- `prompt_counts(first_day, last_day)`: the prompts' funnel counters (prompts → staff,
  experiments).
- `running_experiments()`: the experiments readers' browsers apply (experiments → prompts'
  configuration and events).
- `audit(by, action, target, detail)`: an entry in the staff audit log (staff → experiments).

Pages meet in templates instead: a feature registers the template globals its partials need
(`appeal_copy`, `donation_form`), and another feature's template includes those partials.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

SEAMS = frozenset(
    {
        "reminder_months",
        "reminder_figures",
        "reminder_unsubscribes",
        "schedule_win_back",
        "win_back_figures",
        "prompt_counts",
        "running_experiments",
        "audit",
    }
)


def provide(app: Flask, name: str, function: Callable[..., Any]) -> None:
    if name not in SEAMS:
        raise KeyError(f"{name!r} is not a seam listed in donations/platform/seams.py")
    app.extensions.setdefault("seams", {})[name] = function


def provided(name: str) -> Callable[..., Any]:
    """The function a feature provides under this name (KeyError if none does)."""
    return current_app.extensions["seams"][name]
