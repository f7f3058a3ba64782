"""Generate a synthetic data set in PostgreSQL for benchmarking the dashboard."""

import argparse
from datetime import UTC, date, datetime, time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from devtools.dataset.catalogue import GENERATED_URL_PREFIX
from devtools.dataset.load import DatasetError, LoadSummary, generate_dataset, table_sizes
from devtools.dataset.plan import DatasetSpec
from tracker.management.commands.retag import ProgressStream

DEFAULT_ARTICLES = 1_000_000


def count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date: {text!r}") from None


def end_moment(end: date | None, now: datetime) -> datetime:
    """The last publication time: the end of the given day, but never later than now."""
    if end is None:
        return now.replace(microsecond=0)
    return min(datetime.combine(end, time(23, 59, 59), UTC), now.replace(microsecond=0))


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set (invented feeds, articles, stories, assessments and tags) for benchmarking. "
        f"Generated feeds live under {GENERATED_URL_PREFIX}; --clear removes only those and their articles."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--articles", type=count, default=DEFAULT_ARTICLES, help="Articles to generate (0: none).")
        parser.add_argument("--years", type=positive, default=3, help="Years the articles span, ending at --end.")
        parser.add_argument("--feeds", type=positive, default=60, help="Feeds the articles come from.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed and options give the same data set.")
        parser.add_argument("--end", type=iso_date, metavar="DATE", help="Last day of the range (default: today).")
        parser.add_argument("--clear", action="store_true", help="Delete the previously generated data set first.")
        parser.add_argument(
            "--force", action="store_true", help="Generate even though the database holds articles from real feeds."
        )

    def handle(self, *args, **options) -> None:
        spec = DatasetSpec(
            articles=options["articles"],
            years=options["years"],
            feeds=options["feeds"],
            seed=options["seed"],
            end_at=end_moment(options["end"], timezone.now()),
        )
        progress = LoadProgress(spec.articles, self.stderr, is_shown=options["verbosity"] > 0)
        try:
            summary = generate_dataset(spec, clear=options["clear"], force=options["force"], progress=progress.advance)
        except DatasetError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.close()
        self.report(spec, summary)

    def report(self, spec: DatasetSpec, summary: LoadSummary) -> None:
        if summary.cleared_articles:
            self.stdout.write(f"Cleared the previous data set ({summary.cleared_articles:,} articles).")
        if spec.articles:
            self.stdout.write(f"Generated {spec.first_day} to {spec.end_at:%Y-%m-%d %H:%M} UTC, seed {spec.seed}:")
            for name, value in summary.counts.items():
                self.stdout.write(f"  {name:<22}{value:>12,}")
        self.stdout.write("Table sizes:")
        for table, size in table_sizes().items():
            self.stdout.write(f"  {table:<22}{size / 2**20:>10,.1f} MB")
        phases = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in summary.seconds.items())
        total = sum(summary.seconds.values())
        self.stdout.write(self.style.SUCCESS(f"Done in {total:.1f} s ({phases})."))


class LoadProgress:
    """A progress bar that appears with the first loaded chunk: refusals and the clearing come without one."""

    def __init__(self, total: int, stream, *, is_shown: bool) -> None:
        self.total, self.stream, self.is_shown = total, stream, is_shown
        self.bar: tqdm | None = None

    def advance(self, articles: int) -> None:
        if self.bar is None:
            stream = ProgressStream(self.stream)
            self.bar = tqdm(total=self.total, unit="article", file=stream, disable=not self.is_shown)
        self.bar.update(articles)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
