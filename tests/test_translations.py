"""Every word a reader sees can be translated, and the Russian catalogue translates all of them.

The reader templates are walked with Jinja's own lexer: text between tags, the attributes a
reader hears or sees (alt, title, placeholder, aria-label, a meta description) and string
literals in expressions must be inside {% trans %} or _()/gettext()/ngettext(), except for the
few non-words below. The catalogues are compared with a fresh extraction, as `make
translations` does it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATES = os.path.join(ROOT, "templates")
# Staff pages and the developers' embedding page stay English; e-mails have their own test.
NOT_FOR_READERS = (
    "staff/",
    "experiments/",
    "emails/",
    "newsletter/staff.html",
    "prompts/demo.html",
)
# Names and marks that are the same in every language.
NOT_WORDS = {"Visa", "Mastercard", "American Express", "Apple Pay", "Google Pay", "✓"}
# Attribute values a reader's eyes or screen reader meet.
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "content"}
GETTEXT_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def reader_templates() -> list[str]:
    found = []
    for folder, _dirs, files in os.walk(TEMPLATES):
        for name in files:
            path = os.path.relpath(os.path.join(folder, name), TEMPLATES).replace(os.sep, "/")
            if name.endswith(".html") and not path.startswith(NOT_FOR_READERS):
                found.append(path)
    return sorted(found)


class _Words(HTMLParser):
    """The words of an HTML fragment a reader meets: text, and the attributes they read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if name not in READ_ATTRIBUTES or not value:
                continue
            if name == "content" and attributes.get("name") != "description":
                continue  # <meta http-equiv="refresh" content="3">, the viewport
            self.words.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def unmarked_words(source: str) -> list[str]:
    """The reader-facing words in a template that no translation marker covers."""
    html_parts: list[str] = []
    literals: list[str] = []
    in_trans = False
    calls: list[str | None] = []  # the function each open parenthesis belongs to
    previous: tuple[str, str] = ("", "")
    tokens = Environment(extensions=["jinja2.ext.i18n"]).lex(source)
    for _line, kind, value in tokens:
        if kind == "name" and previous[0] == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"
        elif kind == "data":
            # Text inside {% trans %} is the message itself; an expression stands for a word.
            html_parts.append(" " if in_trans else value)
        elif kind == "variable_begin":
            html_parts.append("\x00")
        elif kind == "operator" and value == "(":
            calls.append(previous[1] if previous[0] == "name" else None)
        elif kind == "operator" and value == ")" and calls:
            calls.pop()
        elif kind == "string" and not in_trans and not GETTEXT_CALLS.intersection(calls):
            value = value[1:-1]  # the lexer gives a literal with its quotes
            identifiers = all(set(word) & set("-_.") for word in value.split())
            if " " in value.strip() and not identifiers and "%" not in value:
                literals.append(value)
        if kind not in ("whitespace",):
            previous = (kind, value)
    parser = _Words()
    parser.feed("".join(html_parts))
    parser.close()
    words = []
    for text in parser.words + literals:
        for piece in text.split("\x00"):
            piece = " ".join(piece.split())
            if LETTERS.search(piece) and piece not in NOT_WORDS:
                words.append(piece)
    return words


def test_the_walker_finds_unmarked_words_and_passes_marked_ones():
    source = """<p>{{ _("Hello") }} {% trans name=x %}Hi {{ name }}{% endtrans %}</p>
<img alt="A drone" src="{{ url }}"><p title="{{ _('Fine') }}">{{ x or 'Not marked here' }}</p>
<nav aria-label="Main">—</nav><li>Visa</li><meta http-equiv="refresh" content="3">"""
    assert unmarked_words(source) == ["A drone", "Main", "Not marked here"]


@pytest.mark.parametrize("template", reader_templates())
def test_every_reader_word_is_marked_for_translation(template):
    with open(os.path.join(TEMPLATES, template), encoding="utf-8") as file:
        assert unmarked_words(file.read()) == []


# The catalogues ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """What `make translations` would extract now (the same keywords as the Makefile's)."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
    )
    with open(pot, "rb") as file:
        return read_po(file)


def catalogue(language: str):
    path = os.path.join(ROOT, "translations", language, "LC_MESSAGES", "messages.po")
    with open(path, "rb") as file:
        return read_po(file, locale=language)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_catalogue_is_in_step_with_the_code(extracted, language):
    wanted = {message.id if isinstance(message.id, str) else message.id[0] for message in extracted}
    held = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue(language)
    }
    assert sorted(wanted - held) == [], "run `make translations` and translate what is new"
    assert sorted(held - wanted) == [], "run `make translations`: these are no longer used"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_catalogue_translates_every_message_with_its_placeholders(language):
    found = catalogue(language)
    empty, fuzzy = [], []
    for message in found:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or len(strings) != (found.num_plurals if message.pluralizable else 1):
            empty.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    problems = [(message.id, [str(error) for error in errors]) for message, errors in found.check()]
    assert (empty, fuzzy, problems) == ([], [], [])
    assert len(found) > 100
