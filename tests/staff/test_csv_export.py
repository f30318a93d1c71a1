"""CSV exports: the list's filters apply, money reads in major units, formulas are defused."""

from __future__ import annotations

import csv
import io

import pytest

from donations.payments.models import Payment
from donations.platform.extensions import db
from donations.staff.csv_export import safe_cell
from tests.staff.ledger import store_ledger


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_pledges_csv_has_every_pledge_with_money_in_major_units(app, viewer_client):
    with app.app_context():
        store_ledger()
    rows = rows_of(viewer_client.get("/staff/pledges.csv?abandoned=y"))
    assert len(rows) == 10
    by_id = {row["pledge"]: row for row in rows}
    assert by_id["pl_ledger_D"]["amount"] == "60"
    assert by_id["pl_ledger_D"]["frequency"] == "annual"
    assert by_id["pl_ledger_A"]["prompt"] == "appeal"


def test_pledges_csv_respects_the_filters(app, viewer_client):
    with app.app_context():
        store_ledger()
    active = rows_of(viewer_client.get("/staff/pledges.csv?status=active"))
    assert sorted(row["pledge"] for row in active) == ["pl_ledger_C", "pl_ledger_D", "pl_ledger_E"]
    usd_monthly = rows_of(viewer_client.get("/staff/pledges.csv?frequency=monthly&currency=usd"))
    assert sorted(row["pledge"] for row in usd_monthly) == ["pl_ledger_C", "pl_ledger_F"]
    found = rows_of(viewer_client.get("/staff/pledges.csv?q=E@EXAMPLE.ORG"))
    assert [row["pledge"] for row in found] == ["pl_ledger_E"]


def test_payments_csv_respects_the_filters_and_dates_apply_to_payment_days(app, viewer_client):
    with app.app_context():
        rows = store_ledger()
        second_of_c = rows["C"].payments[1].paid_at.date()
    c_payments = rows_of(viewer_client.get("/staff/payments.csv?q=pl_ledger_C"))
    assert [row["amount"] for row in c_payments] == ["5", "5"]
    dated = rows_of(
        viewer_client.get(
            f"/staff/payments.csv?q=pl_ledger_C&created_from={second_of_c}&created_to={second_of_c}"
        )
    )
    assert len(dated) == 1
    refunded = rows_of(viewer_client.get("/staff/payments.csv?status=refunded"))
    assert [(row["amount"], row["refunded"]) for row in refunded] == [("50", "50")]


def test_formula_like_text_from_donors_is_neutralised(app, viewer_client):
    with app.app_context():
        rows = store_ledger()
        rows["A"].email = '=HYPERLINK("http://evil.example","click")@example.org'
        rows["B"].email = "+1-555@example.org"
        rows["C"].email = "-2@example.org"
        rows["D"].email = "@sum@example.org"
        rows["E"].prompt = "\tcmd"
        rows["F"].prompt = "|cmd"
        rows["G"].email = "＝1+1@example.org"
        db.session.commit()
    exported = {row["pledge"]: row for row in rows_of(viewer_client.get("/staff/pledges.csv"))}
    assert exported["pl_ledger_A"]["email"].startswith("'=HYPERLINK")
    assert exported["pl_ledger_B"]["email"] == "'+1-555@example.org"
    assert exported["pl_ledger_C"]["email"] == "'-2@example.org"
    assert exported["pl_ledger_D"]["email"] == "'@sum@example.org"
    assert exported["pl_ledger_E"]["prompt"] == "'\tcmd"
    assert exported["pl_ledger_F"]["email"] == "f@example.org"
    assert exported["pl_ledger_F"]["prompt"] == "'|cmd"
    assert exported["pl_ledger_G"]["email"] == "'＝1+1@example.org"


@pytest.mark.parametrize(
    "start",
    ["=", "+", "-", "@", "|", "\t", "\r", "\n", "＝", "＋", "－", "＠", "｜", " =", "\u3000＝"],
)
def test_safe_cell_defuses_every_formula_start(start):
    assert safe_cell(f"{start}cmd|' /C calc'!A0") == f"'{start}cmd|' /C calc'!A0"


def test_safe_cell_leaves_plain_text_alone():
    assert safe_cell("reader@example.org") == "reader@example.org"
    assert safe_cell("José García") == "José García"
    assert safe_cell(None) == ""


def test_an_empty_export_is_just_the_header(viewer_client, app):
    with app.app_context():
        assert db.session.query(Payment).count() == 0
    response = viewer_client.get("/staff/payments.csv")
    assert response.get_data(as_text=True).splitlines()[0].startswith("payment,paid_at,amount")
