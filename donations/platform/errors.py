"""Error pages: HTML for readers, JSON for API and webhook callers; never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from donations.platform.extensions import db

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


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
    # Registered after Flask-SQLAlchemy's own teardown, so it runs first and leaves it nothing.
    @app.teardown_appcontext
    def end_session(_error: BaseException | None) -> None:
        if db.session.registry.has():
            release_session()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, InternalServerError):
            release_session()
        message = error.description or error.name
        if wants_json():
            return jsonify(error=message, status=error.code), error.code
        return render_template(
            "errors/error.html", status=error.code, title=error.name, message=message
        ), error.code

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        # The database restarted or is unreachable: the pool reconnects on a later request.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, error.orig)
        release_session()
        body, status = http_error(
            ServiceUnavailable("We cannot reach our database just now. Please try again shortly.")
        )
        # Load balancers, Stripe's retries and polite clients wait this long before asking again.
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        release_session()
        return http_error(
            InternalServerError("Something went wrong on our side. Nothing was charged.")
        )
