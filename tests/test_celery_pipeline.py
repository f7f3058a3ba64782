"""The real thing: a Celery worker and beat against the real Redis, feeds on loopback, rows in PostgreSQL."""

import os
import signal
import threading
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from ingest.models import Article, ArticleSource, Feed
from tests.celery_processes import logs, start_celery, stop, wait_until
from tests.pipeline_helpers import QuietRSSHandler, serving
from tracker.models import Tag

# The worker must see committed rows; the rows the migrations loaded (rules, signal types) are restored first, since
# an earlier test that committed may have emptied them.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("migration_rows")]

ITEM_COUNT = 7
WIRE_TEXT = (
    "Kremlin spokesman Dmitry Peskov called reports that North Korea shipped artillery shells to Russia groundless."
)


def rss_with_items(count: int) -> bytes:
    items = "".join(
        f"<item><title>Wire item {n}</title><link>https://wire.example.org/{n}</link>"
        f"<guid>wire-{n}</guid><pubDate>Tue, 0{n % 9 + 1} Jul 2024 10:00:00 +0000</pubDate>"
        f"<description>{WIRE_TEXT} (item {n})</description></item>"
        for n in range(count)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


class FeedHandler(QuietRSSHandler):
    hang_first_request = threading.Event()
    hits: list[str] = []

    def do_GET(self) -> None:
        FeedHandler.hits.append(self.path)
        if FeedHandler.hang_first_request.is_set() and len(FeedHandler.hits) == 1:
            time.sleep(30)  # the worker is killed while it waits here
            return
        self.send_rss(rss_with_items(ITEM_COUNT))


@pytest.fixture
def feed_url():
    FeedHandler.hits = []
    FeedHandler.hang_first_request.clear()
    with serving(FeedHandler) as base_url:
        yield f"{base_url}/feed.xml"


@pytest.fixture
def broker_url():
    url = settings.CELERY_BROKER_URL
    if not url:
        pytest.skip("no Redis broker configured (REDIS_URL)")
    redis.Redis.from_url(url).flushdb()  # a clean broker database: no tasks left from an earlier run
    return url


@pytest.fixture
def celery_env(broker_url, tmp_path):
    database = connection.settings_dict
    env = dict(os.environ)
    env |= {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": broker_url,
        "INGEST_SCHEDULER_TICK_SECONDS": "1",
        "INGEST_FETCH_DEADLINE_SECONDS": "5",
        "INGEST_LEASE_MARGIN_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "3",
        "INGEST_ALLOW_PRIVATE_NETWORKS": "1",
    }
    return env


def test_beat_and_worker_ingest_a_due_feed_without_being_asked(feed_url, celery_env, tmp_path):
    feed = Feed.objects.create(url=feed_url, title="Loopback wire")
    processes = [start_celery("worker", celery_env, tmp_path), start_celery("beat", celery_env, tmp_path)]
    try:
        landed = wait_until(lambda: Article.objects.filter(feed=feed).count() == ITEM_COUNT)
        tagged = wait_until(lambda: Tag.objects.filter(article__feed=feed, signal__slug="denial").count() == ITEM_COUNT)
    finally:
        for process in processes:
            stop(process)
    assert landed, logs(tmp_path)
    assert tagged, logs(tmp_path)  # the worker tagged what it stored, through the articles_stored hand-off
    feed.refresh_from_db()
    assert feed.last_outcome == "ok"
    assert feed.next_poll_at > feed.last_polled_at
    assert ArticleSource.objects.filter(feed=feed).count() == ITEM_COUNT


def test_a_worker_killed_mid_fetch_loses_nothing_and_duplicates_nothing(feed_url, celery_env, tmp_path):
    FeedHandler.hang_first_request.set()
    feed = Feed.objects.create(url=feed_url, title="Loopback wire")
    beat = start_celery("beat", celery_env, tmp_path)
    first_worker = start_celery("worker", celery_env, tmp_path)
    second_worker = None
    try:
        assert wait_until(lambda: len(FeedHandler.hits) >= 1), logs(tmp_path)
        stop(first_worker, signal.SIGKILL)  # dies holding the task and the feed's claim
        assert Article.objects.filter(feed=feed).count() == 0
        second_worker = start_celery("worker", celery_env, tmp_path)
        landed = wait_until(lambda: Article.objects.filter(feed=feed).count() >= ITEM_COUNT)
        time.sleep(4)  # let any redelivered duplicate of the task run too
    finally:
        for process in (beat, first_worker, second_worker):
            if process is not None:
                stop(process)
    assert landed, logs(tmp_path)
    assert Article.objects.filter(feed=feed).count() == ITEM_COUNT
    assert ArticleSource.objects.filter(feed=feed).count() == ITEM_COUNT
    assert len(FeedHandler.hits) >= 2
