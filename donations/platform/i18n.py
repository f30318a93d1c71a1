"""The reader's language: which one a request speaks, the catalogues it is spoken from, and
links that keep a reader in it.

Reader pages are cached in front of the app and must be the same bytes for every reader, so
the language travels in the URL, never in a cookie: an article speaks its own language, any
page speaks the one named by `?lang=`, and every link a page in another language than the
newsroom's first builds carries `lang`, so a reader who switched stays switched as they go from
the article to the form, the thank-you page and the reminder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, abort, current_app, g, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, refresh

from donations.platform.extensions import babel

LANGUAGE_ARG = "lang"
CATALOGUES = "translations"  # beside the app, where Flask-Babel looks by default


def init_app(app: Flask) -> None:
    compile_catalogues(os.path.join(app.root_path, CATALOGUES))
    babel.init_app(app, default_locale=app.config["LANGUAGES"][0], locale_selector=request_language)
    # {% trans %} blocks are extracted with their whitespace trimmed; render them so too.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    # After the platform's own checks of the query string (a NUL byte is a 400 first).
    app.before_request(_refuse_unknown_language)
    app.url_defaults(_keep_language)
    app.add_template_global(page_language)
    app.add_template_global(language_links)


def request_language() -> str:
    """The one place a request's language is decided: the reader's `?lang=` if they chose one,
    else the language of what the page shows (an article's, see speak()), else the newsroom's
    first."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = request.args.get(LANGUAGE_ARG)
        if chosen in languages:
            return chosen
    return g.get("page_language") or languages[0]


def speak(language: str) -> None:
    """A view whose content has a language (an article) speaks it, unless the reader chose."""
    if language in current_app.config["LANGUAGES"]:
        g.page_language = language
        refresh()  # anything already translated in this request was in the default


def page_language() -> str:
    """The language this page (or e-mail, under force_locale) is in: `<html lang>`."""
    return str(get_locale() or current_app.config["LANGUAGES"][0])


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """What is written for a reader away from their request (an e-mail a command or a webhook
    sends, Checkout's words) speaks the language they were reading in, stored with what they
    started: its words, money and dates, and the `lang` its links carry (_keep_language reads
    the same locale). A language the newsroom no longer publishes in falls back to its first."""
    languages = current_app.config["LANGUAGES"]
    with force_locale(language if language in languages else languages[0]):
        yield


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: a reader who cannot read this page can still find theirs
    url: str
    current: bool


def language_links() -> list[LanguageLink]:
    """This page in each of the newsroom's languages, for the switch; none where a link cannot
    show the same page again (a posted form's answer, an error)."""
    languages = current_app.config["LANGUAGES"]
    if len(languages) < 2 or request.method != "GET" or request.url_rule is None:
        return []
    here = page_language()
    args = {**request.args.to_dict(), **(request.view_args or {})}
    links = []
    for code in languages:
        values = {**args, LANGUAGE_ARG: code}
        url = current_app.url_for(request.endpoint, **values)
        name = Locale.parse(code).get_display_name(code) or code
        links.append(LanguageLink(code, name[:1].upper() + name[1:], url, code == here))
    return links


def plural_forms(words: Callable[[int], str]) -> dict[str, str]:
    """A count's words in each plural category of the page's language, for a browser to pick
    with Intl.PluralRules: {"one": "{n} статья", "few": "{n} статьи", "many": "{n} статей"}.
    `words(n)` is an ngettext call whose message says {n} where the count goes."""
    locale = get_locale() or Locale.parse(current_app.config["LANGUAGES"][0])
    forms: dict[str, str] = {}
    for n in range(0, 112):  # 0–111 meet every category whole numbers can fall in
        forms.setdefault(locale.plural_form(n), words(n))
    return forms


def _refuse_unknown_language() -> None:
    chosen = request.args.get(LANGUAGE_ARG)
    if chosen is not None and chosen not in current_app.config["LANGUAGES"]:
        languages = ", ".join(current_app.config["LANGUAGES"])
        abort(404, description=f"There are pages in {languages} only, not {chosen!r}.")


def _keep_language(endpoint: str, values: dict[str, Any]) -> None:
    """Links built while speaking another language than the newsroom's first carry it."""
    if endpoint == "static" or LANGUAGE_ARG in values or not has_app_context():
        return
    language = page_language()
    if language != current_app.config["LANGUAGES"][0]:
        values[LANGUAGE_ARG] = language


# The catalogues ------------------------------------------------------------------------------


def compile_catalogues(directory: str) -> list[str]:
    """Compile each language's messages.po to the .mo gettext reads, where it is missing or
    older than its .po: a fresh clone, `make run`, the tests and gunicorn all start from the
    .po files in git, and the generated .mo files are never committed. Returns what it wrote."""
    written = []
    for po_path in _po_files(directory):
        mo_path = po_path[: -len(".po")] + ".mo"
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        with open(po_path, "rb") as po_file:
            catalogue = read_po(po_file)
        # Written aside and moved into place: workers starting together never read half a file.
        partial = f"{mo_path}.{os.getpid()}.tmp"
        with open(partial, "wb") as mo_file:
            write_mo(mo_file, catalogue)
        os.replace(partial, mo_path)
        written.append(mo_path)
    return written


def _po_files(directory: str) -> Iterator[str]:
    if not os.path.isdir(directory):
        return
    for language in sorted(os.listdir(directory)):
        path = os.path.join(directory, language, "LC_MESSAGES", "messages.po")
        if os.path.exists(path):
            yield path
