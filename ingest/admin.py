from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from ingest.models import Article, ArticleSource, Feed
from ingest.refresh import refresh_feed


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "source_kind",
        "country",
        "language",
        "is_active",
        "last_outcome",
        "consecutive_failures",
        "last_status_code",
        "last_succeeded_at",
        "next_poll_at",
        "article_count",
    )
    list_filter = ("is_active", "last_outcome", "source_kind", "country", "language")
    search_fields = ("title", "url", "site_url", "last_error")
    readonly_fields = (
        "etag",
        "last_modified",
        "last_polled_at",
        "last_succeeded_at",
        "consecutive_failures",
        "last_outcome",
        "last_error",
        "last_status_code",
        "parse_warning",
        "deactivated_reason",
        "locked_until",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("url", "title", "site_url", "language", "source_kind", "country")}),
        ("Polling", {"fields": ("is_active", "poll_interval_minutes", "next_poll_at")}),
        ("Health", {"fields": readonly_fields}),
    )
    actions = ("poll_now", "activate", "deactivate")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("entries"))

    @admin.display(ordering="article_count", description="Entries")
    def article_count(self, feed):
        return feed.article_count

    @admin.action(description="Poll selected feeds now")
    def poll_now(self, request, queryset):
        for feed in queryset.filter(is_active=True):
            result = refresh_feed(feed.pk, force=True)
            if result is None:
                self.message_user(request, f"{feed}: being polled by a worker right now", messages.WARNING)
            else:
                level = messages.ERROR if result.error else messages.SUCCESS
                self.message_user(request, f"{feed}: {result.outcome}, {len(result.new_ids)} new {result.error}", level)

    @admin.action(description="Activate and poll at the next tick (resets backoff)")
    def activate(self, request, queryset):
        count = queryset.update(
            is_active=True, deactivated_reason="", consecutive_failures=0, next_poll_at=timezone.now()
        )
        self.message_user(request, f"{count} feeds activated")

    @admin.action(description="Deactivate")
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False, deactivated_reason="Deactivated by an operator")
        self.message_user(request, f"{count} feeds deactivated")


class ArticleSourceInline(admin.TabularInline):
    model = ArticleSource
    extra = 0
    fields = ("feed", "link", "guid", "first_seen_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "feed", "published_at", "is_published_at_estimated", "language", "fetched_at")
    list_filter = ("feed__source_kind", "language", "is_published_at_estimated", "feed")
    search_fields = ("title", "canonical_url", "guid")
    date_hierarchy = "published_at"
    list_select_related = ("feed",)
    readonly_fields = ("feed", "guid", "canonical_url", "content_hash", "fetched_at", "updated_at")
    inlines = (ArticleSourceInline,)
