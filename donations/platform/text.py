"""Text as editors write it: paragraphs separated by blank lines; and waits in words."""

from flask_babel import ngettext


def split_paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def wait_in_words(seconds: int) -> str:
    """'40 seconds', '2 minutes': how long a reader waits, rounded up to whole minutes past 90 s."""
    if seconds <= 90:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    return ngettext("%(num)d minute", "%(num)d minutes", -(-seconds // 60))
