"""Experiments on prompts: drafted, started and stopped by admins (and audited), assigned
deterministically, read honestly, and stopped by their guardrails."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from donations.experiments import service
from donations.experiments.models import Experiment, ExperimentStatus
from donations.payments.models import Payment, Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.prompts.models import PromptStat
from donations.reminders.models import Reminder
from donations.staff.models import AuditLog
from tests.conftest import csrf_token

VARIANTS = [
    {"name": "control", "weight": 1, "changes": {}},
    {"name": "short", "weight": 1, "changes": {"heading": "Keep us going", "button": "Give"}},
]


def draft(**overrides) -> Experiment:
    values = {
        "by": "admin@newsroom.example",
        "name": "short-banner",
        "placement": "banner",
        "hypothesis": "A shorter banner is read more.",
        "variants": VARIANTS,
        "baseline_rate": 0.01,
        "minimum_lift": 0.5,
        **overrides,
    }
    return service.create(**values)


def observed(experiment: Experiment, variant: str, views: int, dismissed: int = 0) -> None:
    """What readers' browsers reported for a variant today."""
    reported = experiment.reported_as(variant)
    for kind, count in (("impression", views), ("dismiss", dismissed)):
        if count:
            db.session.add(
                PromptStat(
                    day=utcnow().date(),
                    prompt="appeal",
                    placement=str(experiment.placement),
                    variant=reported,
                    kind=kind,
                    count=count,
                    received=count,
                )
            )
    db.session.commit()


def gifts(experiment: Experiment, variant: str, count: int, frequency="once", amount=1000, **kw):
    for _ in range(count):
        pledge = Pledge(frequency=frequency, amount=amount, currency="usd")
        pledge.status = kw.get("status", "paid" if frequency == "once" else "active")
        pledge.variant = experiment.reported_as(variant)
        pledge.created_at = utcnow()
        if "ended_after" in kw:
            pledge.status_changed_at = pledge.created_at + kw["ended_after"]
        db.session.add(pledge)
        db.session.flush()
        db.session.add(
            Payment(
                pledge_id=pledge.id,
                stripe_payment_intent_id=f"pi_{pledge.public_id}",
                amount=amount,
                currency="usd",
                paid_at=utcnow(),
                disputed=kw.get("disputed", False),
            )
        )
    db.session.commit()


def test_assignment_is_deterministic_per_reader_and_follows_the_weights(app):
    with app.app_context():
        experiment = draft(variants=[{**VARIANTS[0], "weight": 3}, VARIANTS[1]], holdback=0.2)
        readers = [f"reader-{n}" for n in range(20_000)]
        first = [service.assign(reader, experiment) for reader in readers]
        assert first == [service.assign(reader, experiment) for reader in readers]
        shares = Counter(first)
        assert abs(shares["short-banner-holdback"] / 20_000 - 0.2) < 0.015
        assert abs(shares["short-banner-control"] / 20_000 - 0.6) < 0.015
        assert abs(shares["short-banner-short"] / 20_000 - 0.2) < 0.015


@pytest.mark.parametrize(
    ("text", "hashed"), [("", 0x811C9DC5), ("a", 0xE40C292C), ("foobar", 0xBF9CF968)]
)
def test_the_bucket_hash_is_fnv_1a_as_published(text, hashed):
    assert service.fnv1a(text) == hashed


def test_the_bucket_is_the_hash_of_reader_and_experiment_as_a_share():
    assert service.bucket("foo", "bar") == service.fnv1a("foo:bar") / 2**32
    assert 0 <= service.bucket("", "") < 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Not A Slug"}, "lowercase letters"),
        ({"placement": "sidebar"}, "article-end appeal, the banner or the overlay"),
        ({"variants": [VARIANTS[1]]}, "needs a control"),
        ({"variants": [VARIANTS[0], {**VARIANTS[1], "weight": 0}]}, "weight of at least 1"),
        (
            {"variants": [VARIANTS[0], {**VARIANTS[1], "changes": {"css": "x"}}]},
            "cannot change css",
        ),
        ({"holdback": 0.9}, "between 0 and 0.5"),
        ({"baseline_rate": 0}, "baseline rate"),
    ],
)
def test_an_experiment_that_cannot_work_is_refused_in_words(app, change, message):
    with app.app_context(), pytest.raises(ValueError, match=message):
        draft(**change)


def test_running_experiments_reach_the_readers_browsers(app):
    with app.app_context():
        experiment = draft()
        assert service.for_readers() == []
        service.start(experiment, "admin@newsroom.example")
        [shown] = service.for_readers()
        assert shown["placement"] == "banner"
        assert [v["name"] for v in shown["variants"]] == [
            "short-banner-control",
            "short-banner-short",
        ]
        assert shown["variants"][1]["changes"] == {"heading": "Keep us going", "button": "Give"}
        with pytest.raises(service.ExperimentError, match="already runs on the banner"):
            service.start(draft(name="another-banner"), "admin@newsroom.example")


def test_before_the_planned_sample_the_results_say_not_yet_and_how_many_views(app):
    with app.app_context():
        experiment = draft()
        service.start(experiment, "admin@newsroom.example")
        observed(experiment, "control", 1_000)
        observed(experiment, "short", 1_000)
        gifts(experiment, "control", 10)
        gifts(experiment, "short", 25, frequency="monthly", amount=500)
        results = service.results(experiment, "usd")
        control, short = results.figures("control"), results.figures("short")
        assert (control.views, control.conversions, short.conversions) == (1_000, 10, 25)
        assert short.year_value == {"usd": 25 * 500 * 12}  # monthly gifts count twelve times
        assert short.comparison.call == "not-yet"
        to_go = results.planned_views - 1_000
        assert (
            short.comparison.in_words()
            == f"Not yet significant: about {to_go:,} more views needed."
        )
        # Revenue per 1,000 views: $100 of one-offs over 1,000 views is $100 per mille.
        assert control.revenue_per_mille.contains(10 * 1000 * 1000 / 1000)


def test_a_variant_that_breaches_a_guardrail_is_stopped_and_audited(app):
    with app.app_context():
        experiment = draft(guardrail_margin=0.01)
        service.start(experiment, "admin@newsroom.example")
        observed(experiment, "control", 5_000, dismissed=250)
        observed(experiment, "short", 5_000, dismissed=450)  # 9 % against 5 %
        stopped = service.enforce_guardrails("usd")
        assert stopped == ["short-banner/short: guardrail breached: dismissals"]
        db.session.refresh(experiment)
        assert experiment.status == ExperimentStatus.STOPPED
        assert "breached a guardrail" in experiment.stopped_reason
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions == [
            "experiment_created",
            "experiment_started",
            "variant_stopped",
            "experiment_stopped",
        ]
        assert service.for_readers() == []


def test_early_cancellations_and_disputes_are_guardrails_too(app):
    with app.app_context():
        experiment = draft(guardrail_margin=0.05)
        service.start(experiment, "admin@newsroom.example")
        gifts(experiment, "control", 100, frequency="monthly")
        gifts(experiment, "short", 100, frequency="monthly", status="canceled",
              ended_after=timedelta(days=20))  # fmt: skip
        results = service.results(experiment, "usd")
        assert results.figures("short").cancelled_early == 100
        assert results.figures("short").breached == ["cancellations within 60 days"]


def admin(app, client):
    from tests.staff.conftest import ADMIN_EMAIL, PASSWORD, sign_in

    with app.app_context():
        from donations.staff import auth

        auth.create_staff(ADMIN_EMAIL, "admin", PASSWORD)
    sign_in(client, ADMIN_EMAIL)
    return client


def test_staff_draft_start_and_stop_an_experiment_in_the_dashboard(app, client):
    admin(app, client)
    token = csrf_token(client, "/staff/experiments/new")
    made = client.post(
        "/staff/experiments/new",
        data={
            "csrf_token": token,
            "name": "warmer-appeal",
            "placement": "article-end",
            "hypothesis": "Warmer words convert better.",
            "holdback": "10",
            "baseline": "0.5",
            "lift": "20",
            "margin": "1",
            "weight": "1",
            "b_name": "warmer",
            "b_heading": "Friends,",
            "b_frequency": "annual",
        },
    )
    assert made.status_code == 302 and made.location.endswith("/staff/experiments/warmer-appeal")
    page = client.get("/staff/experiments/warmer-appeal").get_data(as_text=True)
    assert "Fixed-horizon two-sided test" in page and "views</strong> to find a lift of 20%" in page
    token = csrf_token(client, "/staff/experiments/warmer-appeal")
    assert (
        client.post(
            "/staff/experiments/warmer-appeal/start", data={"csrf_token": token}
        ).status_code
        == 302
    )
    config = client.get("/api/prompt/config").json
    assert config["experiments"][0]["name"] == "warmer-appeal"
    assert config["experiments"][0]["variants"][1]["changes"] == {
        "heading": "Friends,",
        "frequency": "annual",
    }
    stopped = client.post(
        "/staff/experiments/warmer-appeal/stop", data={"csrf_token": token, "reason": "enough"}
    )
    assert stopped.status_code == 302
    assert "enough" in client.get("/staff/experiments/warmer-appeal").get_data(as_text=True)
    assert client.get("/api/prompt/config").json["experiments"] == []


def test_experiments_are_staff_only_and_changes_admin_only(app, client):
    assert client.get("/staff/experiments/").status_code == 302  # to sign-in
    from tests.staff.conftest import PASSWORD, VIEWER_EMAIL, sign_in

    with app.app_context():
        from donations.staff import auth

        auth.create_staff(VIEWER_EMAIL, "viewer", PASSWORD)
        draft()
    sign_in(client, VIEWER_EMAIL)
    assert client.get("/staff/experiments/").status_code == 200
    assert client.get("/staff/experiments/new").status_code == 403
    token = csrf_token(client, "/staff/experiments/short-banner")
    refused = client.post("/staff/experiments/short-banner/start", data={"csrf_token": token})
    assert refused.status_code == 403
    assert client.get("/staff/experiments/no-such-thing").status_code == 404


def test_readers_who_cancel_the_reminders_a_variant_asked_for_breach_its_guardrail(app, client):
    from donations.reminders.service import month_choices

    with app.app_context():
        experiment = draft(guardrail_margin=0.05)
        service.start(experiment, "admin@newsroom.example")
        month = month_choices(utcnow())[1].value
        control, short = experiment.reported_as("control"), experiment.reported_as("short")
    for n in range(60):  # as the component posts "remind me later" for each variant's readers
        response = client.post(
            "/api/reminders",
            json={
                "email": f"reader{n}@example.org",
                "month": month,
                "consent": True,
                "variant": control if n < 30 else short,
            },
            headers={"Origin": "http://localhost"},
        )
        assert response.status_code == 200
    with app.app_context():
        for reminder in db.session.scalars(select(Reminder)):
            reminder.confirmed_at = utcnow()
            if reminder.variant == short and reminder.id % 10:
                reminder.cancelled_at = utcnow()  # nine in ten of them said "no more"
        db.session.commit()
        results = service.results(db.session.merge(experiment), "usd")
        figures = results.figures("short")
        assert (figures.reminders, results.figures("control").reminders) == (30, 30)
        assert figures.reminders_cancelled == 27
        assert figures.breached == ["reminder unsubscribes"]


def test_a_variant_name_no_experiment_could_report_is_not_stored_on_a_reminder(app, client):
    from donations.reminders.service import month_choices

    with app.app_context():
        month = month_choices(utcnow())[1].value
    response = client.post(
        "/api/reminders",
        json={"email": "x@example.org", "month": month, "consent": True, "variant": "<b>" * 40},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Reminder.variant)) is None
