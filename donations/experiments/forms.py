"""The form that drafts an experiment: its plan, and up to two variants against the control."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from donations.experiments.models import CONTROL
from donations.payments.amounts import FREQUENCY_LABELS
from donations.payments.enums import Placement

VARIANTS = ("b", "c")
CADENCES = [SelectChoice("", "as the control")] + [
    SelectChoice(str(frequency), label) for frequency, label in FREQUENCY_LABELS.items()
]

UPSELL = [
    SelectChoice("", "as the settings say"),
    SelectChoice("on", "on"),
    SelectChoice("off", "off"),
]


class ExperimentForm(FlaskForm):
    name = StringField("Name (lowercase, dashes)", validators=[DataRequired(), Length(3, 40)])
    placement = SelectField(
        "Prompt",
        choices=[SelectChoice(str(p), p.label) for p in Placement.prompts()],
    )
    hypothesis = TextAreaField("What we expect, and why", validators=[Length(max=2000)])
    holdback = DecimalField(
        "Holdback: readers who see no ask (%)", default=0, places=1,
        validators=[NumberRange(0, 50)],
    )  # fmt: skip
    baseline = DecimalField(
        "The control's conversion per view (%)", default=0.5, places=2,
        validators=[NumberRange(0.01, 50)],
    )  # fmt: skip
    lift = DecimalField(
        "The smallest relative lift worth finding (%)", default=20, places=0,
        validators=[NumberRange(1, 500)],
    )  # fmt: skip
    margin = DecimalField(
        "Guardrail margin (percentage points)", default=1, places=1,
        validators=[NumberRange(0, 50)],
    )  # fmt: skip
    b_name = StringField("Variant B: name", validators=[DataRequired(), Length(3, 40)])
    b_heading = StringField("Heading", validators=[Optional(), Length(max=300)])
    b_text = TextAreaField("Text (paragraphs separated by a blank line)", validators=[Optional()])
    # The appeal's own button always states the amount and cadence Checkout will charge, so a
    # variant's words go on the banner's and the overlay's button, which only lead to the form.
    b_button = StringField("Banner and overlay button", validators=[Optional(), Length(max=100)])
    b_frequency = SelectField(
        "Tab it opens on",
        choices=CADENCES,
        validators=[Optional()],
    )
    b_upsell = SelectField(
        '"Make it monthly?" after a small one-off choice', choices=UPSELL, validators=[Optional()]
    )
    c_name = StringField("Variant C: name (optional)", validators=[Optional(), Length(3, 40)])
    c_heading = StringField("Heading", validators=[Optional(), Length(max=300)])
    c_text = TextAreaField("Text", validators=[Optional()])
    c_button = StringField("Banner and overlay button", validators=[Optional(), Length(max=100)])
    c_frequency = SelectField(
        "Tab it opens on",
        choices=CADENCES,
        validators=[Optional()],
    )
    c_upsell = SelectField(
        '"Make it monthly?" after a small one-off choice', choices=UPSELL, validators=[Optional()]
    )
    weight = IntegerField("Each variant's weight", default=1, validators=[NumberRange(1, 10)])

    def variants(self) -> list[dict[str, Any]]:
        """The control and the variants filled in, with only the changes given."""
        made = [{"name": CONTROL, "weight": self.weight.data, "changes": {}}]
        for prefix in VARIANTS:
            name = (getattr(self, f"{prefix}_name").data or "").strip().lower()
            if not name:
                continue
            changes: dict[str, Any] = {}
            heading = getattr(self, f"{prefix}_heading").data
            text = getattr(self, f"{prefix}_text").data
            button = getattr(self, f"{prefix}_button").data
            frequency = getattr(self, f"{prefix}_frequency").data
            if heading:
                changes["heading"] = heading.strip()
            if text:
                changes["paragraphs"] = [p.strip() for p in text.split("\n\n") if p.strip()]
            if button:
                changes["button"] = button.strip()
            if frequency:
                changes["frequency"] = frequency
            upsell = getattr(self, f"{prefix}_upsell").data
            if upsell:
                changes["upsell"] = upsell == "on"
            made.append({"name": name, "weight": self.weight.data, "changes": changes})
        return made


class ConfirmForm(FlaskForm):
    """Start or stop: a button with its CSRF token, and for a stop, why."""

    reason = StringField("Why", validators=[Optional(), Length(max=300)])
