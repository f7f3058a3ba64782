"""ingest.fetch against a real server on 127.0.0.1: what it sends, what it returns, what it refuses."""

import gzip
import time
import tracemalloc
import zlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ingest import guard
from ingest.fetch import (
    BlockedError,
    FetchConfig,
    FetchError,
    FetchTimeoutError,
    GoneError,
    HTTPStatusError,
    InvalidURLError,
    RateLimitedError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    fetch_feed,
    parse_retry_after,
)
from ingest.guard import is_public_address
from tests.feedserver import feed_server_fixture, http_date, running_feed_server  # noqa: F401

DEADLINE_SECONDS = 2
MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
CONFIG = FetchConfig(
    deadline_seconds=DEADLINE_SECONDS,
    connect_timeout_seconds=1,
    max_body_bytes=MAX_BODY_BYTES,
    max_redirects=MAX_REDIRECTS,
    allow_private_networks=True,
    user_agent="SignalsTrackerTests/1.0",
)
GUARDED_CONFIG = replace(CONFIG, allow_private_networks=False)
# Whoever ends a stalled fetch, it must be the deadline and not the server giving up first.
SLOW_FETCH_BOUND_SECONDS = 3 * DEADLINE_SECONDS

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback News</title><link>http://example.org/</link>
<item><title>Talks resume</title><link>http://example.org/a</link><guid>a</guid></item>
</channel></rss>
"""
ETAG = '"v1-abc"'
LAST_MODIFIED = "Tue, 04 Mar 2025 08:00:00 GMT"


def test_200_returns_the_body_validators_and_final_url(feed_server):
    url = feed_server.route("/feed.xml", FEED, etag=ETAG, last_modified=LAST_MODIFIED)

    result = fetch_feed(url, CONFIG)

    assert (result.status_code, result.content) == (200, FEED)
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert (result.final_url, result.permanent_url) == (url, None)
    assert not result.is_not_modified


def test_the_stored_validators_are_sent_as_conditional_headers(feed_server):
    url = feed_server.route("/feed.xml", FEED, etag='"v2-other"', last_modified="Wed, 05 Mar 2025 08:00:00 GMT")

    fetch_feed(url, CONFIG, etag=ETAG, last_modified=LAST_MODIFIED)

    [sent] = feed_server.requests("/feed.xml")
    assert sent["if-none-match"] == ETAG
    assert sent["if-modified-since"] == LAST_MODIFIED
    assert sent["user-agent"] == CONFIG.user_agent


def test_a_first_fetch_sends_no_conditional_headers(feed_server):
    url = feed_server.route("/feed.xml", FEED, etag=ETAG)

    fetch_feed(url, CONFIG)

    [sent] = feed_server.requests("/feed.xml")
    assert "if-none-match" not in sent
    assert "if-modified-since" not in sent


@pytest.mark.parametrize(
    "etag, last_modified",
    [(ETAG, ""), ("", LAST_MODIFIED), (ETAG, LAST_MODIFIED)],
    ids=["etag", "last-modified", "both"],
)
def test_304_is_not_modified_with_an_empty_body(feed_server, etag, last_modified):
    url = feed_server.route("/feed.xml", FEED, etag=ETAG, last_modified=LAST_MODIFIED)

    result = fetch_feed(url, CONFIG, etag=etag, last_modified=last_modified)

    assert result.is_not_modified
    assert (result.status_code, result.content) == (304, b"")


@pytest.mark.parametrize(
    "statuses, is_permanent",
    [
        ([301], True),
        ([308], True),
        ([301, 308, 301], True),
        ([302], False),
        ([307], False),
        ([301, 302], False),
        ([302, 301], False),
        ([308, 307, 308], False),
    ],
)
def test_only_an_all_permanent_redirect_chain_sets_the_permanent_url(feed_server, statuses, is_permanent):
    final_url = feed_server.route("/moved/feed.xml", FEED)
    first_url = feed_server.redirect_chain(statuses, to="/moved/feed.xml")

    result = fetch_feed(first_url, CONFIG)

    assert (result.content, result.final_url) == (FEED, final_url)
    assert result.permanent_url == (final_url if is_permanent else None)


def test_exactly_max_redirects_are_followed(feed_server):
    feed_server.route("/feed.xml", FEED)
    first_url = feed_server.redirect_chain([302] * CONFIG.max_redirects, to="/feed.xml")

    assert fetch_feed(first_url, CONFIG).content == FEED


def test_one_redirect_more_than_max_redirects_is_refused(feed_server):
    feed_server.route("/feed.xml", FEED)
    first_url = feed_server.redirect_chain([302] * (CONFIG.max_redirects + 1), to="/feed.xml")

    with pytest.raises(TooManyRedirectsError):
        fetch_feed(first_url, CONFIG)
    assert feed_server.hits("/feed.xml") == 0


def test_a_redirect_loop_is_refused_after_max_redirects(feed_server):
    url = feed_server.redirect("/ping", "/pong", 302)
    feed_server.redirect("/pong", "/ping", 302)

    with pytest.raises(TooManyRedirectsError):
        fetch_feed(url, CONFIG)
    assert feed_server.hits("/ping") + feed_server.hits("/pong") == CONFIG.max_redirects + 1


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/feed.xml"])
def test_a_redirect_to_a_non_http_scheme_is_refused(feed_server, location):
    url = feed_server.redirect("/feed.xml", location, 302)

    with pytest.raises(InvalidURLError):
        fetch_feed(url, CONFIG)


@pytest.mark.parametrize(
    "status, error_class",
    [
        (410, GoneError),
        (404, HTTPStatusError),
        (500, HTTPStatusError),
        (403, HTTPStatusError),
        (204, HTTPStatusError),
    ],
)
def test_error_statuses_raise_a_typed_error_with_the_status_code(feed_server, status, error_class):
    url = feed_server.route("/feed.xml", b"nope", status=status)

    with pytest.raises(HTTPStatusError) as raised:
        fetch_feed(url, CONFIG)

    assert type(raised.value) is error_class
    assert raised.value.status_code == status


def test_an_unknown_path_is_a_404(feed_server):
    with pytest.raises(HTTPStatusError) as raised:
        fetch_feed(feed_server.url("/nowhere.xml"), CONFIG)

    assert raised.value.status_code == 404


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize(
    "retry_after, expected_seconds",
    [("120", 120), ("0", 0), (None, None), ("whenever", None)],
    ids=["seconds", "zero", "absent", "garbage"],
)
def test_rate_limits_carry_the_retry_after_seconds(feed_server, status, retry_after, expected_seconds):
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    url = feed_server.route("/feed.xml", b"slow down", status=status, headers=headers)

    with pytest.raises(RateLimitedError) as raised:
        fetch_feed(url, CONFIG)

    assert raised.value.status_code == status
    assert raised.value.retry_after_seconds == expected_seconds


@pytest.mark.parametrize("status", [429, 503])
def test_a_retry_after_http_date_becomes_seconds_from_now(feed_server, status):
    wait_seconds = 3600
    url = feed_server.route("/feed.xml", b"", status=status, headers={"Retry-After": http_date(wait_seconds)})

    with pytest.raises(RateLimitedError) as raised:
        fetch_feed(url, CONFIG)

    # An HTTP date has whole seconds, and a moment passes between sending and parsing it.
    assert wait_seconds - 5 <= raised.value.retry_after_seconds <= wait_seconds


@pytest.mark.parametrize("route", ["drip_body", "drip_headers", "hang"])
def test_a_stalling_server_is_cut_off_at_the_deadline(feed_server, route):
    url = getattr(feed_server, route)("/feed.xml")
    started = time.monotonic()

    with pytest.raises(FetchTimeoutError):
        fetch_feed(url, CONFIG)

    assert time.monotonic() - started < SLOW_FETCH_BOUND_SECONDS


@pytest.mark.parametrize("is_length_declared", [True, False], ids=["declared", "undeclared"])
def test_a_body_over_the_cap_is_refused(feed_server, is_length_declared):
    url = feed_server.stream_zeros("/huge.xml", 12 * MAX_BODY_BYTES, is_length_declared)

    with pytest.raises(ResponseTooLargeError):
        fetch_feed(url, CONFIG)


def test_a_body_exactly_at_the_cap_is_accepted(feed_server):
    url = feed_server.stream_zeros("/full.xml", MAX_BODY_BYTES, is_length_declared=False)

    assert len(fetch_feed(url, CONFIG).content) == MAX_BODY_BYTES


def test_a_gzip_bomb_is_refused_without_inflating_it(feed_server):
    url = feed_server.gzip_bomb("/bomb.xml")
    tracemalloc.start()
    try:
        with pytest.raises(ResponseTooLargeError):
            fetch_feed(url, CONFIG)
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # The cap is 1 MB and the bomb inflates to 1 GB: anything near the cap means it stopped early.
    assert peak_bytes < 50 * MAX_BODY_BYTES


@pytest.mark.parametrize(
    "encoding, compress",
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        # Some servers send "deflate" as a raw stream without the zlib header.
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),
    ],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw"],
)
def test_a_compressed_feed_is_decoded(feed_server, encoding, compress):
    url = feed_server.route("/feed.xml", compress(FEED), headers={"Content-Encoding": encoding})

    assert fetch_feed(url, CONFIG).content == FEED


def test_accept_encoding_offers_only_what_the_capped_inflater_reads(feed_server):
    url = feed_server.route("/feed.xml", FEED)

    fetch_feed(url, CONFIG)

    [sent] = feed_server.requests("/feed.xml")
    offered = {coding.strip() for coding in sent["accept-encoding"].split(",")}
    assert offered <= {"gzip", "deflate", "identity"}


@pytest.mark.parametrize(
    "make_url",
    [
        lambda server: "file:///etc/passwd",
        lambda server: f"ftp://127.0.0.1:{server.port}/feed.xml",
        lambda server: "javascript:alert(1)",
        lambda server: f"gopher://127.0.0.1:{server.port}/feed.xml",
        lambda server: "/feed.xml",
        lambda server: "http:///feed.xml",
        lambda server: "",
    ],
    ids=["file", "ftp", "javascript", "gopher", "relative", "no-host", "empty"],
)
def test_non_http_urls_are_refused_before_any_request(feed_server, make_url):
    feed_server.route("/feed.xml", FEED)

    with pytest.raises(InvalidURLError):
        fetch_feed(make_url(feed_server), CONFIG)
    assert feed_server.total_hits == 0


# An empty label, and a label past the 63 characters RFC 1035 allows: the resolver cannot even encode these.
UNENCODABLE_HOSTS = ["a..example", "a" * 64 + ".example"]


@pytest.mark.parametrize("host", UNENCODABLE_HOSTS)
def test_a_host_name_the_resolver_rejects_is_a_fetch_error(host):
    with pytest.raises(FetchError):
        fetch_feed(f"http://{host}/feed.xml", CONFIG)


@pytest.mark.parametrize("host", UNENCODABLE_HOSTS)
def test_a_redirect_to_a_host_name_the_resolver_rejects_is_a_fetch_error(feed_server, host):
    url = feed_server.redirect("/feed.xml", f"http://{host}/feed.xml", 302)

    with pytest.raises(FetchError):
        fetch_feed(url, CONFIG)


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "127.1", "2130706433", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]"],
)
def test_loopback_hosts_are_blocked_without_a_request(feed_server, host):
    feed_server.route("/feed.xml", FEED)

    with pytest.raises(BlockedError):
        fetch_feed(feed_server.url("/feed.xml", host=host), GUARDED_CONFIG)
    assert feed_server.total_hits == 0


def test_a_redirect_to_a_private_address_is_blocked_at_that_hop(feed_server, monkeypatch):
    # Loopback is all a test can reach, so 127.0.0.1 stands in for the public internet here;
    # a second server on 127.0.0.2 stays private and must never be dialled.
    monkeypatch.setattr(guard, "is_public_address", lambda address: address == "127.0.0.1")
    with running_feed_server("127.0.0.2") as private_server:
        private_url = private_server.route("/internal.xml", FEED)
        public_url = feed_server.redirect("/feed.xml", private_url, 302)

        with pytest.raises(BlockedError):
            fetch_feed(public_url, GUARDED_CONFIG)

        assert feed_server.hits("/feed.xml") == 1
        assert private_server.total_hits == 0


# IPv6 forms of 127.0.0.1 that the system resolver hands back as they are: NAT64, 6to4, IPv4-compatible, Teredo.
IPV6_FORMS_OF_LOOPBACK = ["64:ff9b::7f00:1", "2002:7f00:1::1", "::127.0.0.1", "2001:0:808:808:0:ffff:80ff:fffe"]


@pytest.mark.parametrize("address", IPV6_FORMS_OF_LOOPBACK)
def test_a_url_naming_an_ipv6_form_of_loopback_is_blocked_without_a_request(feed_server, address):
    with pytest.raises(BlockedError):
        fetch_feed(feed_server.url("/feed.xml", host=f"[{address}]"), GUARDED_CONFIG)
    assert feed_server.total_hits == 0


@pytest.mark.parametrize("address", IPV6_FORMS_OF_LOOPBACK)
def test_a_redirect_to_an_ipv6_form_of_loopback_is_blocked_at_that_hop(feed_server, monkeypatch, address):
    # 127.0.0.1 itself stands in for the public internet, as above; every other address meets the real rule.
    real_rule = guard.is_public_address
    monkeypatch.setattr(guard, "is_public_address", lambda candidate: candidate == "127.0.0.1" or real_rule(candidate))
    public_url = feed_server.redirect("/feed.xml", feed_server.url("/internal.xml", host=f"[{address}]"), 302)

    with pytest.raises(BlockedError):
        fetch_feed(public_url, GUARDED_CONFIG)
    assert feed_server.hits("/feed.xml") == 1


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "fe80::1",
        "fe80::1%eth0",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "2001:db8::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
    ],
)
def test_non_public_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_public(address):
    assert is_public_address(address)


NOW = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, expected_seconds",
    [
        ("120", 120.0),
        ("  60  ", 60.0),
        ("0", 0.0),
        ("", None),
        ("   ", None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("Wed, 01 Jan 2025 14:00:00 GMT", 7200.0),
        ("Wednesday, 01-Jan-25 14:00:00 GMT", 7200.0),
        ("Wed Jan  1 14:00:00 2025", 7200.0),
        ("Wed, 01 Jan 2025 11:00:00 GMT", 0.0),
    ],
    ids=[
        "seconds",
        "padded-seconds",
        "zero",
        "empty",
        "blank",
        "word",
        "negative",
        "fraction",
        "imf-fixdate",
        "rfc850-date",
        "asctime-date",
        "date-in-the-past",
    ],
)
def test_parse_retry_after(value, expected_seconds):
    assert parse_retry_after(value, now=NOW) == expected_seconds
