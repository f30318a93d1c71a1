"""Views of the front page and the article page."""

from __future__ import annotations

from flask import current_app, render_template, request

from donations.articles import bp
from donations.articles.meter import count_and_decide, read_meter, write_meter
from donations.articles.queries import get_article_or_404, latest_articles, related_articles
from donations.payments import supporter_pass
from donations.platform.database import utcnow
from donations.platform.i18n import page_language, speak
from donations.platform.web import private, public


@bp.get("/")
def index():
    """The front page: the latest articles, the same for every reader."""
    page = render_template("articles/index.html", articles=latest_articles(page_language()))
    return public(current_app.make_response(page))


@bp.get("/articles/<slug>")
def article(slug: str):
    """An article with its asks; past a metered paywall, a teaser and the appeal instead.

    Without the meter the page is the same for every reader (the prompts decide in the
    reader's browser), so caches in front serve it; with it, each reader gets their own.
    """
    story = get_article_or_404(slug)
    speak(story.language)
    read_more = related_articles(story)
    if current_app.config["PAYWALL_MODE"] != "metered":
        page = render_template(
            "articles/article.html", article=story, withheld=False, read_more=read_more
        )
        return public(current_app.make_response(page))
    meter = read_meter(request)
    withheld = count_and_decide(
        meter,
        story.slug,
        supporter_pass.read(request),
        request.headers.get("User-Agent", ""),
        utcnow(),
    )
    response = private(
        current_app.make_response(
            render_template(
                "articles/article.html", article=story, withheld=withheld, read_more=read_more
            )
        )
    )
    write_meter(response, meter)
    return response


@bp.get("/privacy")
def privacy():
    """What we keep about readers, donors and subscribers, and for how long."""
    return public(current_app.make_response(render_template("articles/privacy.html")))
