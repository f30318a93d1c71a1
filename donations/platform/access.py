"""Who may open a blueprint's pages: staff signed in (Flask-Login), and admins for changes.

The staff feature owns the accounts and the sign-in page; any feature with pages for the
membership team (the dashboard, experiments) guards them with this, by endpoint name only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_login import current_user

View = TypeVar("View", bound=Callable[..., Any])
SIGN_IN = "staff.login"


def staff_pages(blueprint: Blueprint) -> None:
    """Every page of the blueprint needs a signed-in staff member, and none is ever stored."""

    @blueprint.before_request
    def require_staff() -> Response | None:
        if request.endpoint == SIGN_IN or current_user.is_authenticated:
            return None
        return redirect(url_for(SIGN_IN, next=request.full_path.rstrip("?")))

    @blueprint.after_request
    def never_store(response: Response) -> Response:
        # Donors' e-mails and amounts must not linger in shared or browser caches.
        response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.context_processor
    def signed_in_staff() -> dict[str, object]:
        return {"current_user": current_user}


def admin_only(view: View) -> View:
    """Only admins may run this view; a signed-in viewer gets 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403, "This needs an admin account.")
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
