"""Reader-facing pages: the front page and articles with their asks (and the metered paywall)."""

from flask import Blueprint, Flask

bp = Blueprint("articles", __name__)


def init_app(app: Flask) -> None:
    from donations.articles import models, views  # noqa: F401  (models for create_all; routes)

    app.register_blueprint(bp)
