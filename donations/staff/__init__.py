"""The staff pledge dashboard: sign-in, overview, pledges, actions and CSV export under /staff."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import current_user

from donations.extensions import login_manager
from donations.money import format_money
from donations.staff.stripe_links import stripe_dashboard_url

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Endpoints a signed-out visitor may open; every other /staff page needs a staff member.
PUBLIC_ENDPOINTS = frozenset({"staff.login"})


@bp.context_processor
def signed_in_staff() -> dict[str, object]:
    return {"current_user": current_user}


def init_app(app: Flask) -> None:
    from donations.staff import models, views  # noqa: F401  (models for create_all; routes)

    app.config.setdefault("STAFF_LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    app.config.setdefault("STAFF_LOCKOUT_ATTEMPTS", 5)
    app.config.setdefault("STAFF_LOCKOUT_MINUTES", 15)
    app.config.setdefault("STAFF_PAGE_SIZE", 50)
    app.config.setdefault("STAFF_SETTLED_CACHE_SECONDS", 300)
    # Staff sessions carry refund rights: never readable by scripts, never sent cross-site.
    app.config.setdefault("REMEMBER_COOKIE_HTTPONLY", True)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config.get("SESSION_COOKIE_SECURE"))
    login_manager.login_view = "staff.login"
    login_manager.login_message = "Please sign in to see the dashboard."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"
    app.register_blueprint(bp)
    # Flask-Login refreshes its remember-me cookie after every request, reading the session to
    # do so, which made every response "Vary: Cookie" (the public embed script too, so shared
    # caches could not keep it). Only staff sign in: the refresh runs after staff pages only.
    refresh = login_manager._update_remember_cookie
    app.after_request_funcs[None].remove(refresh)
    app.after_request_funcs.setdefault(bp.name, []).append(refresh)
    app.add_template_filter(format_money, "money")
    app.add_template_global(stripe_dashboard_url, "stripe_dashboard_url")


@bp.before_request
def require_staff():
    """Every /staff page but sign-in needs a signed-in staff member."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))


@bp.after_request
def never_cache(response):
    """Donor e-mails and amounts must not linger in shared or browser caches."""
    response.headers["Cache-Control"] = "no-store"
    return response
