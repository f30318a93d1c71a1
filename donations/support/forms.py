"""The donation form: what a reader may choose, checked server-side whatever the browser sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import request
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from donations.payments.amounts import FREQUENCY_LABELS, AmountRules, button_label
from donations.payments.enums import Frequency, Placement
from donations.payments.money import AmountError, Money, symbol, symbol_after
from donations.payments.pledges import Attribution, PledgeRequest
from donations.platform.forms import is_slug, is_token

OTHER = "other"
ATTRIBUTION_FIELDS = ("article", "placement", "prompt", "variant")
MAX_AMOUNT_TEXT = 20  # the "other amount" field's own length


@dataclass(frozen=True)
class Preset:
    id: str
    value: str  # major units, as the radio sends it
    label: str
    checked: bool
    button: str  # what the button says when it is the choice


@dataclass(frozen=True)
class Tab:
    """One frequency's presets. Every tab is in the page, so that without the script the tab
    chosen shows its own presets and button (the stylesheet picks them, site.css)."""

    frequency: str
    name: str
    presets: list[Preset]
    current: bool
    other_button: str  # the button's words while an amount is typed


def tab_field(frequency: Frequency | str) -> str:
    """The name of a tab's preset radios: each tab keeps its own choice."""
    return f"amount_{frequency}"


class TamperedForm(Exception):
    """Hidden fields were altered: not something a reader fixes by retyping."""


def _stripped(value: str | None) -> str | None:
    return value.strip() if value else value


class DonationForm(FlaskForm):
    frequency = RadioField(
        lazy_gettext("How often would you like to give?"),
        choices=[SelectChoice(str(f), FREQUENCY_LABELS[f]) for f in Frequency],
        validate_choice=False,
    )
    amount = RadioField(lazy_gettext("Choose an amount"), choices=[], validate_choice=False)
    other_amount = StringField(
        lazy_gettext("Other amount"), validators=[Length(max=MAX_AMOUNT_TEXT)]
    )
    currency = SelectField(lazy_gettext("Currency"), choices=[], validate_choice=False)
    # The currency the page showed its amounts in. Without the script a changed currency does
    # not relabel the presets, so the reader sees the amounts in it before anything is charged.
    shown_currency = HiddenField()
    email = EmailField(
        lazy_gettext("E-mail"),
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=254),
            Email(message=lazy_gettext("Please check your e-mail address, or leave it empty.")),
        ],
    )
    anonymous = BooleanField(
        lazy_gettext("Give anonymously: keep no e-mail address and send me nothing")
    )
    # A field people never see or fill: bots that fill every input give themselves away.
    website = StringField(lazy_gettext("Leave this empty"), validators=[Length(max=200)])
    article = HiddenField()
    placement = HiddenField()
    prompt = HiddenField()
    variant = HiddenField()

    def __init__(self, rules: AmountRules, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        self._money: Money | None = None
        if self.frequency.data not in set(map(str, Frequency)):
            self.frequency.data = rules.default_frequency
        if self.currency.data not in rules.currencies:
            self.currency.data = rules.default_currency
        self.currency.choices = [
            SelectChoice(code, f"{code.upper()} {symbol(code)}") for code in rules.currencies
        ]
        self.amount.choices = [
            SelectChoice(
                Money(minor, self.currency.data).major_text, str(Money(minor, self.currency.data))
            )
            for minor in rules.rule(self.frequency.data).presets
        ] + [SelectChoice(OTHER, "Other")]
        if self.is_submitted() and not self.amount.raw_data:
            self.amount.data = request.form.get(tab_field(self.frequency.data), self.amount.data)
        preset_values = {choice.value for choice in self.amount.choices}
        if not (self.other_amount.data or "").strip() and self.amount.data not in preset_values:
            # An amount that is no preset of this frequency is shown where it can be read and
            # corrected: in the "other amount" field, never swapped for a preset.
            self.other_amount.data = self.amount.data
        if (self.other_amount.data or "").strip():
            self.amount.data = OTHER  # what the reader typed is the amount, not a preset
        elif not self.amount.data and not self.is_submitted():
            self.amount.data = rules.default_amount(
                self.frequency.data, self.currency.data
            ).major_text

    @property
    def symbol(self) -> str:
        return symbol(self.currency.data)

    @property
    def symbol_after(self) -> bool:
        return symbol_after()

    def symbols(self) -> dict[str, str]:
        return {code: symbol(code) for code in self.rules.currencies}

    def presets(self) -> list:
        """The amount radios of the chosen frequency (the "other" choice is the text field)."""
        return [option for option in self.amount if option.data != OTHER]

    def chosen_amount(self) -> Money | None:
        """What the reader typed or picked, as it stands, whether or not it can be taken."""
        text = self.other_amount.data if self.amount.data == OTHER else self.amount.data
        try:
            return Money.parse(text or "", self.currency.data)
        except AmountError:
            return None

    def amount_problem(self) -> str | None:
        """Why the amount cannot be taken: the check's message once sent, else the rules' word
        on an amount a link or a return from Checkout put in the form."""
        if self.other_amount.errors:
            return self.other_amount.errors[0]
        money = self.chosen_amount()
        return None if money is None else self.rules.problem(self.frequency.data, money)

    def suggestion(self) -> Money | None:
        """The nearest amount that can be taken, offered beside one that cannot."""
        money = self.chosen_amount()
        if money is None or self.rules.problem(self.frequency.data, money) is None:
            return None
        return self.rules.nearest(self.frequency.data, money)

    def tabs(self) -> list[Tab]:
        """Every frequency's presets, the chosen one's as the reader left them, the others'
        at their defaults; and the button's words for each choice."""
        typed = self.amount.data == OTHER
        tabs = []
        for frequency in Frequency:
            current = frequency == self.frequency.data
            preferred = self.rules.default_amount(frequency, self.currency.data).major_text
            picked = self.amount.data if current else preferred
            presets = [
                Preset(
                    id=f"amount-{frequency}-{index}",
                    value=money.major_text,
                    label=str(money),
                    checked=not typed and money.major_text == picked,
                    button=button_label(frequency, money),
                )
                for index, minor in enumerate(self.rules.rule(frequency).presets)
                for money in [Money(minor, self.currency.data)]
            ]
            chosen = self.chosen_amount() if current and typed else None
            tabs.append(
                Tab(
                    frequency=str(frequency),
                    name=tab_field(frequency),
                    presets=presets,
                    current=current,
                    other_button=button_label(frequency, chosen),
                )
            )
        return tabs

    def error_links(self) -> list[tuple[str, str]]:
        """(field id, message) for the error summary, in the order the fields come."""
        targets = {
            "frequency": f"frequency-{self.rules.default_frequency}",
            "other_amount": "other_amount",
            "currency": "currency",
            "email": "email",
        }
        return [(targets[name], self.errors[name][0]) for name in targets if name in self.errors]

    def validate_frequency(self, field: RadioField) -> None:
        if field.raw_data and field.raw_data[0] not in set(map(str, Frequency)):
            raise ValidationError(gettext("Please choose once, monthly or annual."))

    def validate_anonymous(self, field: BooleanField) -> None:
        # A recurring gift needs an address: its failed renewals and its manage link go there.
        if field.data and self.frequency.data != str(Frequency.ONCE):
            raise ValidationError(
                gettext(
                    "Only a one-off gift can be anonymous: a monthly or annual one needs an "
                    "e-mail address to manage it."
                )
            )

    def validate_currency(self, field: SelectField) -> None:
        if field.raw_data and field.raw_data[0] not in self.rules.currencies:
            names = ", ".join(code.upper() for code in self.rules.currencies)
            raise ValidationError(gettext("We accept %(currencies)s.", currencies=names))
        if self.shown_currency.data and self.shown_currency.data != field.data:
            raise ValidationError(
                gettext(
                    "The amounts are now shown in %(currency)s. "
                    "Please check your choice and continue.",
                    currency=field.data.upper(),
                )
            )

    def validate_other_amount(self, field: StringField) -> None:
        if self.frequency.errors or self.currency.errors:
            return
        use_other = self.amount.data == OTHER or (field.data or "").strip()
        text = (field.data or "") if use_other else (self.amount.data or "")
        try:
            money = Money.parse(text, self.currency.data)
        except AmountError as error:
            raise ValidationError(str(error)) from None
        problem = self.rules.problem(self.frequency.data, money)
        if problem:
            raise ValidationError(problem)
        self._money = money

    def check_hidden_fields(self) -> None:
        """Raise TamperedForm when hidden fields hold what no page of ours sends."""
        if self.website.data:
            raise TamperedForm("website")
        if self.placement.data and self.placement.data not in set(map(str, Placement)):
            raise TamperedForm("placement")
        if self.article.data and not is_slug(self.article.data):
            raise TamperedForm("article")
        for field in (self.prompt, self.variant):
            if field.data and not is_token(field.data):
                raise TamperedForm(field.name)

    def pledge_request(self, referrer: str | None) -> PledgeRequest:
        """The reader's checked choice, for the pledge service."""
        assert self._money is not None, "pledge_request() before a successful validate()"
        return PledgeRequest(
            frequency=Frequency(self.frequency.data),
            money=self._money,
            email=(self.email.data or "").strip().lower() or None,
            anonymous=bool(self.anonymous.data),
            attribution=Attribution(
                article_slug=self.article.data or None,
                placement=Placement(self.placement.data) if self.placement.data else None,
                prompt=self.prompt.data or None,
                variant=self.variant.data or None,
                referrer=referrer,
            ),
        )


class UpsellForm(FlaskForm):
    """ "Make it monthly?": the suggested monthly amount (the reader may change it), or once."""

    pledge = HiddenField()
    monthly_amount = StringField(
        lazy_gettext("Monthly amount"), filters=[_stripped], validators=[Length(max=20)]
    )
    choice = HiddenField()  # set by the button pressed: "monthly" or "once"

    def __init__(self, rules: AmountRules, currency: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rules = rules
        self.currency = currency
        self.monthly: Money | None = None

    @property
    def symbol(self) -> str:
        return symbol(self.currency)

    def validate_choice(self, field: HiddenField) -> None:
        if field.data not in ("monthly", "once"):
            raise ValidationError(gettext("Please choose monthly or once."))

    def validate_monthly_amount(self, field: StringField) -> None:
        if self.choice.data != "monthly":
            return
        try:
            money = Money.parse(field.data or "", self.currency)
        except AmountError as error:
            raise ValidationError(str(error)) from None
        problem = self.rules.problem(Frequency.MONTHLY, money)
        if problem:
            raise ValidationError(problem)
        self.monthly = money


def prefill(rules: AmountRules, args: Mapping[str, str]) -> dict[str, str]:
    """Form data from a query string (?frequency=annual&amount=50…); bad values dropped."""
    data: dict[str, str] = {}
    frequency = (args.get("frequency") or "").lower()
    if frequency in set(map(str, Frequency)):
        data["frequency"] = frequency
    currency = (args.get("currency") or "").lower()
    if currency in rules.currencies:
        data["currency"] = currency
    chosen = data.get("frequency", rules.default_frequency)
    text = (
        args.get("other_amount") or args.get(tab_field(chosen)) or args.get("amount") or ""
    ).strip()
    try:
        money = Money.parse(text, data.get("currency", rules.default_currency))
    except AmountError:
        money = None
    if money is not None and len(text) <= MAX_AMOUNT_TEXT:
        # An amount outside the rules is kept too: the form shows it, says why, and offers
        # the nearest one it can take.
        if money.amount in rules.rule(chosen).presets:
            data["amount"] = money.major_text
        else:
            data["amount"] = OTHER
            data["other_amount"] = money.major_text
    for name in ATTRIBUTION_FIELDS:
        value = args.get(name) or ""
        if is_token(value, longest=200):
            data[name] = value
    return data


class MakeMonthlyForm(FlaskForm):
    """The thank-you page's one click: "make it monthly from next month". The gift is named
    by its Checkout session, which only the donor's browser was sent back with."""

    session_id = HiddenField(validators=[DataRequired(), Regexp(r"^cs_[A-Za-z0-9_]{1,250}$")])
