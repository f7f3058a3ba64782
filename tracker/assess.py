"""Saving what the tagger found: assessments, stories and automatic tags, in bulk.

Curators' decisions (made in tracker/decisions.py) are final: a tag a curator added, confirmed or rejected is never
modified or deleted here, and a rejected tag stays rejected however often the tagger finds its signal again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ingest.models import Article
from tracker.active_tagger import current_tagger
from tracker.models import Assessment, SignalType, Tag
from tracker.readmodel.refresh import refresh_read_model
from tracker.stories import assign_stories, fingerprint_fields
from tracker.tagging.engine import Evidence, Result, Tagger

ASSESSMENT_FIELDS = (
    "status",
    "language",
    "relevance_score",
    "relevance_evidence",
    "simhash",
    "simhash_band_0",
    "simhash_band_1",
    "simhash_band_2",
    "simhash_band_3",
    "tagger_version",
)
TAG_REFRESH_FIELDS = ("confidence", "evidence", "tagger_version", "updated_at")


@dataclass
class AssessSummary:
    assessed: int = 0
    relevant: int = 0
    unreadable: int = 0
    tags_created: int = 0
    tags_updated: int = 0
    tags_deleted: int = 0

    def __add__(self, other: AssessSummary) -> AssessSummary:
        return AssessSummary(*(getattr(self, item.name) + getattr(other, item.name) for item in fields(self)))

    def __str__(self) -> str:
        return (
            f"{self.assessed} assessed ({self.relevant} relevant, {self.unreadable} unreadable); "
            f"tags: {self.tags_created} created, {self.tags_updated} updated, {self.tags_deleted} deleted"
        )


@dataclass
class TagChanges:
    to_create: list[Tag] = field(default_factory=list)
    to_update: list[Tag] = field(default_factory=list)
    to_delete: list[int] = field(default_factory=list)


def assess_articles(article_ids: Iterable[int], tagger: Tagger | None = None) -> AssessSummary:
    """Tag the articles and save the outcome; running it twice changes nothing the second time."""
    tagger = current_tagger() if tagger is None else tagger
    selected = Article.objects.filter(pk__in=list(article_ids)).order_by("published_at", "pk")
    # Oldest first, so the first copy of a story starts it and later copies join.
    articles = list(selected.only("id", "title", "text", "published_at"))
    if not articles:
        return AssessSummary()
    results = {article.pk: tagger.assess(article.title, article.text) for article in articles}
    with transaction.atomic():
        assign_stories(save_assessments(articles, results, tagger.version))
        changes = save_tags(articles, results, tagger.version)
    # The writer keeps the read model fresh: the next page load counts this batch, and reads never write.
    refresh_read_model()
    return summarize(results.values(), changes)


def unassessed_article_ids(stored_before: datetime, limit: int) -> list[int]:
    """Articles stored before then and never assessed, oldest first: their tagging was never queued (the broker was
    unreachable when they were stored) or was lost with the broker's queue."""
    unassessed = Article.objects.filter(assessment__isnull=True, fetched_at__lt=stored_before).order_by("pk")
    return list(unassessed.values_list("pk", flat=True)[:limit])


# --- Assessments ------------------------------------------------------------------------------------


def save_assessments(articles: Sequence[Article], results: dict[int, Result], version: str) -> list[Assessment]:
    """Upsert the assessments that changed; return the ones whose story must be (re)assigned."""
    existing = {row.article_id: row for row in Assessment.objects.filter(article__in=articles)}
    to_write, needing_story = [], []
    for article in articles:
        fresh, old = build_assessment(article, results[article.pk], version), existing.get(article.pk)
        is_unchanged = old is not None and field_values(old) == field_values(fresh)
        if not is_unchanged:
            fresh.story_id = old.story_id if old else None
            to_write.append(fresh)
        if needs_story(old, fresh):
            current = old if is_unchanged else fresh
            current.article = article
            needing_story.append(current)
    # An upsert rather than insert-or-update, so a concurrent run on the same article cannot make this one fail.
    Assessment.objects.bulk_create(
        to_write,
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=[*ASSESSMENT_FIELDS, "assessed_at"],
    )
    return needing_story


def build_assessment(article: Article, result: Result, version: str) -> Assessment:
    # The same fingerprint assign_story stores (of the body, None for a text too short to compare), so an
    # unchanged article compares equal and is left alone.
    return Assessment(
        article=article,
        status=result.status,
        language=result.language,
        relevance_score=result.relevance_score,
        relevance_evidence=evidence_json(result.relevance_evidence),
        tagger_version=version,
        **fingerprint_fields(article.title, article.text),
    )


def needs_story(old: Assessment | None, fresh: Assessment) -> bool:
    """A new article, a changed text, or a story deleted meanwhile: its story must be found (again)."""
    return old is None or old.simhash != fresh.simhash or old.story_id is None


def field_values(assessment: Assessment) -> tuple:
    return tuple(getattr(assessment, name) for name in ASSESSMENT_FIELDS)


def evidence_json(evidence: Iterable[Evidence]) -> list[dict]:
    return [{"sentence": item.sentence, "terms": list(item.terms)} for item in evidence]


# --- Tags -------------------------------------------------------------------------------------------


def save_tags(articles: Sequence[Article], results: dict[int, Result], version: str) -> TagChanges:
    signal_ids = dict(SignalType.objects.filter(is_active=True).values_list("slug", "pk"))
    # Locked, so a curator's decision made meanwhile waits for this transaction instead of being overwritten.
    existing = Tag.objects.filter(article__in=articles).select_for_update().order_by("pk")
    tags_by_article: dict[int, list[Tag]] = {}
    for tag in existing.only("id", "article_id", "signal_id", "origin", "decision", *TAG_REFRESH_FIELDS):
        tags_by_article.setdefault(tag.article_id, []).append(tag)
    changes = TagChanges()
    for article in articles:
        wanted = wanted_tags(article, results[article.pk], signal_ids, version)
        plan_tag_changes(tags_by_article.get(article.pk, []), wanted, changes)
    apply_tag_changes(changes)
    return changes


def wanted_tags(article: Article, result: Result, signal_ids: dict[str, int], version: str) -> dict[int, Tag]:
    """The automatic tags the tagger asks for, by signal id; signals of inactive types are left out."""
    if result.status != Assessment.Status.RELEVANT:
        return {}
    return {
        signal_ids[hit.signal]: Tag(
            article=article,
            signal_id=signal_ids[hit.signal],
            confidence=hit.confidence,
            evidence=evidence_json(hit.evidence),
            origin=Tag.Origin.AUTO,
            tagger_version=version,
        )
        for hit in result.signals
        if hit.signal in signal_ids
    }


def plan_tag_changes(current: list[Tag], wanted: dict[int, Tag], changes: TagChanges) -> None:
    """Compare an article's tags with the wanted ones; curated tags are neither changed nor replaced."""
    wanted = dict(wanted)
    for tag in current:
        fresh = wanted.pop(tag.signal_id, None)
        if tag.is_curated:
            continue
        if fresh is None:
            changes.to_delete.append(tag.pk)
        elif refreshed_values(tag) != refreshed_values(fresh):
            tag.confidence, tag.evidence, tag.tagger_version = fresh.confidence, fresh.evidence, fresh.tagger_version
            changes.to_update.append(tag)
    changes.to_create.extend(wanted.values())


def refreshed_values(tag: Tag) -> tuple:
    return (tag.confidence, tag.evidence, tag.tagger_version)


def apply_tag_changes(changes: TagChanges) -> None:
    now = timezone.now()
    for tag in changes.to_update:
        tag.updated_at = now  # bulk_update does not apply auto_now
    Tag.objects.bulk_update(changes.to_update, TAG_REFRESH_FIELDS)
    # A tag a curator added meanwhile wins over the tagger's: the conflict is skipped.
    Tag.objects.bulk_create(changes.to_create, ignore_conflicts=True)
    if changes.to_delete:
        # The filter repeats the "not curated" test in SQL: a decision is never deleted, however it came about.
        automatic = Tag.objects.filter(pk__in=changes.to_delete, origin=Tag.Origin.AUTO, decision=Tag.Decision.PENDING)
        automatic.delete()


def summarize(results: Iterable[Result], changes: TagChanges) -> AssessSummary:
    statuses = [result.status for result in results]
    return AssessSummary(
        assessed=len(statuses),
        relevant=statuses.count(Assessment.Status.RELEVANT),
        unreadable=statuses.count(Assessment.Status.UNREADABLE),
        tags_created=len(changes.to_create),
        tags_updated=len(changes.to_update),
        tags_deleted=len(changes.to_delete),
    )
