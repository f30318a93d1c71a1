"""Error pages: HTML for readers, JSON for API and webhook callers; never a bare 500."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from donations.extensions import db

log = logging.getLogger(__name__)


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/stripe/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if isinstance(error, InternalServerError):
            db.session.rollback()
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
        db.session.rollback()
        return http_error(
            ServiceUnavailable("We cannot reach our database just now. Please try again shortly.")
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return http_error(
            InternalServerError("Something went wrong on our side. Nothing was charged.")
        )
