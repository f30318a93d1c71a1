"""Stripe's published definitions, and checks of requests and objects against them.

The definitions are `stripe_sandbox/published/stripe-api.json`, derived from the types in
Stripe's Node SDK (its version, API version and licence are in the file's `source`). This module
reads them on its own, apart from the sandbox's code, so a mistake in the sandbox cannot hide
itself: a request is checked as Stripe would read its form encoding (unknown parameters, enums,
required fields, types), an object field by field (unknown fields, missing fields, nulls where
Stripe never sends one, enums, types), an event by its base shape and its `data.object` by the
event type's object.

Enums are checked closed. Stripe marks many as "open" (it may add values), but a value outside
the published list is one the pinned API version does not have.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

DEFINITIONS = Path(__file__).parents[2] / "stripe_sandbox" / "published" / "stripe-api.json"
_SUBSCRIPT = re.compile(r"\[([^\[\]]*)\]")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

Node = dict[str, Any]


@cache
def definitions() -> dict[str, Any]:
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


def source() -> dict[str, str]:
    return definitions()["source"]


def _route_pattern(route: str) -> re.Pattern[str]:
    method, _, template = route.partition(" ")
    pattern = re.escape(template).replace(r"\{id\}", "[^/]+")
    return re.compile(f"^{method} {pattern}$")


@cache
def _routes() -> list[tuple[re.Pattern[str], str]]:
    # Literal paths first, so `/v1/customers/search` would never be read as `/{id}`.
    routes = sorted(definitions()["operations"], key=lambda r: r.count("{id}"))
    return [(_route_pattern(route), route) for route in routes]


def operation_for(method: str, path: str) -> str | None:
    """The published operation (`POST /v1/checkout/sessions/{id}/expire`) a request is for."""
    wanted = f"{method.upper()} {path}"
    for pattern, route in _routes():
        if pattern.match(wanted):
            return route
    return None


# -- requests ---------------------------------------------------------------------------------


def decode_form(encoded: str) -> dict[str, Any]:
    """Stripe's reading of a form body or query: `a[b][0]=x` as nested dicts (arrays keyed by
    index; `validate` decides where an index means an array)."""
    root: dict[str, Any] = {}
    for name, value in parse_qsl(encoded, keep_blank_values=True):
        head, _, rest = name.partition("[")
        keys = [head, *_SUBSCRIPT.findall("[" + rest)] if rest else [head]
        node = root
        for depth, key in enumerate(keys):
            key = key if key != "" else str(len(node))
            if depth == len(keys) - 1:
                node[key] = value
            else:
                child = node.setdefault(key, {})
                if not isinstance(child, dict):
                    raise ValueError(f"{name}: both a value and a hash")
                node = child
    return root


def check_request(method: str, url: str, body: str | None) -> tuple[str | None, list[str]]:
    """(operation, mismatches) for one request as the SDK sent it."""
    parts = urlsplit(url)
    operation = operation_for(method, parts.path)
    if operation is None:
        return None, [f"{method.upper()} {parts.path}: not a published operation"]
    encoded = body if method.upper() == "POST" else parts.query
    try:
        params = decode_form(encoded or "")
    except ValueError as error:
        return operation, [f"{operation}: {error}"]
    spec = definitions()["operations"][operation]["params"]
    if spec is None:
        problems = [f"{operation}: takes no parameters, got {sorted(params)}"] if params else []
        return operation, problems
    return operation, [f"{operation}: {p}" for p in check_params(params, spec)]


def check_params(params: Any, spec: Node, name: str = "") -> list[str]:
    """Mismatches of decoded form values against a parameter type."""
    kind = spec["kind"]
    if kind == "ref":
        return check_params(params, _type(spec["name"]), name)
    if kind == "union":
        return _first_fit(params, spec["of"], name, check_params)
    if kind == "object":
        if not isinstance(params, dict):
            return [f"{name}: expected a hash, got {params!r}"]
        problems = []
        for key, value in params.items():
            field = spec["fields"].get(key)
            inner = f"{name}[{key}]" if name else key
            if field is None:
                problems.append(f"unknown parameter {inner}")
            else:
                problems += check_params(value, field["type"], inner)
        for key, field in spec["fields"].items():
            if not field["optional"] and key not in params:
                problems.append(f"missing required parameter {f'{name}[{key}]' if name else key}")
        return problems
    if kind == "map":
        if params == "":
            return []
        if not isinstance(params, dict):
            return [f"{name}: expected a hash, got {params!r}"]
        return [
            p
            for key, v in params.items()
            for p in check_params(v, spec["values"], f"{name}[{key}]")
        ]
    if kind == "array":
        if params == "":
            return []
        if not isinstance(params, dict) or not all(k.isdigit() for k in params):
            return [f"{name}: expected an array, got {params!r}"]
        return [
            p
            for index, value in sorted(params.items(), key=lambda kv: int(kv[0]))
            for p in check_params(value, spec["items"], f"{name}[{index}]")
        ]
    if isinstance(params, dict):
        return [f"{name}: expected a {kind}, got a hash"]
    if kind == "enum":
        if params not in spec["values"]:
            return [f"{name}: {params!r} is not one of {spec['values']}"]
        return []
    if kind in ("number", "decimal"):
        return [] if _NUMBER.match(params) else [f"{name}: {params!r} is not a number"]
    if kind == "boolean":
        return [] if params in ("true", "false") else [f"{name}: {params!r} is not a boolean"]
    if kind == "null":
        return [] if params == "" else [f"{name}: expected empty, got {params!r}"]
    if kind == "const":
        return [] if params == str(spec["value"]).lower() else [f"{name}: must be {spec['value']}"]
    return []  # string, any


# -- objects ----------------------------------------------------------------------------------


def check_response(operation: str, body: Any) -> list[str]:
    """Mismatches of a successful answer to `operation` against what it returns."""
    returns = definitions()["operations"][operation]["returns"]
    return [f"{operation} answered: {p}" for p in check_object(body, returns)]


def object_type(obj: dict[str, Any]) -> Node | None:
    """The published type of an object, by its `object` field (`checkout.session`)."""
    tag = obj.get("object")
    if tag == "event":
        return {"kind": "event"}
    key = f"deleted {tag}" if obj.get("deleted") is True else tag
    name = definitions()["objects"].get(key)
    return {"kind": "ref", "name": name} if name else None


def check_event(event: Any) -> list[str]:
    """An event as Stripe sends it: its base fields, and `data.object` as its type says."""
    if not isinstance(event, dict):
        return ["event: not an object"]
    base = _type(definitions()["event"]["name"])
    problems = [
        p
        for p in check_object(event, base, "event")
        # data.object is typed per event type, below.
        if not p.startswith("event.data.object")
    ]
    object_spec = definitions()["events"].get(event.get("type"))
    if object_spec is None:
        problems.append(f"event: type {event.get('type')!r} is not a published event kept here")
    else:
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        problems += check_object(data.get("object"), object_spec, f"{event.get('type')}.object")
    return problems


def check_object(value: Any, spec: Node, name: str = "") -> list[str]:
    """Mismatches of a JSON value against a published type."""
    kind = spec["kind"]
    if kind == "event":
        return [f"{name}: {p}" for p in check_event(value)]
    if kind == "ref":
        return check_object(value, _type(spec["name"]), name or spec["name"])
    if kind == "union":
        return _first_fit(value, spec["of"], name, check_object)
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{name}: expected an object, got {_short(value)}"]
        problems = []
        for key, item in value.items():
            field = spec["fields"].get(key)
            if field is None:
                problems.append(f"{name}.{key}: not a published field")
            else:
                problems += check_object(item, field["type"], f"{name}.{key}")
        for key, field in spec["fields"].items():
            if not field["optional"] and key not in value:
                problems.append(f"{name}.{key}: missing (Stripe always sends it)")
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{name}: expected a hash, got {_short(value)}"]
        return [p for k, v in value.items() for p in check_object(v, spec["values"], f"{name}.{k}")]
    if kind in ("list", "search_result"):
        if not isinstance(value, dict) or not isinstance(value.get("data"), list):
            return [f"{name}: expected a list object, got {_short(value)}"]
        problems = [
            f"{name}.{key}: not a published field of a list"
            for key in value
            if key not in ("object", "data", "has_more", "url", "next_page", "total_count")
        ]
        if value.get("object") != ("list" if kind == "list" else "search_result"):
            problems.append(f"{name}.object: {value.get('object')!r}")
        return problems + [
            p
            for index, item in enumerate(value["data"])
            for p in check_object(item, spec["items"], f"{name}.data[{index}]")
        ]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{name}: expected an array, got {_short(value)}"]
        return [
            p
            for i, item in enumerate(value)
            for p in check_object(item, spec["items"], f"{name}[{i}]")
        ]
    if kind == "null":
        return [] if value is None else [f"{name}: expected null, got {_short(value)}"]
    if value is None:
        return [f"{name}: null, which Stripe never sends here"]
    if kind == "enum":
        if value not in spec["values"]:
            return [f"{name}: {value!r} is not one of {spec['values']}"]
        return []
    if kind == "string":
        return [] if isinstance(value, str) else [f"{name}: expected a string, got {_short(value)}"]
    if kind == "decimal":
        ok = isinstance(value, str) and _NUMBER.match(value)
        return [] if ok else [f"{name}: expected a decimal string, got {_short(value)}"]
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{name}: expected a number, got {_short(value)}"]
    if kind == "boolean":
        return (
            [] if isinstance(value, bool) else [f"{name}: expected a boolean, got {_short(value)}"]
        )
    if kind == "const":
        return [] if value == spec["value"] else [f"{name}: must be {spec['value']!r}"]
    return []  # any


def _first_fit(value: Any, members: list[Node], name: str, check: Any) -> list[str]:
    """A union fits when one member does; otherwise the closest member's mismatches."""
    best: tuple[int, list[str]] | None = None
    for member in members:
        problems = check(value, member, name)
        if not problems:
            return []
        closeness = _closeness(value, member)
        if best is None or closeness > best[0]:
            best = (closeness, problems)
    return best[1] if best else [f"{name}: fits no published type"]


def _closeness(value: Any, member: Node) -> int:
    """How much a union member looks like the value, to report the useful mismatch."""
    kind = member["kind"]
    if kind == "ref":
        kind = _type(member["name"])["kind"]
    if isinstance(value, dict):
        return {"object": 3, "map": 2, "list": 3, "array": 1}.get(kind, 0)
    if isinstance(value, str):
        return {"enum": 3, "string": 2}.get(kind, 0)
    return 1


def _type(name: str) -> Node:
    return definitions()["types"][name]


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
