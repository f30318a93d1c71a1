"""Stripe's form encoding: bracketed names to nested values, and the checks handlers add.

Stripe reads `line_items[0][price_data][unit_amount]=500` as nested objects and arrays;
`definitions.validate` then checks them against the operation's published parameters (refusing
any name it does not know, naming the full bracketed name) and converts scalars by type.
"""

import re
from collections.abc import Iterable
from typing import Any

from .errors import StripeError, invalid, missing

_SUBSCRIPT = re.compile(r"\[([^\[\]]*)\]")


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
