"""Stripe's form encoding: bracketed names to nested values, checked against a schema.

Stripe reads `line_items[0][price_data][unit_amount]=500` as nested objects and arrays,
refuses any name it does not know (`parameter_unknown`, naming the full bracketed name)
and converts scalars by the parameter's declared type. A schema here is a nested dict of
parameter names; leaves are `str`, `int`, `bool`, `METADATA` (free-form strings) or
`RANGE` (a timestamp or `{gt, gte, lt, lte}`); `[schema]` declares an array.
"""

import re
from collections.abc import Iterable
from typing import Any

from .errors import StripeError, invalid, missing

METADATA = "metadata"
RANGE = "range"

_SUBSCRIPT = re.compile(r"\[([^\[\]]*)\]")
_RANGE_KEYS = ("gt", "gte", "lt", "lte")


def parse_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Turn (name, value) pairs with bracket notation into nested dicts.

    Arrays stay dicts keyed by their index here (`a[]` appends); `validate` turns them into
    lists where the schema declares one, so a metadata key like `metadata[0]` stays a key.
    """
    root: dict[str, Any] = {}
    for name, value in pairs:
        head, _, rest = name.partition("[")
        keys = [head]
        if rest:
            rest = "[" + rest
            subscripts = _SUBSCRIPT.findall(rest)
            if not head or "".join(f"[{k}]" for k in subscripts) != rest:
                raise StripeError(f"Invalid parameter name: {name}", param=name)
            keys += subscripts
        node = root
        for depth, key in enumerate(keys):
            if key == "":
                key = str(len(node))
            last = depth == len(keys) - 1
            if last:
                if isinstance(node.get(key), dict):
                    raise StripeError(f"Invalid value for {name}: expected a hash", param=name)
                node[key] = value
            else:
                child = node.setdefault(key, {})
                if not isinstance(child, dict):
                    raise StripeError(f"Invalid value for {name}: expected a string", param=name)
                node = child
    return root


def validate(params: dict[str, Any], schema: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Check `params` against `schema` and convert scalars; raise Stripe's errors."""
    result: dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else key
        if key not in schema:
            raise StripeError(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
        converted = _convert(value, schema[key], name)
        if converted is not None:
            result[key] = converted
    return result


def _convert(value: Any, schema: Any, name: str) -> Any:
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise invalid(name, f"Invalid object: {name} must be a hash", "parameter_invalid")
        return validate(value, schema, name)
    if isinstance(schema, list):
        return _convert_array(value, schema[0], name)
    if schema == METADATA:
        return _convert_metadata(value, name)
    if schema == RANGE:
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(_RANGE_KEYS))
            if unknown:
                raise StripeError(
                    f"Received unknown parameter: {name}[{unknown[0]}]",
                    code="parameter_unknown",
                    param=f"{name}[{unknown[0]}]",
                )
            return {k: _convert(v, int, f"{name}[{k}]") for k, v in value.items()}
        return {"eq": _convert(value, int, name)}
    if isinstance(value, dict):
        raise invalid(name, f"Invalid {schema.__name__}: {name} must not be a hash")
    if value == "":
        return None  # Stripe treats an empty value as "not sent"
    if schema is int:
        try:
            return int(value)
        except ValueError:
            raise invalid(name, f"Invalid integer: {value}", "parameter_invalid_integer") from None
    if schema is bool:
        if value not in ("true", "false"):
            raise invalid(name, f"Invalid boolean: {value}")
        return value == "true"
    return value


def _convert_array(value: Any, item_schema: Any, name: str) -> list[Any]:
    if not isinstance(value, dict):
        raise invalid(name, f"Invalid array: {name} must be an array")
    if not all(k.isdigit() for k in value):
        raise invalid(name, f"Invalid array: {name} must be an array")
    items = sorted(value.items(), key=lambda kv: int(kv[0]))
    return [_convert(v, item_schema, f"{name}[{i}]") for i, (_, v) in enumerate(items)]


def _convert_metadata(value: Any, name: str) -> dict[str, str]:
    if not isinstance(value, dict):
        if value == "":
            return {}
        raise invalid(name, f"Invalid object: {name} must be a hash")
    if len(value) > 50:
        raise invalid(name, "Metadata can have up to 50 keys.")
    for key, item in value.items():
        if isinstance(item, dict):
            raise invalid(f"{name}[{key}]", "Metadata values must be strings.")
        if len(key) > 40:
            raise invalid(name, f"Metadata keys can be up to 40 characters long: {key}")
        if len(item) > 500:
            raise invalid(f"{name}[{key}]", "Metadata values can be up to 500 characters long.")
    return dict(value)


def require(params: dict[str, Any], *names: str, prefix: str = "") -> None:
    """Raise `parameter_missing` for the first of `names` absent from `params`."""
    for name in names:
        if params.get(name) is None:
            raise missing(f"{prefix}[{name}]" if prefix else name)


def one_of(param: str, value: Any, allowed: Iterable[str]) -> None:
    """Refuse an enum value outside `allowed`, with Stripe's wording."""
    allowed = list(allowed)
    if value is not None and value not in allowed:
        raise invalid(
            param,
            f"Invalid {param}: must be one of {', '.join(allowed)}",
        )
