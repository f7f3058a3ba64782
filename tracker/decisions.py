"""Curators' decisions on tags: confirm, reject, or add one by hand.

A decision is final: re-tagging (tracker/assess.py) never changes or deletes a tag a curator decided, and a
rejected tag stays rejected however often the tagger finds its signal again.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ingest.models import Article
from tracker.models import SignalType, Tag
from tracker.readmodel.refresh import refresh_read_model


def confirm_tag(tag: Tag, user) -> Tag:
    return decide(tag, Tag.Decision.CONFIRMED, user)


def reject_tag(tag: Tag, user) -> Tag:
    return decide(tag, Tag.Decision.REJECTED, user)


def decide(tag: Tag, decision: str, user) -> Tag:
    tag.decision, tag.decided_by, tag.decided_at = decision, user, timezone.now()
    tag.save(update_fields=["decision", "decided_by", "decided_at", "updated_at"])
    # Every chart counts the decision on the curator's next page load: the writer refreshes, never the reader.
    refresh_read_model()
    return tag


@transaction.atomic
def add_tag(article: Article, signal: SignalType, user, evidence_note: str = "") -> Tag:
    """A curator's tag: confirmed, certain, and final. An automatic tag for the same signal becomes the curator's."""
    tag = Tag.objects.select_for_update().filter(article=article, signal=signal).first()
    tag = tag or Tag(article=article, signal=signal)
    tag.origin, tag.decision, tag.confidence = Tag.Origin.CURATOR, Tag.Decision.CONFIRMED, 1.0
    tag.decided_by, tag.decided_at = user, timezone.now()
    if evidence_note.strip():
        tag.evidence = [{"sentence": evidence_note.strip(), "terms": []}]
    tag.save()
    refresh_read_model()
    return tag
