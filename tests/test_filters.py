"""Every filter value is validated one way everywhere: an invalid one is a 400 naming its parameter on the data
endpoints, the form's errors and no result on the pages, and never a wider result or a server error."""

import csv
import io
import json
from datetime import timedelta
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from ingest.models import SourceKind
from tests.dashboard_helpers import at, tagged_article
from tests.factories import make_feed
from tracker.chart_data import CHART_NAMES
from tracker.filters import (
    LIST_MAX_DEPTH_ARTICLES,
    MAX_FILTER_DATE,
    MIN_FILTER_DATE,
    PER_PAGE_CHOICES,
    FilterForm,
    InvalidFilterError,
)
from tracker.views.feeds import feed_token

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"

EXPORTS = [reverse("articles-export", args=[fmt]) for fmt in ("csv", "json")]
CHARTS = [reverse(route, args=[name]) for name in CHART_NAMES for route in ("chart-data", "chart-csv")]
ATOM_FEED = reverse("signals-feed")
DATA_ENDPOINTS = [*EXPORTS, *CHARTS, ATOM_FEED]
PAGES = [reverse("home"), reverse("article-list")]

# (query, the parameter the answer must name), one row per kind of invalid value.
INVALID_QUERIES = [
    ({"signal": "arms-deal"}, "signal"),  # the slug is arms_deal
    ({"signal": ["visit", "nonsense"]}, "signal"),
    ({"feed": "abc"}, "feed"),
    ({"feed": "99999999999999999999"}, "feed"),
    ({"kind": "blog"}, "kind"),
    ({"lang": "xx"}, "lang"),
    ({"min_conf": "0.55"}, "min_conf"),
    ({"min_conf": "high"}, "min_conf"),
    ({"period": "year"}, "period"),
    ({"count": "words"}, "count"),
    ({"sort": "title"}, "sort"),
    ({"from": "2024-13-45"}, "from"),
    ({"from": "0001-01-01"}, "from"),
    ({"from": (MIN_FILTER_DATE - timedelta(days=1)).isoformat()}, "from"),
    ({"to": "9999-12-31"}, "to"),
    ({"to": (MAX_FILTER_DATE + timedelta(days=1)).isoformat()}, "to"),
    ({"from": "2024-06-10", "to": "2024-06-01"}, "to"),
    ({"q": "x" * 201}, "q"),
    ({"q": "visit\x00"}, "q"),
    ({"page": "0"}, "page"),
    ({"page": "banana"}, "page"),
    ({"page": "9223372036854775807"}, "page"),
    ({"per_page": "7"}, "per_page"),
    ({"per_page": "100000"}, "per_page"),
]
QUERY_IDS = [f"{name}={query.get(name)!r:.30}" for query, name in INVALID_QUERIES]


@pytest.fixture
def articles():
    state = make_feed(title="State Wire", source_kind=SourceKind.STATE_MEDIA)
    agency = make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY)
    return [
        tagged_article(state, {"visit": 0.91, "arms_deal": 0.62}, title="Shoigu visits Pyongyang", published_at=at(3)),
        tagged_article(agency, {"drill": 0.8}, title="Joint drill", published_at=at(10)),
        tagged_article(agency, {"visit": 0.7}, title="Earlier visit", published_at=at(3, month=1)),
    ]


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode()


def items_in(url: str, response) -> int:
    """How many results a data endpoint's answer holds: rows, articles, entries or counted signals."""
    if response.status_code != 200:
        return 0
    body = body_of(response)
    if url == ATOM_FEED:
        return len(ElementTree.fromstring(body).findall(f"{ATOM}entry"))
    if url.endswith(".json") and url in EXPORTS:
        return len(json.loads(body)["articles"])
    if url.endswith(".json"):
        return len(json.loads(body)["table"]["rows"])
    return len(list(csv.reader(io.StringIO(body)))) - 1


# --- The data endpoints ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "parameter"), INVALID_QUERIES, ids=QUERY_IDS)
def test_an_invalid_value_is_a_400_naming_its_parameter_on_every_data_endpoint(client, analyst, query, parameter):
    for url in DATA_ENDPOINTS:
        response = client.get(url, query)
        assert response.status_code == 400, url
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert f"\n{parameter}: " in response.content.decode(), url


@pytest.mark.parametrize(("query", "parameter"), INVALID_QUERIES, ids=QUERY_IDS)
def test_an_invalid_value_never_widens_a_data_endpoints_result(client, analyst, articles, query, parameter):
    matching_nothing = {"from": "2024-01-01", "to": "2024-01-01"}
    for url in DATA_ENDPOINTS:
        assert items_in(url, client.get(url)) > 0, url  # the comparison below could not fail otherwise
        assert items_in(url, client.get(url, query)) <= items_in(url, client.get(url, matching_nothing)), url


# URLs an audit found answering 500, breaking an export off mid-file, or widening the result.
AUDIT_URLS = [
    ("/articles/?to=9999-12-31", "to", "Enter a date between 1900-01-01 and 2999-12-31."),
    ("/charts/timeline.json?from=0001-01-01", "from", "Enter a date between 1900-01-01 and 2999-12-31."),
    ("/charts/per_type.csv?to=9999-12-30", "to", "Enter a date between 1900-01-01 and 2999-12-31."),
    ("/feeds/signals.atom?to=9999-12-31", "to", "Enter a date between 1900-01-01 and 2999-12-31."),
    ("/articles/?q=visit&page=9223372036854775807", "page", "Pages go up to 2000 at 50 per page"),
    ("/articles/export.csv?q=visit&page=9223372036854775807", "page", "Pages go up to 2000 at 50 per page"),
    ("/articles/export.json?signal=arms-deal", "signal", "Select a valid choice. arms-deal is not one of"),
]


@pytest.mark.parametrize(("url", "parameter", "reason"), AUDIT_URLS)
def test_the_audits_urls_are_refused_with_their_reason(client, analyst, articles, url, parameter, reason):
    response = client.get(url)
    body = body_of(response)
    assert response.status_code == 400 and reason in body
    if urlsplit(url).path not in PAGES:
        assert f"\n{parameter}: {reason}" in body


def test_a_feed_reader_with_a_token_is_told_which_filter_is_wrong(analyst, articles):
    reader = Client()
    response = reader.get(ATOM_FEED, {"token": feed_token(analyst), "kind": "blog"})
    assert response.status_code == 400 and "kind: Select a valid choice." in response.content.decode()


def test_without_a_login_an_invalid_filter_still_asks_to_log_in_first(client):
    for url in [*PAGES, *EXPORTS, *CHARTS, ATOM_FEED]:
        assert client.get(url, {"signal": "arms-deal"}).status_code == 302, url


# --- The pages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "parameter"), INVALID_QUERIES, ids=QUERY_IDS)
def test_a_page_shows_the_forms_errors_and_no_result_for_an_invalid_value(client, analyst, articles, query, parameter):
    for url in PAGES:
        response = client.get(url, query)
        page = response.content.decode()
        assert response.status_code == 400, url
        assert 'role="alert"' in page and response.context["form"].errors, url
        assert "Shoigu visits Pyongyang" not in page and "data-chart=" not in page, url
        assert "export." not in page and "signals.atom" not in page, url


def test_the_form_keeps_the_invalid_value_so_that_it_can_be_corrected(client, analyst):
    page = client.get(reverse("article-list"), {"from": "0001-01-01", "q": "Shoigu"}).content.decode()
    assert 'name="from" value="0001-01-01"' in page and 'name="q" value="Shoigu"' in page
    assert "From: Enter a date between 1900-01-01 and 2999-12-31." in page


def test_a_page_beyond_the_list_is_empty_not_an_error(client, analyst, articles):
    response = client.get(reverse("article-list"), {"page": "40", "per_page": "10"})
    assert response.status_code == 200 and response.context["page"].articles == []
    assert response.context["next_url"] == "" and "page=39" in response.context["previous_url"]


@pytest.mark.parametrize("per_page", PER_PAGE_CHOICES)
def test_pages_reach_the_list_depth_at_every_page_size_and_no_further(client, analyst, articles, per_page):
    last = LIST_MAX_DEPTH_ARTICLES // per_page
    for query in ({"per_page": per_page, "page": last}, {"per_page": per_page, "page": last, "q": "visit"}):
        assert client.get(reverse("article-list"), query).status_code == 200
    beyond = client.get(reverse("articles-export", args=["csv"]), {"per_page": per_page, "page": last + 1})
    assert beyond.status_code == 400
    assert f"page: Pages go up to {last} at {per_page} per page" in beyond.content.decode()


# --- The range of dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["day", "week", "month"])
@pytest.mark.parametrize("q", ["", "visit"])
def test_the_first_and_last_dates_a_filter_accepts_work_on_every_endpoint(client, analyst, articles, period, q):
    ranges = [
        {"from": MIN_FILTER_DATE.isoformat()},
        {"to": MAX_FILTER_DATE.isoformat()},
        {"from": MIN_FILTER_DATE.isoformat(), "to": MAX_FILTER_DATE.isoformat()},
        {"from": MAX_FILTER_DATE.isoformat()},
        {"to": MIN_FILTER_DATE.isoformat()},
    ]
    for dates in ranges:
        for url in [*PAGES, *DATA_ENDPOINTS]:
            response = client.get(url, {**dates, "period": period, "q": q, "count": "stories"})
            assert response.status_code == 200, (url, dates)
            body_of(response)  # a streamed export that broke off would raise here


def test_the_whole_accepted_range_finds_every_article(client, analyst, articles):
    everything = {"from": MIN_FILTER_DATE.isoformat(), "to": MAX_FILTER_DATE.isoformat()}
    for url in DATA_ENDPOINTS:
        assert items_in(url, client.get(url, everything)) == items_in(url, client.get(url)), url


# --- The form itself -------------------------------------------------------------------------------------------


def test_an_invalid_form_gives_no_filter_at_all():
    form = FilterForm(QueryDict("signal=arms-deal&kind=state_media"))
    with pytest.raises(InvalidFilterError):
        form.to_filter()
    assert form.query_errors() == ["signal: Select a valid choice. arms-deal is not one of the available choices."]


def test_errors_are_named_as_in_the_query_string():
    form = FilterForm(QueryDict("from=2024-06-10&to=2024-06-01&per_page=7"))
    assert not form.is_valid()
    assert set(form.query_errors()) == {
        "to: The end date is before the start date.",
        "per_page: Select a valid choice. 7 is not one of the available choices.",
    }
