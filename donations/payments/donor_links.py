"""Signed, expiring links e-mailed to donors: "manage my donation" (whoever holds one may open
the Billing Portal) and "Already a supporter?" sign-in links.

A link names its pledge, never the address, and works only while that pledge still has the
address it was sent to: a deletion request (`privacy forget`) removes it, and with it every
link already in a mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import select

from donations.payments.models import Pledge
from donations.platform.extensions import db
from donations.platform.signing import signer
from donations.platform.web import external_url


@dataclass(frozen=True)
class LinkKind:
    salt: str
    endpoint: str
    max_age_setting: str


MANAGE = LinkKind("manage-donation", "manage.donation", "MANAGE_LINK_MAX_AGE_SECONDS")
SIGN_IN = LinkKind("supporter-sign-in", "supporters.restore", "SUPPORTER_SIGN_IN_MAX_AGE_SECONDS")


class LinkExpired(Exception):
    """The link is older than its kind may be."""


class LinkInvalid(Exception):
    """The link was altered, is not this kind's, or its pledge no longer has the address."""


def link_to(kind: LinkKind, pledge: Pledge) -> str:
    return external_url(kind.endpoint, token=signer(kind.salt).dumps({"p": pledge.public_id}))


def manage_url(pledge: Pledge) -> str:
    return link_to(MANAGE, pledge)


def sign_in_url(pledge: Pledge) -> str:
    return link_to(SIGN_IN, pledge)


def max_age_hours(kind: LinkKind) -> int:
    return current_app.config[kind.max_age_setting] // 3600


def pledge_of(kind: LinkKind, token: str) -> Pledge:
    """The pledge a link was sent for; LinkExpired or LinkInvalid when it may not be used."""
    try:
        data = signer(kind.salt).loads(token, max_age=current_app.config[kind.max_age_setting])
    except SignatureExpired:
        raise LinkExpired from None
    except BadSignature:
        raise LinkInvalid from None
    public_id = data.get("p") if isinstance(data, dict) else None
    if not isinstance(public_id, str):
        raise LinkInvalid
    pledge = db.session.scalar(select(Pledge).where(Pledge.public_id == public_id[:40]))
    if pledge is None or not pledge.email:
        raise LinkInvalid
    return pledge
