"""The analyst's pages: the overview, the article list and an article's page, escaped and fast."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from ingest.models import Article
from tests.dashboard_helpers import HOSTILE_STRINGS, at, make_user, signal, tagged_article
from tests.factories import make_article, make_feed
from tracker.models import Story, Tag
from tracker.readmodel.refresh import refresh_read_model
from tracker.roles import ADMIN, ANALYST, CURATOR

pytestmark = pytest.mark.django_db


def page_urls(article) -> list[str]:
    return [reverse("home"), reverse("article-list"), reverse("article-detail", args=[article.pk])]


def test_pages_require_login(client):
    article = make_article(make_feed())
    for url in page_urls(article):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_article_list_shows_title_feed_language_and_signal_chips(client, analyst):
    wire = make_feed(title="Northern Wire")
    tagged_article(wire, {"visit": 0.91, "denial": 0.55}, title="Shoigu arrives in Pyongyang", language="ru")
    page = client.get(reverse("article-list")).content.decode()
    assert "Shoigu arrives in Pyongyang" in page and "Northern Wire" in page
    assert 'data-signal="visit"' in page and "Visit 0.91" in page and "Denial 0.55" in page
    assert "<td>ru</td>" in page


def test_untagged_articles_are_not_in_the_signal_list(client, analyst):
    feed = make_feed()
    make_article(feed, title="Harvest season begins")
    tagged_article(feed, {"drill": 0.8}, title="Joint drill announced")
    page = client.get(reverse("article-list")).content.decode()
    assert "Joint drill announced" in page and "Harvest season begins" not in page


def test_article_detail_shows_every_feed_that_carried_the_story(client, analyst):
    wire, state_media = make_feed(title="Northern Wire"), make_feed(title="State Digest")
    article = make_article(wire, also_in=(state_media,), summary_html="<p>Talks <em>ended</em>.</p>")
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "<p>Talks <em>ended</em>.</p>" in page
    assert page.count("Northern Wire") >= 2 and "State Digest" in page


def test_article_detail_lists_the_other_articles_of_its_story(client, analyst):
    story = Story.objects.create(first_published_at=at(3), last_published_at=at(4), article_count=2)
    wire, digest = make_feed(title="Northern Wire"), make_feed(title="State Digest")
    first = tagged_article(wire, {"visit": 0.9}, title="Shoigu lands in Pyongyang", story=story)
    tagged_article(digest, {"visit": 0.8}, title="Defence minister visits DPRK", story=story)
    tagged_article(digest, {"visit": 0.8}, title="Unrelated visit")
    page = client.get(reverse("article-detail", args=[first.pk])).content.decode()
    also = page.split("Also reported by", 1)[1].split("Carried by", 1)[0]
    assert "Defence minister visits DPRK" in also and "State Digest" in also
    assert "Unrelated visit" not in also and "Shoigu lands in Pyongyang" not in also


def test_article_detail_links_only_to_http_originals(client, analyst):
    article = make_article(make_feed(), canonical_url="https://news.example.org/story")
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert 'href="https://news.example.org/story"' in page
    Article.objects.filter(pk=article.pk).update(canonical_url="javascript:alert(1)")
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "javascript:" not in page


def test_article_pages_show_tags_with_evidence_and_hide_rejected_ones_from_the_list(client, analyst):
    article = tagged_article(
        make_feed(),
        {"visit": 0.91},
        title="Shoigu arrives in Pyongyang",
        evidence="Shoigu arrived in Pyongyang on Tuesday.",
        terms=("arrived in Pyongyang",),
    )
    curator = make_user(CURATOR)
    Tag.objects.create(
        article=article,
        signal=signal("denial"),
        confidence=0.55,
        decision=Tag.Decision.REJECTED,
        decided_by=curator,
        decided_at=at(5),
    )
    listing = client.get(reverse("article-list")).content.decode()
    assert "Visit 0.91" in listing and "Denial 0.55" not in listing
    detail = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "Shoigu <mark>arrived in Pyongyang</mark> on Tuesday." in detail
    assert f"rejected by {curator.username} on 2024-06-05 10:00" in detail


def test_evidence_terms_are_marked_after_escaping(client, analyst):
    tagged_article(
        make_feed(),
        {"arms_deal": 0.8},
        evidence="Shells <b>shipped</b> & paid for",
        terms=("shipped", "<b>"),
    )
    page = client.get(reverse("article-list")).content.decode()
    assert "Shells <mark>&lt;b&gt;</mark><mark>shipped</mark>&lt;/b&gt; &amp; paid for" in page


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_hostile_titles_summaries_and_evidence_render_escaped_on_every_page(client, analyst, hostile):
    feed = make_feed(title=f"Feed {hostile}")
    article = tagged_article(
        feed, {"visit": 0.9}, title=f"Title {hostile}", evidence=f"Evidence {hostile}", terms=("Evidence",)
    )
    for url in page_urls(article):
        page = client.get(url).content.decode()
        assert hostile not in page, url
        assert "Title &lt;" in page or "Title &quot;&gt;" in page, url


@pytest.mark.parametrize("per_page", [10, 50])
def test_list_query_count_does_not_grow_with_page_size(client, analyst, django_assert_max_num_queries, per_page):
    feeds = [make_feed() for _ in range(3)]
    for number in range(per_page + 5):
        tagged_article(feeds[number % 3], {"visit": 0.9, "drill": 0.7}, evidence="Drills held.", terms=("Drills",))
    refresh_read_model()  # as the tagging task does after every batch
    with django_assert_max_num_queries(10):
        response = client.get(reverse("article-list"), {"per_page": per_page})
    assert len(response.context["page"].articles) == per_page


@pytest.mark.parametrize("article_count", [3, 30])
def test_overview_and_detail_query_counts_do_not_grow_with_rows(
    client, analyst, django_assert_max_num_queries, article_count
):
    feeds = [make_feed() for _ in range(3)]
    story = Story.objects.create(first_published_at=at(3), last_published_at=at(3), article_count=article_count)
    articles = [
        tagged_article(feeds[number % 3], {"visit": 0.9}, story=story, also_in=(feeds[(number + 1) % 3],))
        for number in range(article_count)
    ]
    refresh_read_model()  # the steady state: the rollup already counts the rows
    # Session and user, the filter form's choices, the signal total, the date window and the first page.
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("article-detail", args=[articles[0].pk])).status_code == 200


def test_role_groups_hold_exactly_their_permissions():
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_feed", "view_article"} <= codenames(ANALYST)
    assert "change_feed" not in codenames(ANALYST) and "change_feed" not in codenames(CURATOR)
    assert {"add_feed", "change_feed", "delete_feed"} <= codenames(ADMIN)
    assert codenames(ANALYST) <= codenames(CURATOR) <= codenames(ADMIN)


def test_admin_feed_page_shows_health_to_staff(client):
    admin = User.objects.create_superuser("boss", password="x-strong-password-987")
    client.force_login(admin)
    make_feed(title="Broken feed", last_outcome="http_error", consecutive_failures=3, last_error="HTTP 500")
    response = client.get(reverse("admin:ingest_feed_changelist"))
    assert response.status_code == 200
    assert "Broken feed" in response.content.decode()


def test_analyst_cannot_reach_feed_admin(client, analyst):
    response = client.get(reverse("admin:ingest_feed_changelist"))
    assert response.status_code == 302
