"""Ingest benchmark: the whole pipeline against bare feedparser on the same bytes.

Run by hand (make bench). Serves generated 50-item RSS feeds on 127.0.0.1, polls
them through ingest.refresh into a throwaway PostgreSQL test database, and prints:
  - bare feedparser.parse (its defaults) items/s on the same bytes,
  - pipeline articles/s (fetch + parse + sanitize + dedupe + store) and the ratio,
  - the cost of a re-poll where every feed answers 304, as a ratio to a full poll,
  - peak RSS of a fresh process polling one 5 MB feed.
Timings are ratios within one run: the machine is shared and noisy.
"""

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
# A database of its own (the run creates and drops test_signals_bench), apart from the test suite's.
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/signals_bench")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ["INGEST_ALLOW_PRIVATE_NETWORKS"] = "1"
# Measured as a Celery worker runs it (see DB_SYNCHRONOUS_COMMIT in the settings).
os.environ.setdefault("DB_SYNCHRONOUS_COMMIT", "off")
os.environ.pop("REDIS_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)

TAGGING_RECEIVER = "tracker.tag_stored_articles"
PARAGRAPH = (
    "<p>Officials in <a href='https://example.org/p'>Moscow</a> and Pyongyang discussed <em>cooperation</em> "
    "on energy, transport and trade, according to a statement carried by state media on Tuesday. "
    "The talks followed a series of visits by delegations in recent months.</p>"
)


def rss_feed(feed_number: int, item_count: int, paragraphs: int) -> bytes:
    items = []
    for n in range(item_count):
        body = PARAGRAPH * paragraphs
        items.append(
            f"<item><title>Report {feed_number}-{n}: talks &amp; trade</title>"
            f"<link>https://news{feed_number}.example.org/{n}</link><guid>feed{feed_number}-item{n}</guid>"
            f"<pubDate>Tue, 1{n % 10} Sep 2024 0{n % 10}:15:00 +0300</pubDate>"
            f"<description><![CDATA[{body}]]></description></item>"
        )
    channel = f"<title>Bench feed {feed_number}</title><link>https://news{feed_number}.example.org/</link>"
    document = (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}{"".join(items)}</channel></rss>'
    )
    return document.encode()


def serve(directory: Path) -> tuple[subprocess.Popen, str]:
    """A static file server in its own process, so its work is not charged to the pipeline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("static_server.py")), str(port), str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.1):
            break
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def time_bare_feedparser(bodies: list[bytes], repeats: int) -> float:
    import feedparser

    started = time.perf_counter()
    items = 0
    for _ in range(repeats):
        for body in bodies:
            items += len(feedparser.parse(body).entries)
    return items / (time.perf_counter() - started)


def poll_all(feed_ids: list[int]) -> tuple[float, float]:
    """Wall-clock and this process's CPU seconds for one polling cycle over every feed."""
    from ingest.refresh import refresh_feed

    started, started_cpu = time.perf_counter(), time.process_time()
    for feed_id in feed_ids:
        result = refresh_feed(feed_id, force=True)
        assert result is not None and not result.error, result
    return time.perf_counter() - started, time.process_time() - started_cpu


def forget_everything(feed_ids: list[int]) -> None:
    """Back to a first poll: no articles, no validators, so the next poll is a full one."""
    from ingest.models import Article, Feed

    Article.objects.all().delete()
    Feed.objects.filter(pk__in=feed_ids).update(etag="", last_modified="")


def peak_memory_of_polling(url: str) -> float:
    """Peak RSS in MB of a fresh process that sets up Django and polls one feed."""
    code = (
        "import django, resource; django.setup();"
        "from ingest.signals import articles_stored;"
        f"articles_stored.disconnect(dispatch_uid={TAGGING_RECEIVER!r});"
        "from django.test.utils import setup_test_environment;"
        "from django.db import connection;"
        "from ingest.models import Feed; from ingest.refresh import refresh_feed;"
        f"feed = Feed.objects.create(url={url!r});"
        "r = refresh_feed(feed.pk, force=True); assert not r.error, r.error;"
        "print(len(r.new_ids), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    env = dict(os.environ)
    output = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    if output.returncode:
        raise RuntimeError(output.stderr)
    new_count, peak_mb = output.stdout.split()
    return float(peak_mb), int(new_count)


@contextlib.contextmanager
def feed_files(root: Path, args: argparse.Namespace):
    """The generated feeds (and one 5+ MB feed) written to root and served; yields their bodies and the base URL."""
    bodies = [rss_feed(n, args.items, args.paragraphs) for n in range(args.feeds)]
    for n, body in enumerate(bodies):
        (root / f"feed{n}.xml").write_bytes(body)
    (root / "big.xml").write_bytes(rss_feed(9999, 250, 100))
    server, base = serve(root)
    try:
        yield bodies, base
    finally:
        server.terminate()
        server.wait()


def measure(bodies: list[bytes], feed_ids: list[int], item_count: int, rounds: int) -> dict[str, float]:
    """Medians over interleaved rounds of: bare feedparser, a full poll, and an all-304 re-poll."""
    from ingest.models import Article

    bare_rates, full_times, not_modified_times = [], [], []
    for _ in range(rounds):
        forget_everything(feed_ids)
        bare_rates.append(time_bare_feedparser(bodies, repeats=1))
        full_times.append(poll_all(feed_ids))
        assert Article.objects.count() == item_count, (Article.objects.count(), item_count)
        not_modified_times.append(poll_all(feed_ids))
        assert Article.objects.count() == item_count
    return {
        "bare": statistics.median(bare_rates),
        "pipeline": item_count / statistics.median(wall for wall, _ in full_times),
        "full": statistics.median(wall for wall, _ in full_times),
        "not_modified": statistics.median(wall for wall, _ in not_modified_times),
        "full_cpu": statistics.median(cpu for _, cpu in full_times),
        "not_modified_cpu": statistics.median(cpu for _, cpu in not_modified_times),
    }


def report(numbers: dict[str, float], rounds: int) -> None:
    print(f"medians of {rounds} rounds, interleaved")
    print(f"bare feedparser.parse (defaults):   {numbers['bare']:8.0f} items/s")
    print(f"pipeline (fetch→store, PostgreSQL): {numbers['pipeline']:8.0f} articles/s")
    print(f"ratio pipeline / bare feedparser:   {numbers['pipeline'] / numbers['bare']:8.2f}x  (target ≥ 1.0)")
    print(
        f"full poll {numbers['full']:.3f}s, all-304 re-poll {numbers['not_modified']:.3f}s: "
        f"{numbers['full'] / numbers['not_modified']:.1f}x cheaper in wall time  (target ≥ 20)"
    )
    print(
        f"worker CPU: full poll {numbers['full_cpu']:.3f}s, all-304 re-poll {numbers['not_modified_cpu']:.3f}s: "
        f"{numbers['full_cpu'] / numbers['not_modified_cpu']:.1f}x cheaper"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=40)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--paragraphs", type=int, default=7, help="paragraphs per item (7 gives ~100 KiB feeds)")
    args = parser.parse_args()

    import django

    django.setup()
    from ingest.signals import articles_stored

    # Ingest alone: tagging is the next stage, a task of its own (bench/tagging_throughput.py measures it).
    articles_stored.disconnect(dispatch_uid=TAGGING_RECEIVER)
    from django.db import connection
    from django.test.utils import setup_test_environment

    from ingest.models import Feed

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    os.environ["DATABASE_URL"] = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + test_db
    try:
        with tempfile.TemporaryDirectory() as directory, feed_files(Path(directory), args) as (bodies, base):
            feed_ids = [Feed.objects.create(url=f"{base}/feed{n}.xml").pk for n in range(args.feeds)]
            print(f"{args.feeds} feeds × {args.items} items, {len(bodies[0]) / 1024:.0f} KiB per feed")
            report(measure(bodies, feed_ids, args.feeds * args.items, args.rounds), args.rounds)
            peak_mb, new_count = peak_memory_of_polling(f"{base}/big.xml")
            big_mb = (Path(directory) / "big.xml").stat().st_size / 1024 / 1024
            print(f"peak RSS polling one {big_mb:.1f} MB feed ({new_count} items): {peak_mb:.0f} MB  (target < 200)")
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)


if __name__ == "__main__":
    main()
