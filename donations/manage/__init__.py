"""Donor self-service: e-mailed links that open Stripe's Billing Portal for the donor."""

from flask import Blueprint, Flask

bp = Blueprint("manage", __name__)


def init_app(app: Flask) -> None:
    from donations.manage import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)
