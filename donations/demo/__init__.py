"""The demo newsroom: The Moscow Times article and appeal that `flask seed-demo` stores, in
English and in Russian (and, in demo/pledges.py, a year of made-up pledges for the dashboard)."""

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
    "tags": ["belarus", "defense", "drones"],
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

# The same article in Russian: a Russian article decides that its page speaks Russian.
DEMO_SLUG_RU = "rossiya-postroit-zavod-dronov-v-belarusi"
DEMO_ARTICLE_RU = {
    "slug": DEMO_SLUG_RU,
    "language": "ru",
    "title": "Россия построит завод по производству дронов в Беларуси",
    "standfirst": (
        "После выхода на полную мощность предприятие сможет выпускать до 100 тысяч дронов в год."
    ),
    "section": "Новости",
    "photo_path": "images/drone-factory-belarus.svg",
    "photo_caption": (
        "Президент Беларуси Александр Лукашенко и заместитель руководителя администрации "
        "президента России Максим Орешкин."
    ),
    "photo_credit": "president.gov.by",
    "published_at": datetime(2025, 5, 15, 9, 30, tzinfo=UTC),
    "tags": ["belarus", "defense", "drones"],
    "body": """\
Россия построит в соседней Беларуси предприятие по производству беспилотников, чтобы «обеспечить безопасность» своего ключевого союзника, сообщили в четверг белорусские государственные СМИ.

С этим предложением выступил заместитель руководителя администрации Кремля Максим Орешкин во время визита в Минск. Президент Беларуси Александр Лукашенко идею поддержал.

«Очень важно, чтобы у Беларуси были собственные производственные мощности [по выпуску дронов], которые укрепят и её экономику, и национальную безопасность», — цитирует Орешкина агентство БелТА.

После выхода на полную мощность завод сможет выпускать до 100 тысяч дронов в год. Теперь Москве и Минску предстоит обсудить, где он будет расположен, и другие детали, сказал Орешкин, не назвав сроков строительства.

В сообщении БелТА не уточняется, будут ли дроны иметь военное назначение. Однако то, что Орешкин сделал акцент на безопасности, указывает на возможное оборонное применение. И Россия, и Украина активно используют беспилотники в боевых действиях и для ударов на большую дальность.

Лукашенко заявил, что Беларусь «готова» построить завод.

«Гарантируем, что вы в России так не построите, как мы здесь», — сказал он.

Беларусь остаётся под санкциями США и Евросоюза за поддержку российского вторжения в Украину и подавление оппозиции. В феврале 2022 года Россия использовала территорию Беларуси как плацдарм для вторжения.""",  # noqa: E501
}

# The demo's other articles, so a reader can browse ("the 3rd article read" needs three) and
# "Read more" has something to match by tag. They are written for this demo in the newsroom's
# voice, not taken from The Moscow Times, and put no words in any named person's mouth.
# (Tests import the list as DEMO_FILLER.)
DEMO_FILLER = [
    {
        "slug": "belarus-extends-joint-military-drills-with-russia",
        "title": "Belarus Extends Joint Military Drills With Russia Near Polish Border",
        "standfirst": (
            "The exercises, first announced for two weeks, will now run until the end of the month."
        ),
        "section": "News",
        "tags": ["belarus", "defense"],
        "published_at": datetime(2025, 5, 14, 16, 10, tzinfo=UTC),
        "body": """\
Belarus has extended joint military exercises with Russian troops in its western Grodno region by two weeks, the Belarusian Defense Ministry said Wednesday, keeping thousands of soldiers close to the borders of Poland and Lithuania.

The drills began in late April and were due to end this week. The ministry said the extension would allow units to "practice the defense of the Union State" with air-defense crews and drone operators, without saying how many Russian servicemen were taking part.

Poland's Defense Ministry said it was following the exercises closely and had moved additional patrols to its eastern frontier. Lithuania has asked NATO allies to keep air-policing aircraft in the Baltic region through the summer.

Minsk and Moscow have held joint exercises every year since 2022, when Russian forces used Belarusian territory to launch their assault on Kyiv. Russia has since stationed tactical nuclear weapons in Belarus, a step the Kremlin says is a response to NATO's expansion.

Independent Belarusian monitoring groups reported columns of military vehicles moving west along the M1 highway over the weekend and an increase in helicopter flights near the town of Lida.

The Belarusian opposition in exile has warned that the country is being drawn ever deeper into Russia's war, and that large exercises are used to move equipment that never leaves.""",  # noqa: E501
    },
    {
        "slug": "russian-central-bank-holds-key-rate-as-inflation-slows",
        "title": "Russia's Central Bank Holds Key Rate as Inflation Slows",
        "standfirst": (
            "Policymakers said borrowing costs would stay high for longer despite calls from "
            "industry for relief."
        ),
        "section": "Business",
        "tags": ["economy"],
        "published_at": datetime(2025, 5, 13, 11, 45, tzinfo=UTC),
        "body": """\
Russia's Central Bank left its key interest rate unchanged at a record 21% on Friday, saying that inflation was slowing more quickly than expected but remained well above its 4% target.

Annual inflation eased to just over 10% in April, according to the state statistics agency Rosstat, after prices for fruit, vegetables and imported goods rose more slowly than in the winter months.

The regulator said in a statement that "tight monetary conditions" would be kept "for a long period" and that it would consider lowering the rate only once inflation expectations among households and businesses had fallen.

Business lobbies have pressed for cuts for months, warning that the cost of credit is forcing companies to shelve investment. Several large manufacturers, including steelmakers and carmakers, have announced shorter working weeks this spring.

Economists say the war economy — record defense spending, labor shortages and wages rising faster than productivity — continues to push prices up, while sanctions raise the cost of imports that must now travel through third countries.

Most analysts polled by the business daily Kommersant expect the first cut in the second half of the year.""",  # noqa: E501
    },
    {
        "slug": "drone-debris-damages-homes-in-russian-border-region",
        "title": "Drone Debris Damages Homes in Russia's Belgorod Region",
        "standfirst": (
            "No one was hurt, the regional authorities said, after a night of air-defense fire."
        ),
        "section": "News",
        "tags": ["drones", "defense"],
        "published_at": datetime(2025, 5, 12, 7, 20, tzinfo=UTC),
        "body": """\
Falling debris from drones shot down overnight damaged several private houses and a power line in Russia's Belgorod region, which borders Ukraine, the regional government said Monday.

Russia's Defense Ministry said its air defenses had destroyed more than 40 Ukrainian drones over southern and western regions, including Belgorod, Kursk and Bryansk. Its statement could not be independently verified.

Residents of villages outside Belgorod posted photographs of shattered windows and a burned-out car. The regional authorities said electricity had been restored to most homes by morning and that families whose houses were damaged would be offered temporary accommodation.

Both Russia and Ukraine now launch hundreds of drones a week, from small first-person-view craft used on the front line to long-range aircraft that strike oil refineries, airfields and power plants deep behind it.

Moscow has responded by expanding drone production at home and, according to recent announcements, abroad. Ukraine says it produces more than a million drones a year, most of them at small workshops spread across the country.

Schools in the border districts of Belgorod have been teaching remotely since the start of the year.""",  # noqa: E501
    },
    {
        "slug": "sanctions-squeeze-belarus-potash-exports",
        "title": "Sanctions Squeeze Belarus' Potash Exports, Pushing Trade East",
        "standfirst": (
            "The fertilizer that was once Belarus' biggest earner now travels through Russian "
            "ports at a steep discount."
        ),
        "section": "Business",
        "tags": ["belarus", "economy"],
        "published_at": datetime(2025, 5, 9, 14, 0, tzinfo=UTC),
        "body": """\
Belarus' potash exports, long one of the country's main sources of hard currency, are being sold at a growing discount and shipped by longer routes since Western sanctions closed its traditional outlet through Lithuania, industry analysts say.

Until 2022, most of the fertilizer mined by state-owned Belaruskali near the town of Soligorsk was carried by rail to the Lithuanian port of Klaipeda. Vilnius stopped the transit after the United States and the European Union imposed sanctions on the company.

Shipments now go by rail to Russian ports on the Baltic Sea, where new terminals are being built to handle them, and to China overland. Traders estimate that the extra freight and the discounts demanded by buyers wary of sanctions cost Belarus several hundred million dollars a year.

Official data on the trade is no longer published. Minsk classified most of its foreign-trade statistics in 2022, and analysts rely on figures from customs services in importing countries.

The shift has tied the Belarusian economy even more closely to Russia, which already accounts for around half of its foreign trade and provides most of its loans.

Economists say the potash sector has adapted better than expected, but that its profits are now largely in the hands of the Russian railways and port operators that carry it.""",  # noqa: E501
    },
    {
        "slug": "readers-fined-for-sharing-links-to-undesirable-outlets",
        "title": "Russians Fined for Sharing Links to 'Undesirable' Media, Rights Group Says",
        "standfirst": (
            "Courts have handed down dozens of fines this year for reposts of articles by banned "
            "news outlets."
        ),
        "section": "News",
        "tags": ["press-freedom"],
        "published_at": datetime(2025, 5, 7, 9, 0, tzinfo=UTC),
        "body": """\
Russian courts have fined dozens of people this year for sharing links to articles published by media outlets labeled "undesirable," according to a count by the legal aid group OVD-Info.

Under Russian law, taking part in the activities of an "undesirable" organization is an administrative offense punishable by a fine on first conviction, and a criminal one if repeated within a year. Prosecutors have argued in court that reposting an outlet's article on social media counts as such participation.

Most of the cases found by the group involved posts on the VKontakte social network, some of them several years old, made before the outlets concerned were designated. Fines ranged from 5,000 to 15,000 rubles.

More than a dozen independent Russian media outlets, among them The Moscow Times, have been designated "undesirable" since 2021. Their journalists work from abroad, and their websites are blocked in Russia, where many readers reach them through VPN services.

Lawyers advise readers in Russia not to repost articles from designated outlets under their own names and to delete old posts, though they say deleting a post does not end liability for it.

The Prosecutor General's Office, which designates organizations as "undesirable," does not publish the reasons for its decisions.""",  # noqa: E501
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


# The Russian appeals: the English ones' words, as the newsroom would say them in Russian.
APPEAL_BODY_RU = """\
Дорогие читатели!

Мы столкнулись с беспрецедентными трудностями. Генеральная прокуратура России признала The Moscow Times «нежелательной» организацией: наша работа теперь вне закона, а нашим сотрудникам грозит уголовное преследование. До этого нас несправедливо объявили «иностранным агентом».

Это прямые попытки заставить замолчать независимую журналистику в России. Власти утверждают, что наша работа «дискредитирует решения российского руководства». Мы смотрим на это иначе: мы стремимся рассказывать о России точно и беспристрастно.

Мы, журналисты The Moscow Times, не позволим заставить нас замолчать. Но чтобы продолжать работу, нам нужна ваша помощь.

Любая поддержка, даже самая скромная, очень много для нас значит. Если можете, поддерживайте нас ежемесячно — всего от 2 долларов. Оформить поддержку можно за минуту, и каждый вклад действительно важен.

Поддерживая The Moscow Times, вы защищаете открытую, независимую журналистику вопреки репрессиям. Спасибо, что вы с нами."""  # noqa: E501

DEMO_APPEALS += [
    {
        "placement": "article-end",
        "language": "ru",
        "heading": "Обращение The Moscow Times:",
        "body": APPEAL_BODY_RU,
        "button_text": "Продолжить",
        "remind_prompt": "Не готовы поддержать нас сегодня?",
        "remind_link_text": "Напомнить позже.",
    },
    {
        "placement": "banner",
        "language": "ru",
        "heading": "Мы, журналисты The Moscow Times, не позволим заставить нас замолчать.",
        "body": (
            "Любая поддержка, даже самая скромная, очень много для нас значит. Если можете, "
            "поддерживайте нас ежемесячно — всего от 2 долларов."
        ),
        "button_text": "Продолжить",
        "remind_prompt": "Не готовы поддержать нас сегодня?",
        "remind_link_text": "Напомнить позже.",
    },
    {
        "placement": "overlay",
        "language": "ru",
        "heading": "Обращение The Moscow Times:",
        "body": (
            "Дорогие читатели!\n\n"
            "Мы, журналисты The Moscow Times, не позволим заставить нас замолчать. Но чтобы "
            "продолжать работу, нам нужна ваша помощь.\n\n"
            "Любая поддержка, даже самая скромная, очень много для нас значит. Если можете, "
            "поддерживайте нас ежемесячно — всего от 2 долларов. Оформить поддержку можно за "
            "минуту, и каждый вклад действительно важен."
        ),
        "button_text": "Продолжить",
        "remind_prompt": "Не готовы поддержать нас сегодня?",
        "remind_link_text": "Напомнить позже.",
    },
]


def seed_demo() -> list[str]:
    """Store the demo article and appeals; running it again updates them. Returns what it did."""
    done = [_upsert(Article, {"slug": DEMO_ARTICLE["slug"]}, DEMO_ARTICLE)]
    done.append(_upsert(Article, {"slug": DEMO_SLUG_RU}, DEMO_ARTICLE_RU))
    for article in DEMO_FILLER:
        done.append(_upsert(Article, {"slug": article["slug"]}, article))
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
