"""The newsletter: one free weekly subscription (not tied to giving), confirmed by its address's
owner (double opt-in), left in one click, and exported for the newsroom's own mail service."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask.cli import AppGroup

from donations.platform import outbox
from donations.platform.access import staff_pages

bp = Blueprint("newsletter", __name__)
staff_bp = Blueprint("newsletter_staff", __name__, url_prefix="/staff/newsletter")
staff_pages(staff_bp)
cli = AppGroup("newsletter", help="The newsletter's sign-ups.")


@cli.command("send-confirmations")
@outbox.every_option
def send_confirmations_command(every: int | None) -> None:
    """E-mail each owed confirmation once and delete sign-ups nobody confirmed in time (safe to
    run on several machines at once)."""
    from donations.newsletter.service import send_confirmations

    def send() -> tuple[int, str]:
        sent = send_confirmations()
        return sent, f"sent {sent} confirmation(s)"

    outbox.keep_sending(every, send)


def init_app(app: Flask) -> None:
    from donations.newsletter import models, service, views  # noqa: F401  (models; routes)

    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
    app.cli.add_command(cli)
    app.add_template_global(service.consent_parts, "newsletter_consent")
