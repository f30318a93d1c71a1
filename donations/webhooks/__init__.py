"""Stripe's webhooks: the source of truth for every pledge and payment."""

from flask import Blueprint, Flask

bp = Blueprint("webhooks", __name__)


def init_app(app: Flask) -> None:
    from donations.webhooks import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)
