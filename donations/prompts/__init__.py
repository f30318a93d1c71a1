"""Prompts as a web component service: the <support-prompt> script, the configuration it decides
from (the same bytes for every reader, so caches serve it), and the funnel's events."""

from __future__ import annotations

from flask import Blueprint, Flask

from donations.platform import seams

bp = Blueprint("prompts", __name__)


def init_app(app: Flask) -> None:
    from donations.prompts import configuration, events, views  # noqa: F401  (routes on bp)

    app.register_blueprint(bp)
    app.add_template_global(configuration.appeal_copy, "appeal_copy")
    app.add_template_global(configuration.public_goal, "public_goal")
    seams.provide(app, "prompt_counts", events.prompt_counts)
