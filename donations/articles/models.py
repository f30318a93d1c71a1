"""Articles: the newsroom's stories, served with their asks around them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # The language it is written in: the page around it speaks it too (platform/i18n).
    language: Mapped[str] = mapped_column(String(10), default="en", server_default="en")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    tag_rows: Mapped[list[ArticleTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ArticleTag.tag"
    )

    @property
    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.body)

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]

    @tags.setter
    def tags(self, tags: list[str]) -> None:
        # Rows whose tag stays are kept: deleting and re-adding one key in a flush would clash.
        kept = {row.tag: row for row in self.tag_rows}
        self.tag_rows = [kept.get(tag) or ArticleTag(tag=tag) for tag in dict.fromkeys(tags)]


class ArticleTag(db.Model):
    """A topic an article is filed under ("belarus", "economy"): what "Read more" matches on."""

    article_id: Mapped[int] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)
