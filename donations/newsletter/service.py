"""The newsletter's sign-ups: stored with the consent text and time, confirmed by the
address's owner (double opt-in, as reminders are), left in one click by a signed link, and
listed for the newsroom's own mail service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext, pgettext
from itsdangerous import BadSignature
from sqlalchemy import case, func, select

from donations.newsletter.models import NewsletterSubscriber, new_code
from donations.platform import outbox
from donations.platform.database import insert_for, utcnow
from donations.platform.extensions import db
from donations.platform.i18n import page_language, speaking
from donations.platform.mail import send_email
from donations.platform.signing import signer
from donations.platform.web import external_url, site_path

# However often an address is signed up, it gets at most one confirmation a day.
CONFIRMATION_EVERY = timedelta(days=1)
# An address nobody confirmed within this long after its last confirmation e-mail is deleted.
UNCONFIRMED_KEPT = timedelta(days=30)
UNSUBSCRIBE_SALT = "newsletter-unsubscribe"


class SubscriberNotFound(Exception):
    """No subscription has that code (or the link was not ours)."""


@dataclass(frozen=True)
class ConsentParts:
    """The consent line as the sign-up box shows it, around its link to the privacy page."""

    before: str
    link_text: str
    after: str


def consent_parts() -> ConsentParts:
    # Three messages, not one with a link inside: the consent is stored as the words shown.
    return ConsentParts(
        gettext("Subscribers agree to the "),
        pgettext("the link in “Subscribers agree to the …”", "Privacy Policy"),
        gettext(". One e-mail a week, on Fridays; unsubscribe in one click from any of them."),
    )


def consent_text() -> str:
    """The consent line, word for word as shown, with where its link led."""
    parts = consent_parts()
    name = current_app.config["NEWSROOM_NAME"]
    return (
        gettext("%(newsroom)s weekly newsletter.", newsroom=name)
        + f" {parts.before}{parts.link_text} "
        f"({site_path('articles.privacy')}){parts.after}"
    )


def subscribe(email: str, now: datetime | None = None) -> None:
    """Store the sign-up, owing its address a confirmation e-mail.

    Signing up again changes nothing the owner agreed to (nor an unsubscribe): it only owes the
    address one more confirmation e-mail, at most one a day.
    """
    now = now or utcnow()
    statement = insert_for(db.session, NewsletterSubscriber).values(
        email=email.strip().lower(),
        code=new_code(),
        consent_text=consent_text(),
        consented_at=now,
        created_at=now,
        language=page_language(),
    )
    sent = NewsletterSubscriber.__table__.c.confirmation_sent_at
    owed_again = case((sent < now - CONFIRMATION_EVERY, None), else_=sent)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["email"],
            # The confirmation owed speaks the language they signed up in this time.
            set_={"confirmation_sent_at": owed_again, "language": statement.excluded.language},
        )
    )
    db.session.commit()


def outcome_message(email: str) -> str:
    """The same words whatever the address did before, so they tell a stranger nothing."""
    return gettext(
        "Thank you. We’re e-mailing %(email)s a link: open it to confirm, and the newsletter "
        "will arrive every Friday.",
        email=email.strip().lower(),
    )


def find_by_code(code: str) -> NewsletterSubscriber:
    found = db.session.scalar(
        select(NewsletterSubscriber).where(NewsletterSubscriber.code == code[:40])
    )
    if found is None:
        raise SubscriberNotFound(code)
    return found


def confirm(code: str, now: datetime | None = None) -> NewsletterSubscriber:
    """The address's owner says yes (again, after an unsubscribe): the newsletter is theirs."""
    subscriber = find_by_code(code)
    if not subscriber.subscribed:
        now = now or utcnow()
        subscriber.confirmed_at = subscriber.consented_at = now
        subscriber.consent_text = consent_text()
        subscriber.unsubscribed_at = None
        db.session.commit()
    return subscriber


def unsubscribe_token(subscriber: NewsletterSubscriber) -> str:
    return signer(UNSUBSCRIBE_SALT).dumps(subscriber.code)


def unsubscribe_url(subscriber: NewsletterSubscriber) -> str:
    return external_url("newsletter.unsubscribe", token=unsubscribe_token(subscriber))


def from_token(token: str) -> NewsletterSubscriber:
    """The subscription a signed unsubscribe link names; such links never expire."""
    try:
        code = signer(UNSUBSCRIBE_SALT).loads(token[:200])
    except BadSignature:
        raise SubscriberNotFound(token) from None
    return find_by_code(str(code))


def unsubscribe(token: str, now: datetime | None = None) -> NewsletterSubscriber:
    """Leave the newsletter; leaving twice changes nothing."""
    subscriber = from_token(token)
    if subscriber.unsubscribed_at is None:
        subscriber.unsubscribed_at = now or utcnow()
        db.session.commit()
    return subscriber


def list_headers(subscriber: NewsletterSubscriber) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail clients show their own button, which POSTs."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_confirmations(now: datetime | None = None) -> int:
    """E-mail each owed confirmation once, and delete what nobody confirmed in time."""
    return outbox.send_confirmations(
        NewsletterSubscriber, _send_confirmation, now or utcnow(), UNCONFIRMED_KEPT
    )


def _send_confirmation(subscriber: NewsletterSubscriber) -> None:
    name = current_app.config["NEWSROOM_NAME"]
    with speaking(subscriber.language):
        send_email(
            subscriber.email,
            gettext("Please confirm your %(newsroom)s newsletter", newsroom=name),
            "newsletter_confirm",
            neutral_subject=gettext("Please confirm your request"),
            headers=list_headers(subscriber),
            newsroom=name,
            confirm_url=external_url("newsletter.confirm", code=subscriber.code),
            unsubscribe_url=unsubscribe_url(subscriber),
            kept_days=UNCONFIRMED_KEPT.days,
        )


@dataclass(frozen=True)
class NewsletterFigures:
    subscribed: int
    unconfirmed: int
    unsubscribed: int


def figures() -> NewsletterFigures:
    table = NewsletterSubscriber
    stmt = select(
        func.count(case((table.confirmed_at.is_not(None) & table.unsubscribed_at.is_(None), 1))),
        func.count(case((table.confirmed_at.is_(None), 1))),
        func.count(table.unsubscribed_at),
    )
    return NewsletterFigures(*db.session.execute(stmt).one())


EXPORT_HEADER = ("email", "confirmed_at", "consent_text", "consented_at", "unsubscribe_url")


def confirmed_subscribers() -> Iterator[tuple[object, ...]]:
    """Every confirmed, still subscribed address with its consent and its own unsubscribe link
    (for the List-Unsubscribe header of the newsroom's mailings), oldest first, streamed."""
    query = (
        select(NewsletterSubscriber)
        .where(
            NewsletterSubscriber.confirmed_at.is_not(None),
            NewsletterSubscriber.unsubscribed_at.is_(None),
        )
        .order_by(NewsletterSubscriber.id)
        .execution_options(yield_per=500)
    )
    for subscriber in db.session.scalars(query):
        yield (
            subscriber.email,
            subscriber.confirmed_at,
            subscriber.consent_text,
            subscriber.consented_at,
            unsubscribe_url(subscriber),
        )
