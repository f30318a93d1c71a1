"""The layout the code keeps: features stand on the platform and the payment core, never on each
other; one module talks to Stripe; the sandbox stays outside; no reaching into Flask's insides."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DONATIONS = Path(__file__).resolve().parents[1] / "donations"
LAYERS = {"platform", "payments"}
FEATURES = sorted(
    p.name for p in DONATIONS.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    and p.name not in LAYERS | {"demo"}
)  # fmt: skip


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def modules_in(package: str) -> list[Path]:
    return sorted((DONATIONS / package).rglob("*.py"))


def test_the_features_are_the_ones_the_app_builds():
    assert (
        sorted(
            [
                "articles",
                "experiments",
                "manage",
                "newsletter",
                "prompts",
                "receipts",
                "reminders",
                "staff",
                "support",
                "supporters",
            ]
        )
        == FEATURES
    )


@pytest.mark.parametrize("feature", FEATURES)
def test_a_feature_imports_no_other_feature(feature):
    others = [f for f in FEATURES if f != feature]
    for module in modules_in(feature):
        for name in imports_of(module):
            parts = name.split(".")
            assert not (parts[0] == "donations" and len(parts) > 1 and parts[1] in others), (
                f"{module.relative_to(DONATIONS)} imports {name}"
            )


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_the_platform_and_the_payment_core_import_no_feature(layer):
    allowed = {"platform"} if layer == "payments" else set()
    for module in modules_in(layer):
        for name in imports_of(module):
            parts = name.split(".")
            if parts[0] == "donations" and len(parts) > 1:
                assert parts[1] in allowed | {layer}, (
                    f"{module.relative_to(DONATIONS)} imports {name}"
                )


def test_only_the_gateway_imports_stripe_and_nothing_imports_the_sandbox():
    for module in DONATIONS.rglob("*.py"):
        names = {name.split(".")[0] for name in imports_of(module)}
        assert "stripe_sandbox" not in names, module
        if "stripe" in names:
            assert module == DONATIONS / "payments" / "stripe_gateway.py", module


# The shape of the framework surgery this layout removed: private hooks, hook tables, and
# subclasses of Flask's and itsdangerous's internals.
REACHES = (
    "_update_remember_cookie",
    "before_request_funcs",
    "after_request_funcs",
    "ensure_sync",
    "SessionInterface",
    "HMACAlgorithm",
    "make_signer",
)


def test_no_private_attributes_of_flask_or_its_extensions_are_touched():
    for module in DONATIONS.rglob("*.py"):
        source = module.read_text()
        for reach in REACHES:
            assert reach not in source, f"{module.relative_to(DONATIONS)}: {reach}"
