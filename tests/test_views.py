import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests.factories import make_article, make_feed
from tracker.roles import ADMIN, ANALYST, CURATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(client):
    user = User.objects.create_user("reader", password="not-the-demo-password-123")
    user.groups.add(Group.objects.get(name=ANALYST))
    client.force_login(user)
    return user


def test_pages_require_login(client):
    feed = make_feed()
    article = make_article(feed)
    for url in (reverse("home"), reverse("article-detail", args=[article.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_login_page_renders(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_latest_articles_lists_titles_sources_and_carrier_counts(client, analyst):
    wire, state_media = make_feed(title="Northern Wire"), make_feed(title="State Digest")
    shared = make_article(wire, also_in=(state_media,), title="Shoigu arrives in Pyongyang")
    make_article(state_media, title="Harvest season begins")
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert "Shoigu arrives in Pyongyang" in page and "Harvest season begins" in page
    assert "Northern Wire" in page
    assert response.context["page"].paginator.count == 2
    assert next(a for a in response.context["page"] if a.pk == shared.pk).source_count == 2


def test_article_detail_shows_every_feed_that_carried_the_story(client, analyst):
    wire, state_media = make_feed(title="Northern Wire"), make_feed(title="State Digest")
    article = make_article(wire, also_in=(state_media,), summary_html="<p>Talks <em>ended</em>.</p>")
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "<p>Talks <em>ended</em>.</p>" in page
    assert page.count("Northern Wire") >= 2 and "State Digest" in page


def test_hostile_title_is_escaped_on_list_and_detail(client, analyst):
    article = make_article(make_feed(), title='<script>alert("x")</script><img src=x onerror=alert(1)>')
    for url in (reverse("home"), reverse("article-detail", args=[article.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize("article_count", [3, 30])
def test_article_list_query_count_does_not_grow_with_rows(
    client, analyst, django_assert_max_num_queries, article_count
):
    feeds = [make_feed() for _ in range(3)]
    for number in range(article_count):
        make_article(feeds[number % 3], also_in=(feeds[(number + 1) % 3],))
    with django_assert_max_num_queries(8):
        assert client.get(reverse("home")).status_code == 200


def test_role_groups_hold_exactly_their_permissions():
    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_feed", "view_article"} <= codenames(ANALYST)
    assert "change_feed" not in codenames(ANALYST) and "change_feed" not in codenames(CURATOR)
    assert {"add_feed", "change_feed", "delete_feed"} <= codenames(ADMIN)
    assert codenames(ANALYST) <= codenames(CURATOR) <= codenames(ADMIN)


def test_admin_feed_page_shows_health_to_staff(client, django_assert_max_num_queries):
    admin = User.objects.create_superuser("boss", password="x-strong-password-987")
    client.force_login(admin)
    make_feed(title="Broken feed", last_outcome="http_error", consecutive_failures=3, last_error="HTTP 500")
    response = client.get(reverse("admin:ingest_feed_changelist"))
    assert response.status_code == 200
    assert "Broken feed" in response.content.decode()


def test_analyst_cannot_reach_feed_admin(client, analyst):
    response = client.get(reverse("admin:ingest_feed_changelist"))
    assert response.status_code == 302


def test_article_pages_show_tags_with_evidence_and_hide_rejected_ones_from_the_list(client, analyst):
    from tracker.models import SignalType, Tag

    article = make_article(make_feed(), title="Shoigu arrives in Pyongyang")
    visit, denial = SignalType.objects.get(slug="visit"), SignalType.objects.get(slug="denial")
    evidence = [{"sentence": "Shoigu arrived in Pyongyang on Tuesday.", "terms": ["arrived in Pyongyang"]}]
    Tag.objects.create(article=article, signal=visit, confidence=0.91, evidence=evidence)
    Tag.objects.create(article=article, signal=denial, confidence=0.55, decision=Tag.Decision.REJECTED)
    listing = client.get(reverse("home")).content.decode()
    assert "Visit 0.91" in listing and "Denial" not in listing
    detail = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "Shoigu arrived in Pyongyang on Tuesday." in detail and "arrived in Pyongyang" in detail
    assert "rejected by" in detail
