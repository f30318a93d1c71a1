"""`flask staff …` and `flask seed-demo --pledges N` through the CLI runner."""

from __future__ import annotations

from sqlalchemy import func, select

from donations.extensions import db
from donations.models import Payment, Pledge
from donations.staff import auth
from tests.staff.conftest import sign_in


def test_create_prints_a_generated_password_that_signs_in(app, runner):
    result = runner.invoke(args=["staff", "create", "Editor@Newsroom.example", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Created admin editor@newsroom.example" in result.output
    password = result.output.split("Password: ")[1].strip()
    assert len(password) >= 20
    assert sign_in(app.test_client(), "editor@newsroom.example", password).status_code == 302


def test_create_reads_the_password_from_stdin_and_does_not_echo_it(app, runner):
    result = runner.invoke(
        args=["staff", "create", "viewer@newsroom.example", "--password-stdin"],
        input="a long enough secret\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough secret" not in result.output
    client = app.test_client()
    assert sign_in(client, "viewer@newsroom.example", "a long enough secret").status_code == 302


def test_create_refuses_a_short_password_a_bad_role_and_a_duplicate(runner):
    short = runner.invoke(args=["staff", "create", "a@b.example", "--password-stdin"], input="x\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    bad_role = runner.invoke(args=["staff", "create", "a@b.example", "--role", "owner"])
    assert bad_role.exit_code != 0
    assert runner.invoke(args=["staff", "create", "a@b.example"]).exit_code == 0
    again = runner.invoke(args=["staff", "create", "a@b.example"])
    assert again.exit_code != 0 and "already has a staff account" in again.output


def test_list_and_disable(app, runner, staff):
    listing = runner.invoke(args=["staff", "list"]).output
    assert "admin@newsroom.example\tadmin\tactive" in listing
    assert runner.invoke(args=["staff", "disable", "viewer@newsroom.example"]).exit_code == 0
    assert (
        "viewer@newsroom.example\tviewer\tdisabled" in runner.invoke(args=["staff", "list"]).output
    )
    unknown = runner.invoke(args=["staff", "disable", "nobody@newsroom.example"])
    assert unknown.exit_code != 0
    with app.app_context():
        assert auth.find_staff("viewer@newsroom.example").disabled


def test_plain_seed_demo_stores_no_pledges(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert "updated article russia-to-build-drone-factory-in-belarus" in result.output
    assert "pledges" not in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Pledge)) == 0


def test_seed_demo_with_pledges_is_deterministic_and_stored_once(app, runner):
    first = runner.invoke(args=["seed-demo", "--pledges", "400", "--seed", "5"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count()).select_from(Pledge)),
            db.session.scalar(select(func.count()).select_from(Payment)),
            db.session.scalar(select(func.sum(Payment.amount))),
            sorted(db.session.scalars(select(Pledge.frequency).distinct())),
            sorted(db.session.scalars(select(Pledge.currency).distinct())),
        )
    assert counts[0] == 400
    assert counts[1] > 400  # renewals
    assert counts[3] == ["annual", "monthly", "once"]
    assert counts[4] == ["eur", "gbp", "usd"]
    assert f"stored 400 demo pledges, {counts[1]:,} payments" in first.output
    again = runner.invoke(args=["seed-demo", "--pledges", "400", "--seed", "5"])
    assert "already stored" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Pledge)) == 400
        assert db.session.scalar(select(func.sum(Payment.amount))) == counts[2]
