"""Articles: the newsroom's stories, served with their asks around them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from donations.platform.database import UTCDateTime, utcnow
from donations.platform.extensions import db
from donations.platform.text import split_paragraphs


class Article(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    standfirst: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)  # paragraphs separated by blank lines
    photo_path: Mapped[str | None] = mapped_column(String(300))  # under static/
    photo_caption: Mapped[str] = mapped_column(Text, default="")
    photo_credit: Mapped[str] = mapped_column(String(200), default="")
    section: Mapped[str] = mapped_column(String(100), default="News")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)
