"""Random bytes and random nested HTML through the feed path: parsing fails only with its own typed error, and
the sanitizer takes anything.

Derandomized and bounded like the query fuzz, so that the suite sees the same examples every time.
"""

import re
from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.parse import NotAFeedError, parse_feed
from ingest.sanitize import html_to_text, plain_title, sanitize_html, sanitized_html_to_text

FETCHED_AT = datetime(2024, 6, 1, 12, tzinfo=UTC)
FUZZ_SETTINGS = settings(
    max_examples=500, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)

TAGS = ["p", "div", "a", "img", "script", "style", "svg", "math", "table", "td", "li", "ul", "b", "iframe", "template"]
ATTRIBUTES = [
    'href="javascript:alert(1)"',
    'href="/relative"',
    'src="data:text/html,x"',
    'onerror="alert(1)"',
    'style="x:expression(1)"',
    "colspan=999999999999",
    'href="http://[::1"',
    'href="https://example.org/%zz"',
]
# What must never come out: a script element, an event handler attribute, a javascript: or data: URL.
EXECUTABLE = re.compile(r"<script|<[^>]*\son\w+\s*=|(?:href|src)\s*=\s*[\"']?\s*(?:javascript|data):", re.IGNORECASE)
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


def element(tag: str, attributes: list[str], children: list[str]) -> str:
    opening = " ".join([tag, *attributes])
    return f"<{opening}>{''.join(children)}</{tag}>"


NESTED_HTML = st.recursive(
    st.one_of(TEXT, st.sampled_from(["&amp;", "&#0;", "&#xD800;", "&#x110000;", "<!--", "<![CDATA[", "</p>", "<"])),
    lambda children: st.builds(
        element,
        st.sampled_from(TAGS),
        st.lists(st.sampled_from(ATTRIBUTES), max_size=2),
        st.lists(children, max_size=4),
    ),
    max_leaves=40,
)
DEEP_HTML = st.builds(
    lambda tag, depth, text: f"<{tag}>" * depth + text, st.sampled_from(TAGS), st.integers(0, 3000), TEXT
)


def rss(title: str, description: str, date: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title><item>'
        f"<title>{title}</title><description><![CDATA[{description}]]></description><pubDate>{date}</pubDate>"
        "</item></channel></rss>"
    ).encode()


CONTENT_TYPES = st.sampled_from(["", "application/rss+xml", "text/html", "text/xml; charset=x"])
FEED_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.builds(rss, TEXT, st.one_of(NESTED_HTML, DEEP_HTML), st.one_of(TEXT, st.just("Sat, 01 Jan 0001 00:00:00 GMT"))),
)


@FUZZ_SETTINGS
@given(content=FEED_BYTES, content_type=CONTENT_TYPES)
def test_random_bytes_parse_to_a_feed_or_fail_as_not_a_feed(content: bytes, content_type: str):
    try:
        parse_feed(content, FETCHED_AT, content_type, base_url="https://example.org/feed.xml")
    except NotAFeedError:
        pass


@FUZZ_SETTINGS
@given(fragment=st.one_of(NESTED_HTML, DEEP_HTML))
def test_random_nested_html_is_sanitized_without_an_error_and_keeps_nothing_executable(fragment: str):
    cleaned = sanitize_html(fragment, base_url="https://example.org/")
    assert not EXECUTABLE.search(cleaned), cleaned
    sanitized_html_to_text(cleaned)
    html_to_text(fragment)
    plain_title(fragment)
