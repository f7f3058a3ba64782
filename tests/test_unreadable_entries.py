"""A feed with one unreadable value, polled from a real server on 127.0.0.1: every good entry is stored."""

from datetime import UTC, datetime

import pytest

from ingest.models import Article, Feed, FetchOutcome
from ingest.refresh import refresh_feed
from tests.factories import make_feed
from tests.feedserver import feed_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

GOOD_DATE = "Mon, 03 Mar 2025 08:00:00 GMT"


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    settings.INGEST_FETCH_DEADLINE_SECONDS = 2
    settings.INGEST_CONNECT_TIMEOUT_SECONDS = 1


def feed_with(bad_item: str) -> bytes:
    """Two good items around the bad one."""
    items = "".join(
        [
            f"<item><guid>good-1</guid><title>First</title><pubDate>{GOOD_DATE}</pubDate></item>",
            bad_item,
            f"<item><guid>good-2</guid><title>Last</title><pubDate>{GOOD_DATE}</pubDate></item>",
        ]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example/</link>{items}</channel></rss>"
    ).encode()


def poll(feed_server, body: bytes) -> tuple[Feed, object]:
    feed = make_feed(url=feed_server.route("/feed.xml", body))
    result = refresh_feed(feed.pk, force=True)
    feed.refresh_from_db()
    return feed, result


def test_a_lone_surrogate_reference_is_replaced_and_the_whole_feed_stored(feed_server):
    bad_item = "<item><guid>bad</guid><title>Kim &#xD800; visits</title><description>a &#xD800; b</description></item>"

    feed, result = poll(feed_server, feed_with(bad_item))

    assert (result.outcome, feed.last_outcome, feed.consecutive_failures) == ("ok", FetchOutcome.OK, 0)
    titles = sorted(Article.objects.filter(feed=feed).values_list("title", flat=True))
    assert titles == ["First", "Kim \ufffd visits", "Last"]


def test_a_date_past_year_9999_leaves_the_entry_undated_and_the_whole_feed_stored(feed_server):
    bad_item = "<item><guid>bad</guid><title>Far ahead</title><pubDate>Fri, 31 Dec 9999 23:00:00 -0100</pubDate></item>"

    feed, result = poll(feed_server, feed_with(bad_item))

    assert (result.outcome, feed.last_outcome, feed.consecutive_failures) == ("ok", FetchOutcome.OK, 0)
    stored = {article.title: article for article in Article.objects.filter(feed=feed)}
    assert sorted(stored) == ["Far ahead", "First", "Last"]
    assert stored["Far ahead"].is_published_at_estimated
    assert stored["First"].published_at == datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
