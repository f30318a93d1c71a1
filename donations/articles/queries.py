"""Reading articles and appeals from the database."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from donations.extensions import db
from donations.models import Article


def latest_articles(limit: int = 50) -> list[Article]:
    query = select(Article).order_by(Article.published_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_article_or_404(slug: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        abort(404, description="We could not find that article. It may have moved or been removed.")
    return article


def article_exists(slug: str) -> bool:
    return db.session.scalar(select(Article.id).where(Article.slug == slug)) is not None
