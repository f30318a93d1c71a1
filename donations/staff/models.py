"""Staff accounts for the pledge dashboard, their signed-in sessions, the sign-in throttle, and
the audit log of what they did."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.platform.database import UTCDateTime, utcnow
from donations.platform.extensions import db

VIEWER = "viewer"
ADMIN = "admin"
ROLES = (VIEWER, ADMIN)


class StaffUser(UserMixin, db.Model):
    """A member of the membership team who may sign in to /staff."""

    __table_args__ = (CheckConstraint("role IN ('viewer', 'admin')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default=VIEWER)
    disabled: Mapped[bool] = mapped_column(default=False)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The session this request signed in with (set by auth.py, never stored on the account).
    session_token = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the session cookie: the session's own token, not the account
        # id (Flask-Login's "alternative tokens"), so a session ended on the server stays ended
        # wherever its cookie was copied to.
        return self.session_token

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


class StaffSession(db.Model):
    """One signed-in browser. Its cookie holds a random token and only the token's hash is
    stored; deleting the row (sign-out, a disabled account, a new password) ends the session."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    staff_user: Mapped[StaffUser] = relationship()


class SignInThrottle(db.Model):
    """Wrong passwords counted for one account, one address or one trusted browser, and how long
    the next try from there must wait. Keyed by a hash, so no address or typed e-mail is kept."""

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the account's owner was last told by e-mail (account keys only).
    owner_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditLog(db.Model):
    """Who did what to which pledge or payment, and when: written for every staff action."""

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # Kept as text too, so the entry still reads right if the account is renamed.
    staff_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(255))  # a pledge's public id or a Stripe id
    detail: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(20))  # requested, failed
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledge.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    staff_user: Mapped[StaffUser | None] = relationship()
