"""The staff pledge dashboard: sign-in, overview, pledges, actions and CSV export under /staff."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, request, url_for
from flask_login import current_user

from donations.platform import seams
from donations.platform.extensions import login_manager
from donations.staff.stripe_links import stripe_dashboard_url

bp = Blueprint("staff", __name__, url_prefix="/staff")

# Endpoints a signed-out visitor may open; every other /staff page needs a staff member.
PUBLIC_ENDPOINTS = frozenset({"staff.login"})


@bp.context_processor
def signed_in_staff() -> dict[str, object]:
    return {"current_user": current_user}


def init_app(app: Flask) -> None:
    from donations.staff import actions, models, views  # noqa: F401  (models; routes)
    from donations.staff.commands import staff_cli

    app.cli.add_command(staff_cli)
    seams.provide(app, "audit", actions.record)

    login_manager.login_view = "staff.login"
    login_manager.login_message = "Please sign in to see the dashboard."
    login_manager.login_message_category = "info"
    # Sessions end on the server (auth.py); "strong" protection would hash X-Forwarded-For and
    # the user agent, which any client sets as it likes.
    login_manager.session_protection = None
    app.register_blueprint(bp)
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
