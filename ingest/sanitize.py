"""Allow-list HTML sanitizing and plain-text extraction for feed content.

Everything a feed sends is hostile until it has passed through here: only the
sanitized HTML is stored, and only the stored HTML is ever rendered.
"""

import html
import re

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Whole elements whose content is never text a reader should see.
DROPPED_ELEMENTS = {"script", "style", "iframe", "object", "embed", "applet", "noscript", "template", "svg", "math"}

_HTML_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_ELEMENTS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags=DROPPED_ELEMENTS, attributes={}, link_rel=None)

# Block boundaries become line breaks so that "<p>a</p><p>b</p>" reads "a\nb", not "ab".
_BLOCK_BOUNDARY = re.compile(
    r"<(?=/?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote|ul|ol|dd|dt|pre|hr|table|section|article)\b)", re.I
)
# PostgreSQL refuses NUL bytes; lone surrogates cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def strip_unstorable(value: str) -> str:
    """Remove characters PostgreSQL cannot store in a text column."""
    return _UNSTORABLE.sub("", value)


def sanitize_html(fragment: str) -> str:
    """Return the fragment with only allow-listed tags, attributes and URL schemes."""
    if not fragment:
        return ""
    return _HTML_CLEANER.clean(strip_unstorable(fragment)).strip()


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block, whitespace collapsed."""
    if not fragment:
        return ""
    marked = _BLOCK_BOUNDARY.sub("\n<", strip_unstorable(fragment))
    text = html.unescape(_TEXT_CLEANER.clean(marked))
    text = _SPACES.sub(" ", strip_unstorable(text))
    return _BLANK_LINES.sub("\n", text).strip()


def plain_title(value: str, max_length: int = 1000) -> str:
    """A title as one line of plain text: feeds put markup and entities in titles."""
    text = html_to_text(value).replace("\n", " ")
    return text[:max_length]
