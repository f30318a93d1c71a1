"""Views of the front page and the article page."""

from __future__ import annotations

from flask import render_template

from donations.articles import bp
from donations.articles.queries import appeal_for, get_article_or_404, latest_articles
from donations.support import rules
from donations.support.forms import DonationForm


@bp.get("/")
def index():
    """The front page: the latest articles."""
    return render_template("articles/index.html", articles=latest_articles())


@bp.get("/articles/<slug>")
def article(slug: str):
    """An article with the end-of-article appeal and its donation form."""
    story = get_article_or_404(slug)
    donation_form = DonationForm(
        rules(), formdata=None, data={"article": story.slug, "placement": "article-end"}
    )
    return render_template(
        "articles/article.html",
        article=story,
        appeal=appeal_for("article-end"),
        form=donation_form,
    )
