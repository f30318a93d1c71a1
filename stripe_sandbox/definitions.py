"""Stripe's published definitions of the operations the sandbox serves, and of their objects.

`published/stripe-api.json` is derived (by `published/derive.mjs`) from the types in Stripe's
Node SDK at the API version the app is pinned to. The sandbox reads every request by it, so it
accepts exactly the parameters Stripe accepts, refuses the ones Stripe refuses
(`parameter_unknown`, `parameter_missing`, a value outside an enum, a value of the wrong type),
and converts values by their declared type. `record()` copies parameters the sandbox does not
act on onto the object, in the shape the object's own published type gives them.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from .errors import StripeError, invalid, missing

PUBLISHED = Path(__file__).parent / "published" / "stripe-api.json"
_INTEGER = re.compile(r"^-?\d+$")
_LEAF = re.compile(r"(?:^|\[)([^\[\]]+)\]?$")
# The Node types say `number` for integers and fractions alike; Stripe's spec has integers
# everywhere in these operations but here (percentages).
FRACTIONAL = {"amount_percent", "application_fee_percent"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

Node = dict[str, Any]


@cache
def published() -> dict[str, Any]:
    return json.loads(PUBLISHED.read_text(encoding="utf-8"))


def api_version() -> str:
    """The API version the definitions are for."""
    return published()["source"]["api_version"]


def operation(route: str) -> Node:
    """The published operation, e.g. `POST /v1/checkout/sessions/{id}/expire`."""
    found = published()["operations"].get(route)
    if found is None:
        raise LookupError(
            f"{route} is not in stripe_sandbox/published/stripe-api.json: add it to OPERATIONS "
            "in derive.mjs and derive the file again"
        )
    return found


def object_type(kind: str) -> Node:
    """The published type of an object by its `object` value (`checkout.session`)."""
    return resolve({"kind": "ref", "name": published()["objects"][kind]})


def resolve(spec: Node) -> Node:
    while spec["kind"] == "ref":
        spec = published()["types"][spec["name"]]
    return spec


# -- reading parameters -----------------------------------------------------------------------


def validate(params: dict[str, Any], route: str) -> dict[str, Any]:
    """Check form parameters (from `params.parse_form`) against the operation's published
    parameters and convert them; raise Stripe's errors."""
    spec = operation(route)["params"]
    if spec is None:
        if params:
            name = sorted(params)[0]
            raise StripeError(
                f"Received unknown parameter: {name}", code="parameter_unknown", param=name
            )
        return {}
    return _object(params, resolve(spec), "")


def _object(value: Any, spec: Node, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid(name, f"Invalid object: {name} must be a hash", "parameter_invalid")
    result: dict[str, Any] = {}
    for key, item in value.items():
        inner = f"{name}[{key}]" if name else key
        field = spec["fields"].get(key)
        if field is None:
            raise StripeError(
                f"Received unknown parameter: {inner}", code="parameter_unknown", param=inner
            )
        converted = _convert(item, field["type"], inner)
        if converted is not None:
            result[key] = converted
        elif item == "" and _emptyable(field["type"]):
            result[key] = None  # sent empty where Stripe allows it: unset what the object holds
    for key, field in spec["fields"].items():
        if not field["optional"] and key not in result:
            raise missing(f"{name}[{key}]" if name else key)
    return result


def _convert(value: Any, spec: Node, name: str) -> Any:
    spec = resolve(spec)
    kind = spec["kind"]
    if kind == "union":
        return _union(value, spec["of"], name)
    if kind == "object":
        if value == "":
            return None
        return _object(value, spec, name)
    if kind == "map":
        return _metadata(value, spec, name)
    if kind == "array":
        return _array(value, spec["items"], name)
    if isinstance(value, dict):
        raise invalid(name, f"Invalid {_word(kind)}: {name} must not be a hash")
    if value == "":
        return None  # Stripe reads an empty value as "not sent" (or "unset", where allowed)
    if kind == "enum":
        if value not in spec["values"]:
            allowed = ", ".join(v for v in spec["values"] if v)
            raise invalid(name, f"Invalid {name}: must be one of {allowed}")
        return value
    if kind == "number":
        if _INTEGER.match(value):
            return int(value)
        if _NUMBER.match(value) and _leaf(name) in FRACTIONAL:
            return float(value)
        raise invalid(name, f"Invalid integer: {value}", "parameter_invalid_integer")
    if kind == "decimal":
        if not _NUMBER.match(value):
            raise invalid(name, f"Invalid decimal: {value}")
        return value
    if kind == "boolean":
        if value not in ("true", "false"):
            raise invalid(name, f"Invalid boolean: {value}")
        return value == "true"
    if kind == "const":
        if value != str(spec["value"]).lower():
            raise invalid(name, f"Invalid {name}: must be {spec['value']}")
        return spec["value"]
    if kind == "null":
        raise invalid(name, f"Invalid {name}: must be empty")
    return value  # string, any


def _union(value: Any, members: list[Node], name: str) -> Any:
    """The first member the value fits; the error of the member most like it otherwise."""
    if value == "" and any(m["kind"] in ("null", "enum") and _allows_empty(m) for m in members):
        return None
    errors: list[tuple[int, StripeError]] = []
    for member in members:
        try:
            return _convert(value, member, name)
        except StripeError as error:
            errors.append((_likeness(value, resolve(member)), error))
    raise max(errors, key=lambda pair: pair[0])[1]


def _emptyable(spec: Node) -> bool:
    """Whether the published parameter takes "" to unset it (`pause_collection=`)."""
    spec = resolve(spec)
    return spec["kind"] == "union" and any(_allows_empty(member) for member in spec["of"])


def _allows_empty(member: Node) -> bool:
    return member["kind"] == "null" or "" in member.get("values", [])


def _likeness(value: Any, member: Node) -> int:
    if isinstance(value, dict):
        return {"object": 3, "map": 2, "array": 1}.get(member["kind"], 0)
    return {"enum": 3, "string": 2, "number": 2, "boolean": 2}.get(member["kind"], 1)


def _array(value: Any, item: Node, name: str) -> list[Any]:
    if value == "":
        return []
    if not isinstance(value, dict) or not all(k.isdigit() for k in value):
        raise invalid(name, f"Invalid array: {name} must be an array")
    ordered = sorted(value.items(), key=lambda kv: int(kv[0]))
    converted = [_convert(v, item, f"{name}[{i}]") for i, (_, v) in enumerate(ordered)]
    return [v for v in converted if v is not None]


def _metadata(value: Any, spec: Node, name: str) -> dict[str, Any]:
    """A hash of free keys (`metadata`): Stripe's limits on keys and values."""
    if not isinstance(value, dict):
        if value == "":
            return {}
        raise invalid(name, f"Invalid object: {name} must be a hash")
    if len(value) > 50:
        raise invalid(name, "Metadata can have up to 50 keys.")
    result = {}
    for key, item in value.items():
        if isinstance(item, dict):
            raise invalid(f"{name}[{key}]", "Metadata values must be strings.")
        if len(key) > 40:
            raise invalid(name, f"Metadata keys can be up to 40 characters long: {key}")
        if len(item) > 500:
            raise invalid(f"{name}[{key}]", "Metadata values can be up to 500 characters long.")
        result[key] = item
    return result


def _leaf(name: str) -> str:
    match = _LEAF.search(name)
    return match.group(1) if match else name


def _word(kind: str) -> str:
    return {"number": "integer", "enum": "string"}.get(kind, kind)


# -- recording what the sandbox does not act on -----------------------------------------------


class _Unfit(Exception):
    """A parameter's value has no place in the object's field of the same name."""


def record(obj: dict[str, Any], params: dict[str, Any], *, skip: set[str] = frozenset()) -> None:
    """Copy each parameter onto the object's field of the same name, in the field's published
    shape (nested values merged into what the object holds). Parameters with no such field,
    or whose value does not fit it, are left out: Stripe keeps those to itself too."""
    fields = object_type(obj["object"])["fields"]
    for key, value in params.items():
        if key in skip or key == "expand" or key not in fields:
            continue
        try:
            obj[key] = _shape(value, fields[key]["type"], obj.get(key))
        except _Unfit:
            continue


def _shape(value: Any, spec: Node, current: Any) -> Any:
    spec = resolve(spec)
    kind = spec["kind"]
    if kind == "union":
        if value is None and any(m["kind"] == "null" for m in spec["of"]):
            return None
        for member in spec["of"]:
            if member["kind"] == "null":
                continue
            try:
                return _shape(value, member, current)
            except _Unfit:
                continue
        raise _Unfit
    if kind == "object":
        if not isinstance(value, dict):
            raise _Unfit
        shaped = dict(current) if isinstance(current, dict) else default(spec)
        for key, item in value.items():
            if key in spec["fields"]:
                shaped[key] = _shape(item, spec["fields"][key]["type"], shaped.get(key))
        for key, field in spec["fields"].items():
            # A value Stripe would always set that the parameters do not give: the sandbox
            # does not make one up, and leaves the parameter unrecorded instead.
            if not field["optional"] and shaped.get(key) is None and not _nullable(field["type"]):
                raise _Unfit
        return shaped
    if kind == "map":
        if not isinstance(value, dict):
            raise _Unfit
        return {k: str(v) for k, v in value.items()}
    if kind == "array":
        if not isinstance(value, list):
            raise _Unfit
        return [_shape(item, spec["items"], None) for item in value]
    if kind == "enum":
        if value not in spec["values"]:
            raise _Unfit
        return value
    if kind == "string" and isinstance(value, str):
        return value
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "const" and value == spec["value"]:
        return value
    if kind == "any":
        return value
    raise _Unfit


def _nullable(spec: Node) -> bool:
    spec = resolve(spec)
    return spec["kind"] in ("null", "any") or (
        spec["kind"] == "union" and any(m["kind"] == "null" for m in spec["of"])
    )


def default(spec: Node) -> Any:
    """An object of this type with nothing set: each field Stripe always sends, empty."""
    spec = resolve(spec)
    kind = spec["kind"]
    if kind == "object":
        return {
            key: default(field["type"])
            for key, field in spec["fields"].items()
            if not field["optional"]
        }
    if kind == "union":
        if any(m["kind"] == "null" for m in spec["of"]):
            return None
        return default(spec["of"][0])
    if kind == "enum" and len(spec["values"]) == 1:  # an `object` tag
        return spec["values"][0]
    return {"map": {}, "array": [], "boolean": False, "number": 0, "list": None}.get(kind)
