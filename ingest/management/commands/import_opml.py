"""Subscribe to every feed in an OPML file; feeds already present are left as they are."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ingest.links import canonicalize_url, safe_http_url
from ingest.models import Feed, SourceKind
from ingest.opml import OPMLError, Outline, parse_opml

MAX_TITLE_LENGTH = Feed._meta.get_field("title").max_length
MAX_LANGUAGE_LENGTH = Feed._meta.get_field("language").max_length
KIND_BY_NAME = {value: value for value in SourceKind.values} | {
    label.lower(): value for value, label in SourceKind.choices
}


class Command(BaseCommand):
    help = (
        "Add a feed for each outline in an OPML file whose xmlUrl is a new http(s) URL. "
        "Duplicates and invalid URLs are skipped, so importing the same file twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="Path of the OPML file.")
        parser.add_argument(
            "--kind",
            choices=SourceKind.values,
            help="Source kind for every imported feed (default: the outline's category when it names a kind).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would be added; save nothing.")

    def handle(self, *args, **options) -> None:
        outlines = read_outlines(Path(options["file"]))
        present = set(Feed.objects.filter(url__in=[o.xml_url for o in outlines]).values_list("url", flat=True))
        to_add, counts = [], {"already present": 0, "invalid": 0}
        for outline in outlines:
            verdict = self.judge(outline, present, options["dry_run"])
            if verdict == "added":
                present.add(outline.xml_url)
                to_add.append(new_feed(outline, options["kind"]))
            else:
                counts[verdict] += 1
        if not options["dry_run"]:
            save(to_add)
        summary = f"{len(to_add)} added, {counts['already present']} already present, {counts['invalid']} invalid"
        self.stdout.write(summary + (" (dry run: nothing saved)" if options["dry_run"] else ""))

    def judge(self, outline: Outline, present: set[str], is_dry_run: bool) -> str:
        """Say what happens to one outline: "added", "already present" or "invalid", and tell the operator."""
        # canonicalize_url returns None for anything but an absolute http(s) URL with a host and a valid port.
        if canonicalize_url(outline.xml_url) is None:
            self.stdout.write(f"invalid, not an absolute http(s) URL: {outline.xml_url[:200]!r}")
            return "invalid"
        if outline.xml_url in present:
            self.stdout.write(f"already present: {outline.xml_url}")
            return "already present"
        self.stdout.write(f"{'would add' if is_dry_run else 'added'}: {outline.xml_url}")
        return "added"


def read_outlines(path: Path) -> list[Outline]:
    try:
        return parse_opml(path.read_bytes())
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
    except OPMLError as error:
        raise CommandError(f"{path}: {error}") from error


def new_feed(outline: Outline, kind: str | None) -> Feed:
    return Feed(
        url=outline.xml_url,
        title=outline.title[:MAX_TITLE_LENGTH],
        site_url=safe_http_url(outline.html_url),
        language=outline.language[:MAX_LANGUAGE_LENGTH],
        source_kind=kind or kind_from_category(outline.category) or SourceKind.NEWS_AGENCY,
    )


def kind_from_category(category: str) -> str | None:
    """The source kind an OPML category names, as in our own exports ("state_media") or a folder ("/State media")."""
    for path in category.split(","):
        for name in path.split("/"):
            kind = KIND_BY_NAME.get(name.strip().lower())
            if kind:
                return kind
    return None


def save(feeds: list[Feed]) -> None:
    # A feed added by someone else since we looked is simply kept as it is.
    with transaction.atomic():
        Feed.objects.bulk_create(feeds, batch_size=500, ignore_conflicts=True)
