"""Views of the front page and the article page."""

from __future__ import annotations

from flask import make_response, render_template, request

from donations.articles import bp
from donations.articles.queries import get_article_or_404, latest_articles
from donations.prompts import reader_state
from donations.prompts import service as prompts
from donations.support import rules
from donations.support.forms import DonationForm


@bp.get("/")
def index():
    """The front page: the latest articles."""
    return render_template("articles/index.html", articles=latest_articles())


@bp.get("/articles/<slug>")
def article(slug: str):
    """An article with its prompts; past a metered paywall, a teaser and the appeal instead."""
    story = get_article_or_404(slug)
    reader = prompts.load_reader(request)
    decided = prompts.for_article_page(reader, story.slug, request)
    donation_form = DonationForm(
        rules(),
        formdata=None,
        data={
            "article": story.slug,
            "placement": "article-end",
            "prompt": decided.article_end.prompt or "",
            "variant": decided.article_end.variant,
        },
    )
    # Past a metered paywall the appeal takes the body's place, whatever the caps say.
    asks = decided.article_end.prompt == "appeal" or decided.withheld
    response = make_response(
        render_template(
            "articles/article.html",
            article=story,
            appeal=prompts.appeal_copy(["article-end"]).get("article-end") if asks else None,
            prompts=decided,
            form=donation_form,
        )
    )
    reader_state.save(reader.state, response)
    return response
