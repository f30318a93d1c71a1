"""Staff accounts: passwords, sign-in with lock-out, and who may open which page."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from donations.extensions import db, login_manager
from donations.models import utcnow
from donations.staff.models import ROLES, StaffUser

# scrypt is werkzeug's memory-hard default; the parameters are spelled out so they cannot drift.
PASSWORD_METHOD = "scrypt:32768:8:1"
MINIMUM_PASSWORD_LENGTH = 12
# Compared against when the e-mail is unknown, so a wrong address costs as long as a wrong
# password and response times do not reveal which accounts exist.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method=PASSWORD_METHOD)

View = TypeVar("View", bound=Callable[..., Any])


class AccountError(ValueError):
    """A staff account cannot be created or changed as asked; the message says why."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_METHOD)


def new_password() -> str:
    return secrets.token_urlsafe(18)


def create_staff(email: str, role: str, password: str | None = None) -> tuple[StaffUser, str]:
    """Store a new staff account; returns it with its password (generated when not given)."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an e-mail address.")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}.")
    password = password or new_password()
    if len(password) < MINIMUM_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MINIMUM_PASSWORD_LENGTH} characters.")
    if find_staff(email) is not None:
        raise AccountError(f"{email} already has a staff account.")
    user = StaffUser(email=email, role=role, password_hash=hash_password(password))
    db.session.add(user)
    db.session.commit()
    return user, password


def find_staff(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def all_staff() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def disable_staff(email: str) -> StaffUser:
    user = find_staff(email)
    if user is None:
        raise AccountError(f"{email} has no staff account.")
    user.disabled = True
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The account when the password is right and the account usable; None otherwise.

    Repeated failures lock the account for a while, whatever password comes next, so a
    guesser gets only a handful of tries; the caller shows one message for every refusal.
    """
    user = find_staff(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    now = utcnow()
    locked = user.locked_until is not None and user.locked_until > now
    matches = check_password_hash(user.password_hash, password)
    if locked or user.disabled:
        return None
    if not matches:
        user.failed_sign_ins += 1
        if user.failed_sign_ins >= current_app.config["STAFF_LOCKOUT_ATTEMPTS"]:
            minutes = current_app.config["STAFF_LOCKOUT_MINUTES"]
            user.locked_until = now + timedelta(minutes=minutes)
            user.failed_sign_ins = 0
        db.session.commit()
        return None
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_signed_in_at = now
    db.session.commit()
    return user


@login_manager.user_loader
def load_staff(user_id: str) -> StaffUser | None:
    if not user_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(user_id))
    return user if user is not None and user.is_active else None


def admin_required(view: View) -> View:
    """Only admins may run this view; a signed-in viewer gets 403 (the blueprint checks sign-in)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403, "This needs an admin account.")
        return view(*args, **kwargs)

    wrapper.admin_only = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
