"""Curation in the admin: admins edit signal types and rules, curators decide on tags, and every decision has a name."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from tests.factories import make_article, make_feed
from tracker.models import Assessment, Rule, SignalType, Story, Tag
from tracker.roles import CURATOR

pytestmark = pytest.mark.django_db

EVIDENCE = [{"sentence": "Pyongyang shipped artillery shells to Russia.", "terms": ["artillery shells"]}]


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser("site-admin", password="not-the-demo-password-123")
    client.force_login(user)
    return user


@pytest.fixture
def curator(client):
    user = User.objects.create_user("curator-on-duty", password="not-the-demo-password-123", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATOR))
    client.force_login(user)
    return user


def signal(slug: str) -> SignalType:
    return SignalType.objects.get(slug=slug)


def make_tag(title: str = "Shells for the front", slug: str = "arms_deal", **values) -> Tag:
    article = make_article(make_feed(), title=title)
    values.setdefault("confidence", 0.82)
    values.setdefault("evidence", EVIDENCE)
    return Tag.objects.create(article=article, signal=signal(slug), **values)


def make_story_with_assessment() -> Assessment:
    article = make_article(make_feed(), title="Treaty signed in Pyongyang")
    story = Story.objects.create(
        first_published_at=article.published_at,
        last_published_at=article.published_at,
        article_count=1,
        representative=article,
    )
    return Assessment.objects.create(
        article=article, status="relevant", language="en", relevance_score=0.9, relevance_evidence=EVIDENCE, story=story
    )


def changelist(model: str) -> str:
    return reverse(f"admin:tracker_{model}_changelist")


def run_action(client, model: str, action: str, rows) -> None:
    response = client.post(changelist(model), {"action": action, "_selected_action": [row.pk for row in rows]})
    assert response.status_code == 302, response.content.decode()[:2000]


# --- Pages render ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["signaltype", "rule", "tag", "assessment", "story"])
def test_every_tracker_changelist_renders_for_a_superuser(client, superuser, model):
    make_tag()
    make_story_with_assessment()
    Rule.objects.create(kind="trigger", signal=signal("drill"), pattern="joint exercise")

    response = client.get(changelist(model))

    assert response.status_code == 200


def test_tag_assessment_and_story_pages_render_for_a_superuser(client, superuser):
    tag = make_tag()
    assessment = make_story_with_assessment()
    pages = [
        reverse("admin:tracker_tag_change", args=[tag.pk]),
        reverse("admin:tracker_tag_add"),
        reverse("admin:tracker_assessment_change", args=[assessment.pk]),
        reverse("admin:tracker_story_change", args=[assessment.story_id]),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page
    assert "Treaty signed in Pyongyang" in client.get(pages[-1]).content.decode()


def test_a_curator_reaches_the_tags_but_not_the_rules(client, curator):
    tag = make_tag(title="Shells for the front")

    response = client.get(changelist("tag"))

    assert response.status_code == 200
    assert "Shells for the front" in response.content.decode()
    assert client.get(reverse("admin:tracker_tag_change", args=[tag.pk])).status_code == 200
    assert client.get(changelist("rule")).status_code == 403


def test_tags_are_searched_by_article_title_and_filtered_by_decision(client, superuser):
    make_tag(title="Shells for the front")
    make_tag(title="Joint naval drills", slug="drill", decision="rejected")

    found = client.get(changelist("tag"), {"q": "naval"}).context["cl"].result_list
    rejected = client.get(changelist("tag"), {"decision__exact": "rejected"}).context["cl"].result_list

    assert [tag.article.title for tag in found] == ["Joint naval drills"]
    assert [tag.article.title for tag in rejected] == ["Joint naval drills"]


def test_the_tag_list_costs_the_same_queries_for_many_tags_as_for_one(client, superuser, django_assert_max_num_queries):
    make_tag()
    with django_assert_max_num_queries(20) as queries_for_one:
        client.get(changelist("tag"))
    for number in range(15):
        make_tag(title=f"Report {number}")

    with django_assert_max_num_queries(len(queries_for_one)):
        client.get(changelist("tag"))


def test_evidence_is_escaped_with_the_matched_terms_marked(client, superuser):
    hostile = [{"sentence": 'Shells <script>alert("x")</script> went to Russia.', "terms": ["shells", "Russia"]}]
    tag = make_tag(evidence=hostile)

    page = client.get(reverse("admin:tracker_tag_change", args=[tag.pk])).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "<mark>Shells</mark>" in page and "<mark>Russia</mark>" in page


# --- Curators' decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "decision"), [("confirm", "confirmed"), ("reject", "rejected")])
def test_the_confirm_and_reject_actions_record_who_decided(client, curator, action, decision):
    tags = [make_tag(title="Shells for the front"), make_tag(title="Joint naval drills", slug="drill")]

    run_action(client, "tag", action, tags)

    for tag in Tag.objects.filter(pk__in=[tag.pk for tag in tags]):
        assert (tag.decision, tag.decided_by, tag.is_curated) == (decision, curator, True)
        assert tag.decided_at is not None


def test_changing_a_decision_on_the_tag_page_records_who_decided(client, curator):
    tag = make_tag()

    response = client.post(reverse("admin:tracker_tag_change", args=[tag.pk]), {"decision": "rejected"})

    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.decision, tag.decided_by, tag.confidence) == ("rejected", curator, 0.82)


def test_a_curator_adds_a_tag_that_is_confirmed_and_certain(client, curator):
    article = make_article(make_feed(), title="Delegation lands at Sunan")

    response = client.post(
        reverse("admin:tracker_tag_add"),
        {"article": article.pk, "signal": signal("visit").pk, "evidence_note": "The delegation landed on Tuesday."},
    )

    assert response.status_code == 302
    tag = Tag.objects.get(article=article)
    assert (tag.origin, tag.decision, tag.confidence, tag.decided_by) == ("curator", "confirmed", 1.0, curator)
    assert tag.evidence == [{"sentence": "The delegation landed on Tuesday.", "terms": []}]


def test_adding_a_tag_the_article_already_has_asks_to_decide_on_it_instead(client, curator):
    tag = make_tag()

    response = client.post(reverse("admin:tracker_tag_add"), {"article": tag.article_id, "signal": tag.signal_id})

    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Tag.objects.get().origin == "auto"


# --- Rules ---------------------------------------------------------------------------------------------


def rule_form(**values) -> dict:
    form = {"kind": "trigger", "signal": signal("drill").pk, "side": "", "language": "", "pattern": "joint drill"}
    form |= {"weight": "1.0", "is_active": "on", "note": ""}
    return form | values


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"pattern": "   "}, "pattern", "This field is required"),
        ({"pattern": "joint (drill", "is_regex": "on"}, "pattern", "Not a valid regular expression"),
        ({"signal": ""}, "signal", "belong to a signal type"),
        ({"kind": "actor", "side": "ru"}, "signal", "Only triggers, vetoes and context terms"),
    ],
)
def test_the_rule_form_refuses_rules_the_tagger_could_not_use(client, superuser, values, field, message):
    rule_count = Rule.objects.count()

    response = client.post(reverse("admin:tracker_rule_add"), rule_form(**values))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert Rule.objects.count() == rule_count


def test_the_rule_form_saves_a_valid_regular_expression_with_a_lower_case_language(client, superuser):
    response = client.post(
        reverse("admin:tracker_rule_add"), rule_form(pattern=r"joint (naval )?drills?", is_regex="on", language="EN ")
    )

    assert response.status_code == 302
    rule = Rule.objects.get(pattern=r"joint (naval )?drills?")
    assert (rule.kind, rule.signal.slug, rule.is_regex, rule.language) == ("trigger", "drill", True, "en")


def test_deactivating_rules_moves_their_updated_at_so_the_tagger_is_rebuilt(client, superuser):
    rules = [
        Rule.objects.create(kind="trigger", signal=signal("drill"), pattern=pattern)
        for pattern in ("joint exercise", "naval drill")
    ]
    before = {rule.pk: rule.updated_at for rule in rules}

    run_action(client, "rule", "deactivate", rules)

    for rule in Rule.objects.filter(pk__in=before):
        assert not rule.is_active and rule.updated_at > before[rule.pk]
    run_action(client, "rule", "activate", rules[:1])
    assert list(Rule.objects.filter(pk__in=before, is_active=True)) == rules[:1]


def test_signal_types_are_reordered_from_the_list(client, superuser):
    types = list(SignalType.objects.order_by("sort_order"))
    form = {"form-TOTAL_FORMS": len(types), "form-INITIAL_FORMS": len(types), "_save": "Save"}
    for index, signal_type in enumerate(reversed(types)):
        form |= {f"form-{index}-id": signal_type.pk, f"form-{index}-sort_order": index}

    response = client.post(changelist("signaltype"), form)

    assert response.status_code == 302
    assert list(SignalType.objects.order_by("sort_order")) == list(reversed(types))
