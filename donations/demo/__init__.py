"""The demo newsroom: The Moscow Times article and appeal that `flask seed-demo` stores (and,
in demo/pledges.py, a year of made-up pledges for the dashboard)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from donations.articles.models import Article
from donations.platform.extensions import db
from donations.prompts.models import Appeal

DEMO_SLUG = "russia-to-build-drone-factory-in-belarus"

DEMO_ARTICLE = {
    "slug": DEMO_SLUG,
    "title": "Russia to Build Drone Factory in Belarus",
    "standfirst": (
        "The plant is expected to produce up to 100,000 drones per year once fully operational."
    ),
    "section": "News",
    "photo_path": "images/drone-factory-belarus.svg",
    "photo_caption": (
        "Belarusian President Alexander Lukashenko and Deputy Head of the Russian "
        "Presidential Administration Maxim Oreshkin."
    ),
    "photo_credit": "president.gov.by",
    "published_at": datetime(2025, 5, 15, 9, 30, tzinfo=UTC),
    "body": """\
Russia will build a drone production facility in neighboring Belarus to “ensure security” for its key ally, Belarusian state media reported Thursday.

Kremlin Deputy Chief of Staff Maxim Oreshkin proposed the project during a visit to Minsk, where Belarusian President Alexander Lukashenko welcomed the idea.

“It’s very important that Belarus has its own [drone] production facilities, which would strengthen both its economy and national security,” Oreshkin was quoted as saying by the Belta news agency.

The plant is expected to produce up to 100,000 drones per year once fully operational. Moscow and Minsk will now discuss its location and other details, Oreshkin said, without providing a construction timeline.

Belta’s report did not specify whether the drones would have military applications. However, Oreshkin’s emphasis on security suggests potential defense uses. Both Russia and Ukraine have relied heavily on drones in combat and long-range strikes.

Lukashenko said Belarus was “ready” to build the factory.

“We guarantee that you won’t build it in Russia the way we would here,” he said.

Belarus remains under U.S. and European sanctions for supporting Russia’s invasion of Ukraine and cracking down on opposition. Russia used Belarusian territory as a staging ground for its February 2022 invasion.""",  # noqa: E501
}

# Filler so the demo has more than one article ("the 3rd article read" needs three): fictional,
# labelled as such on the page, with no quotes attributed to anyone.
DEMO_FILLER = [
    {
        "slug": "demo-filler-city-library-extends-opening-hours",
        "title": "Demo filler: A City Library Extends Its Opening Hours",
        "standfirst": "A fictional story used to demonstrate the site. No such library exists.",
        "section": "Demo filler",
        "published_at": datetime(2025, 5, 14, 8, 0, tzinfo=UTC),
        "body": (
            "This is a fictional article that ships with the demo so that a reader can browse "
            "more than one story. The city, the library and its staff are invented.\n\n"
            "In this imaginary city, the central library will now stay open until ten in the "
            "evening on weekdays, after readers asked for quieter places to study.\n\n"
            "The change starts next month and will be reviewed after a year, according to a "
            "notice posted at the entrance."
        ),
    },
    {
        "slug": "demo-filler-river-ferry-returns-for-summer",
        "title": "Demo filler: The River Ferry Returns for the Summer",
        "standfirst": "A fictional story used to demonstrate the site. No such ferry exists.",
        "section": "Demo filler",
        "published_at": datetime(2025, 5, 13, 8, 0, tzinfo=UTC),
        "body": (
            "This is a fictional article that ships with the demo. The river, the ferry and its "
            "timetable are invented.\n\n"
            "The small passenger ferry that crosses the river every half hour resumes service "
            "this weekend, after its winter break.\n\n"
            "Tickets cost the same as last year, and bicycles travel free on weekday mornings."
        ),
    },
    {
        "slug": "demo-filler-school-garden-harvest",
        "title": "Demo filler: A School Garden Brings In Its First Harvest",
        "standfirst": "A fictional story used to demonstrate the site. No such school exists.",
        "section": "Demo filler",
        "published_at": datetime(2025, 5, 12, 8, 0, tzinfo=UTC),
        "body": (
            "This is a fictional article that ships with the demo. The school and its garden "
            "are invented.\n\n"
            "Pupils at a primary school planted vegetables in spring, and this week they picked "
            "the first radishes and lettuce.\n\n"
            "The produce goes to the school kitchen, and the garden will be open to parents at "
            "the end of term."
        ),
    },
]

APPEAL_BODY = """\
Dear readers,

We are facing unprecedented challenges. Russia's Prosecutor General's Office has designated The Moscow Times as an "undesirable" organization, criminalizing our work and putting our staff at risk of prosecution. This follows our earlier unjust labeling as a "foreign agent."

These actions are direct attempts to silence independent journalism in Russia. The authorities claim our work "discredits the decisions of the Russian leadership." We see things differently: we strive to provide accurate, unbiased reporting on Russia.

We, the journalists of The Moscow Times, refuse to be silenced. But to continue our work, we need your help.

Your support, no matter how small, makes a world of difference. If you can, please support us monthly starting from just $2. It's quick to set up, and every contribution makes a significant impact.

By supporting The Moscow Times, you're defending open, independent journalism in the face of repression. Thank you for standing with us."""  # noqa: E501

DEMO_APPEALS = [
    {
        "placement": "article-end",
        "language": "en",
        "heading": "A Message from The Moscow Times:",
        "body": APPEAL_BODY,
        "button_text": "Continue",
        "remind_prompt": "Not ready to support today?",
        "remind_link_text": "Remind me later.",
    },
    # The banner and the overlay use the appeal's own words, shortened.
    {
        "placement": "banner",
        "language": "en",
        "heading": "We, the journalists of The Moscow Times, refuse to be silenced.",
        "body": (
            "Your support, no matter how small, makes a world of difference. If you can, please "
            "support us monthly starting from just $2."
        ),
        "button_text": "Continue",
        "remind_prompt": "Not ready to support today?",
        "remind_link_text": "Remind me later.",
    },
    {
        "placement": "overlay",
        "language": "en",
        "heading": "A Message from The Moscow Times:",
        "body": (
            "Dear readers,\n\n"
            "We, the journalists of The Moscow Times, refuse to be silenced. But to continue our "
            "work, we need your help.\n\n"
            "Your support, no matter how small, makes a world of difference. If you can, please "
            "support us monthly starting from just $2. It's quick to set up, and every "
            "contribution makes a significant impact."
        ),
        "button_text": "Continue",
        "remind_prompt": "Not ready to support today?",
        "remind_link_text": "Remind me later.",
    },
]


def seed_demo() -> list[str]:
    """Store the demo article and appeals; running it again updates them. Returns what it did."""
    done = [_upsert(Article, {"slug": DEMO_ARTICLE["slug"]}, DEMO_ARTICLE)]
    for filler in DEMO_FILLER:
        done.append(_upsert(Article, {"slug": filler["slug"]}, filler))
    for appeal in DEMO_APPEALS:
        key = {"placement": appeal["placement"], "language": appeal["language"]}
        done.append(_upsert(Appeal, key, appeal))
    db.session.commit()
    return done


def _upsert(model: type[db.Model], key: dict[str, str], values: dict[str, object]) -> str:
    row = db.session.scalar(select(model).filter_by(**key))
    verb = "updated" if row is not None else "created"
    if row is None:
        row = model(**key)
        db.session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    return f"{verb} {model.__name__.lower()} {' '.join(key.values())}"
