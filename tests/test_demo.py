import socket
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from ingest.models import Article, ArticleSource, Feed
from tracker.demo import sample_feeds
from tracker.filters import SignalFilter
from tracker.models import KeyEvent, Tag
from tracker.readmodel import signal_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_demo(port: int) -> str:
    output = StringIO()
    call_command("demo", "--force", "--port", str(port), stdout=output)
    return output.getvalue()


def test_demo_polls_every_sample_feed_through_the_real_pipeline(free_port):
    output = run_demo(free_port)
    samples = sample_feeds()
    feeds = Feed.objects.all()
    assert feeds.count() == len(samples) >= 6
    assert all(feed.last_outcome == "ok" and feed.url.startswith(f"http://127.0.0.1:{free_port}/") for feed in feeds)
    assert Article.objects.count() >= 150
    assert "analyst" in output and "curator" in output and "admin" in output


def test_sample_set_spans_languages_kinds_and_years(free_port):
    run_demo(free_port)
    assert {"en", "ru", "ko"} <= {
        language.split("-")[0] for language in Article.objects.values_list("language", flat=True)
    }
    assert {"state_media", "news_agency", "think_tank"} <= set(Feed.objects.values_list("source_kind", flat=True))
    years = {moment.year for moment in Article.objects.values_list("published_at", flat=True)}
    assert {2022, 2023, 2024, 2025} <= years
    assert not Article.objects.filter(is_published_at_estimated=True).exists()


def test_a_story_carried_by_two_sample_feeds_is_one_article(free_port):
    run_demo(free_port)
    assert ArticleSource.objects.count() > Article.objects.count()


def test_demo_draws_key_events_and_fills_the_chart_counts(free_port, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # tag in this process, as the embedded demo does
    with django_capture_on_commit_callbacks(execute=True):  # tagging starts once the articles are committed
        run_demo(free_port)
    assert KeyEvent.objects.filter(label__icontains="treaty").exists()
    assert signal_total(SignalFilter()) == Tag.objects.exclude(decision=Tag.Decision.REJECTED).count() > 100


def test_running_the_demo_twice_changes_nothing(free_port):
    run_demo(free_port)
    counts = (Feed.objects.count(), Article.objects.count(), ArticleSource.objects.count(), KeyEvent.objects.count())
    users = list(get_user_model().objects.order_by("username").values_list("username", "password"))
    run_demo(free_port)
    assert (
        Feed.objects.count(),
        Article.objects.count(),
        ArticleSource.objects.count(),
        KeyEvent.objects.count(),
    ) == counts
    assert list(get_user_model().objects.order_by("username").values_list("username", "password")) == users


def test_demo_users_log_in_with_their_roles(free_port):
    run_demo(free_port)
    for username in ("analyst", "curator", "admin"):
        # Login throttling (django-axes) judges each attempt by its request, as the login form passes it.
        user = authenticate(RequestFactory().post("/accounts/login/"), username=username, password="demo")
        assert user is not None and user.groups.filter(name=username).exists()
    assert get_user_model().objects.get(username="admin").is_superuser
    assert not get_user_model().objects.get(username="analyst").is_staff


def test_demo_is_refused_without_debug_or_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="analyst").exists()
