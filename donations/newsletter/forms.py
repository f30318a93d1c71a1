"""The newsletter's sign-up form: an address, and nothing a bot should fill."""

from __future__ import annotations

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from donations.platform.forms import email_address


class SignUpForm(FlaskForm):
    email = email_address(lazy_gettext("Your e-mail"))
    # A field people never see or fill: bots that fill every input give themselves away.
    website = StringField(lazy_gettext("Leave this empty"), validators=[Length(max=200)])
