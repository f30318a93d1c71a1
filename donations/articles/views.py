"""Views of the front page and the article page."""

from __future__ import annotations

from flask import make_response, render_template, request

from donations.articles import bp
from donations.articles.pages import article_page
from donations.articles.queries import latest_articles
from donations.prompts import reader_state
from donations.prompts import service as prompts


@bp.get("/")
def index():
    """The front page: the latest articles."""
    return render_template("articles/index.html", articles=latest_articles())


@bp.get("/articles/<slug>")
def article(slug: str):
    """An article with its prompts; past a metered paywall, a teaser and the appeal instead."""
    reader = prompts.load_reader(request)
    decided = prompts.for_article_page(reader, slug, request)
    response = make_response(article_page(slug, decided))
    reader_state.save(reader.state, response)  # not reached for a 404: nothing was read
    return response
