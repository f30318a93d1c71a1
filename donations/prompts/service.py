"""The prompt service: the reader's context in, the decision and its content out; events stored.

Deciding costs at most one query (the appeal copy, cached for a minute) and none when nothing
shows; everything about the reader comes from signed cookies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Request, current_app
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from donations.extensions import db, insert_for
from donations.kept import kept
from donations.models import Appeal, utcnow
from donations.prompts import reader_state
from donations.prompts.decision import (
    APPEAL,
    PLACEMENTS,
    THANKS,
    Decision,
    PromptRules,
    ReaderContext,
    decide,
    withholds_body,
)
from donations.prompts.models import EVENT_KINDS, PromptStat
from donations.prompts.reader_state import ReaderState
from donations.supporters import passes
from donations.supporters.passes import SupporterPass
from donations.web import external_url

TOKEN_SALT = "prompt-token"
COPY_CACHE_SECONDS = 60
MAX_EVENTS = 50
SLUG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
TOKEN_CHARS = SLUG_CHARS | frozenset("_")


class PromptTokenError(Exception):
    """A state-changing call without a valid token for the page's origin."""


@dataclass
class Reader:
    """One reader in one request: the cookie state, the supporter pass and the time."""

    state: ReaderState
    supporter: SupporterPass | None
    now: datetime
    user_agent: str = ""

    @property
    def first_visit(self) -> bool:
        """Nothing known: every such reader of a page gets the same answer."""
        return self.supporter is None and self.state == ReaderState()

    def context(
        self, placement: str, *, force: bool = False, already_read: bool = False
    ) -> ReaderContext:
        rules = prompt_rules()
        return ReaderContext(
            placement=placement,
            now=self.now,
            articles_read=self.state.articles_read(self.now, rules.window_days),
            views=self.state.views_of(placement, self.now, rules.window_days),
            dismissed_at=self.state.dismissed_at(placement),
            snoozed_until=self.state.snooze_end(),
            supporter=self.supporter,
            already_read=already_read,
            crawler=is_allowed_crawler(self.user_agent),
            force=force,
        )


@dataclass(frozen=True)
class ArticlePrompts:
    """What the article page needs: withhold the body? show the end appeal? with which token."""

    withheld: bool
    article_end: Decision
    token: str
    months: list[dict[str, str]]


def prompt_rules() -> PromptRules:
    """The rules from the settings, read once per app (several times per decision)."""
    rules = current_app.extensions.get("prompt_rules")
    if rules is None:
        rules = current_app.extensions["prompt_rules"] = PromptRules.from_config(current_app.config)
    return rules


def load_reader(request: Request) -> Reader:
    now = utcnow()
    return Reader(
        state=reader_state.load(request),
        supporter=passes.read(request, now),
        now=now,
        user_agent=request.headers.get("User-Agent", ""),
    )


def is_allowed_crawler(user_agent: str) -> bool:
    lowered = user_agent.lower()
    return any(name.lower() in lowered for name in current_app.config["PAYWALL_ALLOWED_CRAWLERS"])


def is_staff() -> bool:
    """Staff may force a prompt and see why it showed; so may a developer on a debug server."""
    return current_app.debug or bool(current_user and current_user.is_authenticated)


def valid_slug(value: str | None) -> str | None:
    if value and len(value) <= 200 and set(value) <= SLUG_CHARS:
        return value
    return None


def valid_token_text(value: Any, default: str) -> str:
    if isinstance(value, str) and 0 < len(value) <= 60 and set(value) <= TOKEN_CHARS:
        return value
    return default


# Origins and tokens -------------------------------------------------------------------------


def own_origin(request: Request) -> str:
    return _origin_of(current_app.config.get("PUBLIC_BASE_URL") or request.host_url)


@lru_cache(maxsize=64)
def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def sent_origin(request: Request) -> str | None:
    # From the environ: a missing header costs Headers.get an exception, on every page view.
    return request.environ.get("HTTP_ORIGIN")


def allowed_origin(origin: str | None, request: Request) -> bool:
    if not origin:
        return False
    return origin == own_origin(request) or origin in current_app.config["EMBED_ALLOWED_ORIGINS"]


def cors_origin(request: Request) -> str | None:
    """The Origin to echo in CORS headers: only another origin on the embed list."""
    origin = sent_origin(request)
    if origin and origin in current_app.config["EMBED_ALLOWED_ORIGINS"]:
        return origin
    return None


def _token_serializer() -> URLSafeTimedSerializer:
    return _token_serializer_for(current_app.secret_key)


@cache
def _token_serializer_for(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT)


def issue_token(origin: str) -> str:
    """A token for this origin's pages; one is shared by every reader of an origin for up to
    an hour (it proves the origin, not the reader), so page views do not each pay to sign one."""
    return kept("prompt_tokens", 3600, size=1000).get(
        (origin, _hour(utcnow())), lambda: _token_serializer().dumps({"o": origin})
    )


def check_token(token: str | None, request: Request) -> None:
    """Raise PromptTokenError unless the token is ours, fresh, and issued to this Origin."""
    origin = sent_origin(request)
    if not allowed_origin(origin, request):
        raise PromptTokenError("this site may not send prompt events")
    try:
        payload = _token_serializer().loads(
            token or "", max_age=current_app.config["PROMPT_TOKEN_MAX_AGE_SECONDS"]
        )
    except SignatureExpired:
        raise PromptTokenError("the prompt token has expired; reload the page") from None
    except BadSignature:
        raise PromptTokenError("the prompt token is missing or invalid") from None
    if not isinstance(payload, dict) or payload.get("o") != origin:
        raise PromptTokenError("the prompt token belongs to another site")


def requesting_origin(request: Request) -> str:
    """The page's origin for a GET: browsers send Origin on cross-origin fetches only."""
    origin = sent_origin(request)
    return origin if allowed_origin(origin, request) else own_origin(request)


# Appeal copy --------------------------------------------------------------------------------


def appeal_copy(placements: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The copy of each placement's appeal (to read, not change): one query a minute."""
    wanted = tuple(sorted(set(placements)))
    return kept("appeal_copy", COPY_CACHE_SECONDS).get(wanted, lambda: _stored_copy(wanted))


def _stored_copy(placements: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    rows = db.session.scalars(
        select(Appeal).where(Appeal.placement.in_(placements), Appeal.language == "en")
    )
    return {row.placement: _copy_of(row) for row in rows}


def _copy_of(appeal: Appeal) -> dict[str, Any]:
    return {
        "heading": appeal.heading,
        "paragraphs": appeal.paragraphs,
        "button": appeal.button_text,
        "remindPrompt": appeal.remind_prompt,
        "remindLink": appeal.remind_link_text,
    }


# Deciding -----------------------------------------------------------------------------------


def record_reading(reader: Reader, slug: str | None) -> bool:
    """Count the article as read; returns whether it had been read before."""
    if slug is None:
        return False
    already = reader.state.has_read(slug)
    reader.state.record_read(slug, reader.now, prompt_rules().window_days)
    return already


def decide_placements(
    reader: Reader, placements: Iterable[str], *, force: bool = False
) -> dict[str, Decision]:
    """Decide each placement; a shown (unforced) prompt counts as one view of it."""
    decisions = {}
    for placement in placements:
        decision = decide(reader.context(placement, force=force), prompt_rules())
        if decision.shows and decision.reason != "forced":
            reader.state.record_view(placement, reader.now, prompt_rules().window_days)
        decisions[placement] = decision
    return decisions


def for_article_page(reader: Reader, slug: str, request: Request) -> ArticlePrompts:
    """The article page's own decisions: the meter, and the server-rendered end appeal."""
    already = record_reading(reader, slug)
    withheld = withholds_body(reader.context("article-end", already_read=already), prompt_rules())
    [article_end] = decide_placements(reader, ["article-end"]).values()
    token = issue_token(own_origin(request))
    return ArticlePrompts(withheld, article_end, token, months_json())


def prompt_payload(
    decisions: Mapping[str, Decision], request: Request, article: str | None, *, debug: bool
) -> dict[str, Any]:
    """The JSON the component renders: per placement a prompt with its copy, or null."""
    shown = [p for p, d in decisions.items() if d.prompt == APPEAL]
    copy = appeal_copy(shown) if shown else {}
    prompts = {p: _prompt_json(d, copy.get(p), article) for p, d in decisions.items()}
    payload: dict[str, Any] = {"token": issue_token(requesting_origin(request)), "prompts": prompts}
    if shown:
        payload["form"] = form_settings(request)
    if debug:
        payload["debug"] = {
            p: {"reason": d.reason, "checks": d.as_debug()} for p, d in decisions.items()
        }
    return payload


def prompt_answer(
    reader: Reader,
    request: Request,
    placements: list[str],
    article: str | None,
    *,
    force: bool = False,
    debug: bool = False,
) -> tuple[bytes, str | None]:
    """The JSON answer, encoded, and the reader's new cookie value (None when unchanged).

    Only the decisions and the cookie are the reader's own: the JSON is the same for every
    reader of a page whose prompts come out the same, and is encoded once a minute per worker.
    First visits (most page views) share even the decisions and the cookie, since nothing is
    known about them: their whole answer is kept (bench/http_load.py).
    """

    def answer() -> tuple[bytes, str | None]:
        record_reading(reader, article)
        decisions = decide_placements(reader, placements, force=force)
        body = (
            _encoded(prompt_payload(decisions, request, article, debug=True))
            if debug
            else _shared_body(decisions, request, article, reader.now)
        )
        return body, reader_state.signed(reader.state) if reader.state.changed else None

    if force or debug or not reader.first_visit:
        return answer()
    key = (
        tuple(placements),
        article,
        requesting_origin(request),
        own_origin(request),  # the form's links
        _hour(reader.now),  # the token changes each hour, the months each day
        is_allowed_crawler(reader.user_agent),
    )
    return kept("first_visit_answers", COPY_CACHE_SECONDS).get(key, answer)


def _shared_body(
    decisions: Mapping[str, Decision], request: Request, article: str | None, now: datetime
) -> bytes:
    outcome = tuple((p, d.prompt, d.variant) for p, d in decisions.items())
    key = (outcome, article, requesting_origin(request), own_origin(request), _hour(now))
    return kept("prompt_bodies", COPY_CACHE_SECONDS).get(
        key, lambda: _encoded(prompt_payload(decisions, request, article, debug=False))
    )


def _encoded(payload: dict[str, Any]) -> bytes:
    return current_app.json.dumps(payload).encode()


def _hour(moment: datetime) -> int:
    return int(moment.timestamp()) // 3600


def _prompt_json(decision: Decision, copy: dict[str, Any] | None, article: str | None):
    if decision.prompt == THANKS:
        return {"prompt": THANKS, "variant": decision.variant, "heading": thanks_heading()}
    if decision.prompt != APPEAL or copy is None:
        return None
    return {"prompt": APPEAL, "variant": decision.variant, "article": article, **copy}


def thanks_heading() -> str:
    return f"Thank you for supporting {current_app.config['NEWSROOM_NAME']}."


def months_json() -> list[dict[str, str]]:
    """The remind-me months on offer today, for the component's remind form."""
    from donations.reminders.service import month_choices  # the reminders feature owns months

    now = utcnow()
    return kept("remind_months", 24 * 3600, size=4).get(
        now.date(), lambda: [{"value": c.value, "label": c.label} for c in month_choices(now)]
    )


def form_settings(request: Request) -> dict[str, Any]:
    """Amounts, links and remind-me choices the component needs to draw the ask.

    They change only with the day (the months offered) and the site's address: made once a day.
    """
    key = (utcnow().date(), own_origin(request))
    return kept("prompt_form_settings", 24 * 3600, size=10).get(key, _form_settings)


def _form_settings() -> dict[str, Any]:
    from donations.money import SYMBOLS
    from donations.support import rules

    amount_rules = rules()
    return {
        "amounts": amount_rules.as_json(),
        "frequency": amount_rules.default_frequency,
        "currency": amount_rules.default_currency,
        "symbols": SYMBOLS,
        "supportUrl": external_url("support.form"),
        "supporterUrl": external_url("supporters.sign_in"),
        "months": months_json(),
        "snoozeDays": current_app.config["PROMPT_SNOOZE_DAYS"],
        "newsroom": current_app.config["NEWSROOM_NAME"],
    }


# Events -------------------------------------------------------------------------------------


def parse_events(raw: Any) -> list[tuple[str, str, str, str]]:
    """Keep the well-formed events of a batch as (prompt, placement, variant, kind)."""
    if not isinstance(raw, list):
        return []
    events = []
    for item in raw[:MAX_EVENTS]:
        if not isinstance(item, Mapping):
            continue
        kind, placement = item.get("kind"), item.get("placement")
        prompt = item.get("prompt")
        if kind in EVENT_KINDS and placement in PLACEMENTS and prompt in (APPEAL, THANKS):
            variant = valid_token_text(item.get("variant"), "default")
            events.append((prompt, placement, variant, kind))
    return events


def record_events(events: Iterable[tuple[str, str, str, str]], day: date | None = None) -> int:
    """Add the events to the day's counters: one upsert per distinct counter, one commit."""
    counts = Counter(events)
    if not counts:
        return 0
    day = day or utcnow().date()
    for (prompt, placement, variant, kind), count in counts.items():
        statement = insert_for(PromptStat).values(
            day=day, prompt=prompt, placement=placement, variant=variant, kind=kind, count=count
        )
        statement = statement.on_conflict_do_update(
            index_elements=["day", "prompt", "placement", "variant", "kind"],
            set_={"count": PromptStat.count + count},
        )
        db.session.execute(statement)
    db.session.commit()
    return sum(counts.values())


def dismiss(reader: Reader, placement: str, prompt: str, variant: str) -> None:
    """Hide this placement's prompt for the dismiss period, and count the dismissal."""
    reader.state.dismiss(placement, reader.now)
    record_events([(prompt, placement, variant, "dismiss")])
