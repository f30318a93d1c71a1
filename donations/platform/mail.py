"""Outgoing e-mail: SMTP when MAIL_SERVER is set, else .eml files in instance/outbox/."""

from __future__ import annotations

import os
import smtplib
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app, render_template
from jinja2 import TemplateNotFound


class MailError(Exception):
    """The mail server refused or could not be reached; the caller decides whether to retry."""


def send_email(
    to: str,
    subject: str,
    template: str,
    *,
    neutral_subject: str | None = None,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> str:
    """Send templates/emails/<template>.txt (and .html when there is one); returns Message-ID.

    A message to a reader about giving or reading passes `neutral_subject`: under DONOR_SAFETY
    it goes with that subject and a neutral sender's name, and its body (header, words and
    signature, which all say `newsroom`) names the sender's neutral name instead of the
    newsroom, so a lock screen, a shared inbox or a mailbox someone else reads does not say
    whom they support (the one place this is decided). What a donor needs stays: a receipt's
    amount, date and reference, the address to write to, their links.
    """
    config = current_app.config
    discreet = neutral_subject is not None and config["DONOR_SAFETY"]
    if discreet:
        context = {**context, "newsroom": config["NEUTRAL_SENDER_NAME"]}
    message = EmailMessage()
    message["From"] = neutral_sender() if discreet else config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = neutral_subject if discreet else subject
    for name, value in (headers or {}).items():
        message[name] = value
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="donations.local")
    message.set_content(render_template(f"emails/{template}.txt", **context))
    try:
        html = render_template(f"emails/{template}.html", **context)
    except TemplateNotFound:
        html = None
    if html:
        message.add_alternative(html, subtype="html")
    _deliver(message)
    return message["Message-ID"]


def name_for_readers() -> str:
    """The name a reader's e-mail gives the newsroom where it is written before send_email()
    (a receipt's "Monthly support for …"): the neutral sender's under DONOR_SAFETY, as the
    rest of the body says (send_email)."""
    config = current_app.config
    return config["NEUTRAL_SENDER_NAME"] if config["DONOR_SAFETY"] else config["NEWSROOM_NAME"]


def neutral_sender() -> str:
    """MAIL_DEFAULT_SENDER's address under NEUTRAL_SENDER_NAME."""
    _, address = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    user, _, domain = address.partition("@")
    name = current_app.config["NEUTRAL_SENDER_NAME"]
    return str(Address(display_name=name, username=user, domain=domain))


def _deliver(message: EmailMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        _write_to_outbox(message)
        return
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(f"could not send to {message['To']}: {error}") from error


def _write_to_outbox(message: EmailMessage) -> None:
    """Development without a mail server: each message becomes a file to open in a mail client."""
    outbox = os.path.join(current_app.instance_path, "outbox")
    os.makedirs(outbox, exist_ok=True)
    name = message["Message-ID"].strip("<>").split("@")[0] + ".eml"
    with open(os.path.join(outbox, name), "wb") as file:
        file.write(bytes(message))
