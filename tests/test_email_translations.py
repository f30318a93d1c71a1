"""Every word of the e-mails to readers and donors is marked for translation, and the Russian
catalogue translates each of them, plural forms included. Staff e-mails stay English."""

from __future__ import annotations

import os
import re

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMAILS = os.path.join(ROOT, "templates", "emails")
# Written to the newsroom's staff, or the developers' test message: English only.
STAFF_EMAILS = {"staff_sign_in_throttled.txt", "test.txt"}
# The Python that writes e-mails' subjects and words, and Checkout's.
SENDERS = [
    "donations/payments/notices.py",
    "donations/payments/purpose.py",
    "donations/payments/recovery.py",
    "donations/payments/stripe_gateway.py",
    "donations/reminders/service.py",
    "donations/newsletter/service.py",
    "donations/receipts/statements.py",
]
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_gettext": None,
}
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


def reader_emails() -> list[str]:
    return sorted(name for name in os.listdir(EMAILS) if name not in STAFF_EMAILS)


def unmarked(source: str) -> list[str]:
    """Text left once the marked parts, expressions, tags and markup are taken out."""
    source = re.sub(r"{%-?\s*trans\b.*?{%-?\s*endtrans\s*-?%}", " ", source, flags=re.S)
    source = re.sub(r"{#.*?#}|{{.*?}}|{%.*?%}", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source)
    return [line.strip() for line in source.splitlines() if LETTERS.search(line)]


def test_the_check_finds_unmarked_words():
    source = '{% trans %}Hi {{ n }}{% endtrans %}\n<p style="x">{{ _("Ok") }} Not marked</p>'
    assert unmarked(source) == ["Not marked"]


@pytest.mark.parametrize("template", reader_emails())
def test_every_word_of_a_reader_email_is_marked(template):
    with open(os.path.join(EMAILS, template), encoding="utf-8") as file:
        assert unmarked(file.read()) == []


def email_messages() -> list[tuple[str, str | tuple[str, ...], str | None]]:
    options = {"trimmed": "true", "extensions": "jinja2.ext.i18n"}
    found = []
    for name in reader_emails():
        path = os.path.join(EMAILS, name)
        for _line, message, _comments, context in extract_from_file(
            "jinja2", path, keywords=KEYWORDS, options=options
        ):
            found.append((f"templates/emails/{name}", message, context))
    for path in SENDERS:
        for _line, message, _comments, context in extract_from_file(
            "python", os.path.join(ROOT, path), keywords=KEYWORDS
        ):
            found.append((path, message, context))
    return found


@pytest.fixture(scope="module")
def russian():
    with open(os.path.join(ROOT, "translations/ru/LC_MESSAGES/messages.po"), "rb") as file:
        return read_po(file)


def test_the_emails_have_words_to_translate():
    sources = {source for source, _message, _context in email_messages()}
    assert len(sources) == len(reader_emails()) - 2 + len(SENDERS)  # the two layouts: none


@pytest.mark.parametrize(("source", "message", "context"), email_messages())
def test_russian_translates_every_email_message(russian, source, message, context):
    msgid = message if isinstance(message, str) else message[0]
    entry = russian.get(msgid, context=context)
    assert entry is not None, f"{source}: {msgid!r} is not in the catalogue (make translations)"
    assert not entry.fuzzy, f"{source}: {msgid!r} is fuzzy"
    forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    if isinstance(message, tuple):
        assert len(forms) == 3, "Russian has three plural forms"
    for form in forms:
        assert form, f"{source}: {msgid!r} is not translated"
        assert LETTERS.search(form) and form != msgid
        # The same placeholders, or the e-mail fails (or loses a link) at rendering.
        assert set(PLACEHOLDER.findall(form)) == set(PLACEHOLDER.findall(msgid)), form
