"""Fuzzed input on every form, query string, path and JSON endpoint: never a 500, nothing stored
that is not valid. (test_faults.py fuzzes POST /support, the webhook and the support pages.)"""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from donations.demo import DEMO_SLUG
from donations.payments.donor_links import manage_url
from donations.payments.enums import Placement, PromptKind
from donations.payments.models import Payment, Pledge
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.prompts.models import EVENT_KINDS, PromptStat
from donations.reminders import service as reminders
from donations.reminders.models import Reminder
from donations.staff import auth
from donations.staff.models import ADMIN, VIEWER, AuditLog
from tests.conftest import csrf_token
from tests.staff.conftest import ADMIN_EMAIL, PASSWORD, VIEWER_EMAIL, sign_in
from tests.staff.ledger import store_ledger

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Staff actions that pass their form go to the Stripe sandbox over HTTP: fewer of those.
FEW = settings(FUZZ, max_examples=20)

ORIGIN = "http://localhost"  # PUBLIC_BASE_URL of the test apps: the prompt API's own origin
PLACEMENTS = [str(p) for p in Placement.prompts()]
APPEAL, THANKS = str(PromptKind.APPEAL), str(PromptKind.THANKS)
JSON = "application/json"
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "0",
            "-1",
            "²",
            "٣",
            "1e9",
            "9" * 30,
            "NaN",
            "null",
            "{}",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%_\\",
            "a" * 300,
            "İ@example.org",
            "\u202e\ufeff",
        ]
    ),
)
EMAILS = st.one_of(
    st.emails(),
    st.sampled_from(["reader@example.org", " Reader@Example.ORG ", "a@b", "@example.org"]),
    st.just("x" * 250 + "@example.org"),
)


def form(**fields: st.SearchStrategy) -> st.SearchStrategy[dict]:
    """Any subset of a form's real fields, each with a real value or an odd one."""
    return st.fixed_dictionaries(
        {}, optional={k: st.one_of(v, ODD_TEXT) for k, v in fields.items()}
    )


def months_near_today() -> list[str]:
    """The months the remind-me form offers (whatever the day), and those either side."""
    today = utcnow().date()
    index = today.year * 12 + today.month - 1
    return [f"{(index + n) // 12:04d}-{(index + n) % 12 + 1:02d}" for n in range(-1, 5)]


def path_segment(real: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[str]:
    """A URL path segment: random text (quoted, so '?' and '#' stay inside it), or a real one."""
    # Without '/': werkzeug answers '//' in a path with a 308 to the merged path, before us.
    text = st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=60)
    segment = text.map(lambda value: quote(value, safe=""))
    return st.one_of(real, segment) if real is not None else segment


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def assert_reminders_valid(app) -> None:
    with app.app_context():
        offered = {choice.first_day for choice in reminders.month_choices(utcnow())}
        for reminder in db.session.scalars(select(Reminder)):
            email = reminder.email
            assert "@" in email and len(email) <= 254 and email == email.strip().lower()
            assert reminder.month in offered
            assert reminder.consent_text and reminder.sent_count == 0
            assert reminder.article_slug is None or re.fullmatch(
                r"[a-z0-9-]{1,200}", reminder.article_slug
            )
            assert reminder.placement in (None, *PLACEMENTS)


def assert_prompt_stats_valid(app) -> None:
    with app.app_context():
        for stat in db.session.scalars(select(PromptStat)):
            assert stat.prompt in (APPEAL, THANKS)
            assert stat.placement in PLACEMENTS
            assert stat.kind in EVENT_KINDS
            assert re.fullmatch(r"[a-z0-9_-]{1,60}", stat.variant)
            assert stat.count > 0


def forget_reminders_and_counts(app) -> None:
    """Each example starts with none, so a failure is blamed on the example that stored it."""
    with app.app_context():
        db.session.execute(delete(Reminder))
        db.session.execute(delete(PromptStat))
        db.session.commit()


@pytest.fixture
def app(make_app, tmp_path):
    app = make_app()
    app.instance_path = str(tmp_path)  # donor e-mails land in this test's own outbox
    return app


@pytest.fixture
def staff(app) -> None:
    with app.app_context():
        auth.create_staff(ADMIN_EMAIL, ADMIN, PASSWORD)
        auth.create_staff(VIEWER_EMAIL, VIEWER, PASSWORD)


@pytest.fixture
def admin(app, staff):
    client = app.test_client()
    assert sign_in(client, ADMIN_EMAIL).status_code == 302
    return client


@pytest.fixture
def viewer(app, staff):
    client = app.test_client()
    assert sign_in(client, VIEWER_EMAIL).status_code == 302
    return client


@pytest.fixture
def ledger(app) -> dict[str, tuple[str, list[int]]]:
    """The staff tests' ledger, with Stripe ids on C so every action reaches the sandbox."""
    with app.app_context():
        rows = store_ledger()
        rows["C"].subscription_id = "sub_fuzzC"
        rows["C"].customer_id = "cus_fuzzC"
        db.session.commit()
        return {name: (row.public_id, [p.id for p in row.payments]) for name, row in rows.items()}


# Reader forms ------------------------------------------------------------------------------


@FUZZ
@given(
    fields=form(
        email=EMAILS,
        month=st.sampled_from(months_near_today()),
        consent=st.sampled_from(["y", "on", ""]),
        article=st.sampled_from([DEMO_SLUG, "Not-A-Slug", "a" * 201]),
        placement=st.sampled_from([*PLACEMENTS, "support-page"]),
    )
)
def test_fuzzed_remind_me_forms_store_only_valid_reminders(app, client, fields):
    forget_reminders_and_counts(app)
    token = csrf_token(client, "/remind-me")
    response = client.post("/remind-me", data={"csrf_token": token, **fields})
    assert response.status_code in (200, 400, 422)
    assert_reminders_valid(app)
    assert_prompt_stats_valid(app)


@pytest.mark.parametrize(
    "path, known_email",
    [("/support/manage", "c@example.org"), ("/supporters/sign-in", "a@example.org")],
)
@FUZZ
@given(data=st.data())
def test_fuzzed_link_requests_store_nothing(app, client, ledger, path, known_email, data):
    """Asking for a manage link or a supporter sign-in link only ever queues an e-mail."""
    fields = data.draw(form(email=st.one_of(EMAILS, st.just(known_email))))
    before = row_counts(app)
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token, **fields})
    assert response.status_code in (200, 400, 422)
    after = row_counts(app)
    assert after["donor_notice"] - before["donor_notice"] in (0, 1)
    assert {**after, "donor_notice": 0} == {**before, "donor_notice": 0}


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "email": st.one_of(
                st.sampled_from([ADMIN_EMAIL, ADMIN_EMAIL.upper(), f" {VIEWER_EMAIL} "]), ODD_TEXT
            ),
            "password": st.one_of(st.just(PASSWORD), ODD_TEXT),
        }
    ),
    after=st.one_of(
        st.none(),
        ODD_TEXT,
        st.sampled_from(
            ["/staff/pledges", "//evil.example", "/staff//evil.example", "/staff\\x", "/staff/\r\n"]
        ),
    ),
)
def test_fuzzed_staff_sign_ins_let_in_only_the_right_password(app, staff, fields, after):
    app.config["STAFF_SIGN_IN_FREE_ATTEMPTS"] = 10**6  # the throttle has its own tests
    client = app.test_client()  # a fresh browser: a signed-in one would be sent on
    before = row_counts(app)
    token = csrf_token(client, "/staff/login")
    query = {"next": after} if after is not None else {}
    response = client.post("/staff/login", query_string=query, data={"csrf_token": token, **fields})
    assert response.status_code in (302, 400, 401, 422)
    if response.status_code == 302:
        assert fields["password"] == PASSWORD
        target = urlsplit(response.headers["Location"])
        assert target.netloc in ("", "localhost") and target.path.startswith("/staff")
    # A sign-in stores only its session and the throttle's counts.
    kept = {"staff_session", "sign_in_throttle"}
    after_counts = row_counts(app)
    assert {k: v for k, v in after_counts.items() if k not in kept} == {
        k: v for k, v in before.items() if k not in kept
    }


@pytest.fixture
def cancel_form(app, client) -> tuple[str, str]:
    """A reminder's cancel code, and the token of its cancel page (which a cancel removes)."""
    with app.app_context():
        [first, _] = reminders.month_choices(utcnow())
        code = reminders.remind("kept@example.org", first, utcnow()).reminder.cancel_code
    return code, csrf_token(client, f"/reminders/{code}/cancel")


def cancelled_at(app):
    with app.app_context():
        return db.session.scalar(select(Reminder.cancelled_at))


@FUZZ
@given(code=path_segment(real=st.just("REAL")))
def test_fuzzed_reminder_cancels_cancel_only_the_reminder_named(app, client, cancel_form, code):
    real, token = cancel_form
    code = real if code == "REAL" else code
    before = cancelled_at(app)
    response = client.post(f"/reminders/{code}/cancel", data={"csrf_token": token})
    assert response.status_code in (200, 400, 404)
    if code == real:
        assert response.status_code == 200 and cancelled_at(app) is not None
    else:
        assert response.status_code != 200 and cancelled_at(app) == before
    assert_reminders_valid(app)


# Staff actions (an admin, a valid form token, anything in the fields) ----------------------


def audit_rows(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (entry.staff_email, entry.action, entry.outcome)
            for entry in db.session.scalars(select(AuditLog).order_by(AuditLog.id))
        ]


def money_state(app) -> list[tuple]:
    with app.app_context():
        payments = select(Payment.id, Payment.amount, Payment.refunded_amount).order_by(Payment.id)
        pledges = select(Pledge.id, Pledge.status).order_by(Pledge.id)
        return [*db.session.execute(payments), *db.session.execute(pledges)]


def assert_one_audit_entry_at_most(app, response, before, actions, outcomes) -> None:
    """A refused form leaves no trace; one that passed leaves at most one entry, ours."""
    after = audit_rows(app)
    assert after[: len(before)] == before
    added = after[len(before) :]
    if response.status_code != 302:
        assert added == []
    assert len(added) <= 1
    for email, action, outcome in added:
        assert email == ADMIN_EMAIL and action in actions and outcome in outcomes


@FEW
@given(
    target=st.one_of(st.sampled_from(["A", "B", "E"]), st.integers(0, 2**70)),
    fields=form(
        amount=st.sampled_from(["1", "2.50", "10.00", "0", "-1", "0.001", "1e3", "1,000", "$5"]),
        confirm=st.sampled_from(["y", "on", ""]),
    ),
)
def test_fuzzed_refund_forms_never_fail(app, admin, ledger, target, fields):
    real = ledger["A"][1][0]
    payment = ledger[target][1][0] if isinstance(target, str) else target
    before, money = audit_rows(app), money_state(app)
    token = csrf_token(admin, f"/staff/payments/{real}/refund")
    response = admin.post(f"/staff/payments/{payment}/refund", data={"csrf_token": token, **fields})
    assert response.status_code in (302, 400, 404, 422)
    assert_one_audit_entry_at_most(app, response, before, {"refund"}, {"requested", "failed"})
    assert money_state(app) == money  # a refund is recorded when Stripe's webhook says so


@FEW
@given(
    target=st.one_of(st.sampled_from(["C", "E", "F"]), path_segment()),
    fields=form(
        when=st.sampled_from(["period_end", "now"]), confirm=st.sampled_from(["y", "on", ""])
    ),
)
def test_fuzzed_cancel_forms_never_fail(app, admin, ledger, target, fields):
    pledge = ledger[target][0] if target in ledger else target
    before, money = audit_rows(app), money_state(app)
    token = csrf_token(admin, f"/staff/pledges/{ledger['C'][0]}/cancel")
    response = admin.post(f"/staff/pledges/{pledge}/cancel", data={"csrf_token": token, **fields})
    assert response.status_code in (302, 400, 404, 409, 422)
    assert_one_audit_entry_at_most(app, response, before, {"cancel"}, {"requested", "failed"})
    assert money_state(app) == money


@FEW
@given(
    target=st.one_of(st.sampled_from(["A", "C", "I"]), path_segment()),
    fields=form(
        what=st.sampled_from(["thank_you", "manage_link"]),
        confirm=st.sampled_from(["y", "on", ""]),
    ),
)
def test_fuzzed_resend_forms_never_fail(app, admin, ledger, target, fields):
    pledge = ledger[target][0] if target in ledger else target
    before, money = audit_rows(app), money_state(app)
    token = csrf_token(admin, f"/staff/pledges/{ledger['A'][0]}/resend")
    response = admin.post(f"/staff/pledges/{pledge}/resend", data={"csrf_token": token, **fields})
    assert response.status_code in (302, 400, 404, 422)
    actions = {"resend_thank_you", "resend_manage_link"}
    assert_one_audit_entry_at_most(app, response, before, actions, {"sent", "failed"})
    assert money_state(app) == money


# Query strings and path segments ----------------------------------------------------------


@FUZZ
@given(
    query=st.one_of(
        form(lang=st.sampled_from(["en", "ru", "EN", "e"])),
        st.dictionaries(ODD_TEXT, ODD_TEXT, max_size=3),
    )
)
def test_fuzzed_configuration_queries_never_fail_and_store_nothing(app, client, query):
    before = row_counts(app)
    response = client.get("/api/prompt/config", query_string=query)
    assert response.status_code in (200, 400, 404)
    if response.status_code == 200:
        assert set(response.json["appeals"]) <= set(PLACEMENTS)
    assert row_counts(app) == before


DATES = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-3-5", "15/03/2026"]),
)


@FUZZ
@given(
    path=st.sampled_from(
        ["/staff/", "/staff/pledges", "/staff/pledges.csv", "/staff/payments.csv"]
    ),
    query=form(
        q=st.sampled_from(["a@example.org", "pl_ledger_A", "in_ledger2", "cus_", "%", "_"]),
        status=st.sampled_from(["active", "paid", "canceled", "past_due"]),
        frequency=st.sampled_from(["once", "monthly", "annual"]),
        currency=st.sampled_from(["usd", "eur", "gbp", "USD"]),
        prompt=st.sampled_from(["appeal", "banner"]),
        created_from=DATES,
        created_to=DATES,
        sort=st.sampled_from(["newest", "oldest", "largest", "smallest"]),
        page=st.integers(-5, 10**30).map(str),
        days=st.sampled_from(["7", "30", "90", "365", "0"]),
    ),
)
def test_fuzzed_staff_filters_never_fail(app, viewer, ledger, path, query):
    before = row_counts(app)
    response = viewer.get(path, query_string=query)
    body = response.get_data(as_text=True)  # a CSV export fails, if at all, while streaming
    assert response.status_code in (200, 400)
    if path.endswith(".csv") and response.status_code == 200:
        rows = list(csv.reader(io.StringIO(body)))
        assert len({len(row) for row in rows}) == 1
    assert row_counts(app) == before


@FUZZ
@given(
    query=form(
        email=EMAILS,
        month=st.sampled_from(months_near_today()),
        consent=st.just("y"),
        article=st.just(DEMO_SLUG),
        placement=st.sampled_from(PLACEMENTS),
    )
)
def test_fuzzed_remind_me_queries_never_fail(app, client, query):
    before = row_counts(app)
    assert client.get("/remind-me", query_string=query).status_code in (200, 400)
    assert row_counts(app) == before


@pytest.fixture
def real_segments(app, ledger) -> dict[str, str]:
    with app.app_context():
        pledge = db.session.scalar(select(Pledge).where(Pledge.customer_id.is_not(None)))
        manage = urlsplit(manage_url(pledge)).path.rsplit("/", 1)[1]
    return {"manage": manage, "slug": DEMO_SLUG, "pledge": ledger["A"][0]}


@FUZZ
@pytest.mark.parametrize(
    "template, real, statuses",
    [
        ("/articles/{}", "slug", (200, 400, 404)),
        ("/support/manage/{}", "manage", (200, 400, 404, 410)),
        ("/supporters/restore/{}", None, (200, 400)),
        ("/reminders/{}/cancel", None, (400, 404)),
        ("/reminders/{}/confirm", None, (400, 404)),
        ("/staff/pledges/{}", "pledge", (200, 400, 404)),
    ],
)
@given(segment=path_segment(real=st.just("REAL")))
def test_fuzzed_path_segments_never_fail(
    app, viewer, real_segments, template, real, statuses, segment
):
    if segment == "REAL":
        assume(real is not None)
        segment = real_segments[real]
    before = row_counts(app)
    response = viewer.get(template.format(segment))
    assert response.status_code in statuses
    assert row_counts(app) == before


# The prompt component's JSON calls ---------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
OFFERED = "OFFERED"  # stands for the first month the remind-me form offers today


def near(values: list) -> st.SearchStrategy:
    """Mostly a real value of a JSON field; one time in four anything at all."""
    real = st.sampled_from(values)
    return st.one_of(real, real, real, JSON_VALUES)


EVENT = st.fixed_dictionaries(
    {
        "kind": near(list(EVENT_KINDS)),
        "placement": near(list(PLACEMENTS)),
        "prompt": near([APPEAL, THANKS]),
    },
    optional={"variant": near(["default", "a", "b_2", "x" * 61, "Upper", ""])},
)


def json_body(fields: dict, optional: dict) -> st.SearchStrategy:
    """Mostly an object with the call's own keys, real or odd values; else any JSON at all."""
    body = st.fixed_dictionaries(fields, optional=optional)
    return st.one_of(body, body, body, JSON_VALUES)


PROMPT_CALLS = {
    "/api/prompt/events": (
        (204, 400),
        json_body({"events": st.one_of(st.lists(EVENT, max_size=55), JSON_VALUES)}, {}),
    ),
    "/api/reminders": (
        (200, 400, 422),
        json_body(
            {
                "email": st.one_of(EMAILS, JSON_VALUES),
                "month": near([OFFERED, *months_near_today()]),
                "consent": near([True, "y"]),
            },
            {
                "article": near([DEMO_SLUG, "Bad Slug"]),
                "placement": near(list(PLACEMENTS)),
                "variant": near(["default", "a", "x" * 61]),
            },
        ),
    ),
}


@pytest.fixture
def offered_month(app) -> str:
    with app.app_context():
        return reminders.month_choices(utcnow())[0].value


@FUZZ
@pytest.mark.parametrize("path", PROMPT_CALLS)
@given(data=st.data())
def test_fuzzed_prompt_calls_from_our_pages_store_only_valid_counts(
    app, client, offered_month, path, data
):
    statuses, bodies = PROMPT_CALLS[path]
    body = data.draw(bodies, label="body")
    forget_reminders_and_counts(app)
    headers = {"Origin": ORIGIN}
    if isinstance(body, dict) and body.get("month") == OFFERED:
        body["month"] = offered_month
    response = client.post(path, data=json.dumps(body), headers=headers, content_type=JSON)
    assert response.status_code in statuses
    assert_prompt_stats_valid(app)
    assert_reminders_valid(app)


@FUZZ
@pytest.mark.parametrize("path", PROMPT_CALLS)
@given(
    data=st.data(),
    origin=st.sampled_from([None, "http://evil.example", "null", "http://localhost.evil.example"]),
)
def test_fuzzed_prompt_calls_from_elsewhere_are_refused(app, client, path, data, origin):
    body = data.draw(PROMPT_CALLS[path][1], label="body")
    forget_reminders_and_counts(app)
    headers = {"Origin": origin} if origin else {}
    response = client.post(path, data=json.dumps(body), headers=headers, content_type=JSON)
    assert response.status_code in (400, 403)
    stored = row_counts(app)
    assert stored["prompt_stat"] == stored["reminder"] == 0


@FUZZ
@pytest.mark.parametrize("path", PROMPT_CALLS)
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
        st.sampled_from([b"\xff\xfe{}", b'{"events": "\xc3\x28"}', b"[" * 5000, b"NaN", b""]),
    ),
    content_type=st.sampled_from([None, JSON, "text/plain", "application/x-www-form-urlencoded"]),
)
def test_fuzzed_non_json_bodies_are_refused(app, client, path, body, content_type):
    forget_reminders_and_counts(app)
    headers = {"Origin": ORIGIN}
    response = client.post(path, data=body, headers=headers, content_type=content_type)
    assert response.status_code in PROMPT_CALLS[path][0]
    assert_prompt_stats_valid(app)
    assert_reminders_valid(app)


# Regressions the fuzzing found -------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/articles/%00", "/reminders/%00/cancel", "/support/manage/%00", "/staff/pledges/%00"]
)
def test_a_nul_character_in_the_path_is_refused_with_a_400(viewer, path):
    response = viewer.get(path)
    assert response.status_code == 400
    assert "character we cannot accept" in response.get_data(as_text=True)


def test_json_nested_too_deeply_to_parse_is_a_400(client):
    headers = {"Origin": ORIGIN}
    response = client.post("/api/prompt/events", data="[" * 5000, headers=headers)
    assert response.status_code == 400
    assert response.json["error"] == 'Send a JSON object: {"events": [...]}.'


@pytest.mark.parametrize("page", ["²", "9" * 5000, "two"])
def test_a_page_that_is_not_a_plain_number_shows_the_first_page(viewer, ledger, page):
    response = viewer.get("/staff/pledges", query_string={"page": page, "abandoned": "y"})
    assert response.status_code == 200
    assert "Showing 1–10 of 10 pledges" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/staff/pledges", "/staff/pledges.csv", "/staff/payments.csv"])
def test_a_date_range_up_to_the_last_date_there_is_includes_everything(viewer, ledger, path):
    response = viewer.get(path, query_string={"created_to": "9999-12-31"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "pl_ledger_A" in body


@pytest.mark.parametrize("payment_id", [2**31, 2**64])
def test_a_payment_id_too_large_for_the_database_is_a_404(admin, payment_id):
    assert admin.get(f"/staff/payments/{payment_id}/refund").status_code == 404


def test_a_dismissal_without_a_variant_is_counted_under_the_default_variant(app, client):
    closed = {"kind": "dismiss", "prompt": "appeal", "placement": "banner"}
    response = client.post(
        "/api/prompt/events", json={"events": [closed]}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 204
    with app.app_context():
        assert db.session.scalars(select(PromptStat.variant)).all() == ["default"]
