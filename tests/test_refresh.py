"""refresh_feed end to end: a real server on 127.0.0.1, the real fetcher, parser and PostgreSQL."""

import email.utils
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from ingest.models import Article, ArticleSource, Feed, FetchOutcome
from ingest.refresh import RefreshResult, refresh_feed
from ingest.signals import articles_stored
from tests.feedserver import feed_server_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

DEADLINE_SECONDS = 2
MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
ETAG = '"wire-v1"'
LAST_MODIFIED = "Tue, 04 Mar 2025 08:00:00 GMT"
FIRST_BULLETIN_AT = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_ingest_settings(settings):
    settings.INGEST_FETCH_DEADLINE_SECONDS = DEADLINE_SECONDS
    settings.INGEST_CONNECT_TIMEOUT_SECONDS = 1
    settings.INGEST_MAX_BODY_BYTES = MAX_BODY_BYTES
    settings.INGEST_MAX_REDIRECTS = MAX_REDIRECTS
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def announcements():
    """Every articles_stored signal sent during the test, as its keyword arguments."""
    received = []

    def receive(sender, **kwargs):
        received.append(kwargs)

    articles_stored.connect(receive, weak=False)
    yield received
    articles_stored.disconnect(receive)


def rss(*items: str, title: str = "Loopback Wire") -> bytes:
    channel = f"<title>{title}</title><link>http://wire.example/</link>" + "".join(items)
    root = '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    return f'<?xml version="1.0" encoding="utf-8"?>\n{root}<channel>{channel}</channel></rss>'.encode()


def item(title: str = "", guid: str = "", link: str = "", description: str = "", date: str = "") -> str:
    """One RSS item; every argument is an XML fragment, so callers escape or wrap in CDATA."""
    fields = {"title": title, "guid": guid, "link": link, "description": description, "pubDate": date}
    return "<item>" + "".join(f"<{name}>{value}</{name}>" for name, value in fields.items() if value) + "</item>"


def numbered_items(count: int) -> list[str]:
    return [
        item(
            f"Bulletin {number}",
            guid=f"bulletin-{number}",
            link=f"http://wire.example/news/{number}",
            description=f"Text of bulletin {number}",
            date=email.utils.format_datetime(FIRST_BULLETIN_AT + timedelta(hours=number), usegmt=True),
        )
        for number in range(1, count + 1)
    ]


def numbered_atom(count: int) -> bytes:
    entries = "".join(
        f"<entry><title>Bulletin {number}</title><id>urn:wire:{number}</id>"
        f'<link href="http://wire.example/news/{number}"/>'
        f"<updated>{(FIRST_BULLETIN_AT + timedelta(hours=number)).isoformat()}</updated>"
        f'<content type="html">&lt;p&gt;Text of bulletin {number}&lt;/p&gt;</content></entry>'
        for number in range(1, count + 1)
    )
    feed = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>Loopback Wire</title>{entries}</feed>'
    return f'<?xml version="1.0" encoding="utf-8"?>\n{feed}'.encode()


def make_feed(url: str, **fields) -> Feed:
    return Feed.objects.create(url=url, **fields)


def poll(feed: Feed) -> RefreshResult:
    result = refresh_feed(feed.pk, force=True)
    feed.refresh_from_db()
    return result


def feed_articles(feed: Feed):
    return Article.objects.filter(feed=feed)


def wait_until_next_poll(feed: Feed) -> timedelta:
    return feed.next_poll_at - feed.last_polled_at


# --- Storing what the feed says


@pytest.mark.parametrize("build", [lambda count: rss(*numbered_items(count)), numbered_atom], ids=["rss", "atom"])
def test_first_poll_stores_every_entry(feed_server, build):
    entry_count = 5
    feed = make_feed(feed_server.route("/wire.xml", build(entry_count)))

    result = poll(feed)

    articles = feed_articles(feed)
    assert result.outcome == FetchOutcome.OK
    assert result.entry_count == entry_count
    assert sorted(result.new_ids) == sorted(articles.values_list("pk", flat=True))
    assert articles.count() == entry_count
    assert ArticleSource.objects.filter(feed=feed).count() == entry_count
    assert sorted(articles.values_list("published_at", flat=True)) == [
        FIRST_BULLETIN_AT + timedelta(hours=number) for number in range(1, entry_count + 1)
    ]
    assert (feed.last_outcome, feed.last_status_code, feed.title) == (FetchOutcome.OK, 200, "Loopback Wire")


def test_first_poll_stores_sanitized_html_and_plain_titles(feed_server):
    hostile = item(
        "<![CDATA[<b>Summit</b> &amp; <i>talks</i>]]>",
        guid="summit",
        description="<![CDATA[<p onclick='steal()'>Talks <b>resume</b><script>alert(1)</script></p>]]>",
    )
    feed = make_feed(feed_server.route("/wire.xml", rss(hostile)))

    poll(feed)

    article = feed_articles(feed).get()
    assert article.title == "Summit & talks"
    assert "<b>resume</b>" in article.summary_html
    assert "script" not in article.summary_html
    assert "alert" not in article.summary_html
    assert "onclick" not in article.summary_html
    assert "alert" not in article.text


def test_polling_the_same_body_again_creates_no_rows(feed_server):
    items = numbered_items(4)
    feed = make_feed(feed_server.route("/wire.xml", rss(*items)))
    poll(feed)

    again = poll(feed)

    assert (again.outcome, again.new_ids, again.updated_ids) == (FetchOutcome.OK, [], [])
    assert feed_articles(feed).count() == len(items)
    assert ArticleSource.objects.filter(feed=feed).count() == len(items)
    assert feed_server.hits("/wire.xml") == 2


def test_304_repoll_writes_no_articles_and_keeps_the_stored_validators(feed_server):
    items = numbered_items(3)
    feed = make_feed(feed_server.route("/wire.xml", rss(*items), etag=ETAG, last_modified=LAST_MODIFIED))
    poll(feed)
    rows_before = sorted(feed_articles(feed).values_list("pk", "updated_at"))

    result = poll(feed)

    assert feed_server.requests("/wire.xml")[-1]["if-none-match"] == ETAG
    assert (result.outcome, result.new_ids, result.updated_ids) == (FetchOutcome.NOT_MODIFIED, [], [])
    assert sorted(feed_articles(feed).values_list("pk", "updated_at")) == rows_before
    assert ArticleSource.objects.filter(feed=feed).count() == len(items)
    assert (feed.etag, feed.last_modified) == (ETAG, LAST_MODIFIED)
    assert (feed.last_outcome, feed.last_status_code) == (FetchOutcome.NOT_MODIFIED, 304)


def test_a_changed_entry_updates_its_row_and_is_reported(feed_server):
    url = feed_server.route("/wire.xml", rss(item("Draft", guid="story-1", description="First version")))
    feed = make_feed(url)
    poll(feed)
    article = feed_articles(feed).get()
    feed_server.route("/wire.xml", rss(item("Final", guid="story-1", description="Corrected version")))

    result = poll(feed)

    article.refresh_from_db()
    assert (result.new_ids, result.updated_ids) == ([], [article.pk])
    assert article.title == "Final"
    assert "Corrected version" in article.text
    assert feed_articles(feed).count() == 1


def test_without_guid_the_link_identifies_an_entry(feed_server):
    feed = make_feed(feed_server.route("/wire.xml", rss(item("Draft", link="http://wire.example/story"))))
    poll(feed)
    article = feed_articles(feed).get()
    feed_server.route("/wire.xml", rss(item("Retitled", link="http://wire.example/story")))

    result = poll(feed)

    assert (result.new_ids, result.updated_ids) == ([], [article.pk])
    assert ArticleSource.objects.filter(feed=feed).count() == 1
    assert feed_articles(feed).get().title == "Retitled"


def test_without_guid_or_link_title_and_date_identify_an_entry(feed_server):
    monday, tuesday = "Mon, 03 Mar 2025 09:00:00 GMT", "Tue, 04 Mar 2025 09:00:00 GMT"
    same_title_twice = [item("Daily briefing", date=monday), item("Daily briefing", date=tuesday)]
    feed = make_feed(feed_server.route("/wire.xml", rss(*same_title_twice)))
    first = poll(feed)
    edited = [item("Daily briefing", date=monday, description="Amended"), item("Daily briefing", date=tuesday)]
    feed_server.route("/wire.xml", rss(*edited))

    second = poll(feed)

    monday_article = feed_articles(feed).get(published_at=datetime(2025, 3, 3, 9, 0, tzinfo=UTC))
    assert len(first.new_ids) == len(same_title_twice)
    assert (second.new_ids, second.updated_ids) == ([], [monday_article.pk])
    assert "Amended" in monday_article.text


def test_one_story_in_two_feeds_is_one_article_with_two_sources(feed_server):
    wire = make_feed(feed_server.route("/wire.xml", rss(item("Story", guid="w-1", link="http://news.example/story"))))
    tracked_link = "http://NEWS.example:80/story?utm_source=rss#comments"
    agency = make_feed(feed_server.route("/agency.xml", rss(item("Story", guid="a-9", link=tracked_link))))
    poll(wire)

    result = poll(agency)

    article = Article.objects.get()
    assert result.new_ids == []
    assert article.canonical_url == "http://news.example/story"
    assert sorted(article.sources.values_list("feed_id", flat=True)) == sorted([wire.pk, agency.pk])


# --- Redirects and failures


@pytest.mark.parametrize(
    "statuses, is_moved",
    [([301], True), ([308], True), ([301, 308], True), ([302], False), ([307], False), ([301, 302], False)],
)
def test_only_a_permanent_redirect_moves_the_feed(feed_server, statuses, is_moved):
    new_url = feed_server.route("/new/wire.xml", rss(*numbered_items(2)))
    old_url = feed_server.redirect_chain(statuses, to="/new/wire.xml")
    feed = make_feed(old_url)

    result = poll(feed)

    assert result.outcome == FetchOutcome.OK
    assert feed.url == (new_url if is_moved else old_url)


def test_410_deactivates_the_feed_with_a_reason(feed_server):
    feed = make_feed(feed_server.route("/wire.xml", b"gone", status=410))

    result = poll(feed)

    assert result.outcome == FetchOutcome.GONE
    assert not feed.is_active
    assert "410" in feed.deactivated_reason
    assert (feed.last_outcome, feed.last_status_code) == (FetchOutcome.GONE, 410)
    assert refresh_feed(feed.pk, force=True) is None


SERVER_FAILURES = [
    pytest.param(
        lambda server: server.route("/wire.xml", b"missing", status=404), FetchOutcome.HTTP_ERROR, 404, id="404"
    ),
    pytest.param(lambda server: server.route("/wire.xml", b"boom", status=500), FetchOutcome.HTTP_ERROR, 500, id="500"),
    pytest.param(lambda server: server.hang("/wire.xml"), FetchOutcome.TIMEOUT, None, id="timeout"),
    pytest.param(
        lambda server: server.stream_zeros("/wire.xml", 12 * MAX_BODY_BYTES, is_length_declared=False),
        FetchOutcome.TOO_LARGE,
        None,
        id="too-large",
    ),
    pytest.param(
        lambda server: server.redirect_chain([302] * (MAX_REDIRECTS + 1), to="/nowhere"),
        FetchOutcome.TOO_MANY_REDIRECTS,
        None,
        id="redirects",
    ),
    pytest.param(
        lambda server: server.route("/wire.xml", b"", status=503, headers={"Retry-After": "60"}),
        FetchOutcome.RATE_LIMITED,
        503,
        id="503",
    ),
]


@pytest.mark.parametrize("serve, outcome, status_code", SERVER_FAILURES)
def test_a_failed_poll_records_its_outcome_and_stores_nothing(feed_server, serve, outcome, status_code):
    feed = make_feed(serve(feed_server))

    result = poll(feed)

    assert result.outcome == outcome
    assert (feed.last_outcome, feed.last_status_code, feed.consecutive_failures) == (outcome, status_code, 1)
    assert feed.last_error
    assert feed.is_active
    assert feed.last_succeeded_at is None
    assert not feed_articles(feed).exists()


@pytest.mark.parametrize("serve, outcome, status_code", SERVER_FAILURES[:3])
def test_each_failure_in_a_row_waits_longer(feed_server, serve, outcome, status_code):
    feed = make_feed(serve(feed_server), poll_interval_minutes=10)
    poll(feed)
    first_wait = wait_until_next_poll(feed)

    poll(feed)

    # Jitter is at most 20% either way, so a doubled backoff always outlasts the first.
    assert feed.consecutive_failures == 2
    assert wait_until_next_poll(feed) > first_wait


def test_a_redirect_to_a_malformed_host_is_recorded_as_a_failure(feed_server):
    feed = make_feed(feed_server.redirect("/wire.xml", "http://a..example/wire.xml", 302))

    result = poll(feed)

    assert result.outcome in {FetchOutcome.NETWORK_ERROR, FetchOutcome.BLOCKED}
    assert (feed.last_outcome, feed.consecutive_failures) == (result.outcome, 1)
    assert feed.locked_until is None


def test_a_success_after_failures_resets_the_failure_count(feed_server):
    feed = make_feed(
        feed_server.route("/wire.xml", rss(*numbered_items(1))),
        consecutive_failures=3,
        last_outcome=FetchOutcome.HTTP_ERROR,
        last_error="HTTPStatusError: HTTP 500",
        last_status_code=500,
    )

    poll(feed)

    assert (feed.consecutive_failures, feed.last_error, feed.last_outcome) == (0, "", FetchOutcome.OK)
    assert feed.last_succeeded_at == feed.last_polled_at
    assert feed.is_healthy


def test_retry_after_holds_the_next_poll_back_longer_than_the_backoff(feed_server):
    retry_after_seconds = 7200
    # Ten minutes with at most 20% jitter: without Retry-After the next poll would come within 12 minutes.
    feed = make_feed(
        feed_server.route("/wire.xml", b"", status=429, headers={"Retry-After": str(retry_after_seconds)}),
        poll_interval_minutes=10,
    )

    result = poll(feed)

    assert result.outcome == FetchOutcome.RATE_LIMITED
    assert (feed.last_outcome, feed.last_status_code) == (FetchOutcome.RATE_LIMITED, 429)
    assert wait_until_next_poll(feed) >= timedelta(seconds=retry_after_seconds)


def test_an_html_page_is_recorded_as_not_a_feed(feed_server):
    page = b"<!DOCTYPE html><html><head><title>Wire</title></head><body><p>Subscribe!</p></body></html>"
    feed = make_feed(feed_server.route("/wire.xml", page, headers={"Content-Type": "text/html"}))

    result = poll(feed)

    assert result.outcome == FetchOutcome.NOT_A_FEED
    assert (feed.last_outcome, feed.consecutive_failures) == (FetchOutcome.NOT_A_FEED, 1)
    assert not feed_articles(feed).exists()


def test_a_malformed_but_readable_feed_keeps_its_entries_with_a_warning(feed_server):
    # &nbsp; is not an XML entity and the bare ampersand is not XML either: a strict parser stops, a loose one reads on.
    items = [item("Talks&nbsp;resume", guid="one"), item("Trade & sanctions", guid="two")]
    feed = make_feed(feed_server.route("/wire.xml", rss(*items)))

    result = poll(feed)

    assert result.outcome == FetchOutcome.PARSE_WARNING
    assert feed.last_outcome == FetchOutcome.PARSE_WARNING
    assert feed.parse_warning
    assert feed.consecutive_failures == 0
    assert feed_articles(feed).count() == len(items)


# --- Hostile and odd values


def test_a_missing_date_becomes_the_fetch_time_marked_estimated(feed_server):
    feed = make_feed(feed_server.route("/wire.xml", rss(item("Undated", guid="undated"))))

    poll(feed)

    article = feed_articles(feed).get()
    assert article.published_at == article.fetched_at == feed.last_polled_at
    assert article.is_published_at_estimated


@pytest.mark.parametrize(
    "date_element",
    [
        "<pubDate>Tue, 04 Mar 2025 08:00:00</pubDate>",
        "<pubDate>04 Mar 2025 08:00:00</pubDate>",
        "<dc:date>2025-03-04T08:00:00</dc:date>",
    ],
    ids=["rfc822-with-weekday", "rfc822", "iso8601"],
)
def test_a_date_without_a_zone_is_read_as_utc(feed_server, date_element):
    feed = make_feed(feed_server.route("/wire.xml", rss(f"<item><title>Dated</title>{date_element}</item>")))

    poll(feed)

    article = feed_articles(feed).get()
    assert article.published_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)
    assert not article.is_published_at_estimated


def test_a_date_with_a_zone_is_converted_to_utc(feed_server):
    feed = make_feed(
        feed_server.route("/wire.xml", rss(item("Dated", guid="d", date="Tue, 04 Mar 2025 11:00:00 +0300")))
    )

    poll(feed)

    assert feed_articles(feed).get().published_at == datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


def test_a_date_days_in_the_future_is_clamped_to_the_fetch_time(feed_server):
    three_days_ahead = email.utils.format_datetime(timezone.now() + timedelta(days=3), usegmt=True)
    feed = make_feed(feed_server.route("/wire.xml", rss(item("Prophecy", guid="p", date=three_days_ahead))))

    poll(feed)

    article = feed_articles(feed).get()
    assert article.published_at == article.fetched_at
    assert article.is_published_at_estimated


@pytest.mark.parametrize("nul", ["\x00", "&#0;"], ids=["raw-byte", "character-reference"])
def test_nul_characters_are_stripped_before_postgresql(feed_server, nul):
    dirty = item(f"Sum{nul}mit", guid=f"guid{nul}1", description=f"Talks{nul} resume", link="http://wire.example/a")
    feed = make_feed(feed_server.route("/wire.xml", rss(dirty, title=f"Wire{nul}")))

    result = poll(feed)

    article = feed_articles(feed).get()
    assert result.new_ids == [article.pk]
    assert article.title == "Summit"
    assert "Talks" in article.text
    for value in (article.title, article.summary_html, article.text, article.guid, feed.title):
        assert "\x00" not in value


def test_a_javascript_link_is_never_stored(feed_server):
    items = [item("Click me", guid="js", link="javascript:alert(document.cookie)")]
    feed = make_feed(feed_server.route("/wire.xml", rss(*items)))

    poll(feed)

    article = feed_articles(feed).get()
    assert article.canonical_url is None
    assert ArticleSource.objects.get(article=article).link == ""


# --- Claiming, scheduling, announcing


def test_a_feed_another_worker_holds_is_not_polled(feed_server):
    held_until = timezone.now() + timedelta(minutes=5)
    feed = make_feed(feed_server.route("/wire.xml", rss(*numbered_items(1))), locked_until=held_until)

    assert refresh_feed(feed.pk, force=True) is None

    feed.refresh_from_db()
    assert feed.locked_until == held_until
    assert feed_server.total_hits == 0


def test_a_feed_whose_hold_ran_out_is_polled_and_released(feed_server):
    feed = make_feed(
        feed_server.route("/wire.xml", rss(*numbered_items(1))), locked_until=timezone.now() - timedelta(seconds=1)
    )

    assert refresh_feed(feed.pk) is not None

    feed.refresh_from_db()
    assert feed.locked_until is None
    assert feed_server.hits("/wire.xml") == 1


def test_a_feed_not_yet_due_is_skipped_unless_forced(feed_server):
    feed = make_feed(
        feed_server.route("/wire.xml", rss(*numbered_items(1))), next_poll_at=timezone.now() + timedelta(hours=1)
    )

    assert refresh_feed(feed.pk) is None
    assert feed_server.total_hits == 0

    assert refresh_feed(feed.pk, force=True).outcome == FetchOutcome.OK
    assert feed_server.hits("/wire.xml") == 1


def test_articles_are_announced_only_after_commit(feed_server, announcements, django_capture_on_commit_callbacks):
    feed = make_feed(feed_server.route("/wire.xml", rss(*numbered_items(3))))

    with django_capture_on_commit_callbacks(execute=True):
        result = refresh_feed(feed.pk)
        assert announcements == []

    assert announcements == [
        {"signal": articles_stored, "feed_id": feed.pk, "new_ids": result.new_ids, "updated_ids": []}
    ]
    assert sorted(result.new_ids) == sorted(feed_articles(feed).values_list("pk", flat=True))


def test_nothing_is_announced_after_a_304(feed_server, announcements, django_capture_on_commit_callbacks):
    feed = make_feed(feed_server.route("/wire.xml", rss(*numbered_items(2)), etag=ETAG))
    with django_capture_on_commit_callbacks(execute=True):
        poll(feed)
    announcements.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = poll(feed)

    assert result.outcome == FetchOutcome.NOT_MODIFIED
    assert announcements == []


def test_a_loopback_feed_is_blocked_when_private_networks_are_not_allowed(feed_server, settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False
    feed = make_feed(feed_server.route("/wire.xml", rss(*numbered_items(1))))

    result = poll(feed)

    assert result.outcome == FetchOutcome.BLOCKED
    assert (feed.last_outcome, feed.consecutive_failures) == (FetchOutcome.BLOCKED, 1)
    assert feed_server.total_hits == 0
