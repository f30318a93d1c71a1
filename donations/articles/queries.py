"""Reading articles from the database."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext
from sqlalchemy import func, select

from donations.articles.models import Article, ArticleTag
from donations.platform.extensions import db


def latest_articles(language: str, limit: int = 50) -> list[Article]:
    """The front page's articles: those written in the page's language."""
    query = (
        select(Article)
        .where(Article.language == language)
        .order_by(Article.published_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def get_article_or_404(slug: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        abort(
            404,
            description=gettext(
                "We could not find that article. It may have moved or been removed."
            ),
        )
    return article


def related_articles(article: Article, limit: int = 3) -> list[Article]:
    """ "Read more": the articles sharing most of its tags first, then the most recent."""
    shared = (
        select(ArticleTag.article_id, func.count().label("shared"))
        .where(ArticleTag.tag.in_(article.tags), ArticleTag.article_id != article.id)
        .group_by(ArticleTag.article_id)
        .subquery()
    )
    query = (
        select(Article)
        .outerjoin(shared, shared.c.article_id == Article.id)
        .where(Article.id != article.id, Article.language == article.language)
        .order_by(
            func.coalesce(shared.c.shared, 0).desc(),
            Article.published_at.desc(),
            Article.id.desc(),
        )
        .limit(limit)
    )
    return list(db.session.scalars(query))
