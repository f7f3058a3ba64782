"""Random query strings against every page, export and chart: never a server error, never a broken body.

Hypothesis draws each filter parameter's value from valid ones, invalid ones, extremes (dates at either end of
the calendar, integers past 64 bits) and arbitrary Unicode, with stray bytes of percent-encoding besides. The
runs are derandomized and bounded, so that the suite sees the same examples every time.
"""

import csv
import io
import json
from datetime import date
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.models import SourceKind
from tests.dashboard_helpers import at, tagged_article
from tests.factories import make_feed
from tracker.chart_data import CHART_NAMES
from tracker.filters import CONFIDENCE_CHOICES, LANGUAGE_CHOICES, MAX_FILTER_DATE, MIN_FILTER_DATE, PER_PAGE_CHOICES
from tracker.views.exports import CSV_COLUMNS

pytestmark = pytest.mark.django_db

PAGES = [reverse("home"), reverse("article-list")]
EXPORTS = [reverse("articles-export", args=[fmt]) for fmt in ("csv", "json")]
CHARTS = [reverse(route, args=[name]) for name in CHART_NAMES for route in ("chart-data", "chart-csv")]
ATOM_FEED = reverse("signals-feed")
ENDPOINTS = [*PAGES, *EXPORTS, *CHARTS, ATOM_FEED]

# The fixtures (a seeded database, a logged-in client) serve every example.
FUZZ_SETTINGS = settings(
    max_examples=1000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SIGNALS = ["visit", "denial", "arms_deal", "drill", "tech_transfer", "aid_trade"]
VALID_VALUES = {
    "from": st.dates(MIN_FILTER_DATE, MAX_FILTER_DATE).map(date.isoformat),
    "to": st.dates(MIN_FILTER_DATE, MAX_FILTER_DATE).map(date.isoformat),
    "signal": st.sampled_from(SIGNALS),
    "kind": st.sampled_from(SourceKind.values),
    "lang": st.sampled_from([code for code, _ in LANGUAGE_CHOICES]),
    "min_conf": st.sampled_from([value for value, _ in CONFIDENCE_CHOICES]),
    "curated": st.sampled_from(["1", "0", "on", "true", ""]),
    "q": st.sampled_from(["visit", "Shoigu Pyongyang", "ракет", "러시아", '"joint drill"', "-visit", "visit OR drill"]),
    "period": st.sampled_from(["day", "week", "month"]),
    "count": st.sampled_from(["articles", "stories"]),
    "sort": st.sampled_from(["-date", "date", "-confidence", "-rank"]),
    "page": st.integers(1, 3000).map(str),
    "per_page": st.sampled_from(PER_PAGE_CHOICES).map(str),
}
PARAMETERS = [*VALID_VALUES, "feed"]
EXTREME_VALUES = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "0000-00-00", "2024-02-30", "-1", "0", "1e308", "NaN", "∞"]),
    st.integers(-(2**80), 2**80).map(str),
    st.just("9" * 5000),
)
UNICODE_VALUES = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
# Percent-encoding that decodes to nothing valid, NULs, separators: appended to the query as they are.
RAW_FRAGMENTS = st.sampled_from(["%ff%fe", "%00", "%", "%zz", "&&", "=", "%E2%82", "page", "from=&to=", ";", "+%2B"])


@pytest.fixture
def seeded():
    state = make_feed(title="State Wire", source_kind=SourceKind.STATE_MEDIA, language="ru")
    agency = make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY)
    tagged_article(state, {"visit": 0.91, "arms_deal": 0.62}, title="Shoigu visits Pyongyang", published_at=at(3))
    tagged_article(agency, {"drill": 0.8}, title="Joint drill off the coast", published_at=at(10), language="ko")
    tagged_article(agency, {"visit": 0.7, "denial": 0.55}, title="Earlier visit denied", published_at=at(3, month=1))
    return [state.pk, agency.pk]


@st.composite
def query_strings(draw, feed_ids: list[int]) -> str:
    values = {**VALID_VALUES, "feed": st.sampled_from([str(feed_id) for feed_id in feed_ids])}
    pairs = []
    for name in draw(st.lists(st.sampled_from(PARAMETERS), max_size=6)):
        value = draw(st.one_of(values[name], values[name], EXTREME_VALUES, UNICODE_VALUES))
        pairs.append((name, value))
    query = urlencode(pairs)
    if draw(st.booleans()):
        query = "&".join(filter(None, [query, draw(RAW_FRAGMENTS)]))
    return query


def assert_complete(url: str, response) -> None:
    """The body is a whole document of its kind: no export or chart broke off half-way."""
    body = (b"".join(response.streaming_content) if response.streaming else response.content).decode()
    if response.status_code == 400 and url not in PAGES:
        assert response["Content-Type"] == "text/plain; charset=utf-8" and body.startswith("Invalid filter:\n")
    elif url in PAGES:
        assert body.rstrip().endswith("</html>")
        assert (response.status_code == 400) == ('role="alert"' in body)
    elif url == ATOM_FEED:
        ElementTree.fromstring(body)
    elif url in EXPORTS and url.endswith(".json"):
        assert isinstance(json.loads(body)["articles"], list)
    elif url.endswith(".json"):
        assert {"name", "figure", "table"} <= set(json.loads(body))
    else:
        assert_complete_csv(url, body)


def assert_complete_csv(url: str, body: str) -> None:
    rows = list(csv.reader(io.StringIO(body)))
    assert body.endswith("\r\n") and rows
    assert all(len(row) == len(rows[0]) for row in rows)
    if url in EXPORTS:
        assert rows[0] == CSV_COLUMNS


def test_random_query_strings_never_break_a_page_an_export_or_a_chart(client, analyst, seeded):
    @FUZZ_SETTINGS
    @given(url=st.sampled_from(ENDPOINTS), query=query_strings(seeded))
    def check(url: str, query: str) -> None:
        # A savepoint per request: a failed query must not abort the transaction the next examples run in.
        with transaction.atomic():
            response = client.get(f"{url}?{query}")
            assert response.status_code in (200, 302, 400), (url, query, response.status_code)
            assert_complete(url, response)

    check()
