"""OPML in and out: what is read from a subscription list, what is refused, and what is written."""

import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime

import pytest

from ingest.opml import OPMLError, Outline, build_opml, parse_opml


def opml(body: str, head: str = "<head><title>Subscriptions</title></head>") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?><opml version="2.0">{head}<body>{body}</body></opml>'.encode()


def test_flat_outlines_are_read_with_all_their_attributes():
    document = opml(
        '<outline type="rss" text="TASS" title="TASS English" xmlUrl="https://tass.com/rss/v2.xml"'
        ' htmlUrl="https://tass.com/" language="en" category="state_media"/>'
        '<outline type="rss" text="NK News" xmlUrl="https://www.nknews.org/feed/"/>'
    )

    assert parse_opml(document) == [
        Outline(
            xml_url="https://tass.com/rss/v2.xml",
            title="TASS English",
            html_url="https://tass.com/",
            language="en",
            category="state_media",
        ),
        Outline(xml_url="https://www.nknews.org/feed/", title="NK News"),
    ]


def test_nested_folders_are_flattened_into_category_paths_in_document_order():
    document = opml(
        '<outline text="Russia">'
        '  <outline text="State media"><outline text="RIA" xmlUrl="https://ria.example/feed"/></outline>'
        '  <outline text="Kremlin" xmlUrl="https://kremlin.example/feed"/>'
        "</outline>"
        '<outline text="Loose" xmlUrl="https://loose.example/feed"/>'
    )

    assert [(outline.xml_url, outline.category) for outline in parse_opml(document)] == [
        ("https://ria.example/feed", "/Russia/State media"),
        ("https://kremlin.example/feed", "/Russia"),
        ("https://loose.example/feed", ""),
    ]


def test_an_outline_s_own_category_wins_over_its_folder():
    document = opml(
        '<outline text="Misc"><outline text="A" xmlUrl="https://a.example/" category="think_tank"/></outline>'
    )

    assert parse_opml(document)[0].category == "think_tank"


def test_outlines_without_an_xml_url_are_ignored():
    document = opml(
        '<outline text="Just a folder"/>'
        '<outline text="A web page" htmlUrl="https://example.org/" type="link" url="https://example.org/"/>'
        '<outline text="Blank feed URL" xmlUrl="   "/>'
        '<outline text="Feed" xmlUrl="https://example.org/feed"/>'
    )

    assert [outline.xml_url for outline in parse_opml(document)] == ["https://example.org/feed"]


def test_attribute_names_are_matched_whatever_their_case():
    document = opml('<outline TEXT="Shouting" XMLURL="https://a.example/feed" htmlurl="https://a.example/"/>')

    assert parse_opml(document) == [
        Outline(xml_url="https://a.example/feed", title="Shouting", html_url="https://a.example/")
    ]


def test_text_names_the_outline_when_it_has_no_title_and_whitespace_is_trimmed():
    document = opml('<outline text="  Yonhap  " title="" xmlUrl="  https://en.yna.co.kr/RSS/news.xml "/>')

    assert parse_opml(document) == [Outline(xml_url="https://en.yna.co.kr/RSS/news.xml", title="Yonhap")]


def test_the_encoding_the_file_declares_is_honoured():
    document = (
        '<?xml version="1.0" encoding="windows-1251"?><opml version="1.0"><body>'
        '<outline text="Известия" xmlUrl="https://iz.example/xml/rss/all.xml"/></body></opml>'
    ).encode("windows-1251")

    assert parse_opml(document)[0].title == "Известия"


def test_an_outline_named_only_by_its_url_has_no_title():
    document = opml('<outline text="https://a.example/feed" xmlUrl="https://a.example/feed"/>')

    assert parse_opml(document) == [Outline(xml_url="https://a.example/feed", title="")]


def test_an_empty_body_gives_no_outlines():
    assert parse_opml(opml("")) == []


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(b"", id="empty file"),
        pytest.param(b"this is not xml at all", id="plain text"),
        pytest.param(opml('<outline text="unclosed" xmlUrl="https://a.example/">'), id="unclosed outline"),
        pytest.param(b"<html><body><p>Moved</p></body></html>", id="an HTML page"),
        pytest.param(b'<rss version="2.0"><channel><title>x</title></channel></rss>', id="a feed, not a list"),
        pytest.param(b'<opml version="2.0"><head/></opml>', id="opml without a body"),
    ],
)
def test_documents_that_are_not_opml_are_refused(document):
    with pytest.raises(OPMLError):
        parse_opml(document)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://a.example/feed"/></body></opml>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&secret;" xmlUrl="https://a.example/feed"/></body></opml>
"""

EXTERNAL_PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<opml version="2.0"><body><outline text="x" xmlUrl="https://a.example/feed"/></body></opml>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/opml.dtd">
<opml version="2.0"><body><outline text="x" xmlUrl="https://a.example/feed"/></body></opml>
"""


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(BILLION_LAUGHS, id="entity expansion (billion laughs)"),
        pytest.param(EXTERNAL_ENTITY, id="external entity reading a local file"),
        pytest.param(EXTERNAL_PARAMETER_ENTITY, id="external parameter entity"),
        pytest.param(EXTERNAL_DTD, id="external DTD"),
    ],
)
def test_documents_declaring_a_dtd_are_refused_before_anything_is_expanded(document):
    with pytest.raises(OPMLError, match="DTD"):
        parse_opml(document)


def test_outlines_nested_thousands_deep_are_read_without_exhausting_the_stack():
    depth = 5000
    innermost = '<outline text="deep" xmlUrl="https://deep.example/"/>'
    document = opml('<outline text="f">' * depth + innermost + "</outline>" * depth)

    [outline] = parse_opml(document)

    assert outline.xml_url == "https://deep.example/"
    assert outline.category.count("/") == depth


def test_the_built_document_is_opml_2_0_with_a_title_and_creation_date():
    created_at = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

    root = ElementTree.fromstring(build_opml([], title="Tracker feeds", created_at=created_at))

    assert root.tag == "opml"
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Tracker feeds"
    assert root.findtext("head/dateCreated") == "Sat, 01 Mar 2025 09:30:00 +0000"
    assert root.find("body") is not None


def test_built_outlines_carry_the_attributes_other_readers_expect():
    outline = Outline(
        xml_url="https://tass.com/rss/v2.xml",
        title="TASS",
        html_url="https://tass.com/",
        language="en",
        category="state_media",
    )

    [element] = ElementTree.fromstring(build_opml([outline])).find("body")

    assert element.attrib == {
        "type": "rss",
        "text": "TASS",
        "title": "TASS",
        "xmlUrl": "https://tass.com/rss/v2.xml",
        "htmlUrl": "https://tass.com/",
        "language": "en",
        "category": "state_media",
    }


def test_an_outline_without_a_title_is_named_by_its_url_and_empty_attributes_are_left_out():
    [element] = ElementTree.fromstring(build_opml([Outline(xml_url="https://a.example/feed")])).find("body")

    assert element.attrib == {"type": "rss", "text": "https://a.example/feed", "xmlUrl": "https://a.example/feed"}


def test_parsing_a_built_document_gives_back_the_same_outlines():
    outlines = [
        Outline(
            xml_url="https://a.example/feed?x=1&y=<2>",
            title="Quotes \" and ' & <tags>",
            html_url="https://a.example/",
            language="ru",
            category="government",
        ),
        Outline(xml_url="https://kcna.example/rss", title="조선중앙통신", category="state_media"),
        Outline(xml_url="https://b.example/atom"),
    ]

    assert parse_opml(build_opml(outlines)) == outlines


def test_characters_xml_cannot_carry_are_dropped_so_the_document_stays_well_formed():
    outline = Outline(xml_url="https://a.example/feed", title="Bell\x07 escape\x1b[31m nul\x00 end")

    [parsed] = parse_opml(build_opml([outline]))

    assert parsed.title == "Bell escape[31m nul end"
