"""Allow-list HTML sanitizing and plain-text extraction for feed content.

Everything a feed sends is hostile until it has passed through here: only the
sanitized HTML is stored, and only the stored HTML is ever rendered.

Images: a stored copy carries none. Every <img> would load from another site (a relative src is resolved
against the article's own site, which is just as foreign to ours), so it could track readers and the
Content-Security-Policy blocks it anyway; each one is replaced by its alt text, if it has any.

Work per fragment is bounded: before the HTML5 parser sees a fragment, ingest.nesting drops the tags of
elements nested deeper than INGEST_MAX_HTML_DEPTH (keeping their text), because the parser's time grows
with the square of the nesting depth.
"""

import html
import re
from contextvars import ContextVar
from urllib.parse import urljoin, urlsplit

import nh3
from django.conf import settings

from ingest.nesting import bound_nesting

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
# No `cite` on blockquote/q: nh3 does not check URL schemes on it, and readers never see it.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Whole elements whose content is never text a reader should see.
DROPPED_ELEMENTS = {"script", "style", "iframe", "object", "embed", "applet", "noscript", "template", "svg", "math"}

# The document a fragment came from, for resolving its relative links (set per call).
_base_url: ContextVar[str] = ContextVar("base_url", default="")


def resolve_relative_url(url: str) -> str | None:
    """Relative href/src made absolute against the fragment's base; dropped when there is no base."""
    base = _base_url.get()
    if not base:
        return None
    absolute = urljoin(base, url.strip())
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


_HTML_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_ELEMENTS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
    url_relative=resolve_relative_url,
)
_TEXT_CLEANER = nh3.Cleaner(tags=set(), clean_content_tags=DROPPED_ELEMENTS, attributes={}, link_rel=None)

# Block boundaries become line breaks so that "<p>a</p><p>b</p>" reads "a\nb", not "ab".
_BLOCK_BOUNDARY = re.compile(
    r"<(?=/?(?:p|div|br|li|h[1-6]|tr|td|th|blockquote|ul|ol|dd|dt|pre|hr|table|section|article)\b)", re.I
)
# Control characters in a one-line field would reach terminals, logs and XML exports.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# PostgreSQL refuses NUL bytes; lone surrogates cannot be encoded as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def strip_unstorable(value: str) -> str:
    """Remove characters PostgreSQL cannot store in a text column."""
    return _UNSTORABLE.sub("", value)


def parseable(fragment: str) -> str:
    """The fragment, storable, nested no deeper than the limit and with images as their alt text."""
    return bound_nesting(strip_unstorable(fragment), settings.INGEST_MAX_HTML_DEPTH).html


def sanitize_html(fragment: str, base_url: str = "") -> str:
    """The fragment with only allow-listed tags, attributes and URL schemes; relative URLs resolved."""
    if not fragment:
        return ""
    token = _base_url.set(base_url)
    try:
        return _HTML_CLEANER.clean(parseable(fragment)).strip()
    finally:
        _base_url.reset(token)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, one line per block, whitespace collapsed."""
    if not fragment:
        return ""
    marked = _BLOCK_BOUNDARY.sub("\n<", parseable(fragment))
    text = strip_unstorable(html.unescape(_TEXT_CLEANER.clean(marked)))
    return collapse_whitespace(text)


def collapse_whitespace(text: str) -> str:
    """One space between words, one line per block, no blank lines (str.split knows Unicode spaces)."""
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# In the sanitizer's output every "<" starts a tag (text has it escaped as &lt;).
_SANITIZED_TAG = re.compile(r"<[^>]*>")


def sanitized_html_to_text(sanitized: str) -> str:
    """Plain text of HTML that already came out of sanitize_html: no second parse needed."""
    if not sanitized:
        return ""
    marked = _BLOCK_BOUNDARY.sub("\n<", sanitized)
    return collapse_whitespace(html.unescape(_SANITIZED_TAG.sub("", marked)))


def plain_title(value: str, max_length: int = 1000) -> str:
    """A title as one line of plain text: feeds put markup and entities in titles."""
    text = _CONTROL_CHARACTERS.sub("", html_to_text(value).replace("\n", " "))
    return text[:max_length]
