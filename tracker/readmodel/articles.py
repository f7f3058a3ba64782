"""One article as its page shows it: its sources, its tags with who decided them, and its story's other reports."""

from django.db.models import Prefetch, QuerySet

from ingest.models import Article, ArticleSource
from tracker.models import Tag

ALSO_REPORTED_SHOWN = 20


def articles_for_detail() -> QuerySet:
    """Articles with what their page shows: feed, assessment and story, sources by first sight, tags by type."""
    sources = Prefetch("sources", queryset=ArticleSource.objects.select_related("feed").order_by("first_seen_at"))
    tags = Prefetch("tags", queryset=Tag.objects.select_related("signal", "decided_by").order_by("signal__sort_order"))
    return Article.objects.select_related("feed", "assessment__story").prefetch_related(sources, tags)


def also_reported(article: Article) -> list[Article]:
    """The other articles of the same story, earliest first."""
    assessment = getattr(article, "assessment", None)
    if assessment is None or assessment.story_id is None:
        return []
    others = (
        Article.objects.filter(assessment__story_id=assessment.story_id)
        .exclude(pk=article.pk)
        .select_related("feed")
        .only("id", "title", "published_at", "feed__title", "feed__url")
        .order_by("published_at", "id")
    )
    return list(others[:ALSO_REPORTED_SHOWN])
