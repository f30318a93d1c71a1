"""The supporter pass: what a confirmed gift earns a reader, so they are not asked again.

It says only the kind of gift (once or recurring) and when the pass ends: no e-mail, no
amount, no pledge id. Recurring supporters see no asks; one-off donors none until it expires.
The pass travels twice: as a signed, HttpOnly cookie the server reads (the metered paywall
lets supporters through), and as the same two facts the page hands to the reader's browser,
where the prompt component keeps them (`reader_state`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from donations.payments.enums import PledgeStatus
from donations.payments.models import Pledge
from donations.platform.database import utcnow
from donations.platform.signing import signer

COOKIE = "rr_supporter"
SALT = "supporter-pass"
KINDS = ("once", "recurring")


@dataclass(frozen=True)
class SupporterPass:
    kind: str  # once | recurring
    expires_at: datetime

    def valid_at(self, now: datetime) -> bool:
        return now < self.expires_at

    @property
    def is_recurring(self) -> bool:
        return self.kind == "recurring"

    def reader_state(self) -> dict[str, str]:
        """What the page tells the prompt component to remember on this device."""
        return {"supporter": self.kind, "supporterUntil": self.expires_at.isoformat()}


def pass_for(pledge: Pledge, now: datetime | None = None) -> SupporterPass | None:
    """The pass a confirmed pledge earns, or None when it has run out (or never counted)."""
    now = now or utcnow()
    config = current_app.config
    if not pledge.is_confirmed:
        return None
    if pledge.is_recurring:
        if pledge.status == PledgeStatus.CANCELED:
            return None
        days = config["SUPPORTER_PASS_RECURRING_DAYS"]
        return SupporterPass("recurring", now + timedelta(days=days))
    given_at = pledge.status_changed_at if pledge.status == PledgeStatus.PAID else pledge.created_at
    expires = given_at + timedelta(days=config["SUPPORTER_PASS_ONCE_DAYS"])
    return SupporterPass("once", expires) if expires > now else None


def read(request: Request, now: datetime | None = None) -> SupporterPass | None:
    """The reader's valid pass, or None when there is none, it was forged, or it has expired."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        payload = _loads(raw)
        supporter = SupporterPass(
            kind=str(payload["k"]), expires_at=datetime.fromtimestamp(int(payload["x"]), UTC)
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if supporter.kind not in KINDS or not supporter.valid_at(now or utcnow()):
        return None
    return supporter


def _loads(raw: str) -> object:
    try:
        return signer(SALT).loads(raw)
    except BadSignature:
        # Passes granted before December 2026 were signed without a timestamp; they last 400
        # days at most, so this can go in 2028.
        keys = [*current_app.config.get("SECRET_KEY_FALLBACKS", []), current_app.secret_key]
        return URLSafeSerializer(keys, salt=SALT).loads(raw)


def grant(response: Response, supporter: SupporterPass) -> None:
    """Set the pass cookie on the response, expiring with the pass."""
    config = current_app.config
    payload = {"k": supporter.kind, "x": int(supporter.expires_at.timestamp())}
    response.set_cookie(
        COOKIE,
        signer(SALT).dumps(payload),
        expires=supporter.expires_at,
        secure=config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=config["READER_COOKIE_SAMESITE"],
    )
