from django.contrib import admin
from django.urls import include, path

from tracker import views

urlpatterns = [
    path("", views.latest_articles, name="home"),
    path("articles/<int:article_id>/", views.article_detail, name="article-detail"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
