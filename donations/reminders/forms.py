"""The remind-me form: an optional e-mail, a month, and consent when an e-mail is given."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import ValidationError

from donations.payments.enums import Placement
from donations.platform.forms import email_address, is_slug, is_token
from donations.reminders.service import MonthChoice, month_choices, month_for


class RemindForm(FlaskForm):
    email = email_address(lazy_gettext("Your e-mail"), required=False)
    month = RadioField(lazy_gettext("When should we write?"), choices=[], validate_choice=False)
    consent = BooleanField(
        lazy_gettext("Yes, you may e-mail me this reminder (up to two e-mails).")
    )
    article = HiddenField()
    placement = HiddenField()
    variant = HiddenField()

    def __init__(self, now: datetime, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.choices = month_choices(now)
        self.month.choices = [
            (c.value, gettext("In %(month)s", month=c.label)) for c in self.choices
        ]
        if not self.month.data:
            self.month.data = self.choices[0].value

    def validate_month(self, field: RadioField) -> None:
        if self.email.data and month_for(field.data or "", self.now) is None:
            raise ValidationError(gettext("Please choose one of the months offered."))

    def validate_consent(self, field: BooleanField) -> None:
        if self.email.data and not field.data:
            raise ValidationError(
                gettext("Please tick the box so we may e-mail you, or leave e-mail empty.")
            )

    def chosen_month(self) -> MonthChoice | None:
        return month_for(self.month.data or "", self.now) if self.email.data else None

    def safe_article(self) -> str | None:
        value = self.article.data or ""
        return value if is_slug(value) else None

    def safe_variant(self) -> str | None:
        value = self.variant.data or ""
        return value if is_token(value) else None

    def safe_placement(self) -> str | None:
        value = self.placement.data or ""
        return value if value in Placement.prompts() else None
