"""Add one feed from the command line; adding a feed that exists already is not an error."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ingest.links import canonicalize_url
from ingest.management.commands.poll_feeds import describe_result
from ingest.models import Feed, SourceKind
from ingest.refresh import refresh_feed

MAX_LANGUAGE_LENGTH = Feed._meta.get_field("language").max_length
MAX_TITLE_LENGTH = Feed._meta.get_field("title").max_length


class Command(BaseCommand):
    help = (
        "Add a feed and print its id. If the URL is already a feed, print its id and change nothing, "
        "so scripts can run this again safely. --poll polls the feed once right away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", metavar="URL", help="Absolute http(s) URL of the RSS, Atom or RDF feed.")
        parser.add_argument("--title", default="", help="Display title (default: the feed's own, after a poll).")
        parser.add_argument("--kind", choices=SourceKind.values, default=SourceKind.NEWS_AGENCY)
        parser.add_argument("--country", default="", help="ISO 3166 alpha-2 code of the outlet's country, e.g. RU.")
        parser.add_argument("--language", default="", help="Language code, e.g. en (default: the feed's own).")
        parser.add_argument("--interval", type=int, metavar="MINUTES", help="Minutes between polls.")
        parser.add_argument("--poll", action="store_true", help="Poll the feed once right away.")

    def handle(self, *args, **options) -> None:
        url = options["url"].strip()
        feed, is_created = Feed.objects.get_or_create(url=valid_feed_url(url), defaults=feed_fields(options))
        if is_created:
            self.stdout.write(f"Added feed (id {feed.pk}): {feed.url}")
        else:
            self.stdout.write(f"Feed already exists (id {feed.pk}): {feed.url}")
        if options["poll"]:
            self.stdout.write(f"Polled: {describe_result(feed, refresh_feed(feed.pk, force=True))}")


def valid_feed_url(url: str) -> str:
    # canonicalize_url returns None for anything but an absolute http(s) URL with a host and a valid port.
    if canonicalize_url(url) is None:
        raise CommandError(f"Not an absolute http(s) URL: {url[:200]!r}")
    return url


def feed_fields(options: dict) -> dict:
    fields = {
        "title": options["title"].strip()[:MAX_TITLE_LENGTH],
        "source_kind": options["kind"],
        "country": valid_country(options["country"]),
        "language": valid_language(options["language"]),
    }
    if options["interval"] is not None:
        fields["poll_interval_minutes"] = valid_interval(options["interval"])
    return fields


def valid_country(country: str) -> str:
    country = country.strip().upper()
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise CommandError(f"--country takes a two-letter ISO 3166 code such as RU, not {country!r}")
    return country


def valid_language(language: str) -> str:
    language = language.strip()
    if len(language) > MAX_LANGUAGE_LENGTH:
        raise CommandError(f"--language takes a language code such as en or ko, not {language!r}")
    return language


def valid_interval(minutes: int) -> int:
    if minutes < 1:
        raise CommandError(f"--interval must be at least 1 minute, not {minutes}")
    return minutes
