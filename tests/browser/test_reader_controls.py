"""Readers' own controls and experiments, in a real browser: "Why am I seeing this?", "Ask me
less", "I already support"; a reader's variant and the holdback as the cached page meets them;
and the experiments page of a running experiment with seeded results."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from donations.demo import DEMO_FILLER, DEMO_SLUG
from donations.demo.experiments import seed_experiment
from donations.demo.pledges import seed_pledges
from donations.experiments import service
from donations.payments.notices import send_pending_notices
from donations.platform.database import utcnow
from donations.platform.extensions import db
from donations.prompts.models import PromptStat
from tests.browser.test_prompts_embed import banner, read_three_articles
from tests.browser.test_prompts_overlay import watch_console
from tests.browser.test_staff_dashboard import make_admin, sign_in
from tests.prompts.test_experiment_assignment import READERS
from tests.supporters.test_supporters import EMAIL, confirmed_pledge


@pytest.fixture
def app(make_app, smtp_inbox):
    return make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_inbox.port)


def counted(app, kind: str, expected: dict[str, int]) -> dict[str, int]:
    """Events of one kind counted today, per variant, once they match `expected` (a beacon
    arrives when it arrives) or after five seconds."""
    deadline = time.monotonic() + 5
    while True:
        with app.app_context():
            rows = db.session.scalars(
                select(PromptStat).where(PromptStat.kind == kind, PromptStat.day == utcnow().date())
            )
            found = {row.variant: row.count for row in rows}
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_why_am_i_seeing_this_says_the_rule(page: Page, live_server, screenshot):
    problems = watch_console(page)
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    why = page.get_by_text("Why am I seeing this?")
    why.click()
    expect(page.get_by_text("You have read 1 article here in the last 30 days.")).to_be_visible()
    expect(
        page.get_by_text("We show this ask at most 4 times in 30 days; this is number 1.")
    ).to_be_visible()
    page.get_by_text("Why am I seeing this?").scroll_into_view_if_needed()
    screenshot(page, "reader-controls-why")
    assert problems == []


def test_staff_previewing_see_every_rule_checked(page: Page, live_server):
    page.goto(f"{live_server}/articles/{DEMO_SLUG}?debug=1")
    expect(page.get_by_text("✓ view-cap: 0 views in 30 days, cap 4")).to_be_visible()


def test_ask_me_less_halves_the_caps_for_ninety_days(page: Page, live_server, app):
    read_three_articles(page, live_server)  # the end appeal's 3rd view, and the banner
    expect(banner(page)).to_be_visible()
    with page.expect_request("**/api/prompt/events"):
        banner(page).get_by_role("button", name="Ask me less").click()
    box = page.locator("support-prompt[placement=banner]")
    expect(box.get_by_role("status")).to_have_text(re.compile("Done: until .* less often"))
    expect(page.locator("#appeal-heading")).to_be_hidden()  # this page's other ask goes quiet
    until = page.evaluate("JSON.parse(localStorage.getItem('rr-reader')).askLessUntil")
    days = (until / 1000 - utcnow().timestamp()) / 86400
    assert 89.9 < days < 90.1
    box.get_by_role("button", name="Close").click()
    expect(box).to_be_hidden()
    # The end appeal's cap of 4 is now 2, and it has been seen 3 times: the next story is quiet.
    page.goto(f"{live_server}/articles/{DEMO_FILLER[2]['slug']}")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#appeal-heading")).to_be_hidden()
    assert counted(app, "less", {"default": 1}) == {"default": 1}


def test_i_already_support_signs_in_by_email_and_hides_the_asks_there(
    browser: Browser, page: Page, live_server, app, smtp_inbox
):
    confirmed_pledge(app)  # a monthly supporter
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    page.get_by_role("link", name="I already support").click()
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_role("button", name=re.compile("link", re.I)).click()
    expect(page.get_by_text("If we have a gift on record for that address")).to_be_visible()
    with app.app_context():
        send_pending_notices()  # as `mail send-notices` does beside the app
    [message] = smtp_inbox.messages
    path = re.search(
        r"https?://[^/\s]+(/supporters/restore/\S+)", message.get_body(("plain",)).get_content()
    ).group(1)
    # Any device that follows the link stops being asked: here, a second one.
    other = browser.new_context().new_page()
    other.goto(live_server + path)
    expect(other.get_by_text("Welcome back")).to_be_visible()
    for slug in (DEMO_FILLER[0]["slug"], DEMO_FILLER[1]["slug"], DEMO_SLUG):
        other.goto(f"{live_server}/articles/{slug}")
    other.wait_for_load_state("networkidle")
    expect(other.locator("#appeal-heading")).to_be_hidden()
    expect(banner(other)).to_have_count(0)
    other.context.close()


def a_reader(experiment, variant: str) -> str:
    return next(r for r in READERS if service.assign(r, experiment) == variant)


def start_experiment(app, holdback: float = 0.5):
    with app.app_context():
        experiment = service.create(
            by="admin@newsroom.example", name="end-words", placement="article-end",
            hypothesis="", holdback=holdback, variants=[
                {"name": "control", "weight": 1, "changes": {}},
                {"name": "direct", "weight": 1, "changes": {"heading": "Keep Moscow’s news free."}},
            ],
        )  # fmt: skip
        service.start(experiment, "admin@newsroom.example")
        db.session.refresh(experiment)
        db.session.expunge(experiment)
        return experiment


def as_reader(page: Page, live_server: str, reader_id: str) -> None:
    """This browser's id, set before the first article (so its first view is in the variant)."""
    page.goto(f"{live_server}/healthz")
    page.evaluate(f"localStorage.setItem('rr-reader', JSON.stringify({{id: '{reader_id}'}}))")


def test_a_reader_sees_their_variant_and_it_is_counted_and_carried_to_the_gift(
    page: Page, live_server, app
):
    experiment = start_experiment(app)
    as_reader(page, live_server, a_reader(experiment, "end-words-direct"))
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    appeal = page.locator("support-prompt[placement=article-end]")
    expect(appeal.get_by_role("heading", name="Keep Moscow’s news free.")).to_be_visible()
    expect(page.locator("#appeal-heading")).to_be_hidden()  # the server's words give way
    with page.expect_navigation():
        appeal.get_by_role("button", name="Support $5/month").click()
    assert "variant=end-words-direct" in page.url
    assert counted(app, "impression", {"end-words-direct": 1}) == {"end-words-direct": 1}
    assert counted(app, "continue", {"end-words-direct": 1}) == {"end-words-direct": 1}


def test_a_control_reader_gets_the_servers_appeal_reporting_the_control(
    page: Page, live_server, app
):
    experiment = start_experiment(app)
    as_reader(page, live_server, a_reader(experiment, "end-words-control"))
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    expect(page.locator("#appeal-heading")).to_be_visible()
    variant = page.locator("support-prompt form.donate input[name=variant]")
    expect(variant).to_have_value("end-words-control")


def test_the_holdback_sees_no_ask_and_its_gifts_still_count_for_it(page: Page, live_server, app):
    experiment = start_experiment(app)
    as_reader(page, live_server, a_reader(experiment, "end-words-holdback"))
    page.goto(f"{live_server}/articles/{DEMO_SLUG}")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#appeal-heading")).to_be_hidden()
    expect(page.get_by_role("button", name="Continue")).to_have_count(0)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # where the ask would be
    assert counted(app, "impression", {"end-words-holdback": 1}) == {"end-words-holdback": 1}
    page.goto(f"{live_server}/support")
    # Giving by the menu, not an ask: the gift is the holdback's.
    expect(page.locator("form.donate input[name=variant]")).to_have_value("end-words-holdback")


def test_screenshot_of_a_running_experiment(browser: Browser, live_server, app, screenshot):
    make_admin(app)
    with app.app_context():
        seed_pledges(200, seed=5)
        seed_experiment(seed=5)
    for width, name in ((1280, "desktop"), (390, "mobile")):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in(page, live_server)
        page.get_by_role("link", name="Experiments").click()
        page.get_by_role("link", name="end-words").click()
        expect(page.get_by_role("heading", name=re.compile("end-words"))).to_be_visible()
        expect(
            page.get_by_text(re.compile("not yet significant|significant", re.I)).first
        ).to_be_visible()
        screenshot(page, f"staff-experiment-{name}")
        page.context.close()
