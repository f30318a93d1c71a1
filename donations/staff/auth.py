"""Staff accounts: passwords that must be hard to guess, sign-in through the throttle, sessions
kept on the server (so signing out ends them everywhere), and who may open which page."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from donations.platform.database import utcnow
from donations.platform.extensions import db, login_manager
from donations.staff import throttle
from donations.staff.models import ROLES, StaffSession, StaffUser

# scrypt is werkzeug's memory-hard default; the parameters are spelled out so they cannot drift.
PASSWORD_METHOD = "scrypt:32768:8:1"
MINIMUM_PASSWORD_LENGTH = 12
# Long enough for any passphrase; longer ones only make zxcvbn and scrypt work harder.
MAXIMUM_PASSWORD_LENGTH = 128
# zxcvbn's scores run 0-4; 3 is "safely unguessable: moderate protection from an offline attack".
MINIMUM_STRENGTH = 3
# Compared against when the e-mail is unknown, so a wrong address costs as long as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=PASSWORD_METHOD)

View = TypeVar("View", bound=Callable[..., Any])


class AccountError(ValueError):
    """A staff account cannot be created or changed as asked; the message says why."""


class WrongPassword(AccountError):
    """The current password given to change it is not the account's."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def new_password() -> str:
    return secrets.token_urlsafe(18)


def normal_email(email: str) -> str:
    return email.strip().lower()


def check_strength(password: str, email: str) -> None:
    """AccountError, with zxcvbn's advice, unless the password is long and hard to guess.

    zxcvbn knows the common and breached passwords, words, names, keyboard patterns and
    repeats; the account's own e-mail and the newsroom's name count as easy to guess too.
    """
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MINIMUM_PASSWORD_LENGTH} characters.")
    if len(password) > MAXIMUM_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at most {MAXIMUM_PASSWORD_LENGTH} characters.")
    newsroom = current_app.config["NEWSROOM_NAME"]
    hints = [email, email.partition("@")[0], newsroom.replace(" ", ""), *newsroom.split()]
    verdict = zxcvbn(password, user_inputs=hints)
    if verdict["score"] < MINIMUM_STRENGTH:
        advice = [verdict["feedback"]["warning"], *verdict["feedback"]["suggestions"]]
        words = " ".join(part for part in advice if part)
        raise AccountError("the password is too easy to guess." + (f" {words}" if words else ""))


def create_staff(email: str, role: str, password: str | None = None) -> tuple[StaffUser, str]:
    """Store a new staff account; returns it with its password (generated when not given)."""
    email = normal_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an e-mail address.")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}.")
    password = new_password() if password is None else password
    check_strength(password, email)
    if find_staff(email) is not None:
        raise AccountError(f"{email} already has a staff account.")
    user = StaffUser(email=email, role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user, password


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normal_email(email)))


def existing_staff(email: str) -> StaffUser:
    user = find_staff(email)
    if user is None:
        raise AccountError(f"{email} has no staff account.")
    return user


def all_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def disable_staff(email: str) -> StaffUser:
    """The account can no longer sign in, and every session it has open ends now."""
    user = existing_staff(email)
    user.disabled = True
    end_sessions(user)
    db.session.commit()
    return user


def set_password(email: str, password: str | None = None) -> tuple[StaffUser, str]:
    """Give an account a new password (generated when not given); its sessions end."""
    user = existing_staff(email)
    password = new_password() if password is None else password
    check_strength(password, user.email)
    user.password_hash = hash_password(password)
    end_sessions(user)
    db.session.commit()
    return user, password


def change_password(user: StaffUser, current: str, new: str) -> None:
    """A staff member's own change: the current password first; every session ends (the view
    signs this browser in again)."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("That is not your current password.")
    check_strength(new, user.email)
    user.password_hash = hash_password(new)
    end_sessions(user)
    db.session.commit()


# Signing in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """What came of a sign-in: the account, or how long to wait, or a plain refusal."""

    user: StaffUser | None = None
    wait: timedelta | None = None
    # The account whose owner should hear that someone keeps trying its password.
    tell_owner: StaffUser | None = None
    device: str | None = None


def sign_in(email: str, password: str, *, address: str, device_cookie: str | None) -> SignIn:
    """Check the password unless the throttle says to wait; count what fails.

    A browser that signed in to this account before (a trusted device) has its own count, so
    strangers' wrong passwords never keep the owner out of the browsers they use; everyone
    else is counted per account and per address, unknown e-mails alike. Every refusal looks
    the same to the caller.
    """
    email = normal_email(email)
    account = find_staff(email)
    device = throttle.trusted_device(device_cookie, account)
    keys = throttle.keys_for(email, address, device)
    now = utcnow()
    wait = throttle.wait(keys, now)
    if wait is not None:
        return SignIn(wait=wait)
    if account is None:
        check_password_hash(_DUMMY_HASH, password)
    elif check_password_hash(account.password_hash, password) and not account.disabled:
        throttle.forget_failures(device)
        account.last_signed_in_at = now
        db.session.commit()
        return SignIn(user=account, device=device)
    owner_hears = throttle.count_failure(keys, now) and account is not None
    db.session.commit()
    return SignIn(tell_owner=account if owner_hears else None)


# Sessions -----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: StaffUser) -> None:
    """Sign this browser in with a new session, stored on the server; nothing carries over."""
    now = utcnow()
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    hours = current_app.config["STAFF_SESSION_HOURS"]
    db.session.add(
        StaffSession(
            token_hash=_digest(token),
            staff_user_id=user.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.commit()
    user.session_token = token
    session.clear()
    login_user(user)


def end_session() -> None:
    """Sign this browser out: the session ends on the server, so a copy of its cookie is void."""
    token = getattr(current_user, "session_token", None)
    if token:
        db.session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))
        db.session.commit()
    logout_user()
    session.clear()


def end_sessions(user: StaffUser) -> None:
    """End every session of the account, in the caller's transaction."""
    db.session.execute(delete(StaffSession).where(StaffSession.staff_user_id == user.id))


@login_manager.user_loader
def load_staff(token: str) -> StaffUser | None:
    """The staff member of a session that is still open; checked on every staff request."""
    user = db.session.scalar(
        select(StaffUser)
        .join(StaffSession, StaffSession.staff_user_id == StaffUser.id)
        .where(StaffSession.token_hash == _digest(token), StaffSession.expires_at > utcnow())
    )
    if user is None or not user.is_active:
        return None
    user.session_token = token
    return user


def admin_required(view: View) -> View:
    """Only admins may run this view; a signed-in viewer gets 403 (the blueprint checks sign-in)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403, "This needs an admin account.")
        return view(*args, **kwargs)

    wrapper.admin_only = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
