"""Operator commands: add_feed, poll_feeds, feed_health, import_opml and export_opml.

Polling goes over real HTTP to a small server on 127.0.0.1 started by the feed_server fixture.
"""

import json
import re
import threading
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from ingest.management.commands.feed_health import duration_text
from ingest.models import Article, Feed, FetchOutcome, SourceKind
from tests.factories import make_article, make_feed

pytestmark = pytest.mark.django_db


# --- A real feed server on the loopback interface -------------------------------------------------


@dataclass(frozen=True)
class Reply:
    body: bytes
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"


NOT_FOUND = Reply(b"not found", status=404, content_type="text/plain")


class FeedRequestHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requested_paths.append(self.path)
        reply = self.server.replies.get(self.path, NOT_FOUND)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args) -> None:
        """Keep test output free of access logs."""


class FeedServer:
    """What a test needs of the server: put a reply at a path, get its URL, see what was asked for."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server

    def serve(self, path: str, body: bytes, status: int = 200) -> str:
        self._server.replies[path] = Reply(body, status)
        host, port = self._server.server_address
        return f"http://{host}:{port}{path}"

    @property
    def requested_paths(self) -> list[str]:
        return self._server.requested_paths


@pytest.fixture
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedRequestHandler)
    server.replies, server.requested_paths = {}, []
    # A short poll interval so shutdown() at teardown returns at once instead of after the default half second.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield FeedServer(server)
    server.shutdown()
    server.server_close()
    thread.join()


def rss(*items: tuple[str, str], title: str = "Loopback Agency") -> bytes:
    """An RSS 2.0 document with one item per (guid, headline); links are built from the guid."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{headline}</title><link>https://news.example/{guid}</link>"
        f"<pubDate>Mon, 03 Mar 2025 08:00:00 GMT</pubDate><description>About {headline}</description></item>"
        for guid, headline in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example/</link>{entries}</channel></rss>"
    ).encode()


# --- Rows and running commands ---------------------------------------------------------------------


def make_entries(feed: Feed, count: int) -> None:
    """Give the feed this many ArticleSource rows, each with its own article."""
    for _ in range(count):
        make_article(feed, published_at=timezone.now())


def run(*args, **options) -> str:
    """Run a management command and return what it printed."""
    stdout = StringIO()
    call_command(*args, stdout=stdout, stderr=StringIO(), **options)
    return stdout.getvalue()


def feed_id_in(output: str) -> int:
    return int(re.search(r"\(id (\d+)\)", output).group(1))


def minutes_from_now(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


# --- add_feed ---------------------------------------------------------------------------------------


def test_add_feed_creates_the_feed_and_prints_its_id():
    output = run("add_feed", "https://tass.com/rss/v2.xml")

    feed = Feed.objects.get(url="https://tass.com/rss/v2.xml")
    assert output.strip() == f"Added feed (id {feed.pk}): https://tass.com/rss/v2.xml"
    assert feed.source_kind == SourceKind.NEWS_AGENCY
    assert feed.poll_interval_minutes == settings.INGEST_DEFAULT_POLL_INTERVAL_MINUTES


def test_add_feed_stores_every_option_given():
    output = run(
        "add_feed",
        "https://tass.com/rss/v2.xml",
        "--title",
        "TASS English",
        "--kind",
        "state_media",
        "--country",
        "ru",
        "--language",
        "en",
        "--interval",
        "15",
    )

    feed = Feed.objects.get(pk=feed_id_in(output))
    assert (feed.url, feed.title, feed.source_kind, feed.country, feed.language, feed.poll_interval_minutes) == (
        "https://tass.com/rss/v2.xml",
        "TASS English",
        SourceKind.STATE_MEDIA,
        "RU",
        "en",
        15,
    )


def test_adding_a_feed_that_exists_prints_its_id_and_changes_nothing():
    first_output = run("add_feed", "https://kcna.example/rss", "--title", "KCNA")

    second_output = run("add_feed", "https://kcna.example/rss", "--title", "Renamed", "--kind", "government")

    feed = Feed.objects.get()
    assert second_output.strip() == f"Feed already exists (id {feed.pk}): https://kcna.example/rss"
    assert feed_id_in(first_output) == feed.pk
    assert (feed.title, feed.source_kind) == ("KCNA", SourceKind.NEWS_AGENCY)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/feed.xml",
        "example.org/feed.xml",
        "/feed.xml",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "http://exa mple.org/feed",
        "http://example.org:port/feed",
        "",
    ],
)
def test_add_feed_refuses_anything_but_an_absolute_http_url(url):
    with pytest.raises(CommandError, match="Not an absolute http"):
        run("add_feed", url)

    assert not Feed.objects.exists()


@pytest.mark.parametrize(
    "options",
    [
        ["--country", "RUS"],
        ["--country", "R1"],
        ["--interval", "0"],
        ["--interval", "often"],
        ["--kind", "blog"],
        ["--language", "a-language-code-far-too-long"],
    ],
)
def test_add_feed_refuses_malformed_options(options):
    with pytest.raises(CommandError):
        run("add_feed", "https://example.org/feed.xml", *options)

    assert not Feed.objects.exists()


def test_add_feed_with_poll_stores_the_feed_s_articles_right_away(feed_server):
    url = feed_server.serve("/agency.xml", rss(("a-1", "Talks in Pyongyang"), ("a-2", "Rail link reopens")))

    output = run("add_feed", url, "--poll")

    feed = Feed.objects.get(url=url)
    assert "Polled: ok, 2 new, 0 updated" in output
    assert sorted(feed.articles.values_list("title", flat=True)) == ["Rail link reopens", "Talks in Pyongyang"]
    assert feed.title == "Loopback Agency"


def test_add_feed_with_poll_reports_a_failing_feed_but_keeps_it(feed_server):
    url = feed_server.serve("/broken.xml", b"server error", status=500)

    output = run("add_feed", url, "--poll")

    assert "Polled: http_error: HTTPStatusError: HTTP 500" in output
    assert Feed.objects.get(url=url).consecutive_failures == 1


def test_add_feed_with_poll_polls_a_feed_that_already_exists(feed_server):
    url = feed_server.serve("/agency.xml", rss(("a-1", "Talks in Pyongyang")))
    make_feed(url=url, next_poll_at=minutes_from_now(60))

    output = run("add_feed", url, "--poll")

    assert "already exists" in output
    assert "Polled: ok, 1 new, 0 updated" in output


# --- poll_feeds -------------------------------------------------------------------------------------


def test_poll_feeds_polls_only_the_due_feeds_by_default(feed_server):
    due = make_feed(url=feed_server.serve("/due.xml", rss(("d-1", "Due story"))), next_poll_at=minutes_from_now(-1))
    make_feed(url=feed_server.serve("/later.xml", rss(("l-1", "Later story"))), next_poll_at=minutes_from_now(60))

    output = run("poll_feeds")

    assert feed_server.requested_paths == ["/due.xml"]
    assert list(Article.objects.values_list("feed", "title")) == [(due.pk, "Due story")]
    assert f"[1/1] {due.title}: ok, 1 new, 0 updated" in output


def test_poll_feeds_all_polls_every_active_feed_whether_due_or_not(feed_server):
    make_feed(url=feed_server.serve("/due.xml", rss(("d-1", "Due story"))), next_poll_at=minutes_from_now(-1))
    make_feed(url=feed_server.serve("/later.xml", rss(("l-1", "Later story"))), next_poll_at=minutes_from_now(60))
    make_feed(url=feed_server.serve("/off.xml", rss(("o-1", "Off story"))), is_active=False)

    run("poll_feeds", "--all")

    assert sorted(feed_server.requested_paths) == ["/due.xml", "/later.xml"]
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Due story", "Later story"]


def test_poll_feeds_with_feed_options_polls_just_those_feeds_even_if_not_due(feed_server):
    first = make_feed(url=feed_server.serve("/1.xml", rss(("f-1", "First"))), next_poll_at=minutes_from_now(60))
    second = make_feed(url=feed_server.serve("/2.xml", rss(("s-1", "Second"))), next_poll_at=minutes_from_now(60))
    make_feed(url=feed_server.serve("/3.xml", rss(("t-1", "Third"))), next_poll_at=minutes_from_now(-1))

    output = run("poll_feeds", "--feed", str(second.pk), "--feed", str(first.pk))

    assert feed_server.requested_paths == ["/2.xml", "/1.xml"]
    assert output.splitlines()[:2] == [
        f"[1/2] {second.title}: ok, 1 new, 0 updated",
        f"[2/2] {first.title}: ok, 1 new, 0 updated",
    ]


def test_poll_feeds_refuses_an_unknown_feed_id_before_polling_anything(feed_server):
    known = make_feed(url=feed_server.serve("/known.xml", rss(("k-1", "Known"))))
    deleted = make_feed()
    deleted_id = deleted.pk
    deleted.delete()

    with pytest.raises(CommandError, match=f"No feed with id {deleted_id}"):
        run("poll_feeds", "--feed", str(known.pk), "--feed", str(deleted_id))

    assert feed_server.requested_paths == []


def test_poll_feeds_takes_either_all_or_feed_options_not_both():
    feed = make_feed()

    with pytest.raises(CommandError):
        run("poll_feeds", "--all", "--feed", str(feed.pk))


def test_a_feed_locked_by_a_worker_is_reported_as_skipped(feed_server):
    locked = make_feed(url=feed_server.serve("/locked.xml", rss(("x-1", "Locked"))), locked_until=minutes_from_now(5))

    output = run("poll_feeds", "--feed", str(locked.pk))

    assert f"[1/1] {locked.title}: skipped, a worker is polling it" in output
    assert "0 ok, 0 failed, 1 skipped" in output
    assert feed_server.requested_paths == []


def test_an_inactive_feed_named_with_feed_is_reported_as_skipped(feed_server):
    inactive = make_feed(url=feed_server.serve("/off.xml", rss(("o-1", "Off"))), is_active=False)

    output = run("poll_feeds", "--feed", str(inactive.pk))

    assert f"{inactive.title}: skipped, inactive" in output
    assert feed_server.requested_paths == []


def test_progress_lines_count_updated_articles_on_the_next_poll(feed_server):
    url = feed_server.serve("/agency.xml", rss(("a-1", "Talks planned"), ("a-2", "Rail link")))
    feed = make_feed(url=url)
    run("poll_feeds", "--feed", str(feed.pk))
    feed_server.serve("/agency.xml", rss(("a-1", "Talks held"), ("a-2", "Rail link"), ("a-3", "New envoy")))

    output = run("poll_feeds", "--feed", str(feed.pk))

    assert f"[1/1] {feed.title}: ok, 1 new, 1 updated" in output
    assert sorted(feed.articles.values_list("title", flat=True)) == ["New envoy", "Rail link", "Talks held"]


def test_a_failing_feed_is_reported_with_its_outcome_and_error_and_counted_in_the_summary(feed_server):
    broken = make_feed(url=feed_server.serve("/broken.xml", b"oops", status=500), title="Broken")
    healthy = make_feed(url=feed_server.serve("/ok.xml", rss(("h-1", "Fine"), ("h-2", "Also fine"))), title="Healthy")

    output = run("poll_feeds", "--feed", str(broken.pk), "--feed", str(healthy.pk))

    assert output.splitlines()[:2] == [
        "[1/2] Broken: http_error: HTTPStatusError: HTTP 500",
        "[2/2] Healthy: ok, 2 new, 0 updated",
    ]
    assert re.fullmatch(
        r"2 feeds in \d+\.\ds: 1 ok, 1 failed, 0 skipped; 2 new, 0 updated articles", output.splitlines()[2]
    )


def test_a_feed_failing_in_any_way_does_not_stop_the_cycle(feed_server):
    mangled = make_feed(url="http://127.0.0.1:not-a-port/feed.xml", title="Mangled")
    healthy = make_feed(url=feed_server.serve("/ok.xml", rss(("h-1", "Fine"))), title="Healthy")

    output = run("poll_feeds", "--feed", str(mangled.pk), "--feed", str(healthy.pk))

    assert "[2/2] Healthy: ok, 1 new, 0 updated" in output
    assert "1 ok, 1 failed" in output
    assert Feed.objects.get(pk=mangled.pk).locked_until is None


def test_poll_feeds_says_so_when_nothing_is_due():
    make_feed(next_poll_at=minutes_from_now(60))

    assert run("poll_feeds").strip() == "No feeds to poll."


def test_terminal_escape_codes_in_a_feed_title_are_not_printed(feed_server):
    feed = make_feed(url=feed_server.serve("/a.xml", rss(("e-1", "Story"))), title="Evil\x1b[2J\x07 title")

    output = run("poll_feeds", "--feed", str(feed.pk))

    assert "\x1b" not in output and "\x07" not in output
    assert "Evil [2J title: ok" in output


# --- feed_health ------------------------------------------------------------------------------------


def table_rows(output: str) -> dict[str, list[str]]:
    """Table cells by feed id; columns are at least two spaces apart."""
    rows = [re.split(r" {2,}", line) for line in output.splitlines()[1:]]
    return {row[0]: row for row in rows}


def test_feed_health_shows_each_feed_s_state_in_a_table():
    struggling = make_feed(
        title="Struggling",
        last_succeeded_at=timezone.now() - timedelta(hours=3),
        next_poll_at=minutes_from_now(20),
        consecutive_failures=2,
        last_outcome=FetchOutcome.RATE_LIMITED,
        last_status_code=503,
        last_error="RateLimitedError: HTTP 503",
    )
    make_entries(struggling, 2)
    fresh = make_feed(title="Fresh", source_kind=SourceKind.THINK_TANK)
    paused = make_feed(title="Paused", is_active=False)

    output = run("feed_health")

    assert output.splitlines()[0].split("  ")[0] == "ID"
    rows = table_rows(output)
    assert rows[str(struggling.pk)] == [
        str(struggling.pk),
        "Struggling",
        "news_agency",
        "yes",
        "rate_limited",
        "2",
        "503",
        "3h ago",
        "in 20m",
        "2",
        "RateLimitedError: HTTP 503",
    ]
    assert rows[str(fresh.pk)] == [
        str(fresh.pk),
        "Fresh",
        "think_tank",
        "yes",
        "never",
        "0",
        "-",
        "never",
        "due now",
        "0",
        "-",
    ]
    assert rows[str(paused.pk)][3] == "no"
    assert rows[str(paused.pk)][8] == "inactive"


def test_feed_health_table_cuts_long_titles_and_errors_but_json_keeps_them_whole():
    long_title, long_error = "T" * 300, "NetworkError: " + "e" * 500
    feed = make_feed(title=long_title, last_error=long_error, consecutive_failures=1)

    table = table_rows(run("feed_health"))[str(feed.pk)]
    [record] = json.loads(run("feed_health", "--format", "json"))

    assert (len(table[1]), table[1][-1]) == (40, "…")
    assert (len(table[-1]), table[-1][-1]) == (60, "…")
    assert (record["title"], record["last_error"]) == (long_title, long_error)


def test_feed_health_failing_lists_only_feeds_whose_last_poll_failed():
    failing = make_feed(title="Failing", consecutive_failures=1, last_outcome=FetchOutcome.TIMEOUT)
    make_feed(title="Healthy", last_outcome=FetchOutcome.OK)

    rows = table_rows(run("feed_health", "--failing"))

    assert list(rows) == [str(failing.pk)]


def test_feed_health_json_gives_full_values_for_scripts():
    succeeded_at = timezone.now() - timedelta(days=2)
    feed = make_feed(
        url="https://tass.com/rss/v2.xml",
        title="TASS",
        source_kind=SourceKind.STATE_MEDIA,
        country="RU",
        last_succeeded_at=succeeded_at,
        last_status_code=200,
        last_outcome=FetchOutcome.OK,
    )
    make_entries(feed, 3)

    [record] = json.loads(run("feed_health", "--format", "json"))

    expected = {
        "id": feed.pk,
        "url": "https://tass.com/rss/v2.xml",
        "title": "TASS",
        "source_kind": "state_media",
        "country": "RU",
        "is_active": True,
        "last_outcome": "ok",
        "consecutive_failures": 0,
        "last_status_code": 200,
        "last_polled_at": None,
        "last_succeeded_at": succeeded_at.isoformat(),
        "article_count": 3,
        "last_error": "",
    }
    assert {key: record[key] for key in expected} == expected
    assert datetime.fromisoformat(record["next_poll_at"]) == feed.next_poll_at


@pytest.mark.parametrize("feed_count", [1, 25])
@pytest.mark.parametrize("output_format", ["table", "json"])
def test_feed_health_reads_all_feeds_and_counts_in_one_query(feed_count, output_format, django_assert_max_num_queries):
    for _ in range(feed_count):
        make_entries(make_feed(), 2)

    with django_assert_max_num_queries(1):
        output = run("feed_health", "--format", output_format)

    assert output.count("Feed ") >= feed_count


def test_feed_health_says_so_when_there_are_no_feeds():
    assert run("feed_health").strip() == "No feeds."
    assert json.loads(run("feed_health", "--format", "json")) == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (59.4, "59s"),
        (60, "1m"),
        (20 * 60 - 0.01, "20m"),
        (59 * 60, "59m"),
        (3599, "1h"),
        (3 * 3600 + 0.5, "3h"),
        (47 * 3600, "47h"),
        (3 * 86400, "3d"),
    ],
)
def test_durations_read_the_way_people_say_them(seconds, text):
    assert duration_text(seconds) == text


# --- import_opml and export_opml --------------------------------------------------------------------


def write_opml(tmp_path, outlines: str, name: str = "feeds.opml"):
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>', encoding="utf-8")
    return path


SUBSCRIPTIONS = (
    '<outline text="Russia">'
    '  <outline text="TASS" xmlUrl="https://tass.com/rss/v2.xml" htmlUrl="https://tass.com/" language="en"'
    '   category="state_media"/>'
    '  <outline text="Kremlin" xmlUrl="https://kremlin.example/feed" />'
    "</outline>"
    '<outline text="Existing" xmlUrl="https://existing.example/feed"/>'
    '<outline text="FTP" xmlUrl="ftp://files.example/feed.xml"/>'
    '<outline text="Relative" xmlUrl="/feed.xml"/>'
    '<outline text="Folder only"/>'
)


def test_import_opml_adds_new_feeds_and_counts_what_it_skipped(tmp_path):
    make_feed(url="https://existing.example/feed", title="Existing, as typed by an operator")

    output = run("import_opml", str(write_opml(tmp_path, SUBSCRIPTIONS)))

    assert output.splitlines()[-1] == "2 added, 1 already present, 2 invalid"
    assert "already present: https://existing.example/feed" in output
    assert "invalid, not an absolute http(s) URL: 'ftp://files.example/feed.xml'" in output
    assert Feed.objects.get(url="https://existing.example/feed").title == "Existing, as typed by an operator"
    tass = Feed.objects.get(url="https://tass.com/rss/v2.xml")
    assert (tass.title, tass.site_url, tass.language, tass.source_kind) == (
        "TASS",
        "https://tass.com/",
        "en",
        SourceKind.STATE_MEDIA,
    )
    assert Feed.objects.get(url="https://kremlin.example/feed").source_kind == SourceKind.NEWS_AGENCY


def test_importing_the_same_file_twice_adds_nothing_the_second_time(tmp_path):
    path = write_opml(tmp_path, SUBSCRIPTIONS)
    run("import_opml", str(path))
    urls_after_first_import = set(Feed.objects.values_list("url", flat=True))

    output = run("import_opml", str(path))

    assert output.splitlines()[-1] == "0 added, 3 already present, 2 invalid"
    assert set(Feed.objects.values_list("url", flat=True)) == urls_after_first_import


def test_import_opml_dry_run_reports_the_same_counts_and_saves_nothing(tmp_path):
    output = run("import_opml", str(write_opml(tmp_path, SUBSCRIPTIONS)), "--dry-run")

    assert output.splitlines()[-1] == "3 added, 0 already present, 2 invalid (dry run: nothing saved)"
    assert "would add: https://tass.com/rss/v2.xml" in output
    assert not Feed.objects.exists()


def test_import_opml_kind_option_applies_to_every_imported_feed(tmp_path):
    run("import_opml", str(write_opml(tmp_path, SUBSCRIPTIONS)), "--kind", "think_tank")

    assert set(Feed.objects.values_list("source_kind", flat=True)) == {SourceKind.THINK_TANK}


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("government", SourceKind.GOVERNMENT),
        ("/Korea/Independent media", SourceKind.INDEPENDENT_MEDIA),
        ("/Politics,/think_tank", SourceKind.THINK_TANK),
        ("/Sport", SourceKind.NEWS_AGENCY),
    ],
)
def test_import_opml_takes_the_kind_from_a_category_that_names_one(tmp_path, category, kind):
    run(
        "import_opml",
        str(write_opml(tmp_path, f'<outline text="A" xmlUrl="https://a.example/" category="{category}"/>')),
    )

    assert Feed.objects.get().source_kind == kind


def test_a_url_listed_twice_in_one_file_is_added_once(tmp_path):
    twice = (
        '<outline text="A" xmlUrl="https://a.example/feed"/><outline text="A again" xmlUrl="https://a.example/feed"/>'
    )

    output = run("import_opml", str(write_opml(tmp_path, twice)))

    assert output.splitlines()[-1] == "1 added, 1 already present, 0 invalid"
    assert Feed.objects.get().title == "A"


def test_an_unsafe_html_url_is_dropped_but_the_feed_is_imported(tmp_path):
    outline = '<outline text="A" xmlUrl="https://a.example/feed" htmlUrl="javascript:alert(1)"/>'

    run("import_opml", str(write_opml(tmp_path, outline)))

    assert Feed.objects.get().site_url == ""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"<opml><body><outline text='x'", "not well-formed", id="truncated"),
        pytest.param(b"<html><body>Nope</body></html>", "not an OPML document", id="html page"),
        pytest.param(
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://a.example/feed"/></body></opml>',
            "must not declare a DTD",
            id="entity expansion",
        ),
    ],
)
def test_import_opml_refuses_a_file_that_is_not_safe_opml_and_adds_nothing(tmp_path, content, message):
    path = tmp_path / "bad.opml"
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        run("import_opml", str(path))

    assert not Feed.objects.exists()


def test_import_opml_reports_a_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_opml", str(tmp_path / "missing.opml"))


def test_export_opml_writes_every_feed_as_opml_2_0_to_stdout():
    make_feed(
        url="https://tass.com/rss/v2.xml",
        title="TASS",
        site_url="https://tass.com/",
        language="en",
        source_kind=SourceKind.STATE_MEDIA,
    )
    make_feed(url="https://paused.example/feed", title="Paused", is_active=False, source_kind=SourceKind.GOVERNMENT)

    root = ElementTree.fromstring(run("export_opml").encode())

    assert root.get("version") == "2.0"
    assert {(o.get("xmlUrl"), o.get("title"), o.get("htmlUrl"), o.get("category")) for o in root.iter("outline")} == {
        ("https://tass.com/rss/v2.xml", "TASS", "https://tass.com/", "state_media"),
        ("https://paused.example/feed", "Paused", None, "government"),
    }


def test_export_opml_output_option_writes_the_file(tmp_path):
    make_feed(url="https://a.example/feed")
    path = tmp_path / "export.opml"

    output = run("export_opml", "--output", str(path))

    assert output.strip() == f"Wrote 1 feeds to {path}"
    assert [o.get("xmlUrl") for o in ElementTree.parse(path).iter("outline")] == ["https://a.example/feed"]


def test_exporting_then_importing_into_an_empty_database_gives_the_same_feeds(tmp_path):
    for kind in SourceKind.values:
        make_feed(url=f"https://{kind}.example/feed?a=1&b=2", title=f"{kind} <&> «quoted»", source_kind=kind)
    make_feed(url="https://untitled.example/feed", title="", site_url="https://untitled.example/", language="ko")
    path = tmp_path / "export.opml"
    fields = ("url", "title", "site_url", "language", "source_kind")
    exported = set(Feed.objects.values_list(*fields))
    run("export_opml", "--output", str(path))
    Feed.objects.all().delete()

    output = run("import_opml", str(path))

    assert output.splitlines()[-1] == f"{len(exported)} added, 0 already present, 0 invalid"
    assert set(Feed.objects.values_list(*fields)) == exported
