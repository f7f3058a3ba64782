from django.contrib import admin
from django.urls import include, path, re_path

from tracker.views import curation, exports, feeds, pages, styles

urlpatterns = [
    path("", pages.overview, name="home"),
    path("articles/", pages.article_list, name="article-list"),
    re_path(r"^articles/export\.(?P<fmt>csv|json)$", exports.articles_export, name="articles-export"),
    path("articles/<int:article_id>/", pages.article_detail, name="article-detail"),
    path("articles/<int:article_id>/tags/<int:tag_id>/decide", curation.decide_tag, name="tag-decide"),
    path("articles/<int:article_id>/tags/add", curation.add_article_tag, name="tag-add"),
    path("charts/<slug:name>.json", exports.chart_json, name="chart-data"),
    path("charts/<slug:name>.csv", exports.chart_csv, name="chart-csv"),
    path("feeds/signals.atom", feeds.signals_feed, name="signals-feed"),
    path("signal-types.css", styles.signal_types_css, name="signal-types-css"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
