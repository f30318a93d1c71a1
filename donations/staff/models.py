"""Staff accounts for the pledge dashboard and the audit log of what they did."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from donations.extensions import db
from donations.models import UTCDateTime, utcnow

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
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_active(self) -> bool:
        return not self.disabled

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


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
