"""One set of amount rules: the component's check (which the donation form's script uses too)
says, for every case, exactly what the server's check says, from the server's configuration."""

from __future__ import annotations

import pytest

from donations.payments.amounts import button_label, donation_rules
from donations.payments.money import AmountError, Money, symbol
from tests.prompts.node import READ_INPUT, run_module

CASES = [
    ("once", "0.50", "usd"),
    ("once", "1", "usd"),
    ("monthly", "1", "usd"),
    ("monthly", "1.99", "gbp"),
    ("monthly", "20000", "usd"),
    ("monthly", "10,000", "usd"),
    ("monthly", "10000.01", "usd"),
    ("annual", "7", "eur"),
    ("annual", "€12,50", "eur"),
    ("annual", "1,000.50", "usd"),
    ("once", "lots", "usd"),
    ("once", "3.333", "usd"),
    ("once", "12.500", "usd"),
    ("once", "  ", "usd"),
]


def server_says(frequency: str, text: str, currency: str) -> dict:
    rules = donation_rules()
    try:
        money = Money.parse(text, currency)
    except AmountError as error:
        return {"minor": None, "problem": str(error), "nearest": None, "button": "Continue"}
    problem = rules.problem(frequency, money)
    nearest = rules.nearest(frequency, money).amount if problem else None
    button = button_label(frequency, money)
    return {"minor": money.amount, "problem": problem, "nearest": nearest, "button": button}


@pytest.fixture
def browser_says(app):
    with app.test_request_context():
        amounts = donation_rules().as_json()
        symbols = {code: symbol(code) for code in ("usd", "eur", "gbp")}
    script = (
        READ_INPUT
        + """
const answers = input.cases.map(([frequency, text, currency]) => {
  const [rule, sign] = [input.amounts[frequency], input.symbols[currency]];
  const checked = component.checkAmount(text, rule, sign);
  return { ...checked, button: component.buttonLabel(rule, checked.minor, sign) };
});
console.log(JSON.stringify(answers));
"""
    )
    return run_module(script, {"cases": CASES, "amounts": amounts, "symbols": symbols})


def test_the_browser_and_the_server_check_amounts_alike(app, browser_says):
    with app.test_request_context():
        expected = [server_says(*case) for case in CASES]
    assert dict(zip(map(str, CASES), browser_says, strict=True)) == dict(
        zip(map(str, CASES), expected, strict=True)
    )
