"""The read model's freshness has one owner, the writers: reads never write, and every decision shows at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ingest.models import Feed, SourceKind
from tests.dashboard_helpers import at, make_user, signal, tagged_article
from tests.factories import make_feed
from tracker.chart_data import CHART_NAMES
from tracker.models import RollupDirtyDay, Tag
from tracker.roles import ANALYST, CURATOR
from tracker.tasks import refresh_read_model_task

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")


def chart_totals(client, name: str, **query) -> int:
    """The chart's data table's totals, summed."""
    table = client.get(reverse("chart-data", args=[name]), query).json()["table"]
    total = table["columns"].index("Total")
    return sum(row[total] for row in table["rows"])


@pytest.fixture
def shipment(client):
    feed = make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY)
    return tagged_article(feed, {"arms_deal": 0.8, "visit": 0.7}, published_at=at(3), title="Shells by rail")


def test_reading_every_page_and_chart_writes_nothing_even_with_days_left_to_recount(client, shipment):
    client.force_login(make_user(ANALYST))
    Tag.objects.filter(article=shipment, signal=signal("visit")).delete()  # a write no writer refreshed after
    # PostgreSQL's triggers log the day for recounting (SQLite has none, and rebuilds when a writer refreshes).
    is_marked = connection.vendor == "postgresql"
    assert RollupDirtyDay.objects.exists() == is_marked
    urls = [reverse("home"), reverse("article-list"), reverse("article-list") + "?q=shells"]
    urls += [reverse("chart-data", args=[name]) + query for name in CHART_NAMES for query in ("", "?q=shells")]
    with CaptureQueriesContext(connection) as queries:
        for url in urls:
            assert client.get(url).status_code == 200
    written = [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith(WRITES)]
    assert written == []
    assert RollupDirtyDay.objects.exists() == is_marked


@pytest.mark.parametrize("search", ["", "shells"])
def test_a_curators_rejection_shows_in_every_chart_on_the_next_page_load(client, shipment, search):
    client.force_login(make_user(CURATOR))
    before = {name: chart_totals(client, name, q=search) for name in CHART_NAMES}
    tag = shipment.tags.get(signal__slug="arms_deal")
    response = client.post(reverse("tag-decide", args=[shipment.pk, tag.pk]), {"decision": "reject"})
    assert response.status_code == 302
    after = {name: chart_totals(client, name, q=search) for name in CHART_NAMES}
    assert all(after[name] == before[name] - 1 for name in CHART_NAMES), (before, after)


def test_a_curators_added_tag_shows_in_the_curated_charts_on_the_next_page_load(client, shipment):
    client.force_login(make_user(CURATOR))
    assert chart_totals(client, "timeline", curated="1") == 0
    client.post(reverse("tag-add", args=[shipment.pk]), {"signal": "denial", "evidence_note": "Moscow denied it."})
    assert {name: chart_totals(client, name, curated="1") for name in CHART_NAMES} == dict.fromkeys(CHART_NAMES, 1)


def test_the_beat_task_recounts_what_other_writes_marked(client, shipment):
    client.force_login(make_user(ANALYST))
    assert chart_totals(client, "timeline", kind=SourceKind.THINK_TANK) == 0
    Feed.objects.filter(pk=shipment.feed_id).update(source_kind=SourceKind.THINK_TANK)  # an admin's edit
    assert chart_totals(client, "timeline", kind=SourceKind.THINK_TANK) == 0  # marked, not yet recounted
    refresh_read_model_task()
    assert chart_totals(client, "timeline", kind=SourceKind.THINK_TANK) == 2
    assert not RollupDirtyDay.objects.exists()
