"""Form fields readers fill in on several features' pages, checked and worded the same."""

from __future__ import annotations

from flask_babel import LazyString, lazy_gettext
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length, Optional


def _trimmed(value: str | None) -> str | None:
    return value.strip() if value else value


def email_address(label: str | LazyString, *, required: bool = True) -> EmailField:
    """A reader's e-mail address: trimmed, at most 254 characters, and shaped like one."""
    return EmailField(
        label,
        filters=[_trimmed],
        validators=[
            DataRequired(message=lazy_gettext("Please enter your e-mail address."))
            if required
            else Optional(),
            Length(max=254, message=lazy_gettext("That e-mail address is too long.")),
            Email(
                message=lazy_gettext(
                    "Please check your e-mail address: it should look like name@example.org."
                )
            ),
        ],
    )


# What the hidden attribution fields may hold: an article's slug, and a prompt's or an
# experiment variant's reported name. Anything else did not come from a page of ours.
SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
TOKEN_CHARS = SLUG_CHARS | frozenset("_")


def is_slug(value: str) -> bool:
    return 0 < len(value) <= 200 and set(value) <= SLUG_CHARS


def is_token(value: str, longest: int = 60) -> bool:
    return 0 < len(value) <= longest and set(value) <= TOKEN_CHARS
