"""Curators' decisions on tags: who confirmed or rejected a tag and when, and tags added by hand.

That re-tagging leaves these decisions alone is tested with the saving of the tagger's results (test_assess.py).
"""

import pytest
from django.contrib.auth.models import User

from ingest.models import Article
from tests.factories import make_article, make_feed
from tracker.decisions import add_tag, confirm_tag, reject_tag
from tracker.models import SignalType, Tag

pytestmark = pytest.mark.django_db

ARMS_EVIDENCE = [{"sentence": "Pyongyang shipped artillery shells to Russia, officials said.", "terms": ["shells"]}]


@pytest.fixture
def article() -> Article:
    return make_article(make_feed(title="Northern Wire"), title="Shells for Russia")


@pytest.fixture
def curator() -> User:
    return User.objects.create_user("curator-on-duty")


def signal(slug: str) -> SignalType:
    return SignalType.objects.get(slug=slug)


def automatic_tag(article: Article, slug: str, confidence: float = 0.8) -> Tag:
    """A tag as the tagger saves it: automatic, undecided."""
    return Tag.objects.create(
        article=article, signal=signal(slug), confidence=confidence, evidence=ARMS_EVIDENCE, tagger_version="v1"
    )


def tags_of(article: Article) -> dict[str, Tag]:
    return {tag.signal.slug: tag for tag in Tag.objects.filter(article=article).select_related("signal")}


@pytest.mark.parametrize(("decide", "decision"), [(confirm_tag, "confirmed"), (reject_tag, "rejected")])
def test_a_decision_records_who_made_it_and_when(article, curator, decide, decision):
    automatic_tag(article, "arms_deal")

    decide(tags_of(article)["arms_deal"], curator)

    tag = tags_of(article)["arms_deal"]
    assert (tag.decision, tag.decided_by, tag.is_curated) == (decision, curator, True)
    assert tag.decided_at is not None


def test_a_tag_added_by_a_curator_is_confirmed_and_certain(article, curator):
    add_tag(article, signal("visit"), curator, evidence_note="  The delegation landed at Sunan airport.  ")

    tag = tags_of(article)["visit"]
    assert (tag.origin, tag.decision, tag.confidence, tag.decided_by) == ("curator", "confirmed", 1.0, curator)
    assert tag.evidence == [{"sentence": "The delegation landed at Sunan airport.", "terms": []}]


def test_adding_a_signal_the_tagger_found_makes_its_tag_the_curators(article, curator):
    automatic = automatic_tag(article, "arms_deal", confidence=0.4)

    add_tag(article, signal("arms_deal"), curator)

    tag = tags_of(article)["arms_deal"]
    assert tag.pk == automatic.pk
    assert (tag.origin, tag.decision, tag.confidence) == ("curator", "confirmed", 1.0)
    assert tag.evidence == automatic.evidence
