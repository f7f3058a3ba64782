"""Tag a range of articles again with the current rules; curators' decisions are left as they are."""

import argparse
from datetime import UTC, date, datetime, timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import timezone
from tqdm import tqdm

from ingest.models import Article, ArticleSource, Feed
from tracker.active_tagger import current_tagger
from tracker.assess import AssessSummary, assess_articles

DEFAULT_BATCH_SIZE = 200


def moment(text: str) -> datetime:
    """An ISO date or date-time; a naive one is read as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or date-time: {text!r}") from None
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def until_moment(text: str) -> datetime:
    """The end of the range, exclusive; a bare date includes its whole day."""
    end = moment(text)
    return end + timedelta(days=1) if is_bare_date(text) else end


def is_bare_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


class Command(BaseCommand):
    help = (
        "Tag articles again with the current rules: --all, or a range by publication date (--since, --until), "
        "a feed's articles (--feed) or named ones (--article). Curated tags are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Every article.")
        parser.add_argument("--since", type=moment, metavar="DATE", help="Published at or after this date (UTC).")
        parser.add_argument("--until", type=until_moment, metavar="DATE", help="Published up to this date, inclusive.")
        parser.add_argument(
            "--feed", dest="feed_ids", type=int, action="append", metavar="ID", help="Articles a feed carried."
        )
        parser.add_argument("--article", dest="article_ids", type=int, nargs="+", metavar="ID", help="These articles.")
        parser.add_argument("--batch-size", type=positive, default=DEFAULT_BATCH_SIZE, help="Articles per transaction.")

    def handle(self, *args, **options) -> None:
        article_ids = list(selected_articles(options).order_by("published_at", "id").values_list("pk", flat=True))
        if not article_ids:
            self.stdout.write("No articles to tag.")
            return
        tagger = current_tagger()
        summary = self.tag_in_batches(article_ids, options["batch_size"], tagger, options["verbosity"])
        self.stdout.write(self.style.SUCCESS(f"Tagged with rules {tagger.version}: {summary}"))

    def tag_in_batches(self, article_ids: list[int], batch_size: int, tagger, verbosity: int) -> AssessSummary:
        summary = AssessSummary()
        with self.progress_bar(len(article_ids), verbosity) as bar:
            for start in range(0, len(article_ids), batch_size):
                batch = article_ids[start : start + batch_size]
                summary += assess_articles(batch, tagger)
                bar.update(len(batch))
        return summary

    def progress_bar(self, total: int, verbosity: int) -> tqdm:
        return tqdm(total=total, unit="article", file=ProgressStream(self.stderr), disable=verbosity == 0)


def selected_articles(options: dict) -> QuerySet[Article]:
    filters = {name: options[name] for name in ("since", "until", "feed_ids", "article_ids") if options[name]}
    if options["all"] == bool(filters):
        raise CommandError("Say which articles: --all, or any of --since, --until, --feed and --article.")
    articles = Article.objects.all()
    if "since" in filters:
        articles = articles.filter(published_at__gte=filters["since"])
    if "until" in filters:
        articles = articles.filter(published_at__lt=filters["until"])
    if "feed_ids" in filters:
        require_known_feeds(filters["feed_ids"])
        carried = ArticleSource.objects.filter(feed_id__in=filters["feed_ids"]).values("article_id")
        articles = articles.filter(pk__in=carried)
    if "article_ids" in filters:
        articles = articles.filter(pk__in=filters["article_ids"])
    return articles


def require_known_feeds(feed_ids: list[int]) -> None:
    unknown = set(feed_ids) - set(Feed.objects.filter(pk__in=feed_ids).values_list("pk", flat=True))
    if unknown:
        raise CommandError(f"No feed with id {', '.join(map(str, sorted(unknown)))}.")


class ProgressStream:
    """tqdm redraws its bar with carriage returns; Django's OutputWrapper would end every write with a newline."""

    def __init__(self, output) -> None:
        self.output = output

    def write(self, text: str) -> None:
        self.output.write(text, ending="")

    def flush(self) -> None:
        self.output.flush()
