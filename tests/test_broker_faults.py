"""Redis goes away: polls still answer, a worker outlives the outage, and no stored article stays untagged."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ingest.models import Article, ArticleSource, Feed
from ingest.tasks import refresh_feed_task
from tests.celery_processes import PROJECT_DIR, PrivateRedis, free_port, logs, start_celery, stop, wait_until
from tests.factories import make_article, make_feed
from tests.feedserver import feed_server_fixture  # noqa: F401
from tests.pipeline_helpers import QuietRSSHandler, poll, rss, serving
from tracker.assess import assess_articles, unassessed_article_ids
from tracker.celery import app
from tracker.models import Assessment
from tracker.tasks import sweep_unassessed_articles_task, tag_articles_task

DENIAL = (
    "Kremlin spokesman Dmitry Peskov called reports that North Korea shipped artillery shells to Russia groundless."
)
WIRE_ITEMS = [(f"wire-{n}", f"Peskov denies shell shipments, report {n}", DENIAL) for n in range(12)]


@pytest.fixture
def broker_unreachable(settings):
    """The broker URL names a loopback port where nothing listens: every publish is refused."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    app.close()  # the connection pool was made for the previous URL
    yield
    app.close()


def broker_back(settings) -> None:
    """The broker answers again; here tasks run in the test's process, as a worker would run them."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TAGGING_SWEEP_GRACE_SECONDS = 0


@pytest.mark.django_db
def test_a_poll_with_the_broker_unreachable_stores_its_articles_and_the_sweep_tags_them_all(
    feed_server, broker_unreachable, settings, django_capture_on_commit_callbacks, caplog
):
    feed = Feed.objects.create(url=feed_server.route("/wire.xml", rss(*WIRE_ITEMS)), title="Loopback Wire")

    poll(feed, django_capture_on_commit_callbacks)

    stored = set(Article.objects.filter(feed=feed).values_list("pk", flat=True))
    assert len(stored) == len(WIRE_ITEMS)
    assert not Assessment.objects.filter(article__in=stored).exists()
    assert f"tagging of {len(WIRE_ITEMS)} articles not queued" in caplog.text
    broker_back(settings)
    sweep_unassessed_articles_task()
    assert set(Assessment.objects.filter(article__in=stored).values_list("article_id", flat=True)) == stored


@pytest.mark.django_db
def test_poll_now_in_the_admin_answers_while_the_broker_is_unreachable(
    feed_server, broker_unreachable, settings, admin_client, django_capture_on_commit_callbacks
):
    feed = Feed.objects.create(url=feed_server.route("/wire.xml", rss(*WIRE_ITEMS)), title="Loopback Wire")
    changelist = reverse("admin:ingest_feed_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(changelist, {"action": "poll_now", "_selected_action": [feed.pk]})

    assert response.status_code == 302
    assert Article.objects.filter(feed=feed).count() == len(WIRE_ITEMS)
    broker_back(settings)
    sweep_unassessed_articles_task()
    assert Assessment.objects.filter(article__feed=feed).count() == len(WIRE_ITEMS)


@pytest.mark.django_db
def test_the_sweep_finds_only_articles_never_assessed_and_older_than_the_grace_period():
    feed = make_feed()
    an_hour_ago = timezone.now() - timedelta(hours=1)
    forgotten = make_article(feed, fetched_at=an_hour_ago)
    assessed = make_article(feed, fetched_at=an_hour_ago)
    assess_articles([assessed.pk])
    make_article(feed)  # just stored: its tagging may still be waiting in the queue

    assert unassessed_article_ids(timezone.now() - timedelta(minutes=10), limit=100) == [forgotten.pk]


@pytest.mark.django_db
def test_the_sweep_queues_at_most_its_limit_oldest_first(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.TAGGING_SWEEP_GRACE_SECONDS = 0
    settings.TAGGING_SWEEP_MAX_ARTICLES = 3
    feed = make_feed()
    ids = [make_article(feed, fetched_at=timezone.now() - timedelta(hours=1)).pk for _ in range(5)]

    sweep_unassessed_articles_task()

    assert sorted(Assessment.objects.values_list("article_id", flat=True)) == ids[:3]


def settings_in_a_fresh_process(*names: str, **environment: str) -> list[str]:
    """Settings as a process started with the given environment reads them (the defaults need a clean one)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "INGEST_", "TAGGING_"))}
    code = "from django.conf import settings; " + "; ".join(f"print(settings.{name})" for name in names)
    command = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    env |= {"DJANGO_SETTINGS_MODULE": "tracker.settings", **environment}
    answer = subprocess.run(command, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=60, check=True)
    return answer.stdout.split()


@pytest.mark.parametrize(
    "environment",
    [{}, {"TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS": "900"}, {"INGEST_FETCH_DEADLINE_SECONDS": "600"}],
    ids=["defaults", "slow tagging", "slow fetches"],
)
def test_the_visibility_timeout_outlasts_the_longest_task_by_a_small_margin(environment):
    names = ("INGEST_TASK_HARD_TIME_LIMIT_SECONDS", "TAGGING_TASK_HARD_TIME_LIMIT_SECONDS")
    visibility = "CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout']"
    *hard_limits, visibility_timeout = map(int, settings_in_a_fresh_process(*names, visibility, **environment))

    assert max(hard_limits) < visibility_timeout <= max(hard_limits) + 60


def test_a_tagging_batch_is_stopped_at_its_time_limits():
    assert tag_articles_task.soft_time_limit == django_settings.TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS
    assert tag_articles_task.time_limit == django_settings.TAGGING_TASK_HARD_TIME_LIMIT_SECONDS
    assert tag_articles_task.soft_time_limit < tag_articles_task.time_limit


# --- A real worker and beat, and a Redis of the test's own that goes away while the worker is busy.

SLOW_FEED_SECONDS = 6
OUTAGE_SECONDS = 8  # longer than the slow poll: it would finish while Redis is away
ITEM_COUNT = 5
FEED_NAMES = ("slow", "wire-a", "wire-b")


def named_feed(feed_name: str) -> bytes:
    items = "".join(
        f"<item><title>{feed_name} item {n}</title><link>https://{feed_name}.example.org/{n}</link>"
        f"<guid>{feed_name}-{n}</guid><pubDate>Tue, 02 Jul 2024 10:00:00 +0000</pubDate>"
        f"<description>{DENIAL} ({feed_name} {n})</description></item>"
        for n in range(ITEM_COUNT)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed_name}</title>{items}</channel></rss>'.encode()
    )


class NamedFeedHandler(QuietRSSHandler):
    """Every path is a feed of its own; /slow.xml answers only after SLOW_FEED_SECONDS."""

    hits: list[str] = []

    def do_GET(self) -> None:
        NamedFeedHandler.hits.append(self.path)
        if self.path == "/slow.xml":
            time.sleep(SLOW_FEED_SECONDS)
        self.send_rss(named_feed(self.path.strip("/").removesuffix(".xml")))


@pytest.fixture
def feed_host():
    NamedFeedHandler.hits = []
    with serving(NamedFeedHandler) as base_url:
        yield base_url


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def celery_env(broker_url: str) -> dict:
    database = connection.settings_dict
    return dict(os.environ) | {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        # Short claims and a short visibility timeout, so that a task stopped by the outage comes back within the test.
        "INGEST_FETCH_DEADLINE_SECONDS": "10",
        "INGEST_LEASE_MARGIN_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "5",
        "TAGGING_SWEEP_SECONDS": "2",
        "TAGGING_SWEEP_GRACE_SECONDS": "2",
    }


def enqueue_poll(broker_url: str, feed: Feed) -> None:
    with app.connection_for_write(broker_url) as broker:
        refresh_feed_task.apply_async((feed.pk,), {"force": True}, connection=broker)


def feeds_not_due(host: str) -> list[Feed]:
    # Not due for a day: only the polls the test queues run, none that beat would queue.
    later = timezone.now() + timedelta(days=1)
    return [Feed.objects.create(url=f"{host}/{name}.xml", title=name, next_poll_at=later) for name in FEED_NAMES]


def is_all_stored_and_tagged() -> bool:
    expected = len(FEED_NAMES) * ITEM_COUNT
    return Article.objects.count() == expected and Assessment.objects.count() == expected


@pytest.mark.slow
# Committed for the worker to see, with the rows the migrations loaded (rules, signal types).
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migration_rows")
def test_a_worker_outlives_a_redis_outage_in_mid_task_and_finishes_the_queued_work(feed_host, private_redis, tmp_path):
    feeds = feeds_not_due(feed_host)
    env = celery_env(private_redis.url)
    worker, beat = start_celery("worker", env, tmp_path), start_celery("beat", env, tmp_path)
    try:
        assert wait_until(lambda: " ready." in logs(tmp_path), 30), logs(tmp_path)
        for feed in feeds:  # the slow one first: the others wait in the queue behind it
            enqueue_poll(private_redis.url, feed)
        assert wait_until(lambda: "/slow.xml" in NamedFeedHandler.hits, 20), logs(tmp_path)
        private_redis.stop()
        time.sleep(OUTAGE_SECONDS)
        private_redis.start()
        finished = wait_until(is_all_stored_and_tagged, 50)
        are_alive = worker.poll() is None and beat.poll() is None
    finally:
        stop(worker)
        stop(beat)
    assert are_alive, logs(tmp_path)
    assert finished, logs(tmp_path)
    assert ArticleSource.objects.count() == Article.objects.count() == len(FEED_NAMES) * ITEM_COUNT
