"""Saving the tagger's findings: assessments, automatic tags, and curators' decisions that re-tagging never touches.

Most tests script the tagger's answers, because what is under test is how they are stored; the last ones run
the real tagger on real rules.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.models import Article
from tests.factories import make_article, make_feed
from tracker.assess import AssessSummary, assess_articles
from tracker.decisions import add_tag, confirm_tag, reject_tag
from tracker.models import Assessment, SignalType, Story, Tag
from tracker.tagging.engine import Evidence, Result, SignalHit, Tagger
from tracker.tagging.rules import RuleSpec

pytestmark = pytest.mark.django_db

ARMS_SENTENCE = "Pyongyang shipped artillery shells to Russia, officials said."
DRILL_SENTENCE = "Russian and North Korean ships held joint naval drills."
RELEVANCE_EVIDENCE = (
    Evidence("Pyongyang shipped artillery shells to Russia, officials said.", ("Pyongyang", "Russia")),
)


# --- A scripted tagger: answers by title, so each test states exactly what the tagger finds ---------


def hit(signal: str, confidence: float = 0.8, sentence: str = ARMS_SENTENCE, *terms: str) -> SignalHit:
    return SignalHit(signal, confidence, (Evidence(sentence, terms or ("shells",)),))


def relevant(*hits: SignalHit, language: str = "en") -> Result:
    return Result(language, "relevant", 0.9, RELEVANCE_EVIDENCE, hits)


NOT_RELEVANT = Result("en", "not_relevant", 0.0, (), ())
UNREADABLE = Result("", "unreadable", 0.0, (), ())


@dataclass
class ScriptedTagger:
    """The Tagger interface with answers given in advance: the result for a title, else not relevant."""

    answers: dict[str, Result] = field(default_factory=dict)
    version: str = "scripted-1"

    def assess(self, title: str, text: str) -> Result:
        return self.answers.get(title, NOT_RELEVANT)


@pytest.fixture
def feed():
    return make_feed(title="Northern Wire")


@pytest.fixture
def curator():
    return User.objects.create_user("curator-on-duty")


def signal(slug: str) -> SignalType:
    return SignalType.objects.get(slug=slug)


def tags_of(article: Article) -> dict[str, Tag]:
    return {tag.signal.slug: tag for tag in Tag.objects.filter(article=article).select_related("signal")}


def snapshot() -> tuple[list, list]:
    """Every tag and assessment as stored, timestamps included: what a run that changes nothing leaves as it was."""
    tags = list(Tag.objects.order_by("pk").values())
    assessments = list(Assessment.objects.order_by("pk").values())
    return tags, assessments


# --- Assessments and automatic tags ------------------------------------------------------------------


def test_a_relevant_article_gets_an_assessment_and_tags_with_evidence(feed):
    article = make_article(feed, title="Shells for Russia", text=f"Shells for Russia\n{ARMS_SENTENCE} {DRILL_SENTENCE}")
    tagger = ScriptedTagger({"Shells for Russia": relevant(hit("arms_deal", 0.8, ARMS_SENTENCE, "shells"))})

    summary = assess_articles([article.pk], tagger)

    assessment = Assessment.objects.get(article=article)
    assert (assessment.status, assessment.language, assessment.relevance_score) == ("relevant", "en", 0.9)
    assert assessment.relevance_evidence == [{"sentence": ARMS_SENTENCE, "terms": ["Pyongyang", "Russia"]}]
    assert assessment.tagger_version == "scripted-1"
    assert assessment.simhash is not None and assessment.story is not None
    tag = tags_of(article)["arms_deal"]
    assert (tag.confidence, tag.origin, tag.decision, tag.tagger_version) == (0.8, "auto", "", "scripted-1")
    assert tag.evidence == [{"sentence": ARMS_SENTENCE, "terms": ["shells"]}]
    assert summary == AssessSummary(assessed=1, relevant=1, tags_created=1)


@pytest.mark.parametrize(
    ("result", "status", "expected_summary"),
    [
        (NOT_RELEVANT, "not_relevant", AssessSummary(assessed=1)),
        (UNREADABLE, "unreadable", AssessSummary(assessed=1, unreadable=1)),
    ],
)
def test_an_article_that_is_not_relevant_or_unreadable_gets_an_assessment_and_no_tags(
    feed, result, status, expected_summary
):
    article = make_article(feed, title="Harvest festival")

    summary = assess_articles([article.pk], ScriptedTagger({"Harvest festival": result}))

    assert Assessment.objects.get(article=article).status == status
    assert tags_of(article) == {}
    assert summary == expected_summary


def test_signals_of_inactive_types_and_unknown_signals_get_no_tag(feed):
    SignalType.objects.filter(slug="drill").update(is_active=False)
    article = make_article(feed, title="Drills and shells")
    answer = relevant(hit("arms_deal"), hit("drill", 0.7, DRILL_SENTENCE, "drills"), hit("no_such_signal"))

    summary = assess_articles([article.pk], ScriptedTagger({"Drills and shells": answer}))

    assert set(tags_of(article)) == {"arms_deal"}
    assert summary.tags_created == 1


def test_running_twice_changes_nothing_the_second_time(feed):
    articles = [make_article(feed, title=title) for title in ("Shells for Russia", "Joint drills", "Harvest")]
    tagger = ScriptedTagger(
        {
            "Shells for Russia": relevant(hit("arms_deal")),
            "Joint drills": relevant(hit("drill", 0.6, DRILL_SENTENCE, "drills"), hit("visit", 0.4)),
        }
    )
    ids = [article.pk for article in articles]
    assess_articles(ids, tagger)
    before = snapshot()

    summary = assess_articles(ids, tagger)

    assert snapshot() == before
    assert summary == AssessSummary(assessed=3, relevant=2)


def test_automatic_tags_follow_the_tagger_when_it_changes_its_mind(feed):
    article = make_article(feed, title="Shells for Russia")
    assess_articles([article.pk], ScriptedTagger({"Shells for Russia": relevant(hit("arms_deal", 0.5), hit("visit"))}))
    first_tag = tags_of(article)["arms_deal"]
    wiser = ScriptedTagger(
        {"Shells for Russia": relevant(hit("arms_deal", 0.9, DRILL_SENTENCE, "shells"), hit("drill"))},
        version="scripted-2",
    )

    summary = assess_articles([article.pk], wiser)

    tags = tags_of(article)
    assert set(tags) == {"arms_deal", "drill"}
    assert tags["arms_deal"].pk == first_tag.pk
    assert (tags["arms_deal"].confidence, tags["arms_deal"].tagger_version) == (0.9, "scripted-2")
    assert tags["arms_deal"].evidence == [{"sentence": DRILL_SENTENCE, "terms": ["shells"]}]
    assert tags["arms_deal"].updated_at > first_tag.updated_at
    assert Assessment.objects.get(article=article).tagger_version == "scripted-2"
    assert (summary.tags_created, summary.tags_updated, summary.tags_deleted) == (1, 1, 1)


# --- Curated tags are final ----------------------------------------------------------------------------


def curate(article: Article, how: str, user: User) -> Tag:
    """A tag on arms_deal that a curator confirmed, rejected or added by hand."""
    if how == "added":
        return add_tag(article, signal("arms_deal"), user, evidence_note="Satellite images show the shipment.")
    tag = tags_of(article)["arms_deal"]
    return confirm_tag(tag, user) if how == "confirmed" else reject_tag(tag, user)


@pytest.mark.parametrize("how", ["confirmed", "rejected", "added"])
@pytest.mark.parametrize(
    "next_answer",
    [
        pytest.param(relevant(hit("arms_deal", 0.3, DRILL_SENTENCE, "drills")), id="found-again-differently"),
        pytest.param(relevant(hit("visit")), id="no-longer-found"),
        pytest.param(NOT_RELEVANT, id="article-no-longer-relevant"),
        pytest.param(UNREADABLE, id="article-unreadable"),
    ],
)
def test_curated_tag_survives_retag_unchanged(feed, curator, how, next_answer):
    article = make_article(feed, title="Shells for Russia")
    first_answer = relevant(hit("arms_deal", 0.8)) if how != "added" else NOT_RELEVANT
    assess_articles([article.pk], ScriptedTagger({"Shells for Russia": first_answer}))
    curated = curate(article, how, curator)
    stored = Tag.objects.filter(pk=curated.pk).values().get()

    assess_articles([article.pk], ScriptedTagger({"Shells for Russia": next_answer}, version="scripted-2"))

    assert Tag.objects.filter(pk=curated.pk).values().get() == stored


def test_a_rejected_tag_stays_rejected_when_the_tagger_finds_the_signal_again(feed, curator):
    article = make_article(feed, title="Shells for Russia")
    tagger = ScriptedTagger({"Shells for Russia": relevant(hit("arms_deal", 0.8))})
    assess_articles([article.pk], tagger)
    reject_tag(tags_of(article)["arms_deal"], curator)

    summary = assess_articles([article.pk], tagger)

    tag = tags_of(article)["arms_deal"]
    assert (tag.decision, tag.decided_by) == ("rejected", curator)
    assert Tag.objects.filter(article=article).count() == 1
    assert summary.tags_created == summary.tags_updated == summary.tags_deleted == 0


def test_an_article_that_stops_being_relevant_loses_automatic_tags_but_keeps_curated_ones(feed, curator):
    article = make_article(feed, title="Shells for Russia")
    answer = relevant(hit("arms_deal"), hit("drill", 0.6, DRILL_SENTENCE, "drills"), hit("visit", 0.4))
    assess_articles([article.pk], ScriptedTagger({"Shells for Russia": answer}))
    confirm_tag(tags_of(article)["arms_deal"], curator)
    add_tag(article, signal("aid_trade"), curator)

    summary = assess_articles([article.pk], ScriptedTagger({"Shells for Russia": NOT_RELEVANT}))

    tags = tags_of(article)
    assert set(tags) == {"arms_deal", "aid_trade"}
    assert all(tag.is_curated for tag in tags.values())
    assert Assessment.objects.get(article=article).status == "not_relevant"
    assert summary.tags_deleted == 2


# --- Cost ----------------------------------------------------------------------------------------------


def assess_many(feed, count: int, tagger: ScriptedTagger) -> list[int]:
    ids = [make_article(feed, title=f"Shells {count}-{number}").pk for number in range(count)]
    for article in Article.objects.filter(pk__in=ids):
        tagger.answers[article.title] = relevant(hit("arms_deal", 0.5), hit("visit", 0.5))
    assess_articles(ids, tagger)
    return ids


def retag_with_new_findings(ids: list[int]) -> ScriptedTagger:
    """A tagger that updates one tag, drops one and adds one on every article."""
    titles = Article.objects.filter(pk__in=ids).values_list("title", flat=True)
    answers = {title: relevant(hit("arms_deal", 0.9), hit("drill", 0.7)) for title in titles}
    return ScriptedTagger(answers, version="scripted-2")


def test_retagging_costs_the_same_queries_for_thirty_articles_as_for_three(feed, django_assert_max_num_queries):
    few, many = assess_many(feed, 3, ScriptedTagger()), assess_many(feed, 30, ScriptedTagger())
    tagger_for_few, tagger_for_many = retag_with_new_findings(few), retag_with_new_findings(many)
    with CaptureQueriesContext(connection) as queries_for_few:
        summary = assess_articles(few, tagger_for_few)
    assert (summary.tags_created, summary.tags_updated, summary.tags_deleted) == (3, 3, 3)

    with django_assert_max_num_queries(len(queries_for_few)):
        summary = assess_articles(many, tagger_for_many)

    assert (summary.tags_created, summary.tags_updated, summary.tags_deleted) == (30, 30, 30)


def test_the_articles_are_read_in_one_query_without_their_html(feed):
    article = make_article(feed, title="Shells for Russia", content_html="<p>" + "x" * 1000 + "</p>")
    with CaptureQueriesContext(connection) as queries:
        assess_articles([article.pk], ScriptedTagger())
    # Reads only: the read model's refresh afterwards copies rows within the database (INSERT ... SELECT).
    reads = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    article_reads = [sql for sql in reads if 'FROM "ingest_article"' in sql]
    assert len(article_reads) == 1
    assert "content_html" not in article_reads[0] and "summary_html" not in article_reads[0]


# --- Stories ---------------------------------------------------------------------------------------------


def test_copies_of_one_story_share_it_and_its_count_stays_right_when_run_again(feed):
    text = (
        "Russia and North Korea signed a treaty on comprehensive strategic partnership in Pyongyang on Wednesday, "
        "pledging mutual military assistance if either is attacked, state media reported."
    )
    published_at = datetime(2024, 6, 19, 8, 0, tzinfo=UTC)
    copies = [
        make_article(make_feed(), title=f"Treaty signed ({outlet})", text=text, published_at=published_at)
        for outlet in ("wire", "state media")
    ]
    ids = [article.pk for article in copies]

    assess_articles(ids, ScriptedTagger())
    assess_articles(ids, ScriptedTagger())

    stories = {assessment.story for assessment in Assessment.objects.filter(article__in=ids).select_related("story")}
    assert len(stories) == 1
    assert stories.pop().article_count == 2


def test_an_article_whose_story_was_deleted_is_given_one_again(feed):
    article = make_article(feed, title="Shells for Russia")
    assess_articles([article.pk], ScriptedTagger())
    Story.objects.all().delete()

    assess_articles([article.pk], ScriptedTagger())

    story = Assessment.objects.get(article=article).story
    assert (story.article_count, story.representative) == (1, article)


# --- The real tagger -------------------------------------------------------------------------------------

# The engine reads only languages with actor terms of their own for both sides, hence "en" on the actors.
RULES = [
    RuleSpec(kind="actor", signal=None, side="ru", language="en", pattern="Russia"),
    RuleSpec(kind="actor", signal=None, side="ru", language="en", pattern="Moscow"),
    RuleSpec(kind="actor", signal=None, side="kp", language="en", pattern="North Korea"),
    RuleSpec(kind="actor", signal=None, side="kp", language="en", pattern="Pyongyang"),
    RuleSpec(kind="trigger", signal="arms_deal", side="", language="", pattern="artillery shells"),
    RuleSpec(kind="trigger", signal="visit", side="", language="", pattern="delegation"),
]


def test_the_real_tagger_tags_an_article_with_the_sentence_and_terms_that_decided(feed):
    title = "North Korea sends artillery shells to Russia"
    text = (
        f"{title}\n"
        "North Korea has shipped millions of artillery shells to Russia, South Korean intelligence said on Monday. "
        "Moscow has not commented on the shipments from Pyongyang. The weather in Seoul was mild."
    )
    article = make_article(feed, title=title, text=text, language="en")

    summary = assess_articles([article.pk], Tagger.compile(RULES))

    assert Assessment.objects.get(article=article).status == "relevant"
    tag = tags_of(article)["arms_deal"]
    assert 0.5 <= tag.confidence <= 1
    assert any("artillery shells" in item["sentence"] for item in tag.evidence)
    assert all(item["terms"] for item in tag.evidence)
    assert summary.relevant == 1 and set(tags_of(article)) == {"arms_deal"}


def test_the_real_tagger_leaves_an_article_about_neither_country_untagged(feed):
    title = "Record soybean harvest expected"
    text = f"{title}\nFarmers in Brazil expect a record soybean crop this year, the agriculture ministry said."
    article = make_article(feed, title=title, text=text)

    assess_articles([article.pk], Tagger.compile(RULES))

    assert Assessment.objects.get(article=article).status == "not_relevant"
    assert tags_of(article) == {}
