"""An optional bot challenge (Cloudflare Turnstile or alike) on the donation form; off by default.

When DONATION_CHALLENGE_SECRET is set, every donation must carry a token that the challenge
provider's verify endpoint accepts; the page then loads the provider's widget with
DONATION_CHALLENGE_SITE_KEY.
"""

from __future__ import annotations

import logging

import requests
from flask import current_app

log = logging.getLogger(__name__)

TOKEN_FIELD = "cf-turnstile-response"


def enabled() -> bool:
    return bool(current_app.config.get("DONATION_CHALLENGE_SECRET"))


def passed(token: str | None, remote_addr: str | None) -> bool:
    """True when the challenge is off, or the provider confirms this reader's token."""
    if not enabled():
        return True
    if not token or len(token) > 2048:
        return False
    try:
        answer = requests.post(
            current_app.config["DONATION_CHALLENGE_VERIFY_URL"],
            data={
                "secret": current_app.config["DONATION_CHALLENGE_SECRET"],
                "response": token,
                "remoteip": remote_addr or "",
            },
            timeout=5,
        )
        return bool(answer.json().get("success"))
    except (requests.RequestException, ValueError):
        # The provider is down: refusing every reader would close the donation form.
        log.warning("donation challenge could not be verified; letting the donation through")
        return True
