"""The published definitions are the pinned version's, kept current, and the sandbox serves
them: every operation it serves is one Stripe publishes, and it accepts each parameter."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
import stripe
from stripe._encode import _api_encode

from stripe_sandbox import SandboxServer, api, definitions
from stripe_sandbox.events import API_VERSION
from tests.contract import stripe_contract

ROOT = Path(__file__).parents[2]
PUBLISHED = ROOT / "stripe_sandbox" / "published"
AUTH = {"Authorization": "Bearer sk_test_contract"}


def test_the_definitions_are_for_the_version_the_app_is_pinned_to() -> None:
    source = stripe_contract.source()
    package = json.loads((ROOT / "package.json").read_text())["devDependencies"]["stripe"]

    # stripe-python (requirements.txt) pins the API version every request is sent with…
    assert source["api_version"] == stripe.api_version == API_VERSION
    # …and the Node SDK the definitions come from is pinned in package.json to the same one.
    assert source["package"] == f"stripe@{package} (npm)"
    licence = (PUBLISHED / "LICENSE").read_text()
    assert "Stripe, Inc." in licence and "Permission is hereby granted" in licence  # MIT


def test_the_definitions_are_what_the_pinned_sdk_says(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "typescript").is_dir():
        pytest.skip("node and `npm ci` (the stripe and typescript packages) are needed")
    derived = tmp_path / "stripe-api.json"

    subprocess.run(
        [node, str(PUBLISHED / "derive.mjs"), str(derived)],
        check=True,
        capture_output=True,
        timeout=120,
    )

    assert derived.read_bytes() == (PUBLISHED / "stripe-api.json").read_bytes(), (
        "stripe_sandbox/published/stripe-api.json is not what the pinned stripe package "
        "says: run `npm ci && npm run stripe-schema`"
    )


def test_every_operation_the_sandbox_serves_is_published() -> None:
    assert api.ROUTES, "the sandbox serves no operation"
    for route in api.ROUTES:
        assert route in definitions.published()["operations"], route


def _sample(spec: dict[str, Any], depth: int = 0) -> Any:
    """A value of a published parameter type, as small as it can be."""
    spec = definitions.resolve(spec)
    kind = spec["kind"]
    if kind == "union":
        members = [m for m in spec["of"] if m["kind"] != "null"]
        scalar = [m for m in members if m["kind"] != "enum" or m["values"] != [""]]
        return _sample((scalar or members)[0], depth)
    if kind == "object":
        fields = spec["fields"]
        chosen = [k for k, f in fields.items() if not f["optional"]] or list(fields)[:1]
        if depth > 6:
            return {}
        return {k: _sample(fields[k]["type"], depth + 1) for k in chosen}
    if kind == "array":
        return [_sample(spec["items"], depth + 1)]
    if kind == "map":
        return {"key": "value"}
    if kind == "enum":
        return next(v for v in spec["values"] if v)
    return {"number": 1, "boolean": True, "decimal": "1.5", "const": spec.get("value")}.get(
        kind, "x"
    )


def _cases() -> list[tuple[str, str]]:
    cases = []
    for route in sorted(api.ROUTES):
        params = definitions.operation(route)["params"]
        fields = definitions.resolve(params)["fields"] if params else {}
        cases += [(route, name) for name in fields]
    return cases


@pytest.fixture(scope="module")
def served() -> Any:
    with SandboxServer(retry_delays=(0.01,)) as server:
        yield server


@pytest.mark.parametrize(("route", "name"), _cases())
def test_the_sandbox_accepts_every_parameter_stripe_accepts(
    served: SandboxServer, route: str, name: str
) -> None:
    method, _, path = route.partition(" ")
    spec = definitions.resolve(definitions.operation(route)["params"])["fields"][name]["type"]
    pairs = list(_api_encode({name: _sample(spec)}))
    url = served.url + path.replace("{id}", "x_unknown")

    if method == "GET":
        answer = requests.get(url, params=pairs, headers=AUTH, timeout=10)
    else:
        answer = requests.request(method, url, data=pairs, headers=AUTH, timeout=10)

    assert answer.status_code < 500, answer.text
    error = answer.json().get("error", {}) if answer.status_code >= 400 else {}
    assert error.get("code") != "parameter_unknown", error
    if answer.status_code == 200:  # recorded on the object in its published shape
        assert stripe_contract.check_response(route, answer.json()) == []
