"""Only absolute http(s) links are kept, and each story gets one canonical URL."""

import pytest

from ingest.links import MAX_URL_LENGTH, canonicalize_url, safe_http_url

OVERLONG_URL = "https://example.com/" + "a" * MAX_URL_LENGTH


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
        ("http://example.com", "http://example.com"),
        ("HTTPS://Example.com/Path", "HTTPS://Example.com/Path"),
        ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("  https://example.com/  ", "https://example.com/"),
        ("https://example.com/a\x00b", "https://example.com/ab"),
        ("javascript:alert(1)", ""),
        ("JavaScript:alert(1)", ""),
        ("vbscript:msgbox(1)", ""),
        ("data:text/html,<script>alert(1)</script>", ""),
        ("mailto:editor@example.com", ""),
        ("ftp://example.com/file", ""),
        ("/relative/path", ""),
        ("relative/path", ""),
        ("//example.com/protocol-relative", ""),
        ("https:///no-host", ""),
        ("https://exa mple.com/", ""),
        ("https://example.com/a\tb", ""),
        ("http://[::1", ""),
        (OVERLONG_URL, ""),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_http_url(value, expected):
    assert safe_http_url(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://Example.COM/Path/Case", "https://example.com/Path/Case"),
        ("HTTPS://example.com/a", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com:80/a", "https://example.com:80/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?id=5#top", "https://example.com/a?id=5"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?UTM_Campaign=x&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=1&gclid=2&yclid=3&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&_ga=3&ocid=4&cmpid=5", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1"),
        ("https://example.com/a?tag=x&tag=y", "https://example.com/a?tag=x&tag=y"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("http://[2001:DB8::1]/a", "http://[2001:db8::1]/a"),
        ("http://[2001:db8::1]:8080/a", "http://[2001:db8::1]:8080/a"),
        ("http://[2001:db8::1]:80/a", "http://[2001:db8::1]/a"),
        ("https://example.com:99999/a", None),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("/relative/path", None),
        ("//example.com/a", None),
        (OVERLONG_URL, None),
        ("", None),
    ],
)
def test_canonicalize_url(url, expected):
    assert canonicalize_url(url) == expected


def test_the_same_story_from_two_links_has_one_canonical_url():
    shared = canonicalize_url("https://News.example.com:443/story?utm_source=twitter#top")
    assert shared == canonicalize_url("https://news.example.com/story?utm_source=rss")


def test_a_canonical_url_is_its_own_canonical_url():
    canonical = canonicalize_url("HTTP://Example.com:80/a?utm_medium=x&q=korea#frag")
    assert canonicalize_url(canonical) == canonical
