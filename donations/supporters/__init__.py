"""Supporters: the pass set after a confirmed gift, and "Already a supporter?" sign-in links."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("supporters", __name__, url_prefix="/supporters")


def init_app(app: Flask) -> None:
    from donations.supporters import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)
