from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from ingest.models import Article, ArticleSource, Feed
from tracker.models import Tag

ARTICLES_PER_PAGE = 50


def visible_tags() -> Prefetch:
    """Tags an analyst should see: everything but what a curator rejected, strongest first."""
    tags = Tag.objects.exclude(decision=Tag.Decision.REJECTED).select_related("signal").order_by("-confidence")
    return Prefetch("tags", queryset=tags, to_attr="visible_tags")


@login_required
def latest_articles(request):
    articles = (
        Article.objects.select_related("feed", "assessment")
        .prefetch_related(visible_tags())
        .annotate(source_count=Count("sources"))
        .defer("summary_html", "content_html", "text")
        .order_by("-published_at", "-id")
    )
    page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "feed_count": Feed.objects.count()}
    return render(request, "tracker/latest_articles.html", context)


@login_required
def article_detail(request, article_id: int):
    sources = Prefetch("sources", queryset=ArticleSource.objects.select_related("feed").order_by("first_seen_at"))
    tags = Prefetch("tags", queryset=Tag.objects.select_related("signal", "decided_by").order_by("signal__sort_order"))
    article = get_object_or_404(
        Article.objects.select_related("feed", "assessment__story").prefetch_related(sources, tags), pk=article_id
    )
    return render(request, "tracker/article_detail.html", {"article": article})
