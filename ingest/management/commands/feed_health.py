"""Every feed's health at a glance: outcome, failures, freshness, article count, last error."""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count, QuerySet
from django.utils import timezone

from ingest.management.commands.poll_feeds import one_line
from ingest.models import Feed

TITLE_WIDTH = 40
ERROR_WIDTH = 60
COLUMN_GAP = "  "
HEADERS = (
    "ID",
    "Title",
    "Kind",
    "Active",
    "Outcome",
    "Fails",
    "Status",
    "Last success",
    "Next poll",
    "Articles",
    "Last error",
)


class Command(BaseCommand):
    help = "List every feed's health: a table for people, or JSON with full values for scripts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failing", action="store_true", help="Only feeds whose last poll failed.")
        parser.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args, **options) -> None:
        feeds = list(feeds_with_counts(options["failing"]))
        now = timezone.now()
        if options["format"] == "json":
            self.stdout.write(json.dumps([feed_as_json(feed) for feed in feeds], indent=2, ensure_ascii=False))
        elif feeds:
            self.stdout.write(render_table([table_row(feed, now) for feed in feeds]))
        else:
            self.stdout.write("No failing feeds." if options["failing"] else "No feeds.")


def feeds_with_counts(is_failing_only: bool) -> QuerySet[Feed]:
    feeds = Feed.objects.annotate(article_count=Count("entries")).order_by("title", "url")
    return feeds.filter(consecutive_failures__gt=0) if is_failing_only else feeds


def table_row(feed: Feed, now: datetime) -> tuple[str, ...]:
    return (
        str(feed.pk),
        one_line(str(feed), TITLE_WIDTH),
        feed.source_kind,
        "yes" if feed.is_active else "no",
        feed.last_outcome,
        str(feed.consecutive_failures),
        str(feed.last_status_code or "-"),
        last_success_text(feed, now),
        next_poll_text(feed, now),
        str(feed.article_count),
        one_line(feed.last_error, ERROR_WIDTH) or "-",
    )


def last_success_text(feed: Feed, now: datetime) -> str:
    if feed.last_succeeded_at is None:
        return "never"
    return f"{duration_text((now - feed.last_succeeded_at).total_seconds())} ago"


def next_poll_text(feed: Feed, now: datetime) -> str:
    if not feed.is_active:
        return "inactive"
    if feed.next_poll_at <= now:
        return "due now"
    return f"in {duration_text((feed.next_poll_at - now).total_seconds())}"


def duration_text(seconds: float) -> str:
    """A duration the way people say it: 45s, 12m, 3h, 5d (rounded, so 3h plus a few ms is still 3h)."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if round(seconds / 60) < 60:
        return f"{round(seconds / 60)}m"
    if round(seconds / 3600) < 48:
        return f"{round(seconds / 3600)}h"
    return f"{round(seconds / 86400)}d"


def render_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(HEADERS, *rows, strict=True)]
    return "\n".join(render_line(row, widths) for row in (HEADERS, *rows))


def render_line(cells: tuple[str, ...], widths: list[int]) -> str:
    return COLUMN_GAP.join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def feed_as_json(feed: Feed) -> dict:
    return {
        "id": feed.pk,
        "url": feed.url,
        "title": feed.title,
        "site_url": feed.site_url,
        "source_kind": feed.source_kind,
        "country": feed.country,
        "language": feed.language,
        "is_active": feed.is_active,
        "poll_interval_minutes": feed.poll_interval_minutes,
        "last_outcome": feed.last_outcome,
        "consecutive_failures": feed.consecutive_failures,
        "last_status_code": feed.last_status_code,
        "last_polled_at": iso_or_none(feed.last_polled_at),
        "last_succeeded_at": iso_or_none(feed.last_succeeded_at),
        "next_poll_at": iso_or_none(feed.next_poll_at),
        "article_count": feed.article_count,
        "last_error": feed.last_error,
        "parse_warning": feed.parse_warning,
        "deactivated_reason": feed.deactivated_reason,
    }


def iso_or_none(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
