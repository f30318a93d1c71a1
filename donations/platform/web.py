"""What views share about the web: absolute links, origins and CORS, and who may cache an answer."""

from __future__ import annotations

import hashlib
import logging
import os
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    has_request_context,
    request,
    url_for,
)

log = logging.getLogger(__name__)

# An answer shared caches may keep only while it is fresh; if the app cannot answer (a deploy,
# a database restart), they may go on serving it this long.
STALE_IF_ERROR_SECONDS = 24 * 3600


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL for links that leave the site (Stripe, e-mails): PUBLIC_BASE_URL wins,
    except for a reader who came by one of PUBLIC_MIRROR_ORIGINS (an onion service), who is
    sent back there (Stripe's return pages) rather than to the address they avoided.

    Works outside a request too (commands that send e-mails), where only the setting can say
    where the site lives.
    """
    base = current_app.config.get("PUBLIC_BASE_URL")
    if has_request_context() and current_app.config["PUBLIC_MIRROR_ORIGINS"]:
        here = origin_of(request.host_url)
        if here in {origin_of(url) for url in current_app.config["PUBLIC_MIRROR_ORIGINS"]}:
            base = here
    if not base:
        if not has_request_context():
            raise RuntimeError("PUBLIC_BASE_URL is not set: links sent from commands need it.")
        return url_for(endpoint, _external=True, **values)
    return base.rstrip("/") + site_path(endpoint, **values)


def site_path(endpoint: str, **values: Any) -> str:
    """A page's path, the same on every address the site answers at, in a request or not."""
    values = dict(values)
    current_app.inject_url_defaults(endpoint, values)  # the reader's language (platform/i18n)
    return current_app.url_map.bind("localhost").build(endpoint, values)


# Who may keep an answer ----------------------------------------------------------------------


def public(response: Response) -> Response:
    """The same bytes for every reader: shared caches (nginx) and browsers may keep it for
    PUBLIC_CACHE_SECONDS, then revalidate it by its ETag (a 304 when it has not changed).

    Only for answers that read nothing of the reader: no cookie, no session, no token.
    """
    seconds = current_app.config["PUBLIC_CACHE_SECONDS"]
    response.cache_control.public = True
    response.cache_control.max_age = seconds
    response.cache_control.stale_while_revalidate = seconds
    response.cache_control.stale_if_error = STALE_IF_ERROR_SECONDS
    response.add_etag()
    return response.make_conditional(request)


def private(response: Response) -> Response:
    """An answer for this reader only (it carries their token, choices or pass): never stored."""
    response.cache_control.no_store = True
    response.cache_control.private = True
    return response


# Origins -------------------------------------------------------------------------------------


def answered(response: Response) -> bool:
    """For a limit's deduct_when: a limit on what readers ask for counts what was done, not a
    form sent back to be corrected, so a reader fixing a typo is never locked out."""
    return response.status_code < 400


def own_origin() -> str:
    """This site's origin, as readers see it."""
    return origin_of(current_app.config.get("PUBLIC_BASE_URL") or request.host_url)


@lru_cache(maxsize=64)
def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sent_origin() -> str | None:
    return request.headers.get("Origin")


def from_allowed_origin() -> bool:
    """The request comes from a page of ours or of a site that may embed the prompts.

    Browsers send Origin with every POST, and a page cannot forge it; a call without one, or
    from another site, is not a reader's."""
    origin = sent_origin()
    return bool(origin) and (
        origin in own_origins() or origin in current_app.config["EMBED_ALLOWED_ORIGINS"]
    )


def own_origins() -> set[str]:
    """Every address this same site answers readers at: its own and its mirrors' (an onion
    service, say), whose pages are ours."""
    mirrors = current_app.config["PUBLIC_MIRROR_ORIGINS"]
    return {own_origin(), *(origin_of(url) for url in mirrors)}


def posted_json(refusal: str, shape: str = "a JSON object") -> dict[str, Any]:
    """The JSON object a page of ours (or of a listed site) posted: 403 with `refusal` when it
    comes from elsewhere, 400 when it is not `shape`."""
    if not from_allowed_origin():
        abort(403, description=refusal)
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        abort(400, description=f"Send {shape}.")
    return data


def allow_embedding(blueprint: Blueprint) -> None:
    """CORS on the blueprint's answers, exactly as wide as EMBED_ALLOWED_ORIGINS (no cookies:
    the prompts keep the reader's state in the reader's browser)."""

    @blueprint.after_request
    def allow_listed_origins(response: Response) -> Response:
        if response.headers.get("Access-Control-Allow-Origin") == "*":
            return response  # public to every site: one answer, whatever the Origin
        response.vary.add("Origin")
        origin = sent_origin()
        if origin and origin in current_app.config["EMBED_ALLOWED_ORIGINS"]:
            response.headers["Access-Control-Allow-Origin"] = origin
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = "GET, POST"
                response.headers["Access-Control-Allow-Headers"] = "Content-Type"
                response.headers["Access-Control-Max-Age"] = "600"
        return response


# Static files --------------------------------------------------------------------------------


def static_url(filename: str, external: bool = False) -> str:
    """A static file's URL with its content hash: a new release is a new URL, so browsers and
    nginx may keep each one for a year (deploy/nginx.conf)."""
    return url_for("static", filename=filename, v=static_hash(filename), _external=external)


def static_hash(filename: str) -> str:
    path = os.path.join(current_app.static_folder or "", filename)
    # Read once per process; a debug server reads it again whenever the file changes.
    return _hash_of(path, os.path.getmtime(path) if current_app.debug else None)


@lru_cache(maxsize=256)
def _hash_of(path: str, _modified: float | None) -> str:
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:16]


class PublicAnswers:
    """WSGI middleware that keeps answers marked public (`public()`) fit for shared caches.

    Flask says "Vary: Cookie" on a response once anything has touched the session, and
    Flask-Login reads it after every request; but a public answer reads nothing of the reader
    (tests/test_cacheable.py checks its bytes are the same whatever cookies come), so it does
    not vary by them, and the Vary would make caches keep a copy per cookie. Should a public
    answer ever set a cookie, it is made private instead: no cache may hand one reader's
    cookie to another.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            names = {name.lower(): value for name, value in headers}
            if "public" in names.get("cache-control", ""):
                headers[:] = _for_everyone(headers, sets_cookie="set-cookie" in names)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)


def _for_everyone(headers: list[tuple[str, str]], *, sets_cookie: bool) -> list[tuple[str, str]]:
    if sets_cookie:
        log.error("a public answer set a cookie: it was sent as private instead")
        return [
            (name, "private, no-store" if name.lower() == "cache-control" else value)
            for name, value in headers
        ]
    kept = []
    for name, value in headers:
        if name.lower() == "vary":
            value = ", ".join(v.strip() for v in value.split(",") if v.strip().lower() != "cookie")
            if not value:
                continue
        kept.append((name, value))
    return kept


def init_app(app: Flask) -> None:
    app.add_template_global(static_url)
    app.add_template_global(external_url)
    app.wsgi_app = PublicAnswers(app.wsgi_app)  # type: ignore[method-assign]
