"""A search finds an article by the words it says now: an edited headline reaches the dashboard's search.

A real poll of a loopback feed, the real tagging task (Celery runs eagerly here) and the dashboard's own list and
counts, so every write path between a feed and a search is the one production takes.
"""

import pytest
from django.db import connection
from django.urls import reverse

from ingest.models import Article, Feed
from tests.feedserver import feed_server_fixture  # noqa: F401
from tests.pipeline_helpers import poll, rss
from tracker.models import ArticleSignalSet, Assessment, SignalFact

pytestmark = pytest.mark.django_db

BODY = (
    "North Korea has shipped more than a million artillery shells to Russia for its war in Ukraine, "
    "South Korea's intelligence service said on Monday. Officials in Seoul said the shells left the "
    "North Korean port of Rajin for Russia on cargo ships over the past three months."
)
# Headlines that name neither side, so that the tagger's relevance evidence (taken from the body) stays the same.
FIRST_HEADLINE = "Shells left by sea"
# The same report under a new headline, with a word the first one lacks and the body never says.
EDITED_HEADLINE = "Shells left by sea in a convoy"
NEW_WORD = "convoy"


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True


def rss_of(headline: str) -> bytes:
    return rss(("shells", headline, BODY))


def listed_titles(client, q: str) -> list[str]:
    response = client.get(reverse("article-list"), {"q": q, "from": "2025-03-01", "to": "2025-03-31"})
    return [article.title for article in response.context["page"].articles]


def counted_signals(client, q: str) -> int:
    response = client.get(reverse("home"), {"q": q, "from": "2025-03-01", "to": "2025-03-31"})
    return response.context["signal_total"]


def test_a_headline_edited_at_the_source_is_found_by_its_new_words(
    client, analyst, feed_server, django_capture_on_commit_callbacks
):
    feed_server.route("/wire.xml", rss_of(FIRST_HEADLINE))
    feed = Feed.objects.create(url=feed_server.url("/wire.xml"), title="Loopback Wire")
    poll(feed, django_capture_on_commit_callbacks)
    assert listed_titles(client, NEW_WORD) == []
    assessed_at = Assessment.objects.get(article__feed=feed).assessed_at

    feed_server.route("/wire.xml", rss_of(EDITED_HEADLINE))
    poll(feed, django_capture_on_commit_callbacks)

    article = Article.objects.get(feed=feed)
    assert article.title == EDITED_HEADLINE
    # The tagger finds what it found before, so the assessment row itself is not written again.
    assert Assessment.objects.get(article=article).assessed_at == assessed_at
    assert listed_titles(client, NEW_WORD) == [EDITED_HEADLINE]
    assert counted_signals(client, NEW_WORD) == counted_signals(client, "shells") > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL keeps search vectors")
def test_an_edited_headline_reaches_the_article_signal_sets_copy(
    client, analyst, feed_server, django_capture_on_commit_callbacks
):
    feed_server.route("/wire.xml", rss_of(FIRST_HEADLINE))
    feed = Feed.objects.create(url=feed_server.url("/wire.xml"), title="Loopback Wire")
    poll(feed, django_capture_on_commit_callbacks)

    feed_server.route("/wire.xml", rss_of(EDITED_HEADLINE))
    poll(feed, django_capture_on_commit_callbacks)

    vector = str(Assessment.objects.get(article__feed=feed).search_vector)
    assert NEW_WORD in vector
    # Searches read the copy in the article's signal set (the signal facts keep none).
    assert SignalFact.objects.filter(article__feed=feed).exists()
    assert str(ArticleSignalSet.objects.get(article__feed=feed).search_vector) == vector
