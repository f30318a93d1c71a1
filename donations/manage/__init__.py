"""Donor self-service: e-mailed links that open Stripe's Billing Portal for the donor."""

from flask import Blueprint, Flask

bp = Blueprint("manage", __name__)


def init_app(app: Flask) -> None:
    from donations.manage import upgrades, views  # noqa: F401  (register the routes on bp)

    app.register_blueprint(bp)
