"""Story grouping benchmark: the evidence behind the distance threshold, then story assignment's throughput.

Run by hand (make bench). Two parts:
  1. Distances, on real text: the shared feed corpus and labelled excerpts (../shared, skipped when absent) give
     unrelated pairs and independent reports on one subject; rewrites made from them (a new headline, changed words,
     a moved sentence, a boilerplate line) give pairs that should group. Prints the distance distributions and the
     share of rewrites grouped at several thresholds, with the band lookup assign_story uses.
  2. Throughput: ~20k generated articles (stories with syndicated copies and light rewrites, over 60 days) in a
     throwaway PostgreSQL test database, grouped in publication order twice: one by one (assign_story), then
     afresh in batches (assign_stories, 200 a call as the tagging task does). Prints articles/s, queries per
     article and per batch, whether both give the same stories, candidate rows examined per article, and how
     well the stories match the truth.
Timings are noisy on a shared machine; compare runs on one machine.
"""

import argparse
import itertools
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from math import comb
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = PROJECT_DIR.parent / "shared"
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
# A database of its own (the run creates and drops test_signals_story_bench), apart from the test suite's.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/signals_story_bench")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
# Measured as a Celery worker runs it (see DB_SYNCHRONOUS_COMMIT in the settings).
os.environ.setdefault("DB_SYNCHRONOUS_COMMIT", "off")
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

THRESHOLDS_BITS = (3, 5, 7, 9, 11)
BOILERPLATE = "Follow us on Telegram and subscribe to our newsletter for the latest news."
START_AT = datetime(2024, 3, 1, tzinfo=UTC)


# --- Part 1: distances on real text -------------------------------------------------------------------------------


def real_texts() -> list[tuple[str, str, dict | None]]:
    """(title, text, label) for every feed-corpus entry and labelled excerpt; text starts with the title as stored."""
    from ingest.parse import NotAFeedError, parse_feed

    found = []
    for path in sorted((SHARED_DIR / "feeds" / "real-world").glob("*.*")):
        if path.suffix in (".tsv", ".md"):
            continue
        try:
            entries = parse_feed(path.read_bytes(), START_AT).entries
        except NotAFeedError:
            continue
        found.extend((entry.title, entry.text, None) for entry in entries)
    with (SHARED_DIR / "eval" / "signals_dev.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            found.append((item["title"], f"{item['title']}\n{item['text']}", item))
    return list({(title, text): (title, text, label) for title, text, label in found}.values())


def is_found(a: int, b: int, threshold: int) -> bool:
    """What assign_story decides for one pair: within the threshold and reachable through a band one bit off."""
    from tracker.stories import hamming, simhash_bands

    near_band = any((x ^ y).bit_count() <= 1 for x, y in zip(simhash_bands(a), simhash_bands(b), strict=True))
    return near_band and hamming(a, b) <= threshold


def shares_a_band(a: int, b: int) -> bool:
    from tracker.stories import simhash_bands

    return any(x == y for x, y in zip(simhash_bands(a), simhash_bands(b), strict=True))


def describe(distances: list[int]) -> str:
    ordered = sorted(distances)
    at_most = ", ".join(f"≤{t}: {sum(d <= t for d in ordered)}" for t in THRESHOLDS_BITS)
    return (
        f"{len(ordered):7d} pairs: min {ordered[0]}, 0.1% {ordered[len(ordered) // 1000]}, "
        f"median {statistics.median(ordered):.0f}; pairs {at_most}"
    )


def report_unrelated(texts: list[tuple[str, str, dict | None]]) -> None:
    from tracker.stories import fingerprint, hamming

    prints = [(fingerprint(title, text), label) for title, text, label in texts]
    prints = [(value, label) for value, label in prints if value is not None]
    pairs = list(itertools.combinations(prints, 2))
    print(f"{len(prints)} texts fingerprinted (median {median_words(texts)} words)")
    print(f"  unrelated (every pair)         {describe([hamming(a, b) for (a, _), (b, _) in pairs])}")
    same_subject = [hamming(a, b) for (a, x), (b, y) in pairs if x and y and x["relevant"] and y["relevant"]]
    print(f"  same subject (RU-DPRK items)   {describe(same_subject)}")
    same_day = [
        hamming(a, b)
        for (a, x), (b, y) in pairs
        if x and y and x["relevant"] and y["relevant"] and x["date"] == y["date"]
    ]
    if same_day:
        print(f"  same subject and date          {describe(same_day)}")


def median_words(texts: list[tuple[str, str, dict | None]]) -> int:
    from tracker.stories import words

    return int(statistics.median(len(words(text)) for _, text, _ in texts))


def rewrites(rng: random.Random, vocabulary: list[str], headlines: list[str]) -> dict:
    """Ways a copy differs from its source: each takes and returns (title, body)."""

    def change_words(body: str, count: int) -> str:
        tokens = body.split(" ")
        for index in rng.sample(range(len(tokens)), min(count, len(tokens))):
            tokens[index] = rng.choice(vocabulary)
        return " ".join(tokens)

    def move_sentence(body: str) -> str:
        sentences = body.replace(". ", ".\n").split("\n")
        if len(sentences) > 1:
            index = rng.randrange(len(sentences) - 1)
            sentences[index], sentences[index + 1] = sentences[index + 1], sentences[index]
        return "\n".join(sentences)

    return {
        "new headline": lambda title, body: (rng.choice(headlines), body),
        "moved sentence": lambda title, body: (title, move_sentence(body)),
        "1 word changed": lambda title, body: (title, change_words(body, 1)),
        "3 words changed": lambda title, body: (title, change_words(body, 3)),
        "boilerplate line": lambda title, body: (title, f"{body}\n{BOILERPLATE}"),
        "all of these": lambda title, body: (
            rng.choice(headlines),
            f"{move_sentence(change_words(body, 3))}\n{BOILERPLATE}",
        ),
    }


def report_rewrites(label: str, documents: list[tuple[str, str]], vocabulary: list[str]) -> None:
    from tracker.stories import fingerprint, hamming, words

    rng = random.Random(11)
    headlines = [title for title, _ in documents]
    print(
        f"  {label}: {len(documents)} texts, median {statistics.median(len(words(b)) for _, b in documents):.0f} words"
    )
    print(f"    {'rewrite':18s} {'median':>6s}  " + "  ".join(f"≤{t:<2d}" for t in THRESHOLDS_BITS) + "  ≤3 exact band")
    for name, rewrite in rewrites(rng, vocabulary, headlines).items():
        pairs = []
        for title, body in documents:
            source = fingerprint(title, f"{title}\n{body}")
            new_title, new_body = rewrite(title, body)
            copy = fingerprint(new_title, f"{new_title}\n{new_body}")
            if source is not None and copy is not None:
                pairs.append((source, copy))
        shares = [sum(is_found(a, b, t) for a, b in pairs) / len(pairs) for t in THRESHOLDS_BITS]
        exact = sum(hamming(a, b) <= 3 and shares_a_band(a, b) for a, b in pairs)
        median = statistics.median(hamming(a, b) for a, b in pairs)
        print(
            f"    {name:18s} {median:6.0f}  "
            + "  ".join(f"{share:4.2f}" for share in shares)
            + f"  {exact / len(pairs):4.2f}"
        )


def report_distances() -> None:
    if not (SHARED_DIR / "eval" / "signals_dev.jsonl").is_file() or not (SHARED_DIR / "feeds").is_dir():
        print(f"skipped: the shared corpus is absent (expected it at {SHARED_DIR})")
        return
    texts = real_texts()
    report_unrelated(texts)
    documents = [(title, text[len(title) :].strip()) for title, text, _ in texts]
    documents = [(title, body) for title, body in documents if body]
    vocabulary = [word for _, body in documents for word in body.split()]
    print("share of rewrites grouped with their source, by distance threshold (bits of 64)")
    report_rewrites("feed summaries and excerpts", documents, vocabulary)
    shuffled = random.Random(5).sample(documents, len(documents))
    groups = [shuffled[start : start + 5] for start in range(0, len(shuffled) - 4, 5)]
    joined = [(group[0][0], "\n".join(body for _, body in group)) for group in groups]
    report_rewrites("five of them joined, as a full article", joined, vocabulary)
    print("  lookup reach (random bits): a band one bit off exists for every pair ≤7 bits apart, ", end="")
    print(", ".join(f"{reach(d):.0%} at {d}" for d in (8, 9, 10, 11)))


def reach(distance: int) -> float:
    """Share of fingerprint pairs `distance` random bits apart that still have a band at most one bit off."""
    missed = sum(
        comb(16, a) * comb(16, b) * comb(16, c) * comb(16, d)
        for a, b, c, d in itertools.product(range(2, 17), repeat=4)
        if a + b + c + d == distance
    )
    return 1 - missed / comb(64, distance)


# --- Part 2: throughput on generated articles ---------------------------------------------------------------------


class StoryWriter:
    """Generated news-like text: Zipf-distributed pseudo-words, so common words are shared as in real text."""

    def __init__(self, rng: random.Random, vocabulary_size: int = 30_000):
        syllables = [c + v for c in "bdgklmnprstvz" for v in "aeiou"]
        self.rng = rng
        self.words = [
            "".join(syllables[(n * 7919 + k * 104729) % len(syllables)] for k in range(1 + n % 3)) + str(n // 195)
            for n in range(vocabulary_size)
        ]
        self.weights = list(itertools.accumulate(1 / rank for rank in range(1, vocabulary_size + 1)))

    def sentence(self, low: int = 6, high: int = 24) -> str:
        chosen = self.rng.choices(self.words, cum_weights=self.weights, k=self.rng.randint(low, high))
        return " ".join(chosen).capitalize() + "."

    def article(self) -> tuple[str, str]:
        title = self.sentence(5, 10).rstrip(".")
        return title, "\n".join(self.sentence() for _ in range(self.rng.randint(3, 14)))

    def rewrite(self, title: str, body: str) -> tuple[str, str]:
        """A new headline, two words changed, two neighbouring sentences swapped."""
        sentences = body.split("\n")
        if len(sentences) > 1:
            index = self.rng.randrange(len(sentences) - 1)
            sentences[index], sentences[index + 1] = sentences[index + 1], sentences[index]
        tokens = "\n".join(sentences).split(" ")
        for index in self.rng.sample(range(len(tokens)), 2):
            tokens[index] = self.rng.choice(self.words)
        return self.sentence(5, 10).rstrip("."), " ".join(tokens)


def generate(article_count: int, feed_count: int, days: int, seed: int = 3) -> list[dict]:
    """Articles as dicts (title, text, feed, published_at, truth, kind), each story with 0-4 copies."""
    rng = random.Random(seed)
    writer = StoryWriter(rng)
    # Some feeds end every article with their own line (a subscription plea, a copyright notice).
    footers = {feed: writer.sentence(8, 14) for feed in range(feed_count) if rng.random() < 0.3}
    rows: list[dict] = []
    for truth in itertools.count():
        title, body = writer.article()
        published_at = START_AT + timedelta(seconds=rng.uniform(0, days * 86400))
        copies = min(int(rng.expovariate(0.7)), 4)
        for copy in range(1 + copies):
            kind = "source" if copy == 0 else rng.choice(("identical", "rewrite"))
            copy_title, copy_body = writer.rewrite(title, body) if kind == "rewrite" else (title, body)
            feed = rng.randrange(feed_count)
            if feed in footers:
                copy_body = f"{copy_body}\n{footers[feed]}"
            rows.append(
                {
                    "title": copy_title,
                    "text": f"{copy_title}\n{copy_body}",
                    "feed": feed,
                    "published_at": published_at + timedelta(seconds=rng.uniform(0, 12 * 3600) * (copy > 0)),
                    "truth": truth,
                    "kind": kind,
                }
            )
            if len(rows) == article_count:
                return rows
    raise AssertionError("unreachable")


def store(rows: list[dict], feed_count: int) -> list[int]:
    """Feeds, articles and their assessments (no story yet); returns assessment ids in publication order."""
    from ingest.models import Article, Feed
    from tracker.models import Assessment

    feeds = Feed.objects.bulk_create([Feed(url=f"https://feed{n}.example.org/rss") for n in range(feed_count)])
    articles = Article.objects.bulk_create(
        [
            Article(
                feed=feeds[row["feed"]],
                title=row["title"],
                text=row["text"],
                published_at=row["published_at"],
                content_hash=f"{n:064d}",
                language="en",
            )
            for n, row in enumerate(rows)
        ],
        batch_size=2000,
    )
    assessments = Assessment.objects.bulk_create(
        [Assessment(article=article, status=Assessment.Status.RELEVANT, language="en") for article in articles],
        batch_size=2000,
    )
    for row, assessment in zip(rows, assessments, strict=True):
        row["assessment_id"] = assessment.pk
    return [row["assessment_id"] for row in sorted(rows, key=lambda row: (row["published_at"], row["assessment_id"]))]


def group_all(ordered_ids: list[int]) -> list[float]:
    """assign_story on each assessment, oldest first; seconds per article."""
    from tracker.models import Assessment
    from tracker.stories import assign_story

    seconds = []
    for start in range(0, len(ordered_ids), 500):
        chunk = ordered_ids[start : start + 500]
        loaded = Assessment.objects.select_related("article").in_bulk(chunk)
        for assessment_id in chunk:
            started = time.perf_counter()
            assign_story(loaded[assessment_id])
            seconds.append(time.perf_counter() - started)
    return seconds


def queries_per_article(ordered_ids: list[int]) -> float:
    """Queries of assign_story run again on a sample (already grouped: the repeat path)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Assessment
    from tracker.stories import assign_story

    sample = ordered_ids[:: max(1, len(ordered_ids) // 200)]
    loaded = Assessment.objects.select_related("article").in_bulk(sample)
    with CaptureQueriesContext(connection) as captured:
        for assessment_id in sample:
            assign_story(loaded[assessment_id])
    return len(captured) / len(sample)


def group_in_batches(ordered_ids: list[int], batch_size: int) -> tuple[list[float], list[int]]:
    """assign_stories on batches in publication order, as the tagging task does; seconds and queries per batch."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Assessment
    from tracker.stories import assign_stories

    seconds, queries = [], []
    for start in range(0, len(ordered_ids), batch_size):
        chunk = ordered_ids[start : start + batch_size]
        loaded = Assessment.objects.select_related("article").in_bulk(chunk)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            assign_stories([loaded[assessment_id] for assessment_id in chunk])
            seconds.append(time.perf_counter() - started)
        queries.append(len(captured))
    return seconds, queries


def queries_per_batch_repeated(ordered_ids: list[int], batch_size: int) -> int:
    """Queries of assign_stories run again on one batch from the middle (already grouped: the repeat path)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.models import Assessment
    from tracker.stories import assign_stories

    middle = len(ordered_ids) // 2
    loaded = Assessment.objects.select_related("article").in_bulk(ordered_ids[middle : middle + batch_size])
    with CaptureQueriesContext(connection) as captured:
        assign_stories(list(loaded.values()))
    return len(captured)


def stories_as_groups() -> set[frozenset[int]]:
    """The grouping itself, without story ids: which assessments share a story."""
    from tracker.models import Assessment

    groups: dict[int, set[int]] = {}
    for assessment_id, story_id in Assessment.objects.values_list("pk", "story_id"):
        groups.setdefault(story_id, set()).add(assessment_id)
    return {frozenset(members) for members in groups.values()}


def forget_stories() -> None:
    """Back to the stored state: no stories, no fingerprints."""
    from tracker.models import Assessment, Story

    Assessment.objects.update(story=None, simhash=None, **{f"simhash_band_{index}": None for index in range(4)})
    Story.objects.all().delete()


def candidate_rows(ordered_ids: list[int]) -> tuple[list[int], list[int]]:
    """Rows the lookup examines per article, and how many of them share a band exactly."""
    from tracker.models import Assessment
    from tracker.stories import band_matches

    examined, exact = [], []
    sample = ordered_ids[:: max(1, len(ordered_ids) // 2000)]
    for assessment in Assessment.objects.select_related("article").filter(pk__in=sample, simhash__isnull=False):
        rows = band_matches(assessment.simhash, assessment.article.published_at, exclude_id=assessment.pk)
        examined.append(len(rows))
        exact.append(sum(shares_a_band(assessment.simhash, row.simhash) for row in rows))
    return examined, exact


def quality(rows: list[dict]) -> None:
    """Pairs of articles put together, against the generated truth."""
    from tracker.models import Assessment

    story_of = dict(Assessment.objects.values_list("pk", "story_id"))
    cells = Counter((story_of[row["assessment_id"]], row["truth"]) for row in rows)
    stories = Counter(story_of[row["assessment_id"]] for row in rows)
    truths = Counter(row["truth"] for row in rows)
    together = sum(comb(n, 2) for n in cells.values())
    precision = together / max(1, sum(comb(n, 2) for n in stories.values()))
    recall = together / max(1, sum(comb(n, 2) for n in truths.values()))
    source_story = {row["truth"]: story_of[row["assessment_id"]] for row in rows if row["kind"] == "source"}
    print(f"stories: {len(stories)} made, {len(truths)} true; pairs put together: precision {precision:.4f}, ", end="")
    print(f"recall {recall:.3f}")
    for kind in ("identical", "rewrite"):
        copies = [row for row in rows if row["kind"] == kind]
        joined = sum(story_of[row["assessment_id"]] == source_story[row["truth"]] for row in copies)
        print(f"  {kind} copies in their source's story: {joined / len(copies):.3f} of {len(copies)}")


def report_timings(seconds: list[float]) -> None:
    last_quarter = seconds[-len(seconds) // 4 :]
    median_ms = statistics.median(seconds) * 1000
    p99_ms = sorted(seconds)[len(seconds) * 99 // 100] * 1000
    print(
        f"assign_story: {len(seconds) / sum(seconds):.0f} articles/s overall, "
        f"{len(last_quarter) / sum(last_quarter):.0f} articles/s over the last quarter (fullest database); "
        f"median {median_ms:.2f} ms, p99 {p99_ms:.2f} ms per article"
    )


def report_batch_timings(seconds: list[float], queries: list[int], article_count: int, batch_size: int) -> None:
    sizes = [min(batch_size, article_count - start) for start in range(0, article_count, batch_size)]
    quarter = len(seconds) // 4
    print(
        f"assign_stories, batches of {batch_size}: {article_count / sum(seconds):.0f} articles/s overall, "
        f"{sum(sizes[-quarter:]) / sum(seconds[-quarter:]):.0f} articles/s over the last quarter; "
        f"median {statistics.median(seconds) * 1000:.1f} ms per batch; "
        f"queries per batch: median {statistics.median(queries):.0f}, max {max(queries)}"
    )


def report_throughput(article_count: int, feed_count: int, days: int, batch_size: int) -> None:
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rows = generate(article_count, feed_count, days)
        ordered_ids = store(rows, feed_count)
        kinds = Counter(row["kind"] for row in rows)
        print(f"{len(rows)} articles over {days} days in {feed_count} feeds: {dict(kinds)}")
        seconds = group_all(ordered_ids)
        report_timings(seconds)
        # Taken before the repeat below, which may move an article left alone in its story to a later copy's.
        one_by_one = stories_as_groups()
        print(f"queries per article when repeated: {queries_per_article(ordered_ids):.1f}")
        forget_stories()
        batch_seconds, batch_queries = group_in_batches(ordered_ids, batch_size)
        report_batch_timings(batch_seconds, batch_queries, len(ordered_ids), batch_size)
        print(f"same stories as one by one: {'yes' if stories_as_groups() == one_by_one else 'NO'}")
        print(f"queries per batch when repeated: {queries_per_batch_repeated(ordered_ids, batch_size)}")
        examined, exact = candidate_rows(ordered_ids)
        print(
            f"candidate rows examined per article: mean {statistics.mean(examined):.2f}, "
            f"p99 {sorted(examined)[len(examined) * 99 // 100]}, max {max(examined)} "
            f"(an exact-band lookup would examine {statistics.mean(exact):.2f})"
        )
        quality(rows)
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=200, help="articles per assign_stories call")
    parser.add_argument("--skip-distances", action="store_true")
    parser.add_argument("--shingle-words", type=int, help="measure another shingle size than the module's")
    args = parser.parse_args()

    import django

    django.setup()
    import tracker.stories

    if args.shingle_words:
        tracker.stories.SHINGLE_WORDS = args.shingle_words
    print(
        f"shingles of {tracker.stories.SHINGLE_WORDS} words, threshold {tracker.stories.MAX_STORY_DISTANCE_BITS} bits"
    )
    if not args.skip_distances:
        print("== distances on real text")
        report_distances()
    print("== assign_story and assign_stories on generated articles")
    report_throughput(args.articles, args.feeds, args.days, args.batch_size)


if __name__ == "__main__":
    main()
