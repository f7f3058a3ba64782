from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, render

from ingest.models import Article, ArticleSource, Feed

ARTICLES_PER_PAGE = 50


@login_required
def latest_articles(request):
    articles = (
        Article.objects.select_related("feed")
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
    article = get_object_or_404(Article.objects.select_related("feed").prefetch_related(sources), pk=article_id)
    return render(request, "tracker/article_detail.html", {"article": article})
