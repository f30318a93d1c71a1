"""Request ids and structured logs: one JSON line per record, tied to the request that made it."""

from __future__ import annotations

import json
import logging
import random
import re
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request

# A caller's id is kept only if it is short and plain: it ends up in every log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr in production; Flask's default output in debug and tests."""
    if app.debug or app.testing:
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])


def init_app(app: Flask) -> None:
    @app.before_request
    def assign_request_id() -> None:
        given = request.headers.get("X-Request-ID", "")
        # Ids need only be unique, not secret: the random module's generator costs no system
        # call (uuid4 does), and it is reseeded in each forked worker.
        g.request_id = (
            given if SAFE_REQUEST_ID.fullmatch(given) else f"{random.getrandbits(128):032x}"
        )

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    configure_logging(app)
