"""Write every feed as an OPML 2.0 subscription list, for other readers or for a later import_opml."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ingest.models import Feed
from ingest.opml import Outline, build_opml

OPML_TITLE = "RU–DPRK Signals Tracker feeds"


class Command(BaseCommand):
    help = "Export all feeds as OPML 2.0 (title, xmlUrl, htmlUrl, language, and the source kind as category)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", metavar="FILE", help="Write to this file instead of standard output.")

    def handle(self, *args, **options) -> None:
        outlines = [outline_for(feed) for feed in Feed.objects.order_by("title", "url")]
        document = build_opml(outlines, title=OPML_TITLE, created_at=timezone.now())
        if options["output"]:
            write_file(Path(options["output"]), document)
            self.stdout.write(f"Wrote {len(outlines)} feeds to {options['output']}")
        else:
            self.stdout.write(document.decode(), ending="")


def outline_for(feed: Feed) -> Outline:
    return Outline(
        xml_url=feed.url,
        title=feed.title,
        html_url=feed.site_url,
        language=feed.language,
        category=feed.source_kind,
    )


def write_file(path: Path, document: bytes) -> None:
    try:
        path.write_bytes(document)
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror or error}") from error
