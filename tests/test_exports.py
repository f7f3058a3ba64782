"""Exports of a filtered view: the list as CSV and JSON, each chart as JSON and CSV, and the Atom feed."""

import csv
import io
import json
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.urls import reverse

from ingest.models import SourceKind
from tests.dashboard_helpers import HOSTILE_STRINGS, PASSWORD, at, make_user, tagged_article
from tests.factories import make_feed
from tracker.chart_data import CHART_NAMES, chart_table
from tracker.filters import SignalFilter
from tracker.roles import ANALYST
from tracker.views import exports
from tracker.views.feeds import feed_token, feed_url

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def articles():
    state = make_feed(title="State Wire", source_kind=SourceKind.STATE_MEDIA)
    agency = make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY)
    return {
        "visit": tagged_article(
            state, {"visit": 0.91, "arms_deal": 0.62}, title="Shoigu in Pyongyang", published_at=at(3), language="ru"
        ),
        "drill": tagged_article(agency, {"drill": 0.8}, title="Joint drill", published_at=at(10)),
        "old_visit": tagged_article(agency, {"visit": 0.7}, title="Earlier visit", published_at=at(3, month=1)),
    }


def streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(streamed(response))))


# --- The article list ------------------------------------------------------------------------------------------


def test_csv_export_holds_exactly_the_filtered_articles(client, analyst, articles):
    url = reverse("articles-export", args=["csv"])
    response = client.get(url, {"signal": "visit", "from": "2024-06-01"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="signals-articles.csv"'
    assert response["X-Export-Max-Rows"] == "50000"
    rows = csv_rows(response)
    assert [row["title"] for row in rows] == ["Shoigu in Pyongyang"]
    row = rows[0]
    assert row["feed"] == "State Wire" and row["source_kind"] == "state_media" and row["language"] == "ru"
    assert row["signals"] == "visit:0.91"  # the filter's type only: the list shows what matched
    assert row["published_at"] == "2024-06-03T10:00:00+00:00"
    assert row["page"] == f"http://testserver/articles/{articles['visit'].pk}/"


def test_csv_export_without_a_filter_lists_every_tagged_article_with_all_its_signals(client, analyst, articles):
    rows = csv_rows(client.get(reverse("articles-export", args=["csv"])))
    assert [row["title"] for row in rows] == ["Joint drill", "Shoigu in Pyongyang", "Earlier visit"]
    assert rows[1]["signals"] == "visit:0.91;arms_deal:0.62" and rows[1]["max_confidence"] == "0.91"


def test_json_export_holds_the_filter_the_cap_and_each_article(client, analyst, articles):
    response = client.get(reverse("articles-export", args=["json"]), {"kind": "news_agency"})
    assert response["Content-Type"] == "application/json"
    document = json.loads(streamed(response))
    assert document["filter"] == "kind=news_agency" and document["max_rows"] == 50_000
    assert [item["title"] for item in document["articles"]] == ["Joint drill", "Earlier visit"]
    first = document["articles"][0]
    assert first["signals"] == [{"signal": "drill", "confidence": 0.8, "curated": False}]
    assert first["feed"] == "Agency Wire" and first["id"] == articles["drill"].pk


def test_an_export_of_nothing_is_still_well_formed(client, analyst):
    assert json.loads(streamed(client.get(reverse("articles-export", args=["json"]))))["articles"] == []
    assert csv_rows(client.get(reverse("articles-export", args=["csv"]))) == []


def test_exports_stop_at_the_row_cap(client, analyst, articles, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 2)
    assert len(csv_rows(client.get(reverse("articles-export", args=["csv"])))) == 2
    document = json.loads(streamed(client.get(reverse("articles-export", args=["json"]))))
    assert len(document["articles"]) == 2 and document["max_rows"] == 2


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, analyst):
    tagged_article(make_feed(title="@feed"), {"visit": 0.9}, title='=HYPERLINK("https://evil.example","x")')
    row = csv_rows(client.get(reverse("articles-export", args=["csv"])))[0]
    assert row["title"] == '\'=HYPERLINK("https://evil.example","x")' and row["feed"] == "'@feed"


def test_unknown_export_formats_are_not_found(client, analyst):
    assert client.get("/articles/export.xlsx").status_code == 404


@pytest.mark.parametrize("article_count", [10, 50])
def test_export_queries_do_not_grow_with_rows(client, analyst, django_assert_max_num_queries, article_count):
    feed = make_feed()
    for _ in range(article_count):
        tagged_article(feed, {"visit": 0.9, "drill": 0.6})
    with django_assert_max_num_queries(8):
        assert len(csv_rows(client.get(reverse("articles-export", args=["csv"])))) == article_count


# --- Charts ---------------------------------------------------------------------------------------------------


def test_chart_csv_has_the_numbers_of_the_chart_table(client, analyst, articles):
    f = SignalFilter(signals=("visit",))
    response = client.get(reverse("chart-csv", args=["heatmap"]), {"signal": "visit"})
    assert response["Content-Disposition"] == 'attachment; filename="signals-heatmap.csv"'
    columns, rows = chart_table("heatmap", f)
    assert list(csv.reader(io.StringIO(streamed(response)))) == [columns, *[[str(v) for v in row] for row in rows]]


def test_chart_json_agrees_with_the_chart_csv(client, analyst, articles):
    query = {"from": "2024-06-01"}
    for name in CHART_NAMES:
        payload = client.get(reverse("chart-data", args=[name]), query).json()
        table = list(csv.reader(io.StringIO(streamed(client.get(reverse("chart-csv", args=[name]), query)))))
        assert table[0] == payload["table"]["columns"], name
        assert table[1:] == [[str(v) for v in row] for row in payload["table"]["rows"]], name


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_chart_json_carries_no_markup_from_feed_titles_or_key_events(client, analyst, hostile):
    from tracker.models import KeyEvent

    tagged_article(make_feed(title=f"Feed {hostile}"), {"visit": 0.9}, published_at=at(3))
    KeyEvent.objects.create(date=at(4).date(), label=f"Event {hostile}")
    for name in CHART_NAMES:
        raw = client.get(reverse("chart-data", args=[name])).content.decode()
        assert "<" not in raw and ">" not in raw, name
        json.loads(raw)


# --- The Atom feed --------------------------------------------------------------------------------------------


def atom_entries(response) -> list[ElementTree.Element]:
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def test_atom_feed_lists_the_newest_matching_articles_with_their_signals(client, analyst, articles):
    entries = atom_entries(client.get(reverse("signals-feed"), {"signal": "visit"}))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Shoigu in Pyongyang", "Earlier visit"]
    first = entries[0]
    link = first.find(f"{ATOM}link").get("href")
    assert link == f"http://testserver{reverse('article-detail', args=[articles['visit'].pk])}"
    assert [category.get("term") for category in first.findall(f"{ATOM}category")] == ["Visit"]
    assert "Visit (confidence 0.91)" in first.findtext(f"{ATOM}summary")
    assert first.findtext(f"{ATOM}published").startswith("2024-06-03T10:00:00")


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_atom_feed_escapes_hostile_titles(client, analyst, hostile):
    tagged_article(make_feed(title=f"Feed {hostile}"), {"visit": 0.9}, title=f"Title {hostile}")
    entry = atom_entries(client.get(reverse("signals-feed")))[0]
    assert entry.findtext(f"{ATOM}title") == f"Title {hostile}"
    # The summary is HTML for the reader to render: the hostile text inside it is escaped once more.
    assert hostile not in entry.findtext(f"{ATOM}summary")


def test_a_feed_reader_reads_the_feed_with_the_users_token(articles):
    user = make_user(ANALYST)
    reader = Client()
    url = feed_url(user, SignalFilter(signals=("drill",)))
    response = reader.get(url)
    entries = atom_entries(response)
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Joint drill"]
    self_link = ElementTree.fromstring(response.content).find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link == f"http://testserver{url}"


def test_the_feed_refuses_missing_forged_and_revoked_tokens(articles):
    user = make_user(ANALYST)
    reader = Client()
    assert reader.get(reverse("signals-feed")).status_code == 302
    token = feed_token(user)
    assert reader.get(reverse("signals-feed"), {"token": token[:-2] + "xx"}).status_code == 403
    assert reader.get(reverse("signals-feed"), {"token": "not-a-token"}).status_code == 403
    assert reader.get(reverse("signals-feed"), {"token": token}).status_code == 200
    user.set_password(PASSWORD + "-changed")
    user.save()
    assert reader.get(reverse("signals-feed"), {"token": token}).status_code == 403


def test_a_deactivated_users_feed_links_stop_working(articles):
    user = make_user(ANALYST)
    token = feed_token(user)
    user.is_active = False
    user.save()
    assert Client().get(reverse("signals-feed"), {"token": token}).status_code == 403


def test_the_feed_stops_at_its_entry_limit(client, analyst, monkeypatch):
    from tracker.views import feeds

    monkeypatch.setattr(feeds, "FEED_ENTRIES", 3)
    feed = make_feed()
    for day in range(1, 6):
        tagged_article(feed, {"visit": 0.9}, title=f"Visit {day}", published_at=datetime(2024, 6, day, tzinfo=UTC))
    entries = atom_entries(client.get(reverse("signals-feed")))
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Visit 5", "Visit 4", "Visit 3"]


def test_json_holds_no_character_that_could_open_or_close_markup():
    value = {"title": '</script><img src=x onerror="alert(1)"> & co', "n": [1, 2]}
    text = exports.json_text(value)
    assert not {"<", ">", "&"} & set(text)
    assert json.loads(text) == value
