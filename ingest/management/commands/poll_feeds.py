"""Run one polling cycle now, in this process, through the same code the Celery workers run."""

import logging
import re
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingest.models import Feed
from ingest.refresh import RefreshResult, due_feed_ids, refresh_feed

logger = logging.getLogger(__name__)

# Feed titles and server errors are outside text: keep them to one line, with no terminal escape codes.
_NOT_PRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def one_line(text: str, max_length: int | None = None) -> str:
    """The text as one printable line, cut to max_length characters with an ellipsis."""
    text = " ".join(_NOT_PRINTABLE.sub(" ", text).split())
    if max_length is not None and len(text) > max_length:
        return text[: max_length - 1] + "…"
    return text


def describe_result(feed: Feed, result: RefreshResult | None) -> str:
    """How one poll went, as operators read it: "ok, 5 new, 1 updated" or the outcome and the error."""
    if result is None:
        return "skipped, inactive" if not feed.is_active else "skipped, a worker is polling it"
    if result.error:
        return f"{result.outcome}: {one_line(result.error)}"
    return f"{result.outcome}, {len(result.new_ids)} new, {len(result.updated_ids)} updated"


@dataclass
class CycleTotals:
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    new: int = 0
    updated: int = 0

    def count(self, result: RefreshResult | None) -> None:
        if result is None:
            self.skipped += 1
        elif result.error:
            self.failed += 1
        else:
            self.ok += 1
            self.new += len(result.new_ids)
            self.updated += len(result.updated_ids)


class Command(BaseCommand):
    help = (
        "Poll feeds now, in this process: by default only the feeds that are due; "
        "--all polls every active feed, --feed ID (repeatable) polls the named feeds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--all", action="store_true", help="Poll every active feed, due or not.")
        which.add_argument(
            "--feed", dest="feed_ids", type=int, action="append", metavar="ID", help="Poll this feed (repeatable)."
        )

    def handle(self, *args, **options) -> None:
        feed_ids, force = self.feeds_to_poll(options["all"], options["feed_ids"])
        # A feed deleted since it was listed simply drops out of this cycle.
        feeds_by_id = Feed.objects.in_bulk(feed_ids)
        feeds = [feeds_by_id[feed_id] for feed_id in feed_ids if feed_id in feeds_by_id]
        if not feeds:
            self.stdout.write("No feeds to poll.")
            return
        started_at = time.monotonic()
        totals = self.poll_each(feeds, force)
        self.stdout.write(
            f"{len(feeds)} feeds in {time.monotonic() - started_at:.1f}s: "
            f"{totals.ok} ok, {totals.failed} failed, {totals.skipped} skipped; "
            f"{totals.new} new, {totals.updated} updated articles"
        )

    def feeds_to_poll(self, is_all: bool, feed_ids: list[int] | None) -> tuple[list[int], bool]:
        """The ids to poll in order, and whether to poll them even if they are not due."""
        if feed_ids:
            feed_ids = list(dict.fromkeys(feed_ids))
            require_known(feed_ids)
            return feed_ids, True
        if is_all:
            return list(Feed.objects.filter(is_active=True).order_by("next_poll_at").values_list("pk", flat=True)), True
        return due_feed_ids(), False

    def poll_each(self, feeds: list[Feed], force: bool) -> CycleTotals:
        totals = CycleTotals()
        for position, feed in enumerate(feeds, start=1):
            result = self.poll_one(feed, force)
            totals.count(result)
            line = f"[{position}/{len(feeds)}] {one_line(str(feed), 80)}: {describe_result(feed, result)}"
            self.stdout.write(line, style_func=self.style_for(result))
        return totals

    def poll_one(self, feed: Feed, force: bool) -> RefreshResult | None:
        try:
            return refresh_feed(feed.pk, force=force)
        except Exception as error:
            # Each feed is its own Celery task in production; here too, one feed's crash must not end the cycle.
            logger.exception("feed %s: refresh crashed", feed.pk)
            return RefreshResult(feed_id=feed.pk, outcome="crashed", error=f"{type(error).__name__}: {error}")

    def style_for(self, result: RefreshResult | None):
        if result is None:
            return self.style.WARNING
        return self.style.ERROR if result.error else self.style.SUCCESS


def require_known(feed_ids: list[int]) -> None:
    known = set(Feed.objects.filter(pk__in=feed_ids).values_list("pk", flat=True))
    unknown = [str(feed_id) for feed_id in feed_ids if feed_id not in known]
    if unknown:
        raise CommandError(f"No feed with id {', '.join(unknown)}.")
