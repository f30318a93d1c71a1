"""Experiments in the reader's browser: the component buckets and assigns exactly as the service
does (the service's results rest on it), takes only asks the rules would show, and holds back
the holdback; and each ask can say, in plain words, why it shows."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from donations.experiments import service
from donations.experiments.models import Experiment
from donations.prompts.configuration import configuration
from tests.prompts.node import READ_INPUT, run_module

EXPERIMENTS = [
    Experiment(name="short-banner", holdback=0.0, variants=[
        {"name": "control", "weight": 1}, {"name": "short", "weight": 1},
    ]),
    Experiment(name="three-ways", holdback=0.1, variants=[
        {"name": "control", "weight": 2}, {"name": "warm", "weight": 1},
        {"name": "plain", "weight": 1},
    ]),
    Experiment(name="one-stopped", holdback=0.25, variants=[
        {"name": "control", "weight": 1}, {"name": "gone", "weight": 5, "stopped": {"at": "x"}},
        {"name": "kept", "weight": 1},
    ]),
]  # fmt: skip
# Ids as the component makes them, and a few odd ones (non-ASCII is hashed as UTF-8 bytes).
_ids = random.Random(2026)
READERS = [f"{_ids.getrandbits(96):024x}" for _ in range(3000)] + ["Zürich-é-1", "x" * 64]

ASSIGN = (
    READ_INPUT
    + """
const out = input.readers.map((id) => input.experiments.map((e) => component.assign(id, e).name));
const buckets = input.readers.slice(0, 50).map((id) => component.bucket(id, "short-banner"));
process.stdout.write(JSON.stringify({ out, buckets }));
"""
)


def as_configured(experiment: Experiment) -> dict:
    """The experiment as the prompts' configuration hands it to browsers."""
    experiment.status = "running"
    return {
        "name": experiment.name,
        "holdback": experiment.holdback,
        "holdbackAs": experiment.reported_as(service.HOLDBACK),
        "variants": [
            {"name": experiment.reported_as(v["name"]), "weight": v["weight"], "changes": {}}
            for v in experiment.variants
            if not v.get("stopped")
        ],
    }


@pytest.fixture(scope="module")
def assigned():
    data = {"readers": READERS, "experiments": [as_configured(e) for e in EXPERIMENTS]}
    return run_module(ASSIGN, data)


def test_the_browser_buckets_every_reader_as_the_service_does(assigned):
    for reader, names in zip(READERS, assigned["out"], strict=True):
        assert names == [service.assign(reader, experiment) for experiment in EXPERIMENTS]
    expected = [service.bucket(reader, "short-banner") for reader in READERS[:50]]
    assert assigned["buckets"] == pytest.approx(expected, abs=0)


def test_variants_get_their_weights_and_the_holdback_its_share(assigned):
    shares = Counter(names[1] for names in assigned["out"])
    total = sum(shares.values())
    # 3,002 readers: 10 % holdback, then 2:1:1 of the rest; within 3 standard errors.
    for name, share in {"holdback": 0.1, "control": 0.45, "warm": 0.225, "plain": 0.225}.items():
        observed = shares[f"three-ways-{name}"] / total
        assert abs(observed - share) < 3 * (share * (1 - share) / total) ** 0.5, name
    stopped = Counter(names[2] for names in assigned["out"])
    assert "one-stopped-gone" not in stopped  # a stopped variant's readers move to the others
    assert set(stopped) == {"one-stopped-control", "one-stopped-kept", "one-stopped-holdback"}


APPLY = (
    READ_INPUT
    + """
const { decidePage, applyExperiments, explain } = component;
const out = input.cases.map((c) => {
  const decisions = decidePage(c.state, c.rules, c.placements, c.now, { force: c.force });
  applyExperiments(decisions, c.experiments, c.reader);
  for (const d of Object.values(decisions)) d.why = explain(d, input.words, "en");
  return decisions;
});
process.stdout.write(JSON.stringify(out));
"""
)
NOW = 1_795_000_000_000
DAY = 86_400_000
RULES = {
    "windowDays": 30,
    "viewCaps": {"article-end": 4},
    "minArticles": {"banner": 3},
    "dismissDays": 14,
    "snoozeDays": 7,
    "paywall": "off",
    "freeArticles": 5,
}
HOLDBACK_ALL = {
    "name": "end-test",
    "placement": "article-end",
    "holdback": 0.5,
    "holdbackAs": "end-test-holdback",
    "variants": [{"name": "end-test-control", "weight": 1, "changes": {}}],
}
ONE_VARIANT = {
    "name": "banner-words",
    "placement": "banner",
    "holdback": 0,
    "holdbackAs": "banner-words-holdback",
    "variants": [
        {"name": "banner-words-short", "weight": 1, "changes": {"heading": "Keep us going"}}
    ],
}


def reader_state(read: int, views: int = 0) -> dict:
    today = NOW // DAY
    return {
        "reads": {f"story-{n}": today for n in range(read)},
        "views": {"article-end": [today] * views},
        "dismissed": {},
        "snoozedUntil": None,
        "askLessUntil": None,
        "supporter": None,
        "supporterUntil": None,
    }


def a_reader_in(half: str) -> str:
    """A reader id whose bucket in end-test falls in the holdback half, or out of it."""
    return next(r for r in READERS if (service.bucket(r, "end-test") < 0.5) == (half == "holdback"))


@pytest.fixture
def applied(app):
    with app.test_request_context("/api/prompt/config?lang=en"):
        english_words = configuration("en")["words"]
    cases = [
        # A reader in the holdback who would see both asks.
        dict(reader=a_reader_in("holdback"), state=reader_state(4)),
        # The same page for a reader outside it.
        dict(reader=a_reader_in("variants"), state=reader_state(4)),
        # A holdback reader past the cap: the rules said no before the experiment could.
        dict(reader=a_reader_in("holdback"), state=reader_state(4, views=4)),
        # A staff preview forces the asks: no experiment takes a forced ask.
        dict(reader=a_reader_in("holdback"), state=reader_state(1, views=4), force=True),
    ]
    for case in cases:
        case.update(
            rules=RULES, placements=["article-end", "banner"], now=NOW,
            experiments=[HOLDBACK_ALL, ONE_VARIANT], force=case.get("force", False),
        )  # fmt: skip
    return run_module(APPLY, {"cases": cases, "words": english_words})


def test_the_holdback_sees_no_ask_while_its_view_still_counts(applied):
    end = applied[0]["article-end"]
    assert (end["prompt"], end["reason"], end["variant"]) == (None, "holdback", "end-test-holdback")
    banner = applied[0]["banner"]
    assert (banner["prompt"], banner["variant"]) == ("appeal", "banner-words-short")
    assert banner["changes"] == {"heading": "Keep us going"}


def test_readers_outside_the_holdback_see_their_variant(applied):
    end = applied[1]["article-end"]
    assert (end["prompt"], end["reason"], end["variant"]) == (
        "appeal",
        "eligible",
        "end-test-control",
    )
    assert end["checks"][-1] == {
        "rule": "experiment",
        "passed": True,
        "detail": "end-test: end-test-control",
    }


def test_an_experiment_only_takes_asks_the_rules_would_show(applied):
    capped, forced = applied[2]["article-end"], applied[3]["article-end"]
    assert (capped["prompt"], capped["reason"], capped.get("variant")) == (
        None,
        "cap-reached",
        None,
    )
    assert (forced["prompt"], forced["reason"], forced.get("variant")) == ("appeal", "forced", None)


def test_why_am_i_seeing_this_says_the_rule_in_plain_words(applied):
    why = applied[1]["article-end"]["why"]
    assert why[0] == "You have read 4 articles here in the last 30 days."
    assert why[1] == "We show this ask at most 4 times in 30 days; this is number 1."
    assert "comparing versions of this message" in why[2]
    assert (
        applied[3]["banner"]["why"][0]
        == "This ask was forced by the page’s address, for a preview."
    )
