"""OPML subscription lists in and out: pure functions on bytes and plain values, no database.

OPML files come from anywhere (another reader's export, a colleague's mail), so
they are parsed with defusedxml and any DTD is refused: OPML needs none, and a
DTD is how entity-expansion and external-entity attacks get in.
"""

import email.utils
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

import defusedxml
import defusedxml.ElementTree

# Characters XML 1.0 cannot carry at all, not even escaped; feed titles sometimes hold them.
_NOT_XML_CHARACTERS = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class OPMLError(ValueError):
    """The bytes are not a usable OPML document."""


@dataclass(frozen=True)
class Outline:
    """One subscription: a feed URL and what the list says about it."""

    xml_url: str
    title: str = ""
    html_url: str = ""
    language: str = ""
    # OPML 2.0 category: comma-separated, slash-delimited paths such as "/News/Russia".
    category: str = ""


def parse_opml(content: bytes) -> list[Outline]:
    """Every outline with an xmlUrl, in document order, nested folders flattened into categories."""
    body = opml_body(content)
    return list(outlines_under(body))


def opml_body(content: bytes) -> ElementTree.Element:
    try:
        root = defusedxml.ElementTree.fromstring(content, forbid_dtd=True)
    except defusedxml.DefusedXmlException as error:
        raise OPMLError(f"refused: OPML must not declare a DTD or entities ({type(error).__name__})") from error
    except ElementTree.ParseError as error:
        raise OPMLError(f"not well-formed XML: {error}") from error
    body = root.find("body") if root.tag == "opml" else None
    if body is None:
        raise OPMLError(f"not an OPML document: the root is <{root.tag}>, with no <body> inside <opml>")
    return body


def outlines_under(body: ElementTree.Element) -> Iterator[Outline]:
    # An explicit stack rather than recursion: a hostile file may nest outlines thousands deep.
    pending = [(child, "") for child in reversed(body)]
    while pending:
        element, folder = pending.pop()
        if element.tag != "outline":
            continue
        attributes = {name.lower(): value.strip() for name, value in element.attrib.items()}
        name = attributes.get("title") or attributes.get("text", "")
        xml_url = attributes.get("xmlurl", "")
        if xml_url:
            yield outline_from(attributes, name, folder)
        else:
            folder = f"{folder}/{name}" if name else folder
        pending.extend((child, folder) for child in reversed(element))


def outline_from(attributes: dict[str, str], name: str, folder: str) -> Outline:
    xml_url = attributes["xmlurl"]
    return Outline(
        xml_url=xml_url,
        # Exporters name an untitled feed by its URL; that is no title, and a blank one gets filled from the feed.
        title="" if name == xml_url else name,
        html_url=attributes.get("htmlurl", ""),
        language=attributes.get("language", ""),
        category=attributes.get("category") or folder,
    )


def build_opml(outlines: Iterable[Outline], title: str = "Feeds", created_at: datetime | None = None) -> bytes:
    """An OPML 2.0 document listing the outlines, UTF-8 encoded."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = xml_text(title)
    if created_at is not None:
        ElementTree.SubElement(head, "dateCreated").text = email.utils.format_datetime(created_at)
    body = ElementTree.SubElement(root, "body")
    for outline in outlines:
        ElementTree.SubElement(body, "outline", outline_attributes(outline))
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def outline_attributes(outline: Outline) -> dict[str, str]:
    # OPML 2.0 requires text on every outline; a feed without a title is named by its URL.
    attributes = {
        "type": "rss",
        "text": outline.title or outline.xml_url,
        "title": outline.title,
        "xmlUrl": outline.xml_url,
        "htmlUrl": outline.html_url,
        "language": outline.language,
        "category": outline.category,
    }
    return {name: xml_text(value) for name, value in attributes.items() if value}


def xml_text(value: str) -> str:
    return _NOT_XML_CHARACTERS.sub("", value)
