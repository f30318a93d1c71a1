"""Views of the prompt service: the component's script, its configuration, its events, and a
demo host page."""

from __future__ import annotations

import os

from flask import Response, abort, current_app, jsonify, render_template, request

from donations.platform.extensions import csrf, limiter
from donations.platform.i18n import page_language
from donations.platform.web import allow_embedding, posted_json, public, static_hash
from donations.prompts import bp
from donations.prompts.configuration import configuration
from donations.prompts.events import known_variants, parse_events, record_events

SCRIPT = "embed/support-prompt.js"
YEAR = 365 * 24 * 3600

allow_embedding(bp)


def events_rate_limit() -> str:
    return current_app.config["PROMPT_EVENTS_RATE_LIMIT"]


@bp.get("/embed/support-prompt.js")
@limiter.exempt
def script_file():
    """The <support-prompt> web component, an ES module; kept for a year at its hashed URL.

    Behind nginx the file is served by nginx itself (deploy/nginx.conf); this serves it in
    development and wherever the app stands alone."""
    with open(os.path.join(current_app.static_folder, SCRIPT), "rb") as file:
        response = Response(file.read(), mimetype="text/javascript")
    response.headers["Access-Control-Allow-Origin"] = "*"  # a module other sites import
    response.cache_control.public = True
    if request.args.get("v") == static_hash(SCRIPT):
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        # The unhashed URL other sites paste must pick up new releases within minutes.
        response.cache_control.max_age = 300
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/embed/demo")
def demo():
    """A host page that shows how another site embeds the prompts."""
    return public(current_app.make_response(render_template("prompts/demo.html")))


@bp.get("/api/prompt/config")
@limiter.exempt  # read on page views (from caches in front, mostly)
def config():
    """The prompts' configuration for this site and language: the same for every reader."""
    unknown = set(request.args) - {"lang"}
    if unknown:
        abort(400, description=f"Unknown parameter {sorted(unknown)[0]!r}: ask with ?lang=en.")
    # ?lang= is the platform's (platform/i18n): an unknown language is refused there.
    response = jsonify(configuration(page_language()))
    # Public data any page may read: no cookies, so one cached copy serves every site.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return public(response)


@bp.post("/api/prompt/events")
@csrf.exempt  # no cookies are read or set: the page's Origin is what is checked
@limiter.limit(events_rate_limit)
def events():
    """Count a batch of impressions, opens, clicks and dismissals (sent with sendBeacon)."""
    data = posted_json("This site may not send prompt events.", 'a JSON object: {"events": [...]}')
    kept = record_events(
        parse_events(data.get("events"), known_variants(), current_app.config["PROMPT_VARIANT"])
    )
    return "", 204, {"X-Events-Counted": str(kept)}
