"""Reader-facing pages: the front page and articles with their appeal."""

from flask import Blueprint, Flask

bp = Blueprint("articles", __name__)


def init_app(app: Flask) -> None:
    from donations.articles import views  # noqa: F401  (registers the routes on bp)

    app.register_blueprint(bp)
