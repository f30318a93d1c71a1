"""Reading articles from the database."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select

from donations.articles.models import Article
from donations.platform.extensions import db


def latest_articles(limit: int = 50) -> list[Article]:
    query = select(Article).order_by(Article.published_at.desc()).limit(limit)
    return list(db.session.scalars(query))


def get_article_or_404(slug: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        abort(404, description="We could not find that article. It may have moved or been removed.")
    return article
