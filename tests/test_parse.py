"""Feed bytes into clean entries: plain titles, sanitized HTML, stable identities and honest dates."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest import parse
from ingest.parse import NotAFeedError, parse_feed

FETCHED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

RSS_HEAD = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
    b"<title>Signals &amp; Noise</title><link>https://news.example/</link><language>ko-KP</language>"
)
RSS_TAIL = b"</channel></rss>"


def rss(*items: bytes) -> bytes:
    return RSS_HEAD + b"".join(items) + RSS_TAIL


def rss_item(*parts: str) -> bytes:
    return ("<item>" + "".join(parts) + "</item>").encode()


def only_entry(body: bytes, **kwargs):
    (entry,) = parse_feed(body, FETCHED_AT, **kwargs).entries
    return entry


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ru">
  <title type="text">Atom wire</title>
  <link rel="alternate" href="https://atom.example/"/>
  <entry>
    <title type="html">&lt;i&gt;Talks&lt;/i&gt; resume</title>
    <id>urn:uuid:0a1b2c3d</id>
    <link rel="alternate" href="https://atom.example/talks"/>
    <summary type="text">Use the &lt;b&gt; tag</summary>
    <content type="html">&lt;p onclick="steal()"&gt;Full &lt;b&gt;body&lt;/b&gt; of the report.&lt;/p&gt;</content>
    <updated>2024-04-30T10:00:00Z</updated>
  </entry>
  <entry xml:lang="en">
    <title>Second</title>
    <id>urn:uuid:4e5f</id>
    <summary>Short</summary>
    <published>2024-04-30T10:00:00+09:00</published>
  </entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/">
    <title>RDF wire</title><link>https://rdf.example/</link><dc:language>de</dc:language>
  </channel>
  <item rdf:about="https://rdf.example/1">
    <title>Erste Meldung</title><link>https://rdf.example/1</link>
    <description>&lt;p&gt;Text&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description>
    <dc:date>2024-04-30T10:00:00+02:00</dc:date>
  </item>
</rdf:RDF>"""


def test_rss_feed_title_site_and_language():
    feed = parse_feed(rss(rss_item("<title>One</title>")), FETCHED_AT)
    assert (feed.title, feed.site_url, feed.language, feed.warning) == (
        "Signals & Noise",
        "https://news.example/",
        "ko-kp",
        "",
    )


def test_rss_title_is_plain_text():
    entry = only_entry(rss(rss_item("<title>&lt;b&gt;Kim&lt;/b&gt; visits &amp;amp; talks</title>")))
    assert entry.title == "Kim visits & talks"


def test_rss_summary_is_sanitized():
    description = (
        "<description>&lt;p onclick='x()'&gt;Summary&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description>"
    )
    entry = only_entry(rss(rss_item("<title>T</title>", description)))
    assert entry.summary_html == "<p>Summary</p>"


def test_content_encoded_is_used_as_content():
    entry = only_entry(
        rss(
            rss_item(
                "<title>T</title>",
                "<description>Teaser</description>",
                "<content:encoded><![CDATA[<p>Full <b>story</b>.</p><script>alert(2)</script>]]></content:encoded>",
            )
        )
    )
    assert (entry.summary_html, entry.content_html) == ("Teaser", "<p>Full <b>story</b>.</p>")
    assert entry.text == "T\nFull story."


def test_atom_entry_fields():
    first, second = parse_feed(ATOM, FETCHED_AT).entries
    assert first.title == "Talks resume"
    assert first.guid == "urn:uuid:0a1b2c3d"
    assert first.link == first.canonical_url == "https://atom.example/talks"
    assert first.content_html == "<p>Full <b>body</b> of the report.</p>"
    assert second.link == ""
    assert second.canonical_url is None


def test_text_plain_summary_shows_markup_as_literal_text():
    first, _ = parse_feed(ATOM, FETCHED_AT).entries
    assert first.summary_html == "Use the &lt;b&gt; tag"
    assert "<b>" not in first.summary_html


def test_plain_text_of_a_text_plain_summary_keeps_the_literal_markup():
    body = ATOM.replace(b"<content type=", b"<ignored type=").replace(b"</content>", b"</ignored>")
    first, _ = parse_feed(body, FETCHED_AT).entries
    assert first.text == "Talks resume\nUse the <b> tag"


def test_rdf_entry_is_parsed_and_sanitized():
    feed = parse_feed(RDF, FETCHED_AT)
    (entry,) = feed.entries
    assert (feed.title, feed.site_url, feed.language) == ("RDF wire", "https://rdf.example/", "de")
    assert (entry.title, entry.link, entry.summary_html) == ("Erste Meldung", "https://rdf.example/1", "<p>Text</p>")
    assert entry.published_at == datetime(2024, 4, 30, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "expected_languages"),
    [
        (ATOM, ["ru", "en"]),
        (RDF, ["de"]),
        (rss(rss_item("<title>T</title>")), ["ko-kp"]),
    ],
)
def test_language_comes_from_xml_lang_or_the_language_element(body, expected_languages):
    assert [entry.language for entry in parse_feed(body, FETCHED_AT).entries] == expected_languages


@pytest.mark.parametrize(
    ("date_element", "expected_published_at", "is_estimated"),
    [
        ("<pubDate>Tue, 30 Apr 2024 10:00:00 +0300</pubDate>", datetime(2024, 4, 30, 7, 0, tzinfo=UTC), False),
        ("<pubDate>Tue, 30 Apr 2024 10:00:00 -0500</pubDate>", datetime(2024, 4, 30, 15, 0, tzinfo=UTC), False),
        ("<pubDate>Tue, 30 Apr 2024 10:00:00 GMT</pubDate>", datetime(2024, 4, 30, 10, 0, tzinfo=UTC), False),
        ("<pubDate>2024-04-30T10:00:00</pubDate>", datetime(2024, 4, 30, 10, 0, tzinfo=UTC), False),
        ("<pubDate>30 Apr 2024 10:00:00</pubDate>", datetime(2024, 4, 30, 10, 0, tzinfo=UTC), False),
        ("<pubDate>Tue, 30 Apr 2024 10:00:00</pubDate>", datetime(2024, 4, 30, 10, 0, tzinfo=UTC), False),
        ("", FETCHED_AT, True),
        ("<pubDate>not a date at all</pubDate>", FETCHED_AT, True),
        ("<pubDate>Tue, 99 Foo 2024 99:99:99 +9999</pubDate>", FETCHED_AT, True),
        ("<pubDate>Sat, 30 Apr 2030 10:00:00 GMT</pubDate>", FETCHED_AT, True),
        ("<pubDate>Thu, 02 May 2024 13:00:00 GMT</pubDate>", FETCHED_AT, True),
        ("<pubDate>Thu, 02 May 2024 11:00:00 GMT</pubDate>", datetime(2024, 5, 2, 11, 0, tzinfo=UTC), False),
    ],
)
def test_published_at_is_utc_or_the_fetch_time(date_element, expected_published_at, is_estimated):
    entry = only_entry(rss(rss_item("<title>T</title>", date_element)))
    assert (entry.published_at, entry.is_published_at_estimated) == (expected_published_at, is_estimated)
    assert entry.published_at.utcoffset() == timedelta(0)


def test_a_slashed_date_is_read_correctly_or_marked_estimated():
    # Feedparser reads "2020/1/10 14:33:00" as 2020-11-01 00:00, a confident wrong date.
    entry = only_entry(rss(rss_item("<title>T</title><pubDate>2020/1/10 14:33:00</pubDate>")))
    assert (entry.published_at, entry.is_published_at_estimated) in [
        (datetime(2020, 1, 10, 14, 33, tzinfo=UTC), False),
        (FETCHED_AT, True),
    ]


def test_atom_offset_dates_are_converted_to_utc():
    first, second = parse_feed(ATOM, FETCHED_AT).entries
    assert first.published_at == datetime(2024, 4, 30, 10, 0, tzinfo=UTC)
    assert second.published_at == datetime(2024, 4, 30, 1, 0, tzinfo=UTC)


def keys_of(*items: bytes) -> list[str]:
    return [entry.entry_key for entry in parse_feed(rss(*items), FETCHED_AT).entries]


def test_entry_key_is_the_guid_when_there_is_one():
    first, second = keys_of(
        rss_item("<guid>g-1</guid><link>https://news.example/a</link><title>Old</title>"),
        rss_item("<guid>g-1</guid><link>https://news.example/b</link><title>New</title>"),
    )
    assert first == second


def test_entry_key_falls_back_to_the_link_without_a_guid():
    same_link_a, same_link_b, other_link = keys_of(
        rss_item("<link>https://news.example/a</link><title>Old</title>"),
        rss_item("<link>https://news.example/a</link><title>New</title>"),
        rss_item("<link>https://news.example/b</link><title>Old</title>"),
    )
    assert same_link_a == same_link_b != other_link


def test_entry_key_falls_back_to_title_and_date_without_guid_or_link():
    first, repeated, other_date, other_title = keys_of(
        rss_item("<title>Bulletin</title><pubDate>Tue, 30 Apr 2024 10:00:00 GMT</pubDate>"),
        rss_item("<title>Bulletin</title><pubDate>Tue, 30 Apr 2024 10:00:00 GMT</pubDate>"),
        rss_item("<title>Bulletin</title><pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate>"),
        rss_item("<title>Other</title><pubDate>Tue, 30 Apr 2024 10:00:00 GMT</pubDate>"),
    )
    assert first == repeated
    assert len({first, other_date, other_title}) == 3


@pytest.mark.parametrize("body", [ATOM, RDF, rss(rss_item("<title>Undated, no guid, no link</title>"))])
def test_entry_keys_are_stable_across_parses_and_fetch_times(body):
    earlier = [entry.entry_key for entry in parse_feed(body, FETCHED_AT).entries]
    later = [entry.entry_key for entry in parse_feed(body, FETCHED_AT + timedelta(hours=5)).entries]
    assert earlier == later


def test_relative_links_are_resolved_against_the_base_url():
    entry = only_entry(
        rss(
            rss_item(
                "<title>T</title><link>/articles/1</link>",
                '<description>&lt;a href="/related"&gt;related&lt;/a&gt;</description>',
            )
        ),
        base_url="https://news.example/feeds/rss.xml",
    )
    assert entry.link == "https://news.example/articles/1"
    assert 'href="https://news.example/related"' in entry.summary_html


def test_xml_base_wins_over_the_feed_url_for_relative_links_in_content():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Based</title>
  <entry xml:base="https://mirror.example/2024/">
    <title>T</title><id>urn:x:1</id><link href="story.html"/>
    <content type="html">&lt;a href="photo.jpg"&gt;photo&lt;/a&gt;</content>
  </entry>
</feed>"""
    entry = only_entry(body, base_url="https://atom.example/feed.xml")
    assert entry.link == "https://mirror.example/2024/story.html"
    assert 'href="https://mirror.example/2024/photo.jpg"' in entry.content_html


def test_an_unsafe_base_url_is_ignored():
    entry = only_entry(rss(rss_item("<title>T</title><link>/articles/1</link>")), base_url="javascript:alert(1)")
    assert entry.link == ""


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "data:text/html,x", "vbscript:msgbox(1)", "ftp://news.example/a"]
)
def test_unsafe_entry_links_are_dropped(link):
    entry = only_entry(rss(rss_item("<title>T</title>", f"<link>{link}</link>")))
    assert (entry.link, entry.canonical_url) == ("", None)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   \n  ",
        b"<!doctype html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>",
        b'{"version": "https://jsonfeed.org/version/1", "items": []}',
        b"plain text, not a feed",
        b"/etc/passwd",
        b"http://127.0.0.1:1/feed.xml",
    ],
)
def test_documents_that_are_not_feeds_raise_not_a_feed(body):
    with pytest.raises(NotAFeedError):
        parse_feed(body, FETCHED_AT)


def test_a_body_naming_a_file_is_never_read_as_that_file(tmp_path):
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(rss(rss_item("<title>Read from disk</title>")))
    with pytest.raises(NotAFeedError):
        parse_feed(str(feed_file).encode(), FETCHED_AT)


def test_a_truncated_feed_keeps_the_entries_before_the_cut_and_warns():
    body = rss(
        rss_item("<title>First</title><guid>1</guid>"),
        rss_item("<title>Second</title><guid>2</guid>"),
        rss_item("<title>Third</title><guid>3</guid><description>cut here"),
    )
    truncated = body[: body.index(b"cut here") + 3]
    feed = parse_feed(truncated, FETCHED_AT)
    assert [entry.title for entry in feed.entries[:2]] == ["First", "Second"]
    assert feed.warning


def test_nul_bytes_and_control_characters_never_reach_an_entry():
    entry = only_entry(rss(rss_item("<title>Bad&#0;title</title><guid>g&#0;1</guid>")))
    assert "\x00" not in entry.title + entry.guid + entry.text


# --- One bad value costs only itself ----------------------------------------------------------------------------------

UNREADABLE_CHARACTER_REFERENCES = [
    "&#xD800;",
    "&#xdfff;",
    "&#55296;",
    "&#x0000D800;",
    "&#x110000;",
    "&#9" + "9" * 40 + ";",
]


@pytest.mark.parametrize("reference", [*UNREADABLE_CHARACTER_REFERENCES, "&#xD800 "], ids=lambda value: value[:12])
def test_a_reference_to_a_lone_surrogate_or_beyond_unicode_becomes_a_replacement_character(reference):
    feed = parse_feed(
        rss(
            rss_item("<title>Before</title><guid>1</guid>"),
            rss_item(f"<title>Bad {reference}here</title><guid>2</guid><description>Body {reference}</description>"),
            rss_item("<title>After</title><guid>3</guid>"),
        ),
        FETCHED_AT,
    )
    before, bad, after = feed.entries
    assert (before.title, after.title) == ("Before", "After")
    assert bad.title.startswith("Bad \ufffd") and "\ufffd" in bad.text
    assert feed.skipped_entry_count == 0


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
def test_a_lone_surrogate_reference_is_replaced_in_a_utf16_or_utf32_document_too(encoding):
    document = rss(
        rss_item("<title>Kim &#xD800; visits</title><guid>1</guid>"), rss_item("<title>After</title><guid>2</guid>")
    )
    document = document.decode().replace('encoding="utf-8"', f'encoding="{encoding}"').encode(encoding)
    assert [entry.title for entry in parse_feed(document, FETCHED_AT).entries] == ["Kim \ufffd visits", "After"]


@pytest.mark.parametrize(
    "date_element",
    [
        "<pubDate>Fri, 31 Dec 9999 23:00:00 -0100</pubDate>",
        "<pubDate>Mon, 01 Jan 0001 00:00:00 +0100</pubDate>",
        "<pubDate>0001-01-01T00:00:00Z</pubDate>",
        "<pubDate>Sat, 31 Dec 1899 23:59:59 GMT</pubDate>",
    ],
    ids=["past-year-9999-in-utc", "before-year-1-in-utc", "go-zero-time", "before-1900"],
)
def test_a_date_out_of_range_leaves_the_entry_with_the_fetch_time_and_the_feed_whole(date_element):
    feed = parse_feed(
        rss(
            rss_item("<title>Dated</title><guid>1</guid><pubDate>Tue, 30 Apr 2024 10:00:00 GMT</pubDate>"),
            rss_item(f"<title>Out of range</title><guid>2</guid>{date_element}"),
        ),
        FETCHED_AT,
    )
    dated, out_of_range = feed.entries
    assert (dated.published_at, dated.is_published_at_estimated) == (datetime(2024, 4, 30, 10, 0, tzinfo=UTC), False)
    assert (out_of_range.published_at, out_of_range.is_published_at_estimated) == (FETCHED_AT, True)


def test_a_canonical_url_that_grows_past_the_column_is_dropped_but_the_link_kept():
    link = "https://news.example/search?q=" + "é" * 600
    entry = only_entry(rss(rss_item(f"<title>Long</title><link>{link}</link>")))
    assert entry.link == link and entry.canonical_url is None


def test_an_entry_that_cannot_be_read_is_skipped_counted_and_named_in_the_warning(monkeypatch):
    real_plain_title = parse.plain_title

    def plain_title_failing_on_poison(value, *args):
        if "poison" in value:
            raise ValueError("unreadable title")
        return real_plain_title(value, *args)

    monkeypatch.setattr(parse, "plain_title", plain_title_failing_on_poison)
    feed = parse_feed(
        rss(rss_item("<title>First</title>"), rss_item("<title>poison</title>"), rss_item("<title>Third</title>")),
        FETCHED_AT,
    )
    assert [entry.title for entry in feed.entries] == ["First", "Third"]
    assert feed.skipped_entry_count == 1
    assert "entries skipped as unreadable: 1" in feed.warning
    assert "entry 2: ValueError: unreadable title" in feed.warning
