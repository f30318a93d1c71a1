"""Error pages: HTML for readers, JSON for API and webhook callers; never a bare 500."""

from __future__ import annotations

import logging
import math
import time

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext, lazy_gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    SecurityError,
    ServiceUnavailable,
    TooManyRequests,
)

from donations.platform.extensions import db, limiter
from donations.platform.text import wait_in_words

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
# The newsroom's words for the errors readers meet, in place of the HTTP names and Werkzeug's
# stock sentences (and Flask-Limiter's "5 per 1 minute").
TITLES = {
    404: lazy_gettext("Page not found"),
    429: lazy_gettext("Too many attempts"),
    500: lazy_gettext("Something went wrong"),
    503: lazy_gettext("We will be back shortly"),
}
MESSAGES = {
    404: lazy_gettext(
        "We could not find this page. It may have moved, or the address may be mistyped."
    ),
    429: lazy_gettext(
        "We had many requests from you in a short while, so we paused them for your security."
    ),
    500: lazy_gettext("Something went wrong on our side. Nothing was charged."),
    503: lazy_gettext(
        "This service is briefly unavailable. Nothing was charged. Please try again shortly."
    ),
}


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/stripe/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def release_session() -> None:
    """End the request's transaction; if the database cut its connection (a restart, a
    failover), drop that connection instead of failing the request on the way out."""
    try:
        db.session.close()
    except OperationalError:
        db.session().invalidate()  # scoped_session does not proxy invalidate()


def init_app(app: Flask) -> None:
    app.add_template_filter(wait_in_words, "wait_words")

    # Registered after Flask-SQLAlchemy's own teardown, so it runs first and leaves it nothing.
    @app.teardown_appcontext
    def end_session(_error: BaseException | None) -> None:
        if db.session.registry.has():
            release_session()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, SecurityError) and request.url_rule is None:
            # A Host outside TRUSTED_HOSTS: no page of ours is built for it, since its links
            # would name that host.
            return "This site does not answer to that address.", 400, {"Content-Type": "text/plain"}
        if isinstance(error, InternalServerError):
            release_session()
        if error.response is not None and not wants_json():
            return error.response  # a feature's own page for it (the donation form's 429)
        return error_page(error)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        # The database restarted or is unreachable: the pool reconnects on a later request.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        release_session()
        body, status, headers = error_page(
            ServiceUnavailable(
                gettext("We cannot reach our database just now. Please try again shortly.")
            )
        )
        # Load balancers, Stripe's retries and polite clients wait this long before asking again.
        return body, status, {**headers, "Retry-After": str(RETRY_AFTER_SECONDS)}

    def error_page(error: HTTPException):
        stock = error.description == type(error).description or isinstance(error, TooManyRequests)
        message = str(MESSAGES.get(error.code, error.description) if stock else error.description)
        title = str(TITLES.get(error.code, error.name))
        headers = {}
        retry_after = retry_after_seconds() if error.code == 429 else None
        if retry_after:
            headers["Retry-After"] = str(retry_after)
        if wants_json():
            body = {"error": message, "status": error.code}
            if retry_after:
                body["retryAfter"] = retry_after
            return jsonify(body), error.code, headers
        page = render_template(
            "errors/error.html",
            status=error.code,
            title=title,
            message=message,
            retry_after=retry_after,
        )
        return page, error.code, headers

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        release_session()
        return http_error(
            InternalServerError(gettext("Something went wrong on our side. Nothing was charged."))
        )


def retry_after_seconds() -> int | None:
    """Seconds until the limit this request broke lets it through again (Flask-Limiter's)."""
    breached = [limit for limit in limiter.current_limits if limit.breached]
    if not breached:
        return None
    return max(1, max(math.ceil(limit.reset_at - time.time()) for limit in breached))
