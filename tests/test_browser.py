"""The dashboard in a real browser: charts drawn, filters applied, bars followed, decisions counted, hostile text inert.

Headless Chromium runs the site's own JavaScript and Plotly, under its Content-Security-Policy, against the live
test server. Every test starts from the same small data set, and its expectations are counted from that seed,
not read back through the queries under test.
"""

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from ingest.models import Article, Feed, SourceKind
from ingest.sanitize import sanitize_html
from tests.browser import Browser, browser_fixture, chromium_fixture  # noqa: F401  (fixtures, used by name)
from tests.factories import make_article, make_feed
from tests.migration_rows import SIGNAL_TYPES_MIGRATION, restore_migration_rows, run_data_migration
from tracker.charts import CHART_NAMES
from tracker.models import Assessment, KeyEvent, SignalType, Story, Tag
from tracker.readmodel.refresh import refresh_read_model
from tracker.roles import ANALYST, CURATOR

pytestmark = pytest.mark.django_db(transaction=True)

TYPE_CYCLE = ("visit", "denial", "arms_deal", "drill", "tech_transfer", "aid_trade")
SEED_START = date(2024, 1, 1)
# The week the drill-down and curation tests look at: Monday 12 to Sunday 18 February 2024.
FOCUS_WEEK = (date(2024, 2, 12), date(2024, 2, 18))
BAR_CHARTS = ("timeline", "per_type", "sources", "source_kinds")
PASSWORD = "browser-test-password-4711"


# --- The seed -------------------------------------------------------------------------------------------------------


@dataclass
class SeededArticle:
    article: Article
    tags: dict[str, Tag] = field(default_factory=dict)

    @property
    def visible_signals(self) -> set[str]:
        return {slug for slug, tag in self.tags.items() if tag.decision != Tag.Decision.REJECTED}

    @property
    def day(self) -> date:
        return self.article.published_at.date()


@dataclass
class Seed:
    feeds: dict[str, Feed]
    articles: list[SeededArticle]
    analyst: User
    curator: User
    story: tuple[Article, Article]
    pending_visit: SeededArticle
    key_event: KeyEvent

    def matching(self, slug: str, first: date = date.min, last: date = date.max, kinds=()) -> list[Article]:
        """The articles visibly carrying the type within the days (and kinds of source): what a filter must find."""
        return [
            seeded.article
            for seeded in self.articles
            if slug in seeded.visible_signals
            and first <= seeded.day <= last
            and (not kinds or seeded.article.feed.source_kind in kinds)
        ]

    @property
    def signal_total(self) -> int:
        return sum(len(seeded.visible_signals) for seeded in self.articles)


@pytest.fixture(scope="module", autouse=True)
def leave_migration_rows_as_found(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A transactional test ends by emptying every table. The groups come back by themselves (post_migrate), the
    signal types and the tagger's rules do not, and tests after these need them (a Celery worker tags with them)."""
    yield
    with django_db_blocker.unblock():
        restore_migration_rows()


def signal_types() -> dict[str, SignalType]:
    run_data_migration(SIGNAL_TYPES_MIGRATION)
    return {signal.slug: signal for signal in SignalType.objects.all()}


def make_user(username: str, role: str, **values) -> User:
    user = User.objects.create_user(username, password=PASSWORD, **values)
    user.groups.add(Group.objects.get(name=role))
    return user


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def seed_article(feed: Feed, signals: dict[str, SignalType], published: datetime, slugs, **values) -> SeededArticle:
    """An article assessed as relevant, with a tag per slug; a slug ending in "!" is a tag a curator rejected."""
    values.setdefault("summary_html", f"<p>{html.escape(values['title'])}. Officials of both sides were present.</p>")
    article = make_article(feed, published_at=published, **values)
    Assessment.objects.create(article=article, status=Assessment.Status.RELEVANT, language=feed.language)
    seeded = SeededArticle(article)
    for position, slug in enumerate(slugs):
        signal = signals[slug.rstrip("!")]
        seeded.tags[signal.slug] = Tag.objects.create(
            article=article,
            signal=signal,
            confidence=0.95 - 0.1 * ((article.pk + position) % 4),
            evidence=[{"sentence": f"{article.title}: the {signal.name.lower()} was reported.", "terms": ["reported"]}],
            decision=Tag.Decision.REJECTED if slug.endswith("!") else Tag.Decision.PENDING,
        )
    return seeded


def seed_feeds() -> dict[str, Feed]:
    rows = [
        ("state", "Pyongyang State Digest", SourceKind.STATE_MEDIA, "KP"),
        ("agency", "Northern Wire", SourceKind.NEWS_AGENCY, "RU"),
        ("independent", "Peninsula Monitor", SourceKind.INDEPENDENT_MEDIA, "KR"),
        ("think_tank", "Beyond the Parallel Notes", SourceKind.THINK_TANK, "US"),
        ("government", "Foreign Ministry Briefings", SourceKind.GOVERNMENT, "KR"),
    ]
    return {
        key: make_feed(title=title, source_kind=kind, country=country, language="en")
        for key, title, kind, country in rows
    }


def seed_background(feeds: dict[str, Feed], signals: dict[str, SignalType]) -> list[SeededArticle]:
    """Thirty-two articles, one every third day from January to April, cycling through the feeds and types."""
    ordered_feeds = list(feeds.values())
    articles = []
    for number in range(32):
        slugs = [TYPE_CYCLE[number % 6]] + ([TYPE_CYCLE[(number + 2) % 6]] if number % 4 == 0 else [])
        title = f"Report {number + 1} on {' and '.join(slugs).replace('_', ' ')}"
        published = at(SEED_START + timedelta(days=3 * number + 1))
        articles.append(seed_article(ordered_feeds[number % 5], signals, published, slugs, title=title))
    return articles


def seed_focus_week(feeds: dict[str, Feed], signals: dict[str, SignalType]) -> dict[str, SeededArticle]:
    """Visits inside and just outside one week, one of them rejected, and a story two feeds carried."""
    monday, sunday = FOCUS_WEEK
    day = {name: monday + timedelta(days=offset) for offset, name in enumerate(["mon", "tue", "wed", "thu", "fri"])}
    rows = {
        "lavrov": (feeds["state"], at(day["tue"]), ["visit", "arms_deal"], "Lavrov lands in Pyongyang"),
        "copy": (feeds["independent"], at(day["wed"], 7), ["visit"], "Lavrov arrives in Pyongyang for talks"),
        "choe": (feeds["agency"], at(day["thu"]), ["visit"], "Choe Son Hui meets Shoigu in Moscow"),
        "denial": (feeds["government"], at(day["wed"]), ["denial"], "Kremlin denies shell shipments"),
        "rejected": (feeds["agency"], at(day["fri"]), ["visit!"], "Trade fair opens in Rason"),
        "before": (feeds["state"], at(monday - timedelta(days=1), 23), ["visit"], "Delegation departs Moscow"),
        "after": (feeds["agency"], at(sunday + timedelta(days=1), 0), ["visit"], "Delegation returns home"),
        "late": (feeds["think_tank"], at(date(2024, 4, 26)), ["tech_transfer"], "Satellite help, analysts say"),
    }
    return {
        key: seed_article(feed, signals, published, slugs, title=title)
        for key, (feed, published, slugs, title) in rows.items()
    }


def seed_story(first: Article, copy: Article) -> None:
    story = Story.objects.create(
        first_published_at=first.published_at,
        last_published_at=copy.published_at,
        article_count=2,
        representative=first,
    )
    Assessment.objects.filter(article__in=[first, copy]).update(story=story)


@pytest.fixture
def seed(settings) -> Seed:
    # The default hasher takes half a second a password, on purpose; the live server shares these settings.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    signals = signal_types()
    feeds = seed_feeds()
    focus = seed_focus_week(feeds, signals)
    seed_story(focus["lavrov"].article, focus["copy"].article)
    background = seed_background(feeds, signals)
    refresh_read_model()  # as a tagging batch does after writing: pages only read
    return Seed(
        feeds=feeds,
        articles=background + list(focus.values()),
        analyst=make_user("ana", ANALYST),
        curator=make_user("cura", CURATOR, is_staff=True),
        story=(focus["lavrov"].article, focus["copy"].article),
        pending_visit=focus["choe"],
        key_event=KeyEvent.objects.create(
            date=date(2024, 2, 13), label="Lavrov visits Pyongyang", signal=signals["visit"]
        ),
    )


# --- Charts and lists as the page holds them ------------------------------------------------------------------------


def wait_for_charts(browser: Browser) -> None:
    """Every chart on the page has fetched its data and been drawn, or has given up (which callers check)."""
    browser.wait_until(
        lambda: browser.script(
            "const sections = [...document.querySelectorAll('[data-chart]')];"
            "return sections.length > 0 && sections.every(s => ['1', 'error'].includes(s.dataset.rendered));"
        ),
        "the charts were not drawn",
    )


def chart_states(browser: Browser) -> dict[str, str]:
    return browser.script(
        "return Object.fromEntries([...document.querySelectorAll('[data-chart]')]"
        "  .map(s => [s.dataset.chart, s.dataset.rendered]));"
    )


def chart_traces(browser: Browser, name: str) -> list[dict]:
    """The traces Plotly holds on the chart's graph div: what it actually drew."""
    return browser.script(
        "const plot = document.querySelector(`[data-chart='${arguments[0]}'] [data-plot]`);"
        "return plot.data.map(t => ({"
        "  name: t.name, type: t.type, orientation: t.orientation || 'v', x: t.x, y: t.y, z: t.z || null}));",
        name,
    )


def bar_traces(browser: Browser, name: str) -> list[dict]:
    return [trace for trace in chart_traces(browser, name) if trace["type"] == "bar"]


def chart_total(traces: list[dict]) -> int:
    """What the chart's bars or cells add up to: a horizontal bar counts on x, a heatmap cell on z."""
    total = 0
    for trace in traces:
        if trace["type"] == "heatmap":
            total += sum(sum(row) for row in trace["z"])
        elif trace["type"] == "bar":
            total += sum(trace["x"] if trace["orientation"] == "h" else trace["y"])
    return total


def bar_height(browser: Browser, chart: str, type_name: str, period_start: date) -> int:
    trace = next(trace for trace in bar_traces(browser, chart) if trace["name"] == type_name)
    return dict(zip(trace["x"], trace["y"], strict=True)).get(period_start.isoformat(), 0)


def chart_table(browser: Browser, name: str) -> tuple[list[str], list[list[str]]]:
    """The chart's "Data" table as the page shows it: the header cells, then each body row's cells."""
    return browser.script(
        "const table = document.querySelector(`[data-chart='${arguments[0]}'] [data-table] table`);"
        "if (!table) return [[], []];"
        "const cells = row => [...row.cells].map(cell => cell.textContent);"
        "return [cells(table.tHead.rows[0]), [...table.tBodies[0].rows].map(cells)];",
        name,
    )


def chart_text(browser: Browser, name: str) -> str:
    """The text Plotly drew in the chart: titles, tick labels, legend, annotations."""
    return browser.driver.find_element(By.CSS_SELECTOR, f"[data-chart='{name}'] [data-plot]").text


def tick_labels(browser: Browser, name: str, axis: str) -> list[str]:
    """The first line of each tick label Plotly drew on the chart's x or y axes."""
    return browser.script(
        "const plot = document.querySelector(`[data-chart='${arguments[0]}'] [data-plot]`);"
        "return [...plot.querySelectorAll(`.${arguments[1]}tick text`)]"
        "  .map(text => (text.querySelector('tspan.line') || text).textContent);",
        name,
        axis,
    )


def plot_heights(browser: Browser) -> dict[str, tuple[float, float]]:
    """Per chart: how tall its plot is on the page, and how tall its figure says it is."""
    return browser.script(
        "return Object.fromEntries([...document.querySelectorAll('[data-chart]')].map(section => {"
        "  const plot = section.querySelector('[data-plot]');"
        "  return [section.dataset.chart, [plot.getBoundingClientRect().height, plot.layout.height]];"
        "}));"
    )


def bar_element(browser: Browser, chart: str, type_name: str, period_start: date):
    """The SVG path of one type's bar in one period, found through the data Plotly bound to the bar's group."""
    return browser.script(
        "const [chart, name, x] = arguments;"
        "const plot = document.querySelector(`[data-chart='${chart}'] [data-plot]`);"
        "const group = [...plot.querySelectorAll('.barlayer .trace.bars')]"
        "  .find(g => g.__data__[0].trace.name === name);"
        "const index = group.__data__[0].trace.x.indexOf(x);"
        "return group.querySelectorAll('.point')[index].querySelector('path');",
        chart,
        type_name,
        period_start.isoformat(),
    )


def click_on(browser: Browser, element) -> None:
    """A real mouse click at the element's centre. Plotly's drag layer lies over its bars and takes the click
    (that is how Plotly sees it), so Selenium's element.click() would refuse the bar as covered."""
    browser.script("arguments[0].scrollIntoView({block: 'center'})", element)
    ActionChains(browser.driver).move_to_element(element).pause(0.1).click().perform()


def listed_titles(browser: Browser) -> list[str]:
    links = browser.driver.find_elements(By.CSS_SELECTOR, "table.articles tbody a[href^='/articles/']")
    return [link.text for link in links]


def query_of(path: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(path).query)


def week_total_in_table(rows: list[list[str]]) -> int:
    return sum(int(row[-1]) for row in rows)


# --- 1. The overview and an article ---------------------------------------------------------------------------------


def test_overview_draws_every_chart_with_data_and_no_console_errors(browser, seed):
    browser.log_in_as(seed.analyst)
    browser.open("/")
    wait_for_charts(browser)

    assert chart_states(browser) == {name: "1" for name in CHART_NAMES}
    for name in CHART_NAMES:
        assert browser.driver.find_elements(By.CSS_SELECTOR, f"[data-chart='{name}'] .main-svg"), name
        assert chart_total(chart_traces(browser, name)) > 0, f"the {name} chart shows no counts"
    for name in BAR_CHARTS:
        assert browser.driver.find_elements(By.CSS_SELECTOR, f"[data-chart='{name}'] .bars .point path"), name
    assert browser.driver.find_elements(By.CSS_SELECTOR, "[data-chart='heatmap'] .hm image")
    assert chart_total(chart_traces(browser, "timeline")) == seed.signal_total
    assert f"{seed.signal_total} signals match" in browser.text()
    assert seed.key_event.label in chart_text(browser, "timeline")
    for name, (shown, figure) in plot_heights(browser).items():
        assert abs(shown - figure) < 2, f"the {name} plot is {shown}px tall for a figure of {figure}px"
    for name in ("timeline", "per_type", "source_kinds"):
        assert all(label.isdigit() for label in tick_labels(browser, name, "y")), tick_labels(browser, name, "y")
    assert all(label.isdigit() for label in tick_labels(browser, "sources", "x"))
    # The seed runs from January to April 2024: weekly ticks on the Mondays that start the bars, months named.
    week_ticks = [
        datetime.strptime(f"{label} 2024", "%b %d %Y").date() for label in tick_labels(browser, "timeline", "x")
    ]
    assert week_ticks and all(day.weekday() == 0 for day in week_ticks), week_ticks
    assert tick_labels(browser, "heatmap", "x") == ["Jan 2024", "Feb 2024", "Mar 2024", "Apr 2024"]
    browser.assert_no_errors()
    browser.screenshot("overview")


def test_article_page_shows_the_evidence_and_the_other_copy_of_its_story(browser, seed):
    first, copy = seed.story
    browser.log_in_as(seed.analyst)
    browser.open(f"/articles/{first.pk}/")

    page = browser.text()
    assert first.title in page and f"{first.title}: the visit was reported." in page
    assert copy.title in browser.driver.find_element(By.CSS_SELECTOR, ".also-reported").text
    browser.assert_no_errors()
    browser.screenshot("article")


def test_an_article_without_text_shows_no_empty_text_box(browser, seed):
    signals = {signal.slug: signal for signal in SignalType.objects.all()}
    published = at(date(2024, 2, 20))
    bare = seed_article(seed.feeds["agency"], signals, published, ["visit"], title="Headline only", summary_html="")
    browser.log_in_as(seed.analyst)
    browser.open(f"/articles/{bare.article.pk}/")

    assert "Headline only" in browser.driver.find_element(By.TAG_NAME, "h1").text
    assert not browser.driver.find_elements(By.CSS_SELECTOR, ".detail .content")
    assert browser.driver.find_elements(By.CSS_SELECTOR, "ul.tags li.tag")
    browser.assert_no_errors()
    browser.screenshot("article-without-text")


# --- 2. Filters -----------------------------------------------------------------------------------------------------


def test_ticking_a_signal_type_puts_it_in_the_url_and_narrows_every_chart_to_it(browser, seed):
    browser.log_in_as(seed.analyst)
    browser.open("/")
    wait_for_charts(browser)

    browser.driver.find_element(By.CSS_SELECTOR, "input[name='signal'][value='drill']").click()
    browser.wait_until(lambda: "signal=drill" in browser.path, "ticking Drill did not change the URL")
    wait_for_charts(browser)

    query = query_of(browser.path)
    assert query.get("signal") == ["drill"]
    assert query.get("period", ["week"]) == ["week"], "changing one filter must leave the others as they were"
    for name in BAR_CHARTS:
        assert {trace["name"] for trace in bar_traces(browser, name)} == {"Drill"}, name
    assert [trace["y"] for trace in chart_traces(browser, "heatmap")] == [["Drill"]]
    columns, rows = chart_table(browser, "timeline")
    assert columns == ["Week starting", "Drill", "Total"]
    assert week_total_in_table(rows) == len(seed.matching("drill"))
    browser.assert_no_errors()


def test_choosing_a_source_kind_keeps_the_type_and_shows_only_that_kind(browser, seed):
    browser.log_in_as(seed.analyst)
    browser.open("/?signal=visit")
    wait_for_charts(browser)

    browser.driver.find_element(By.CSS_SELECTOR, "input[name='kind'][value='news_agency']").click()
    browser.wait_until(lambda: "kind=news_agency" in browser.path, "choosing a source kind did not change the URL")
    wait_for_charts(browser)

    query = query_of(browser.path)
    assert query.get("kind") == ["news_agency"] and query.get("signal") == ["visit"]
    assert [trace["x"] for trace in bar_traces(browser, "source_kinds")] == [["News agency"]]
    assert [trace["y"] for trace in bar_traces(browser, "sources")] == [[seed.feeds["agency"].title]]
    _, rows = chart_table(browser, "timeline")
    assert week_total_in_table(rows) == len(seed.matching("visit", kinds=[SourceKind.NEWS_AGENCY]))
    browser.assert_no_errors()


def test_languages_and_feeds_are_ticked_like_the_other_filters(browser, seed):
    browser.log_in_as(seed.analyst)
    browser.open("/?signal=visit")
    wait_for_charts(browser)
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "form.filters select[multiple]")

    browser.driver.find_element(By.CSS_SELECTOR, "input[type='checkbox'][name='lang'][value='ru']").click()
    browser.wait_until(lambda: "lang=ru" in browser.path, "ticking Russian did not change the URL")
    feed = seed.feeds["agency"]
    browser.driver.find_element(By.CSS_SELECTOR, f"input[type='checkbox'][name='feed'][value='{feed.pk}']").click()
    browser.wait_until(lambda: f"feed={feed.pk}" in browser.path, "ticking a feed did not change the URL")
    wait_for_charts(browser)

    query = query_of(browser.path)
    assert (query.get("lang"), query.get("feed"), query.get("signal")) == (["ru"], [str(feed.pk)], ["visit"])
    assert browser.driver.find_element(By.CSS_SELECTOR, "input[name='lang'][value='ru']").is_selected()
    assert browser.driver.find_element(By.CSS_SELECTOR, f"input[name='feed'][value='{feed.pk}']").is_selected()
    browser.assert_no_errors()


# --- 3. Drill-down -------------------------------------------------------------------------------------------------


def test_clicking_a_bar_lists_exactly_the_articles_of_that_type_in_that_week(browser, seed):
    monday, sunday = FOCUS_WEEK
    expected = sorted(article.title for article in seed.matching("visit", monday, sunday))
    # The seed's own check: the rejected visit and the two just outside the week are not expected.
    assert len(expected) == 3
    browser.log_in_as(seed.analyst)
    browser.open("/")
    wait_for_charts(browser)

    click_on(browser, bar_element(browser, "timeline", "Visit", monday))
    browser.wait_until(lambda: browser.path.startswith("/articles/?"), "clicking the bar did not open the list")

    query = query_of(browser.path)
    assert query.get("from") == [monday.isoformat()] and query.get("to") == [sunday.isoformat()]
    assert query.get("signal") == ["visit"]
    assert sorted(listed_titles(browser)) == expected
    browser.assert_no_errors()


# --- 4. Curation ----------------------------------------------------------------------------------------------------


# Neither the element nor any element around it is faded or struck through: either would show on the element.
LOOKS_ACTIVE = (
    "for (let node = arguments[0]; node; node = node.parentElement) {"
    "  const style = getComputedStyle(node);"
    "  if (style.opacity !== '1' || style.textDecorationLine.includes('line-through')) return false;"
    "}"
    "return true;"
)


def test_a_curators_rejection_shows_in_the_chart_at_once(browser, seed):
    monday, sunday = FOCUS_WEEK
    visits_that_week = len(seed.matching("visit", monday, sunday))
    browser.log_in_as(seed.curator)
    browser.open("/")
    wait_for_charts(browser)
    assert bar_height(browser, "timeline", "Visit", monday) == visits_that_week

    article, tag = seed.pending_visit.article, seed.pending_visit.tags["visit"]
    browser.open(f"/articles/{article.pk}/")
    decide = f"form.decide[action$='/tags/{tag.pk}/decide']"
    browser.driver.find_element(By.CSS_SELECTOR, f"{decide} button[value='reject']").click()
    browser.wait_until(lambda: "Visit rejected." in browser.text(), "the page did not confirm the rejection")
    (confirm,) = browser.driver.find_elements(By.CSS_SELECTOR, f"li.tag.rejected {decide} button[value='confirm']")
    # The rejected tag's text is struck through and faded; the button that can still confirm it is neither.
    assert browser.script(LOOKS_ACTIVE, confirm), "the Confirm button of a rejected tag looks disabled"
    summary = browser.driver.find_element(By.CSS_SELECTOR, "li.tag.rejected .tag-summary")
    assert "line-through" in summary.value_of_css_property("text-decoration-line")
    browser.screenshot("article-curator")

    browser.open("/")
    wait_for_charts(browser)
    assert bar_height(browser, "timeline", "Visit", monday) == visits_that_week - 1
    _, rows = chart_table(browser, "timeline")
    assert next(row for row in rows if row[0] == monday.isoformat())[1] == str(visits_that_week - 1)
    assert f"{seed.signal_total - 1} signals match" in browser.text()
    browser.assert_no_errors()


def test_analysts_see_no_curator_controls(browser, seed):
    browser.open("/accounts/login/")
    browser.driver.find_element(By.NAME, "username").send_keys(seed.analyst.username)
    browser.driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.driver.find_element(By.CSS_SELECTOR, "main form [type='submit']").click()
    browser.wait_until(lambda: browser.path == "/", "logging in did not lead to the overview")

    browser.open(f"/articles/{seed.pending_visit.article.pk}/")
    assert seed.pending_visit.article.title in browser.driver.find_element(By.TAG_NAME, "h1").text
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "form.decide, form.add-tag, button[name='decision']")
    assert not browser.driver.find_elements(By.XPATH, "//button[.='Confirm' or .='Reject' or .='Add tag']")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "a[href^='/admin/']")
    browser.assert_no_errors()


# --- 5. Hostile feeds -----------------------------------------------------------------------------------------------

XSS_TITLES = (
    "<script>window.__xss=1</script> Shoigu in Pyongyang",
    '<img src=x onerror="window.__xss=1"> Arms deal denied',
    '"><svg onload="window.__xss=1"> Drill off Vladivostok',
    '<a href="javascript:window.__xss=1">Aid shipment</a> arrives',
)
XSS_FEED_TITLE = '<a href="https://evil.example/">Hostile</a> <img src=x onerror="window.__xss=1">Feed'
XSS_SUMMARY = (
    "<p>Talks <b>continued</b> &lt;script&gt;window.__xss=1&lt;/script&gt;<script>window.__xss=1</script>"
    '<img src=x onerror="window.__xss=1"><a href="javascript:window.__xss=1">read more</a>'
    '<svg onload="window.__xss=1"></svg></p>'
)
XSS_EVIDENCE = '<script>window.__xss=1</script> Shoigu <img src=x onerror="window.__xss=1"> arrived'
# Short enough for the timeline to show it whole.
XSS_EVENT = '"><img src=x onerror=__xss=1>Summit'

FEED_LIST_MAX_WIDTH_PX = 300
FIND_SCRIPTS = "return [...document.scripts].map(s => ({src: s.getAttribute('src'), text: s.text}));"
FIND_HANDLERS = (
    "return [...document.querySelectorAll('*')].flatMap(el => [...el.attributes]"
    "  .filter(a => a.name.toLowerCase().startsWith('on')).map(a => `${el.tagName} ${a.name}`));"
)
FIND_SCRIPT_LINKS = (
    "return [...document.querySelectorAll('a, [href], [src]')].map(el => el.getAttribute('href')"
    "  || el.getAttributeNS('http://www.w3.org/1999/xlink', 'href') || el.getAttribute('src'))"
    "  .filter(url => url && url.replace(/\\s/g, '').toLowerCase().startsWith('javascript:'));"
)

# Links Plotly made out of label text (its own modebar buttons are HTML links, outside the SVG).
CHART_LINKS = (
    "return [...document.querySelectorAll('[data-chart] svg a')]"
    "  .map(a => a.getAttribute('href') || a.getAttributeNS('http://www.w3.org/1999/xlink', 'href'));"
)


@pytest.fixture
def hostile(seed) -> list[Article]:
    """A feed whose title, titles, summaries and evidence are attacks; summaries are stored as ingest stores them."""
    signals = {signal.slug: signal for signal in SignalType.objects.all()}
    feed = make_feed(title=XSS_FEED_TITLE, source_kind=SourceKind.INDEPENDENT_MEDIA, language="en")
    articles = []
    for number, title in enumerate(XSS_TITLES):
        # Newer than the seed, so the overview's first page lists them.
        published = at(date(2024, 5, 6) + timedelta(days=number))
        slug = TYPE_CYCLE[number]
        seeded = seed_article(feed, signals, published, [slug], title=title, summary_html=sanitize_html(XSS_SUMMARY))
        seeded.tags[slug].evidence = [{"sentence": XSS_EVIDENCE, "terms": ["Shoigu", "<img"]}]
        seeded.tags[slug].save(update_fields=["evidence"])
        articles.append(seeded.article)
    KeyEvent.objects.create(date=date(2024, 5, 7), label=XSS_EVENT, signal=signals["visit"])
    refresh_read_model()
    return articles


def assert_inert(browser: Browser, shown_as_text: list[str]) -> None:
    """Nothing ran, nothing could run, and the attacks are on the page as plain text."""
    assert browser.script("return typeof window.__xss") == "undefined"
    scripts = browser.script(FIND_SCRIPTS)
    assert all(s["src"] and s["src"].startswith("/static/") and not s["text"].strip() for s in scripts), scripts
    assert browser.script(FIND_HANDLERS) == []
    assert browser.script(FIND_SCRIPT_LINKS) == []
    page = browser.text()
    for text in shown_as_text:
        assert text in page, f"{browser.path}: {text!r} is not shown as text"
    browser.assert_no_errors()


def test_hostile_feeds_render_as_inert_text_on_every_page(browser, seed, hostile):
    browser.log_in_as(seed.analyst)
    browser.open("/")
    wait_for_charts(browser)
    assert chart_states(browser) == {name: "1" for name in CHART_NAMES}
    assert_inert(browser, [*XSS_TITLES, XSS_FEED_TITLE])

    browser.open("/articles/?from=2024-05-01")
    assert_inert(browser, [*XSS_TITLES, XSS_FEED_TITLE, XSS_EVIDENCE])
    # The feeds' box keeps its width however long a feed's title: the title is cut, and whole on hover.
    feed_list = browser.driver.find_element(By.CSS_SELECTOR, "form.filters .feed-list")
    assert feed_list.size["width"] <= FEED_LIST_MAX_WIDTH_PX
    assert browser.driver.find_element(By.CSS_SELECTOR, f"label[title='{XSS_FEED_TITLE}']")
    browser.screenshot("hostile-list")

    for article in hostile:
        browser.open(f"/articles/{article.pk}/")
        assert_inert(browser, [article.title, XSS_FEED_TITLE, XSS_EVIDENCE, "<script>window.__xss=1</script>"])
        assert "continued" in browser.driver.find_element(By.CSS_SELECTOR, ".content").text
    browser.screenshot("hostile-article")


def test_hostile_names_reach_the_charts_as_plain_text(browser, seed, hostile):
    """Plotly reads a little HTML in its labels (links, bold, line breaks): names from feeds must reach it escaped,
    and escaped only as far as Plotly unescapes (it turns &lt; back into <, but shows &quot; as it is)."""
    browser.log_in_as(seed.analyst)
    browser.open("/")
    wait_for_charts(browser)

    assert browser.script(CHART_LINKS) == []
    assert XSS_FEED_TITLE in chart_text(browser, "sources")
    assert XSS_EVENT in chart_text(browser, "timeline")
    browser.assert_no_errors()
