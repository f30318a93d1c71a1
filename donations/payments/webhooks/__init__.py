"""Stripe's webhooks: the source of truth for every pledge and payment."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__)

from donations.payments.webhooks import views  # noqa: E402, F401  (registers the routes on bp)
