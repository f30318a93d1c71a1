"""The "Already a supporter?" form: one e-mail address."""

from flask_babel import lazy_gettext
from flask_wtf import FlaskForm

from donations.platform.forms import email_address


class SignInForm(FlaskForm):
    email = email_address(lazy_gettext("The e-mail address you donated with"))
