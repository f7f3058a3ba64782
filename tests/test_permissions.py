"""Each role sees and does only its own: analysts read, curators also decide tags, admins also run the sources."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse

from tests.dashboard_helpers import ROLES, at, make_user, signal, tagged_article
from tests.factories import make_feed
from tracker import urls as site_urls
from tracker.models import Tag
from tracker.roles import ADMIN, ANALYST, CURATOR
from tracker.views.feeds import feed_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return tagged_article(make_feed(title="Northern Wire"), {"visit": 0.9}, title="Shoigu visits", published_at=at(3))


@pytest.fixture
def visit_tag(article) -> Tag:
    return Tag.objects.get(article=article, signal__slug="visit")


def readable_urls(article) -> list[str]:
    return [
        reverse("home"),
        reverse("article-list"),
        reverse("article-detail", args=[article.pk]),
        reverse("chart-data", args=["timeline"]),
        reverse("chart-csv", args=["heatmap"]),
        reverse("articles-export", args=["csv"]),
        reverse("articles-export", args=["json"]),
        reverse("signals-feed"),
        reverse("signal-types-css"),
    ]


def client_as(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role))
    return client


def decide_url(tag: Tag) -> str:
    return reverse("tag-decide", args=[tag.article_id, tag.pk])


def timeline_total(client: Client) -> int:
    rows = client.get(reverse("chart-data", args=["timeline"])).json()["table"]["rows"]
    return sum(row[-1] for row in rows)


# --- Reading ------------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in_from_every_page(client, article):
    for url in readable_urls(article):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_page(role, article):
    client = client_as(role)
    for url in readable_urls(article):
        assert client.get(url).status_code == 200, url


def site_urls_with_samples(tag: Tag) -> list[str]:
    """Every URL the site itself declares (the admin's and the login pages' are Django's), with sample arguments.

    A new URL with an argument not named here fails the walk below until it gets a sample: no URL goes unchecked.
    """
    samples = {"article_id": tag.article_id, "tag_id": tag.pk, "name": "timeline", "fmt": "csv"}
    patterns = [pattern for pattern in site_urls.urlpatterns if isinstance(pattern, URLPattern)]
    return [
        reverse(pattern.name, kwargs={name: samples[name] for name in pattern.pattern.regex.groupindex})
        for pattern in patterns
    ]


def test_a_user_without_a_role_is_refused_every_url_of_the_site(visit_tag):
    client = Client()
    client.force_login(make_user(None))
    urls = site_urls_with_samples(visit_tag)
    assert len(urls) >= 9
    for url in urls:
        response = client.get(url)
        if response.status_code == 405:  # the curators' forms take POST only
            response = client.post(url, {"decision": "confirm", "signal": "drill"})
        assert response.status_code == 403, url
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.PENDING and visit_tag.article.tags.count() == 1


def test_a_superuser_without_a_role_group_reads_every_page(article):
    client = client_as_superuser()
    for url in readable_urls(article):
        assert client.get(url).status_code == 200, url


def test_a_feed_link_stops_working_when_its_user_loses_his_role(article):
    user = make_user(ANALYST)
    feed = reverse("signals-feed")
    token = feed_token(user)
    assert Client().get(feed, {"token": token}).status_code == 200
    user.groups.clear()
    assert Client().get(feed, {"token": token}).status_code == 403


@pytest.mark.parametrize(("role", "can_curate"), [(ANALYST, False), (CURATOR, True), (ADMIN, True)])
def test_only_curators_and_admins_see_the_decision_buttons(role, can_curate, article):
    page = client_as(role).get(reverse("article-detail", args=[article.pk])).content.decode()
    assert ('class="decide"' in page) is can_curate
    assert ('class="add-tag"' in page) is can_curate
    assert ('value="reject"' in page) is can_curate


def nav_links(client: Client) -> list[str]:
    page = client.get(reverse("home")).content.decode()
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


def test_the_navigation_shows_each_role_its_own_links():
    assert nav_links(client_as(ANALYST)) == ["Overview", "Articles"]
    assert nav_links(client_as(CURATOR)) == ["Overview", "Articles", "Tags"]
    assert {"Tags", "Feeds", "Rules", "Users"} <= set(nav_links(client_as(ADMIN)))
    everything = ["Overview", "Articles", "Tags", "Feeds", "Rules", "Key events", "Users"]
    assert nav_links(client_as_superuser()) == everything


def client_as_superuser() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(f"root-{User.objects.count()}", password="x-strong-password-1"))
    return client


@pytest.mark.parametrize(("role", "status"), [(ANALYST, 302), (CURATOR, 200), (ADMIN, 200)])
def test_the_admin_tag_list_is_for_curators_and_admins(role, status):
    assert client_as(role).get(reverse("admin:tracker_tag_changelist")).status_code == status


@pytest.mark.parametrize(("role", "status"), [(CURATOR, 403), (ADMIN, 200)])
def test_users_and_rules_in_the_admin_are_for_admins(role, status):
    client = client_as(role)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == status
    assert client.get(reverse("admin:tracker_rule_changelist")).status_code == status


def test_key_events_are_edited_in_the_admin():
    client = client_as_superuser()
    response = client.get(reverse("admin:tracker_keyevent_changelist"))
    assert response.status_code == 200


# --- Deciding -----------------------------------------------------------------------------------------------


def test_anonymous_decisions_are_sent_to_log_in(client, visit_tag):
    response = client.post(decide_url(visit_tag), {"decision": "reject"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.PENDING


def test_analysts_may_not_decide_or_add_tags(visit_tag, article):
    client = client_as(ANALYST)
    assert client.post(decide_url(visit_tag), {"decision": "reject"}).status_code == 403
    assert client.post(reverse("tag-add", args=[article.pk]), {"signal": "drill"}).status_code == 403
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.PENDING and article.tags.count() == 1


@pytest.mark.parametrize("role", [CURATOR, ADMIN])
def test_curators_and_admins_confirm_and_reject_tags(role, visit_tag):
    client = client_as(role)
    response = client.post(decide_url(visit_tag), {"decision": "confirm"})
    assert response.status_code == 302
    assert response["Location"] == reverse("article-detail", args=[visit_tag.article_id])
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.CONFIRMED and visit_tag.decided_by.groups.filter(name=role).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Visit confirmed." in page and "confirmed by" in page

    client.post(decide_url(visit_tag), {"decision": "reject"})
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.REJECTED


def test_a_rejection_lowers_the_chart_counts_at_once(visit_tag):
    client = client_as(CURATOR)
    assert timeline_total(client) == 1
    client.post(decide_url(visit_tag), {"decision": "reject"})
    assert timeline_total(client) == 0
    assert client.get(reverse("home")).context["signal_total"] == 0


def test_an_added_tag_counts_at_once_and_shows_its_note(article):
    client = client_as(CURATOR)
    response = client.post(
        reverse("tag-add", args=[article.pk]), {"signal": "arms_deal", "evidence_note": "Shells <b>moved</b> by rail."}
    )
    assert response.status_code == 302
    tag = Tag.objects.get(article=article, signal=signal("arms_deal"))
    assert tag.origin == Tag.Origin.CURATOR and tag.confidence == 1.0
    assert timeline_total(client) == 2
    page = client.get(response["Location"]).content.decode()
    assert "Arms deal added." in page and "Shells &lt;b&gt;moved&lt;/b&gt; by rail." in page


def test_adding_an_unknown_or_inactive_type_is_refused_with_a_message(article):
    client = client_as(CURATOR)
    inactive = signal("drill")
    inactive.is_active = False
    inactive.save()
    for slug in ("nonsense", "drill"):
        response = client.post(reverse("tag-add", args=[article.pk]), {"signal": slug}, follow=True)
        assert "Choose one of the active signal types" in response.content.decode()
    assert article.tags.count() == 1


def test_a_decision_needs_a_known_verb_a_post_and_the_tags_own_article(visit_tag):
    client = client_as(CURATOR)
    assert client.post(decide_url(visit_tag), {"decision": "delete"}).status_code == 400
    assert client.get(decide_url(visit_tag)).status_code == 405
    other = tagged_article(make_feed(), {"drill": 0.8})
    wrong_article = reverse("tag-decide", args=[other.pk, visit_tag.pk])
    assert client.post(wrong_article, {"decision": "reject"}).status_code == 404
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.PENDING


def csrf_token_from(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_curation_posts_need_the_csrf_token(visit_tag, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(CURATOR))
    assert client.post(decide_url(visit_tag), {"decision": "reject"}).status_code == 403
    assert client.post(reverse("tag-add", args=[article.pk]), {"signal": "drill"}).status_code == 403
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.PENDING and article.tags.count() == 1

    token = csrf_token_from(client.get(reverse("article-detail", args=[article.pk])).content.decode())
    response = client.post(decide_url(visit_tag), {"decision": "reject", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    visit_tag.refresh_from_db()
    assert visit_tag.decision == Tag.Decision.REJECTED
