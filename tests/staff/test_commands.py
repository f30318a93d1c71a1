"""`flask staff …` and `flask seed-demo --pledges N` through the CLI runner."""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select

from donations.payments.models import Payment, Pledge
from donations.platform.extensions import db
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


@pytest.mark.parametrize(
    "password",
    [
        " " * 12,
        "a" * 12,
        "password1234",
        "qwertyuiopasdf",
        "desk@newsroom.example",
        "TheMoscowTimes1",
    ],
)
def test_create_refuses_a_password_that_is_easy_to_guess(app, runner, password):
    result = runner.invoke(
        args=["staff", "create", "desk@newsroom.example", "--password-stdin"], input=password + "\n"
    )
    assert result.exit_code != 0
    assert "too easy to guess" in result.output
    with app.app_context():
        assert auth.find_staff("desk@newsroom.example") is None


@pytest.mark.parametrize("command", ["create", "set-password"])
@pytest.mark.parametrize("stdin", ["", "\n"])
def test_empty_stdin_is_an_error_not_a_random_password(runner, staff, command, stdin):
    result = runner.invoke(
        args=["staff", command, "viewer@newsroom.example", "--password-stdin"], input=stdin
    )
    assert result.exit_code == 2
    assert "standard input has no password" in result.output
    assert "Password:" not in result.output


def test_set_password_prints_a_generated_one_that_signs_in(app, runner, staff):
    result = runner.invoke(args=["staff", "set-password", "Viewer@Newsroom.example"])
    assert result.exit_code == 0, result.output
    password = result.output.split("Password: ")[1].strip()
    assert sign_in(app.test_client(), "viewer@newsroom.example", password).status_code == 302
    assert sign_in(app.test_client(), "viewer@newsroom.example").status_code == 401


def test_set_password_refuses_an_unknown_account_and_a_weak_password(runner, staff):
    unknown = runner.invoke(args=["staff", "set-password", "nobody@newsroom.example"])
    assert unknown.exit_code != 0 and "has no staff account" in unknown.output
    weak = runner.invoke(
        args=["staff", "set-password", "viewer@newsroom.example", "--password-stdin"],
        input="aaaaaaaaaaaa\n",
    )
    assert weak.exit_code != 0 and "too easy to guess" in weak.output


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
    # The running demo experiment's gifts are the ones named for its variants.
    outside = or_(Pledge.variant.is_(None), Pledge.variant.not_like("end-words-%"))
    with app.app_context():
        gifts = db.session.scalar(select(func.count()).where(~outside))
        counts = (
            db.session.scalar(select(func.count()).where(outside)),
            db.session.scalar(select(func.count(Payment.id)).join(Pledge).where(outside)),
            db.session.scalar(select(func.sum(Payment.amount))),
            sorted(db.session.scalars(select(Pledge.frequency).distinct())),
            sorted(db.session.scalars(select(Pledge.currency).distinct())),
        )
    assert counts[0] == 400
    assert counts[1] > 400  # renewals
    assert counts[3] == ["annual", "monthly", "once"]
    assert counts[4] == ["eur", "gbp", "usd"]
    assert f"stored 400 demo pledges, {counts[1]:,} payments" in first.output
    assert f"stored the running experiment end-words with {gifts:,} gifts" in first.output
    again = runner.invoke(args=["seed-demo", "--pledges", "400", "--seed", "5"])
    assert again.output.count("already stored") == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(outside)) == 400
        assert db.session.scalar(select(func.count()).where(~outside)) == gifts
        assert db.session.scalar(select(func.sum(Payment.amount))) == counts[2]
