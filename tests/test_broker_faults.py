"""Redis goes away: polls still answer, and no stored article stays untagged; tasks have time limits, and the
broker's visibility timeout follows the longest."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from ingest.models import Article, Feed
from tests.celery_processes import PROJECT_DIR, free_port
from tests.factories import make_article, make_feed
from tests.feedserver import feed_server_fixture  # noqa: F401
from tests.pipeline_helpers import poll, rss
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
