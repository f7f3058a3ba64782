"""Feed bytes into plain dataclasses: feedparser parses, the sanitizer cleans.

Feedparser's own sanitizer is turned off (it is slow and not the one we trust);
every HTML field is cleaned by ingest.sanitize instead.
"""

import calendar
import hashlib
import html
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import feedparser

from ingest.dates import parse_rfc822_leniently
from ingest.links import MAX_URL_LENGTH, canonicalize_url, safe_http_url
from ingest.sanitize import plain_title, sanitize_html, sanitized_html_to_text, strip_unstorable

MAX_FUTURE_SKEW = timedelta(days=1)
# Before this, a date is a placeholder (Go's zero time is 0001-01-01) or a typo, not a publication date; it would
# also push date arithmetic downstream (story windows of a few days) out of range.
EARLIEST_PUBLISHED_AT = datetime(1900, 1, 1, tzinfo=UTC)
MAX_GUID_LENGTH = 2000
LAST_CODE_POINT = 0x10FFFF
SURROGATES = range(0xD800, 0xE000)
# A numeric character reference, with or without its semicolon (feedparser's loose parser reads both); leading
# zeros apart, so that the length of the digits bounds the number.
CHARACTER_REFERENCE_TEXT = r"&#(?:[xX]0*([0-9a-fA-F]+)|0*([0-9]+));?"
CHARACTER_REFERENCE = re.compile(CHARACTER_REFERENCE_TEXT.encode())
CHARACTER_REFERENCE_IN_TEXT = re.compile(CHARACTER_REFERENCE_TEXT)
# Documents whose characters are not ASCII bytes, told by their byte order mark or by how "<?" is spelled, as
# XML 1.0 appendix F (and feedparser) detect them; the longer marks first, as UTF-32 LE begins like UTF-16 LE.
WIDE_ENCODING_PREFIXES = [
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
]

logger = logging.getLogger(__name__)


class NotAFeedError(Exception):
    """The document is not RSS, Atom or RDF (an HTML page, an empty body)."""


@dataclass(frozen=True)
class ParsedEntry:
    entry_key: str
    guid: str
    link: str
    canonical_url: str | None
    title: str
    summary_html: str
    content_html: str
    text: str
    author: str
    language: str
    published_at: datetime
    is_published_at_estimated: bool

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str
    language: str
    entries: list[ParsedEntry] = field(default_factory=list)
    warning: str = ""
    skipped_entry_count: int = 0


def parse_feed(content: bytes, fetched_at: datetime, content_type: str = "", base_url: str = "") -> ParsedFeed:
    headers = {"content-type": content_type or "application/xml"}
    # A BytesIO, never bytes or str: feedparser would treat a str as a URL or a file name.
    # Its sanitizer and URI resolver are off: they cost most of its time, and
    # ingest.sanitize does both (allow-list cleaning, relative links made absolute).
    result = feedparser.parse(
        io.BytesIO(replace_unreadable_character_references(content)),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not result.get("version") and not result.entries:
        raise NotAFeedError(describe_bozo(result) or "no RSS, Atom or RDF content found")
    feed = result.feed
    language = clean_language(feed.get("language", ""))
    base_url = safe_http_url(base_url)
    entries, skipped = parse_entries(result.entries, fetched_at, language, base_url)
    warnings = [describe_bozo(result) if result.get("bozo") else "", describe_skipped(skipped)]
    return ParsedFeed(
        title=plain_title(feed.get("title", ""), 500),
        site_url=absolute_http_url(feed.get("link", ""), base_url),
        language=language,
        entries=entries,
        warning="; ".join(warning for warning in warnings if warning),
        skipped_entry_count=len(skipped),
    )


def replace_unreadable_character_references(content: bytes) -> bytes:
    """Character references to lone surrogates or past U+10FFFF become references to U+FFFD.

    Such a reference makes the document ill-formed XML, and feedparser's fallback parser then fails on the whole
    feed while encoding it; one bad character in one entry must cost no more than that character.
    """
    encoding = wide_encoding(content)
    if encoding is None:
        return CHARACTER_REFERENCE.sub(replace_if_unreadable, content) if b"&#" in content else content
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        return content  # feedparser judges an undecodable document itself
    return CHARACTER_REFERENCE_IN_TEXT.sub(replace_if_unreadable, text).encode(encoding)


def wide_encoding(content: bytes) -> str | None:
    return next((encoding for prefix, encoding in WIDE_ENCODING_PREFIXES if content.startswith(prefix)), None)


def replace_if_unreadable(match: re.Match) -> bytes | str:
    hexadecimal, decimal = match.groups()
    digits = hexadecimal or decimal
    # Past eight digits no code point is possible, and a thousand digits must not become a thousand-digit integer.
    code_point = int(digits, 16 if hexadecimal else 10) if len(digits) <= 8 else LAST_CODE_POINT + 1
    if code_point <= LAST_CODE_POINT and code_point not in SURROGATES:
        return match.group()
    return "&#xFFFD;" if isinstance(digits, str) else b"&#xFFFD;"


def parse_entries(
    raw_entries: list, fetched_at: datetime, feed_language: str, base_url: str
) -> tuple[list[ParsedEntry], list[str]]:
    """The entries that can be read, and why each of the others could not: one bad entry costs only itself."""
    entries, skipped = [], []
    for number, raw_entry in enumerate(raw_entries, start=1):
        try:
            # A plain dict: FeedParserDict's alias lookups cost more than the rest of parse_entry.
            entries.append(parse_entry(dict(raw_entry), fetched_at, feed_language, base_url))
        except Exception as error:  # hostile input finds failures no one listed; the feed's other entries stand
            logger.warning("entry %s skipped: %s: %s", number, type(error).__name__, error)
            skipped.append(f"entry {number}: {type(error).__name__}: {error}")
    return entries, skipped


def describe_skipped(skipped: list[str]) -> str:
    if not skipped:
        return ""
    return f"entries skipped as unreadable: {len(skipped)}; the first: {skipped[0]}"[:1000]


def parse_entry(entry: dict, fetched_at: datetime, feed_language: str, base_url: str = "") -> ParsedEntry:
    guid = strip_unstorable(str(entry.get("id") or "")).strip()[:MAX_GUID_LENGTH]
    link = absolute_http_url(entry.get("link", ""), base_url)
    title = plain_title(entry.get("title", ""))
    summary_detail = entry.get("summary_detail")
    summary_html = sanitize_html(
        detail_as_html(summary_detail, entry.get("summary", "")), detail_base(summary_detail, base_url)
    )
    content_html = best_content(entry, base_url)
    published_at, is_estimated = entry_published_at(entry, fetched_at)
    return ParsedEntry(
        entry_key=entry_key(guid, link, title, entry),
        guid=guid,
        link=link,
        canonical_url=storable_canonical_url(link),
        title=title,
        summary_html=summary_html,
        content_html=content_html if content_html != summary_html else "",
        text=entry_text(title, summary_html, content_html),
        author=plain_title(entry.get("author", ""), 500),
        language=entry_language(entry) or feed_language,
        published_at=published_at,
        is_published_at_estimated=is_estimated,
    )


def storable_canonical_url(link: str) -> str | None:
    """The link's canonical form, unless it grew past the column (canonicalizing percent-encodes the query)."""
    canonical_url = canonicalize_url(link) if link else None
    return canonical_url if canonical_url and len(canonical_url) <= MAX_URL_LENGTH else None


def entry_key(guid: str, link: str, title: str, entry: dict) -> str:
    """Identity of an entry within its feed: GUID, else link, else title and date."""
    if guid:
        identity = f"guid:{guid}"
    elif link:
        identity = f"link:{link}"
    else:
        raw_date = strip_unstorable(str(entry.get("published") or entry.get("updated") or ""))
        identity = f"title:{title}\n{raw_date}"
    return hashlib.sha256(identity.encode()).hexdigest()


def detail_as_html(detail: dict | None, value: str) -> str:
    """Feed text constructs may be plain text; escape those so they are not read as markup."""
    if detail and detail.get("type") == "text/plain":
        return html.escape(value or "")
    return value or ""


def best_content(entry: dict, base_url: str) -> str:
    """The longest content block, sanitized (feeds may carry several: content:encoded, xhtml:body...)."""
    contents = entry.get("content") or []
    longest = max(contents, key=lambda part: len(part.get("value", "")), default=None)
    if longest is None:
        return ""
    return sanitize_html(detail_as_html(longest, longest.get("value", "")), detail_base(longest, base_url))


def detail_base(detail: dict | None, base_url: str) -> str:
    """The xml:base in force for a text construct, else the feed's own URL."""
    base = (detail or {}).get("base") or ""
    return absolute_http_url(base, base_url) or base_url


def absolute_http_url(value: str, base_url: str) -> str:
    """An http(s) URL, resolving a relative one against base_url; anything else becomes empty."""
    value = strip_unstorable(str(value or "")).strip()
    if value and base_url and not urlsplit(value).scheme:
        value = urljoin(base_url, value)
    return safe_http_url(value)


def entry_text(title: str, summary_html: str, content_html: str) -> str:
    body = sanitized_html_to_text(content_html if len(content_html) > len(summary_html) else summary_html)
    return f"{title}\n{body}".strip()


def entry_language(entry: dict) -> str:
    for key in ("content", "summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, list):
            detail = detail[0] if detail else None
        if detail and detail.get("language"):
            return clean_language(detail["language"])
    return ""


def clean_language(value: str) -> str:
    return strip_unstorable(value or "").strip().lower().replace("_", "-")[:16]


def entry_published_at(entry: dict, fetched_at: datetime) -> tuple[datetime, bool]:
    """The entry's date in UTC, or the fetch time (marked estimated) when missing, bogus or far ahead."""
    for key in ("published", "updated", "created"):
        if key not in entry:
            continue
        moment = struct_to_datetime(entry.get(f"{key}_parsed")) or parse_rfc822_leniently(entry[key])
        if moment is None or moment < EARLIEST_PUBLISHED_AT:
            continue
        if moment > fetched_at + MAX_FUTURE_SKEW:
            return fetched_at, True
        return moment, False
    return fetched_at, True


def struct_to_datetime(value) -> datetime | None:
    # Feedparser hands back struct_time already converted to UTC; a naive source date counts as UTC.
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def describe_bozo(result: dict) -> str:
    error = result.get("bozo_exception")
    return f"{type(error).__name__}: {error}"[:1000] if error else ""
