"""Request ids and structured logs: one JSON line per record, tied to the request that made it."""

from __future__ import annotations

import json
import logging
import os
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, has_request_context, request
from gunicorn import glogging

from config import Settings

# A caller's id is kept only if it is short and plain: it ends up in every log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")


ENVIRON_KEY = "donations.request_id"


def request_id(environ: dict[str, Any]) -> str:
    """The request's id: the load balancer's, if it sent a plain one, else a new one."""
    chosen = environ.get(ENVIRON_KEY)
    if chosen is None:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        chosen = given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        environ[ENVIRON_KEY] = chosen  # gunicorn's access line reads it from here
    return chosen


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id(request.environ) if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class GunicornLogger(glogging.Logger):
    """gunicorn's own lines in the app's format: with LOG_FORMAT=json its errors and its access
    log are JSON lines too, each access line with the request's id and fields to query on.

    LOG_FORMAT=text keeps gunicorn's own lines."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # Made by gunicorn before and outside the app: only this one setting is read here.
        fmt = os.environ.get("LOG_FORMAT") or Settings.model_fields["LOG_FORMAT"].default
        self.json = fmt == "json"
        if self.json:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.json:
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        method, path = environ["REQUEST_METHOD"], environ.get("RAW_URI", "")
        # None when the worker was stopped (its timeout) before the app answered.
        code = str(resp.status).split(None, 1)[0]
        status = int(code) if code.isdigit() else None
        fields = {
            "remote": environ.get("REMOTE_ADDR", "-"),
            "method": method,
            "path": path,
            "status": status,
            "bytes": resp.sent,
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        }
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status or "-",
            extra={"request_id": environ.get(ENVIRON_KEY, "-"), "fields": fields},
        )
        return None


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
    configure_logging(app)

    @app.before_request
    def name_the_request() -> None:
        request_id(request.environ)

    @app.after_request
    def say_the_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = request_id(request.environ)
        return response
