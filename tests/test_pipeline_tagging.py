"""From a feed to tags: a real poll of a loopback feed announces its articles, and the tagging task tags them.

Celery runs eagerly here, so the task runs inside the test; tests/test_celery_pipeline.py runs real workers.
The tagger is the real one, built from the rules in the database (the shipped lexicon).
"""

import pytest
from celery.signals import task_prerun

from ingest.models import Article, Feed
from ingest.signals import articles_stored
from tests.factories import make_article, make_feed
from tests.feedserver import feed_server_fixture  # noqa: F401
from tests.pipeline_helpers import poll, rss
from tracker import receivers
from tracker.models import Assessment, Tag
from tracker.tasks import tag_articles_task

pytestmark = pytest.mark.django_db

ARMS_HEADLINE = "North Korea ships artillery shells to Russia"
ARMS_BODY = (
    "North Korea has shipped more than a million artillery shells to Russia for its war in Ukraine, "
    "South Korea's intelligence service said on Monday. Officials in Seoul said the shells left the "
    "North Korean port of Rajin for Russia on cargo ships over the past three months."
)
HARVEST_HEADLINE = "Brazil expects a record soybean harvest"
HARVEST_BODY = "Farmers in Brazil expect a record soybean crop this year, the agriculture ministry said on Monday."


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def tagging_runs():
    """The article ids of every tagging task that ran, one list per task."""
    runs = []

    def record(sender=None, args=(), kwargs=None, **extra):
        if sender.name == tag_articles_task.name:
            runs.append(list(args[0] if args else kwargs["article_ids"]))

    task_prerun.connect(record, weak=False)
    yield runs
    task_prerun.disconnect(record)


def tags_of(headline: str) -> dict[str, Tag]:
    return {tag.signal.slug: tag for tag in Tag.objects.filter(article__title=headline).select_related("signal")}


def test_a_polled_feed_ends_up_assessed_and_tagged(feed_server, django_capture_on_commit_callbacks, tagging_runs):
    url = feed_server.route(
        "/wire.xml", rss(("arms", ARMS_HEADLINE, ARMS_BODY), ("soy", HARVEST_HEADLINE, HARVEST_BODY))
    )
    feed = Feed.objects.create(url=url, title="Loopback Wire")

    poll(feed, django_capture_on_commit_callbacks)

    articles = Article.objects.filter(feed=feed)
    assert tagging_runs == [sorted(articles.values_list("pk", flat=True))]
    statuses = dict(Assessment.objects.filter(article__in=articles).values_list("article__title", "status"))
    assert statuses == {ARMS_HEADLINE: "relevant", HARVEST_HEADLINE: "not_relevant"}
    arms_tag = tags_of(ARMS_HEADLINE)["arms_deal"]
    assert arms_tag.origin == "auto" and 0.5 <= arms_tag.confidence <= 1
    assert arms_tag.evidence and all(item["sentence"] and item["terms"] for item in arms_tag.evidence)
    assert tags_of(HARVEST_HEADLINE) == {}


def test_an_article_whose_text_changes_is_tagged_again(feed_server, django_capture_on_commit_callbacks, tagging_runs):
    url = feed_server.route("/wire.xml", rss(("story", HARVEST_HEADLINE, HARVEST_BODY)))
    feed = Feed.objects.create(url=url, title="Loopback Wire")
    poll(feed, django_capture_on_commit_callbacks)
    article = Article.objects.get(feed=feed)
    assert not Tag.objects.filter(article=article).exists()

    feed_server.route("/wire.xml", rss(("story", ARMS_HEADLINE, ARMS_BODY)))
    poll(feed, django_capture_on_commit_callbacks)

    assert tagging_runs == [[article.pk], [article.pk]]
    assert Assessment.objects.get(article=article).status == "relevant"
    assert "arms_deal" in tags_of(ARMS_HEADLINE)


def test_a_poll_that_finds_nothing_new_queues_no_tagging(feed_server, django_capture_on_commit_callbacks, tagging_runs):
    feed = Feed.objects.create(url=feed_server.route("/wire.xml", rss(("arms", ARMS_HEADLINE, ARMS_BODY))))
    poll(feed, django_capture_on_commit_callbacks)

    poll(feed, django_capture_on_commit_callbacks)

    assert len(tagging_runs) == 1


def test_many_stored_articles_are_tagged_in_batches(monkeypatch, tagging_runs):
    monkeypatch.setattr(receivers, "TAGGING_BATCH_SIZE", 2)
    feed = make_feed()
    ids = sorted(make_article(feed).pk for _ in range(5))

    articles_stored.send(sender=Feed, feed_id=feed.pk, new_ids=ids[:3], updated_ids=ids[2:])

    assert tagging_runs == [ids[0:2], ids[2:4], ids[4:]]
    assert Assessment.objects.filter(article_id__in=ids).count() == 5
