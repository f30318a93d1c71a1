"""The newsletter's sign-up form: an address, and nothing a bot should fill."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from donations.platform.forms import email_address


class SignUpForm(FlaskForm):
    email = email_address("Your e-mail")
    # A field people never see or fill: bots that fill every input give themselves away.
    website = StringField("Leave this empty", validators=[Length(max=200)])
