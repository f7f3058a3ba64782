"""Dashboard benchmark: chart data and the filtered list on a million articles.

Run by hand (make bench). Needs the generated data set in its own PostgreSQL database: if the database
holds fewer generated articles than asked for, the run generates them first (`generate_dataset`, a few
minutes). Then, in-process through Django's test client (view, queries, rendering, JSON):
  1. the bare SQL baseline: GROUP BY week and type over the raw tag and article tables for two years;
  2. each chart endpoint over the same varied filters (dates, types, kinds, feeds, languages, confidence,
     curated, period, articles or stories), median and p95, and its median as a ratio to the baseline;
  3. the first page of the filtered article list over varied filters and sorts;
  4. text searches with the same variety of other filters: each of the five charts, then the list. A search is
     counted from the article signal sets it matches, through their GIN index, as no rollup can know it ahead.
Timings are noisy on a shared machine: ratios measured in one run are the figures to compare.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/signals_dashboard_bench")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")  # nothing collected: serve from the app folders
os.environ["DEBUG"] = "0"  # DEBUG would keep every query in memory
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

CHARTS = ("timeline", "per_type", "heatmap", "sources", "source_kinds")
BASELINE_SQL = """
SELECT date_trunc('week', a.published_at) AS week, t.signal_id, count(*)
FROM tracker_tag t JOIN ingest_article a ON a.id = t.article_id
WHERE a.published_at >= %s AND t.decision <> 'rejected'
GROUP BY 1, 2
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1_000_000, help="size of the data set (default 1,000,000)")
    parser.add_argument("--requests", type=int, default=60, help="requests per endpoint (default 60)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--slowest", type=int, default=0, help="also print the N slowest requests")
    return parser.parse_args()


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def ensure_data_set(articles: int) -> None:
    from django.core.management import call_command

    from ingest.models import Article

    call_command("migrate", verbosity=0)
    present = Article.objects.count()
    if present < articles * 0.99:
        print(f"{present:,} articles present; generating {articles:,} (a few minutes)")
        call_command("generate_dataset", articles=articles, clear=True)


def ensure_bench_user():
    from django.contrib.auth.models import User

    from tracker.roles import ANALYST, ensure_role_groups

    user, _ = User.objects.get_or_create(username="bench-analyst")
    user.groups.add(ensure_role_groups()[ANALYST])
    return user


def varied_filters(rng: random.Random, count: int, with_sort: bool = False) -> list[dict]:
    """Filters an analyst might set: mostly a period and a few dimensions, sometimes many at once."""
    from datetime import timedelta

    from ingest.models import Article, Feed, SourceKind
    from tracker.models import SignalType

    newest = Article.objects.order_by("-published_at").values_list("published_at", flat=True).first().date()
    slugs = list(SignalType.objects.values_list("slug", flat=True))
    feed_ids = list(Feed.objects.values_list("id", flat=True))
    filters = []
    for _ in range(count):
        query: dict = {}
        span = rng.choice([None, 90, 365, 730, rng.randrange(30, 900)])
        if span:
            end = newest - timedelta(days=rng.choice([0, 0, rng.randrange(0, 300)]))
            query["from"], query["to"] = (end - timedelta(days=span)).isoformat(), end.isoformat()
        if rng.random() < 0.5:
            query["signal"] = rng.sample(slugs, rng.randrange(1, 4))
        if rng.random() < 0.3:
            query["kind"] = rng.sample(SourceKind.values, rng.randrange(1, 3))
        if rng.random() < 0.15:
            query["feed"] = rng.sample(feed_ids, rng.randrange(1, 4))
        if rng.random() < 0.3:
            query["lang"] = rng.sample(["en", "ru", "ko", "ja", "zh", "uk"], rng.randrange(1, 3))
        if rng.random() < 0.3:
            query["min_conf"] = rng.choice(["0.5", "0.7", "0.8", "0.9"])
        if rng.random() < 0.1:
            query["curated"] = "1"
        query["period"] = rng.choice(["week", "week", "day", "month"])
        query["count"] = rng.choice(["articles", "articles", "stories"])
        if with_sort:
            query["sort"] = rng.choice(["-date", "-date", "date", "-confidence"])
        filters.append(query)
    return filters


SLOWEST: list[tuple[float, str]] = []


def timed_requests(client, path: str, queries: list[dict]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        response = client.get(path, data=query)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}?{urlencode(query, doseq=True)} answered {response.status_code}")
        SLOWEST.append((timings[-1], f"{path}?{urlencode(query, doseq=True)}"))
    return timings


def searches_timed(client, searches: list[dict]) -> dict[str, list[float]]:
    """Each search as an analyst meets it: the overview's five charts, then the list."""
    from django.urls import reverse

    timings: dict[str, list[float]] = {name: [] for name in (*CHARTS, "overview", "article-list")}
    for query in searches:
        charts = {name: timed_requests(client, reverse("chart-data", args=[name]), [query])[0] for name in CHARTS}
        for name, milliseconds in charts.items():
            timings[name].append(milliseconds)
        timings["overview"].append(sum(charts.values()))
        timings["article-list"].append(timed_requests(client, reverse("article-list"), [query])[0])
    return timings


def baseline_timings(repeats: int = 7) -> list[float]:
    from datetime import timedelta

    from django.db import connection

    from ingest.models import Article

    newest = Article.objects.order_by("-published_at").values_list("published_at", flat=True).first()
    timings = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            started = time.perf_counter()
            cursor.execute(BASELINE_SQL, [newest - timedelta(days=730)])
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def report(label: str, timings: list[float], baseline: float | None = None) -> None:
    median = statistics.median(timings)
    ratio = f"   {baseline / median:5.1f}× faster than the bare GROUP BY" if baseline else ""
    print(f"{label:<34} median {median:7.1f} ms   p95 {p95(timings):7.1f} ms   n={len(timings)}{ratio}")


def main() -> None:
    args = parse_args()
    import django

    django.setup()
    ensure_database()
    ensure_data_set(args.articles)

    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from ingest.models import Article
    from tracker.models import Tag
    from tracker.readmodel.refresh import refresh_read_model

    refresh_read_model()
    print(f"data set: {Article.objects.count():,} articles, {Tag.objects.count():,} tags")
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX IF NOT EXISTS bench_tag_covering ON tracker_tag (article_id, signal_id, decision)")
        cursor.execute("CREATE INDEX IF NOT EXISTS bench_article_covering ON ingest_article (published_at, id)")
        cursor.execute("ANALYZE tracker_tag; ANALYZE ingest_article")

    client = Client()
    client.force_login(ensure_bench_user())
    rng = random.Random(args.seed)
    chart_filters = varied_filters(rng, args.requests)
    list_filters = varied_filters(rng, args.requests, with_sort=True)
    searches = [dict(query, q=rng.choice(SEARCH_WORDS)) for query in varied_filters(rng, args.requests)]

    # Warm the caches the same way for everything measured, then interleave nothing: each set runs as a block.
    baseline_timings(2)
    timed_requests(client, reverse("chart-data", args=["timeline"]), chart_filters[:5])
    baseline = statistics.median(baseline_timings())
    report("bare GROUP BY week, type (2 years)", baseline_timings())
    for name in CHARTS:
        report(
            f"chart {name}.json", timed_requests(client, reverse("chart-data", args=[name]), chart_filters), baseline
        )
    overview = [
        sum(timed_requests(client, reverse("chart-data", args=[name]), [query])[0] for name in CHARTS)
        for query in chart_filters[: args.requests // 2]
    ]
    report("all five charts, one filter", overview)
    report("article list, first page", timed_requests(client, reverse("article-list"), list_filters))
    searched = searches_timed(client, searches)
    for name in CHARTS:
        report(f"search: {name}.json", searched[name], baseline)
    report("search: article list, first page", searched["article-list"])
    report("search: all five charts, one filter", searched["overview"])
    for milliseconds, url in sorted(SLOWEST, reverse=True)[: args.slowest]:
        print(f"{milliseconds:8.1f} ms  {url}")


# From rare to very common in the generated corpus ("Pyongyang" is in 29% of signals, "визит" in none), in several
# scripts, with two words that must both appear and a quoted phrase.
SEARCH_WORDS = [
    "missile",
    "shells",
    "delegation",
    "ракет",
    "визит",
    "훈련",
    "sanctions",
    "artillery",
    "wheat",
    "Pyongyang",
    "satellite launch",
    '"joint drill"',
]


if __name__ == "__main__":
    main()
