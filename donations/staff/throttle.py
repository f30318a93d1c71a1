"""The sign-in throttle: wrong passwords make the next try wait, twice as long each time.

Counted per account (whoever types), per address (whichever account), and, for a browser that
signed in to the account before (a trusted device, remembered by a signed cookie), per device
instead: a stranger's guesses slow the stranger and new browsers, never the owner's own. When
an account's waits begin, its owner is told by e-mail, after the answer has gone, so how long
a sign-in takes says nothing about whether the account exists.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask import Flask, Response, current_app
from itsdangerous import BadSignature
from sqlalchemy import case, delete, func, select, update

from donations.platform.database import insert_for
from donations.platform.extensions import db
from donations.platform.mail import MailError, send_email
from donations.platform.signing import signer
from donations.platform.web import external_url
from donations.staff.models import SignInThrottle, StaffUser

log = logging.getLogger(__name__)

DEVICE_COOKIE = "staff_device"
DEVICE_SALT = "staff-device"
DEVICE_DAYS = 90
# A day without a wrong password starts the count again.
FORGET_AFTER = timedelta(days=1)


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def account_key(email: str) -> str:
    return _key("account", email)


def keys_for(email: str, address: str, device: str | None) -> list[str]:
    """The counts a try from here is held to."""
    if device:
        return [_key("device", device)]
    return [account_key(email), _key("address", address)]


def wait(keys: list[str], now: datetime) -> timedelta | None:
    """How long until a try may be made, or None when it may be made now."""
    until = db.session.scalar(
        select(func.max(SignInThrottle.wait_until)).where(
            SignInThrottle.key.in_(keys), SignInThrottle.wait_until > now
        )
    )
    return until - now if until is not None else None


def backoff(failures: int) -> timedelta | None:
    """The wait after this many failures: none at first, then 1 s, 2 s, 4 s… up to the cap."""
    free = current_app.config["STAFF_SIGN_IN_FREE_ATTEMPTS"]
    if failures < free:
        return None
    longest = timedelta(minutes=current_app.config["STAFF_SIGN_IN_MAX_WAIT_MINUTES"])
    return min(timedelta(seconds=2 ** min(failures - free, 20)), longest)


def count_failure(keys: list[str], now: datetime) -> bool:
    """Count a wrong password against each key (in the caller's transaction); True when the
    account's waits have just begun and its owner has not been told today."""
    table = SignInThrottle.__table__
    tell_owner = False
    for key in keys:
        upsert = insert_for(db.session, SignInThrottle).values(
            key=key, failures=1, last_failed_at=now
        )
        fresh = table.c.last_failed_at < now - FORGET_AFTER
        failures = db.session.execute(
            upsert.on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "failures": case((fresh, 1), else_=table.c.failures + 1),
                    "last_failed_at": now,
                },
            ).returning(table.c.failures)
        ).scalar_one()
        pause = backoff(failures)
        if pause is None:
            continue
        db.session.execute(
            update(SignInThrottle).where(SignInThrottle.key == key).values(wait_until=now + pause)
        )
        if key == keys[0] and failures == current_app.config["STAFF_SIGN_IN_FREE_ATTEMPTS"]:
            tell_owner = _note_owner_told(key, now)
    return tell_owner


def _note_owner_told(key: str, now: datetime) -> bool:
    told = db.session.execute(
        update(SignInThrottle)
        .where(
            SignInThrottle.key == key,
            (SignInThrottle.owner_told_at.is_(None))
            | (SignInThrottle.owner_told_at < now - FORGET_AFTER),
        )
        .values(owner_told_at=now)
    )
    return told.rowcount == 1


def forget_failures(device: str | None) -> None:
    """A trusted device signed in: its count starts again (an account's count runs its course)."""
    if device:
        db.session.execute(
            delete(SignInThrottle).where(SignInThrottle.key == _key("device", device))
        )


# Trusted devices ----------------------------------------------------------------------------


def trusted_device(cookie: str | None, account: StaffUser | None) -> str | None:
    """The device id in this browser's cookie when it signed in to this account before."""
    if not cookie or account is None:
        return None
    try:
        data = signer(DEVICE_SALT).loads(cookie, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != account.id:
        return None
    device = data.get("d")
    return device if isinstance(device, str) and device else None


def trust_device(response: Response, user: StaffUser, device: str | None) -> None:
    """Remember this browser as one the account signs in with (renewed at each sign-in)."""
    token = signer(DEVICE_SALT).dumps({"u": user.id, "d": device or secrets.token_urlsafe(16)})
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=DEVICE_DAYS * 24 * 3600,
        path="/staff",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Strict",
    )


# Telling the owner --------------------------------------------------------------------------


def tell_owner_after(response: Response, user: StaffUser, address: str) -> None:
    """E-mail the account's owner once this answer has been sent."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    email = user.email
    subject = f"Wrong passwords for your {app.config['NEWSROOM_NAME']} staff account"
    context = {
        "attempts": app.config["STAFF_SIGN_IN_FREE_ATTEMPTS"],
        "address": address,
        "sign_in_url": external_url("staff.login"),
    }

    @response.call_on_close
    def tell() -> None:
        with app.app_context():
            try:
                send_email(email, subject, "staff_sign_in_throttled", **context)
            except MailError:
                log.exception("could not tell %s about failed sign-ins", email)
