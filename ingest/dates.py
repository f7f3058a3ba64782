"""Dates feedparser gets wrong, read here instead; everything comes back in UTC."""

import email.utils
import re
from datetime import UTC, datetime

import feedparser

# "2020/1/10 14:33:00": feedparser's own handlers read this as 2020-11-01.
_SLASHED_DATE = re.compile(r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*$")


def parse_slashed_date(value: str):
    """Feedparser date handler: year/month/day with an optional time, no zone, so UTC."""
    match = _SLASHED_DATE.match(value or "")
    if not match:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).utctimetuple()
    except ValueError:
        return None


def parse_rfc822_leniently(value: str) -> datetime | None:
    """An RFC 822 date feedparser gave up on (a weekday with no zone, say); no zone means UTC.

    None when there is no such date, or when it falls outside the years 1 to 9999 once in UTC
    ("Fri, 31 Dec 9999 23:00:00 -0100" is already year 10000 there).
    """
    try:
        moment = email.utils.parsedate_to_datetime(value)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


feedparser.registerDateHandler(parse_slashed_date)
