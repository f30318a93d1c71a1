"""Prompts as a web component service: the <support-prompt> script, the decision API, events."""

from __future__ import annotations

import hashlib
import os

from flask import Blueprint, Flask, Response, current_app, request, url_for

bp = Blueprint("prompts", __name__)
SCRIPT = os.path.join("embed", "support-prompt.js")


def init_app(app: Flask) -> None:
    from donations.prompts import models, views  # noqa: F401  (models for create_all; routes)

    app.register_blueprint(bp)
    app.add_template_global(script_url, "support_prompt_src")


def script() -> tuple[bytes, str]:
    """The component's source and its content hash, read once (each time on a debug server)."""
    cached = current_app.extensions.get("support_prompt_script")
    if cached is None or current_app.debug:
        assert current_app.static_folder is not None
        with open(os.path.join(current_app.static_folder, SCRIPT), "rb") as file:
            body = file.read()
        cached = (body, hashlib.sha256(body).hexdigest()[:16])
        current_app.extensions["support_prompt_script"] = cached
    return cached


def script_url(external: bool = False) -> str:
    """The script's URL with its content hash, so browsers may cache it for a year."""
    return url_for("prompts.script_file", v=script()[1], _external=external)


@bp.after_request
def allow_embedding_origins(response: Response) -> Response:
    """CORS exactly as wide as EMBED_ALLOWED_ORIGINS, with cookies, for the embed and the API."""
    from donations.prompts.service import cors_origin

    # Written directly: parsing Vary into a set and back cost more than the rest of this hook.
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Origin"
    elif "origin" not in vary.lower():
        response.headers["Vary"] = f"{vary}, Origin"
    origin = cors_origin(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Prompt-Token"
            response.headers["Access-Control-Max-Age"] = "600"
    return response
