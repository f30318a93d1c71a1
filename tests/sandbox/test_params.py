"""Bracket-notation parsing: what the SDK encodes, the sandbox reads back unchanged."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode

from stripe_sandbox.definitions import validate
from stripe_sandbox.errors import StripeError
from stripe_sandbox.params import parse_form

CREATE = "POST /v1/checkout/sessions"


def test_nested_names_become_nested_values() -> None:
    pairs = [
        ("line_items[0][price_data][unit_amount]", "500"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][quantity]", "1"),
        ("metadata[pledge_id]", "p_1"),
        ("expand[]", "subscription"),
        ("expand[]", "invoice"),
    ]

    params = validate(parse_form(pairs), CREATE)

    assert params == {
        "line_items": [{"price_data": {"unit_amount": 500, "currency": "usd"}, "quantity": 1}],
        "metadata": {"pledge_id": "p_1"},
        "expand": ["subscription", "invoice"],
    }


def test_unknown_nested_name_is_reported_in_full() -> None:
    with pytest.raises(StripeError) as raised:
        validate(parse_form([("line_items[0][price_data][tax]", "x")]), CREATE)

    assert raised.value.body["param"] == "line_items[0][price_data][tax]"
    assert raised.value.body["code"] == "parameter_unknown"


def test_a_required_nested_parameter_is_missing() -> None:
    with pytest.raises(StripeError) as raised:
        validate(parse_form([("line_items[0][price_data][unit_amount]", "500")]), CREATE)

    assert raised.value.body["param"] == "line_items[0][price_data][currency]"
    assert raised.value.body["code"] == "parameter_missing"


def test_a_value_outside_the_published_enum_is_refused() -> None:
    with pytest.raises(StripeError) as raised:
        validate(parse_form([("customer_creation", "sometimes")]), CREATE)

    assert raised.value.body["param"] == "customer_creation"
    assert "always, if_required" in raised.value.body["message"]


def test_a_timestamp_or_a_range() -> None:
    assert validate({"created": "5"}, "GET /v1/events") == {"created": 5}
    assert validate({"created": {"gte": "5"}}, "GET /v1/events") == {"created": {"gte": 5}}
    with pytest.raises(StripeError):
        validate({"created": {"after": "5"}}, "GET /v1/events")


def test_numeric_metadata_keys_stay_keys() -> None:
    assert validate(parse_form([("metadata[0]", "a")]), CREATE) == {"metadata": {"0": "a"}}


def test_malformed_name_is_refused() -> None:
    with pytest.raises(StripeError):
        parse_form([("metadata[a", "x")])


def test_scalar_and_hash_for_one_name_is_refused() -> None:
    with pytest.raises(StripeError):
        parse_form([("metadata", "x"), ("metadata[a]", "y")])


_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)
_key = st.text(
    st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="_"),
    min_size=1,
    max_size=10,
).filter(lambda k: not k.isdigit())
_values: Any = st.recursive(
    _text,
    lambda inner: (
        st.lists(inner, min_size=1, max_size=3)
        | st.dictionaries(_key, inner, min_size=1, max_size=3)
    ),
    max_leaves=10,
)


def _as_parsed(value: Any) -> Any:
    """What parse_form gives back before a schema says which hashes are arrays."""
    if isinstance(value, list):
        return {str(i): _as_parsed(v) for i, v in enumerate(value)}
    if isinstance(value, dict):
        return {k: _as_parsed(v) for k, v in value.items()}
    return value


@given(st.dictionaries(_key, _values, min_size=1, max_size=4))
def test_whatever_the_sdk_encodes_parses_back(params: dict[str, Any]) -> None:
    assert parse_form(list(_api_encode(params))) == _as_parsed(params)
