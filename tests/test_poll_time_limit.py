"""A poll that outlives the worker's soft time limit is recorded as too slow and backed off, never claimed in a loop."""

import os
import signal
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from celery.exceptions import SoftTimeLimitExceeded
from django.db import connection
from django.utils import timezone

from ingest.models import Feed, FetchOutcome
from ingest.refresh import refresh_feed
from tests.celery_processes import logs, start_celery, stop, wait_until
from tests.feedserver import feed_server_fixture  # noqa: F401

POLL_INTERVAL_MINUTES = 30
SLOW_PATH = "/slow.xml"


def raise_soft_time_limit(signum, frame) -> None:
    raise SoftTimeLimitExceeded()


@contextmanager
def soft_time_limit(seconds: float):
    """What Celery's prefork pool does at a task's soft limit: a signal whose handler raises inside the task."""
    previous = signal.signal(signal.SIGALRM, raise_soft_time_limit)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_backed_off_as_too_slow(feed: Feed) -> None:
    feed.refresh_from_db()
    assert feed.last_outcome == FetchOutcome.TOO_SLOW
    assert "INGEST_TASK_SOFT_TIME_LIMIT_SECONDS" in feed.last_error
    assert feed.consecutive_failures == 1
    assert feed.locked_until is None
    # Backed off from the feed's own interval (with jitter), not left due for the next tick.
    assert feed.next_poll_at > feed.last_polled_at + timedelta(minutes=POLL_INTERVAL_MINUTES / 2)


@pytest.mark.django_db
def test_a_poll_stopped_by_the_soft_time_limit_is_recorded_as_too_slow_and_backed_off(feed_server, settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    settings.INGEST_FETCH_DEADLINE_SECONDS = 8
    feed = Feed.objects.create(url=feed_server.drip_body(SLOW_PATH), poll_interval_minutes=POLL_INTERVAL_MINUTES)
    with soft_time_limit(0.5):
        result = refresh_feed(feed.pk)
    assert result.outcome == FetchOutcome.TOO_SLOW
    assert_backed_off_as_too_slow(feed)
    assert refresh_feed(feed.pk) is None  # no longer due: nothing claims it again before its backoff ends


@pytest.fixture
def slow_worker_env(settings):
    broker_url = settings.CELERY_BROKER_URL
    if not broker_url:
        pytest.skip("no Redis broker configured (REDIS_URL)")
    redis.Redis.from_url(broker_url).flushdb()  # no tasks left from an earlier run
    database = connection.settings_dict
    return {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": broker_url,
        "INGEST_SCHEDULER_TICK_SECONDS": "1",
        "INGEST_ALLOW_PRIVATE_NETWORKS": "1",
        # The fetch alone would wait out the whole drip; the soft limit stops it first, well inside the claim.
        "INGEST_FETCH_DEADLINE_SECONDS": "20",
        "INGEST_LEASE_MARGIN_SECONDS": "10",
        "INGEST_TASK_SOFT_TIME_LIMIT_SECONDS": "2",
        "INGEST_TASK_HARD_TIME_LIMIT_SECONDS": "8",
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_stops_a_slow_poll_at_the_soft_limit_and_backs_the_feed_off(
    feed_server, slow_worker_env, tmp_path
):
    feed = Feed.objects.create(url=feed_server.drip_body(SLOW_PATH), poll_interval_minutes=POLL_INTERVAL_MINUTES)
    env = dict(os.environ) | slow_worker_env
    processes = [start_celery("worker", env, tmp_path), start_celery("beat", env, tmp_path)]
    try:
        stopped = wait_until(lambda: Feed.objects.get(pk=feed.pk).last_outcome == FetchOutcome.TOO_SLOW, 30)
        claimed_again = wait_until(lambda: feed_server.hits(SLOW_PATH) > 1, 5)  # beat ticks every second
    finally:
        for process in processes:
            stop(process)
    assert stopped, logs(tmp_path)
    assert not claimed_again, logs(tmp_path)
    assert_backed_off_as_too_slow(feed)
    assert feed.next_poll_at > timezone.now()
