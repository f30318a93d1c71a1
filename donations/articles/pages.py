"""Rendered article pages, kept for a short while in each worker.

An article page is the same for every reader in the same prompt state (body shown or
withheld, which end-of-article prompt and variant, the hour's prompt token, the day's remind-me
months); only the no-JS form's CSRF token is the reader's own, and it is put in per request.
So a page view costs a decision and a string replacement, not a query and a render, and an
article still answers while the database restarts. Edits show within ARTICLE_PAGE_CACHE_SECONDS
(plus the appeal copy's own minute).
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_wtf.csrf import generate_csrf

from donations.articles.queries import get_article_or_404
from donations.kept import kept
from donations.prompts import service as prompts
from donations.prompts.service import ArticlePrompts
from donations.support import rules
from donations.support.forms import DonationForm

# Never a real token (those are signed and URL-safe), so it cannot occur in the page otherwise.
CSRF_SLOT = "\x1ecsrf-token\x1e"


def article_page(slug: str, decided: ArticlePrompts) -> str:
    """The article page's HTML for this reader (404 if there is no such article)."""
    return _shared_page(slug, decided).replace(CSRF_SLOT, generate_csrf())


def _shared_page(slug: str, decided: ArticlePrompts) -> str:
    seconds = current_app.config["ARTICLE_PAGE_CACHE_SECONDS"]
    if not seconds or current_app.debug:
        return _render(slug, decided)
    end = decided.article_end
    key = (slug, decided.withheld, end.prompt, end.variant, decided.token, str(decided.months))
    return kept("article_pages", seconds).get(key, lambda: _render(slug, decided))


def _render(slug: str, decided: ArticlePrompts) -> str:
    story = get_article_or_404(slug)
    end = decided.article_end
    form = DonationForm(
        rules(),
        formdata=None,
        meta={"csrf": False},  # the page carries CSRF_SLOT, filled in per reader
        data={
            "article": story.slug,
            "placement": "article-end",
            "prompt": end.prompt or "",
            "variant": end.variant,
        },
    )
    # Past a metered paywall the appeal takes the body's place, whatever the caps say.
    asks = end.prompt == "appeal" or decided.withheld
    return render_template(
        "articles/article.html",
        article=story,
        appeal=prompts.appeal_copy(["article-end"]).get("article-end") if asks else None,
        prompts=decided,
        form=form,
        csrf_token=lambda: CSRF_SLOT,
    )
