"""A reader's newsletter subscription: the address, what they agreed to and when, and whether
its owner confirmed it or left."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from donations.platform.database import UTCDateTime, utcnow
from donations.platform.extensions import db


def new_code() -> str:
    return secrets.token_urlsafe(18)


class NewsletterSubscriber(db.Model):
    """One row per address. It receives the newsletter only once its owner confirmed by the
    e-mailed link (anyone can type anyone's address) and until they unsubscribe."""

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, default=new_code)
    # What was agreed, word for word, and when: as asked, then as the owner confirmed it.
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None while a confirmation e-mail is owed (a new sign-up, or one asked again a day later).
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The language of the page they signed up on: the e-mails about it speak it (platform/i18n).
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def subscribed(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None
