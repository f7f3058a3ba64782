"""Story grouping: copies of one story (syndication, light rewrites, one wire story in many feeds) count once.

An article's fingerprint is a 64-bit SimHash of the word pairs (2-shingles) of its body, taken sentence by
sentence, so a new headline or a moved sentence leaves it unchanged. Two articles belong to the same story when
their fingerprints differ in at most MAX_STORY_DISTANCE_BITS bits and they were published within STORY_WINDOW of
each other. Candidates come from one query over the four indexed 16-bit bands, each matched exactly or one bit
off: two fingerprints at most 7 bits apart always have a band at most one bit apart (pigeonhole), and pairs 8 or
9 bits apart still do 95% and 86% of the time.

The threshold, measured by bench/story_grouping.py on the shared feed corpus and labelled excerpts: no unrelated
pair is closer than 12 bits (templated listings; median 32), no two reports on Russia-North Korea ties closer
than 15, none on the same subject and day closer than 19. A new headline or a moved sentence costs 0 bits; in
articles of about 300 words, three changed words or a boilerplate line stay within 9 bits 98-100% of the time,
all of these together 91% (73% within 7, 19% within 3 with an exact band). Word triples (--shingle-words 3)
did worse on both counts: unrelated pairs down to 9 bits, those rewrites 80% within 9. In summaries of about 50
words a few changed words move the fingerprint too far for 64 bits to tell them from unrelated text, so only
close copies of short texts group. On 20k generated articles, no two stories were merged.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, QuerySet, Subquery

from tracker.models import Assessment, Story

STORY_WINDOW = timedelta(days=3)
MAX_STORY_DISTANCE_BITS = 9
# Fewer words than this give too few shingles for a distance to mean anything: such an article is its own story.
MIN_FINGERPRINT_WORDS = 8
SHINGLE_WORDS = 2
BAND_COUNT = 4
BAND_BITS = 16
REGROUP_CHUNK_SIZE = 500

_MASK_64 = (1 << 64) - 1
_BAND_MASK = (1 << BAND_BITS) - 1
# Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Myanmar, Khmer): every character
# counts as a word, so their shingles are character pairs. Korean separates words with spaces.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")
_SENTENCE_END = re.compile(r"[.!?…؟।]+(?=\s|$)|[。！？]|\n")
# Held until the transaction ends: two workers grouping copies of one story at the same moment would otherwise
# each miss the other's uncommitted row and start two stories, or count a story's articles from stale rows.
_STORY_LOCK_KEY = int.from_bytes(b"stories", "big")


def words(text: str) -> list[str]:
    """The text's words, normalised (NFKC, case-folded) and without punctuation."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str) -> set[str]:
    """Runs of SHINGLE_WORDS words, never across a sentence end, so reordering sentences keeps them all."""
    found = set()
    for sentence in _SENTENCE_END.split(text):
        sentence_words = words(sentence)
        if 0 < len(sentence_words) <= SHINGLE_WORDS:
            found.add(" ".join(sentence_words))
        for start in range(len(sentence_words) - SHINGLE_WORDS + 1):
            found.add(" ".join(sentence_words[start : start + SHINGLE_WORDS]))
    return found


def simhash64(text: str) -> int:
    """SimHash of the text's shingles as a signed 64-bit integer (PostgreSQL bigint); 0 for a text without words."""
    digests = [hashlib.blake2b(shingle.encode(), digest_size=8).digest() for shingle in shingles(text)]
    if not digests:
        return 0
    # Every digest side by side in one integer: masking bit i of each 64-bit block and counting the set bits
    # tallies bit i's votes in C, instead of 64 Python steps per shingle.
    packed = int.from_bytes(b"".join(digests), "big")
    one_per_block = ((1 << (64 * len(digests))) - 1) // _MASK_64
    value = 0
    for bit in range(64):
        if 2 * (packed & (one_per_block << bit)).bit_count() > len(digests):
            value |= 1 << bit
    return value - (1 << 64) if value >> 63 else value


def simhash_bands(value: int) -> tuple[int, int, int, int]:
    """The four 16-bit bands of a fingerprint, lowest bits first, each in 0..65535."""
    unsigned = value & _MASK_64
    return tuple((unsigned >> (BAND_BITS * index)) & _BAND_MASK for index in range(BAND_COUNT))


def hamming(a: int, b: int) -> int:
    """How many of the 64 bits differ."""
    return ((a ^ b) & _MASK_64).bit_count()


def fingerprint(title: str, text: str) -> int | None:
    """The article's fingerprint: of its body, or with the title when the body alone is too short; None if too short."""
    body = text[len(title) :] if title and text.startswith(title) else text
    for candidate in (body, f"{title}\n{body}"):
        if len(words(candidate)) >= MIN_FINGERPRINT_WORDS:
            return simhash64(candidate)
    return None


def fingerprint_fields(title: str, text: str) -> dict[str, int | None]:
    """Assessment's simhash columns for an article, ready for update() or bulk writes."""
    value = fingerprint(title, text)
    bands = simhash_bands(value) if value is not None else (None,) * BAND_COUNT
    return {"simhash": value} | {f"simhash_band_{index}": band for index, band in enumerate(bands)}


class BatchStoryGrouper:
    """Story grouping for articles that are not in the database (the classify command): same rule, in memory."""

    def __init__(self) -> None:
        self._seen: list[tuple[int, object]] = []

    def story_for(self, label: object, title: str, text: str) -> object:
        """The label of the first earlier article this one near-duplicates, else its own label."""
        value = fingerprint(title, text)
        if value is None:
            return label
        nearest = min(self._seen, key=lambda seen: hamming(value, seen[0]), default=None)
        if nearest is not None and hamming(value, nearest[0]) <= MAX_STORY_DISTANCE_BITS:
            return nearest[1]
        self._seen.append((value, label))
        return label


@dataclass(frozen=True)
class Candidate:
    assessment_id: int
    story_id: int | None
    simhash: int
    published_at: datetime
    distance: int


def band_matches(value: int, published_at: datetime, exclude_id: int | None = None) -> list[Candidate]:
    """Assessments in the window with a band equal or one bit off: every row a lookup examines, in one query."""
    near_band = Q()
    for index, band in enumerate(simhash_bands(value)):
        near_band |= Q(**{f"simhash_band_{index}__in": [band, *(band ^ (1 << bit) for bit in range(BAND_BITS))]})
    rows = (
        Assessment.objects.filter(
            near_band, article__published_at__range=(published_at - STORY_WINDOW, published_at + STORY_WINDOW)
        )
        .exclude(pk=exclude_id)
        .values_list("pk", "story_id", "simhash", "article__published_at")
    )
    return [Candidate(pk, story_id, other, at, hamming(value, other)) for pk, story_id, other, at in rows]


def near_duplicates(value: int, published_at: datetime, exclude_id: int | None = None) -> list[Candidate]:
    """Assessments within the threshold and the window, nearest first (then earliest, then oldest row)."""
    found = [c for c in band_matches(value, published_at, exclude_id) if c.distance <= MAX_STORY_DISTANCE_BITS]
    return sorted(found, key=lambda c: (c.distance, c.published_at, c.assessment_id))


def assign_story(assessment: Assessment) -> Story:
    """Put a saved assessment (article loaded) in the story of its nearest copy, or in one of its own.

    Stores the fingerprint columns too. Safe to repeat: an article already in the story of one of its copies stays.
    """
    article = assessment.article
    # Without a savepoint: inside a caller's transaction a failure here fails the whole batch, as it should.
    with transaction.atomic(savepoint=False):
        _serialize_story_writes()
        fields = fingerprint_fields(article.title, article.text)
        for name, value in fields.items():
            setattr(assessment, name, value)
        previous_story_id = assessment.story_id
        story_id = _story_to_join(assessment)
        story = None
        if story_id is None:
            story = Story.objects.create(
                first_published_at=article.published_at,
                last_published_at=article.published_at,
                article_count=1,
                representative=article,
            )
            story_id = story.pk
        assessment.story_id = story_id
        Assessment.objects.filter(pk=assessment.pk).update(story_id=story_id, **fields)
        if previous_story_id not in (None, story_id):
            refresh_story(previous_story_id)
        return story or refresh_story(story_id)


def _story_to_join(assessment: Assessment) -> int | None:
    """The story this assessment belongs in, or None when it needs a new one."""
    candidates = []
    if assessment.simhash is not None:
        candidates = near_duplicates(assessment.simhash, assessment.article.published_at, exclude_id=assessment.pk)
    # Candidates processed later in the same batch have no story yet; they will find this one.
    story_ids = [c.story_id for c in candidates if c.story_id is not None]
    current = assessment.story_id
    if current is not None and (current in story_ids or (not story_ids and _is_sole_member(assessment))):
        return current
    return story_ids[0] if story_ids else None


def _is_sole_member(assessment: Assessment) -> bool:
    return not Assessment.objects.filter(story_id=assessment.story_id).exclude(pk=assessment.pk).exists()


def refresh_story(story_id: int) -> Story | None:
    """Recount a story from its members: counters, dates, the earliest article as representative; delete it if empty."""
    members = Assessment.objects.filter(story=OuterRef("pk")).order_by().values("story")
    story = (
        Story.objects.filter(pk=story_id)
        .annotate(
            member_count=Subquery(members.annotate(n=Count("pk")).values("n")),
            first_at=Subquery(members.annotate(at=Min("article__published_at")).values("at")),
            last_at=Subquery(members.annotate(at=Max("article__published_at")).values("at")),
            earliest_article_id=Subquery(
                Assessment.objects.filter(story=OuterRef("pk"))
                .order_by("article__published_at", "article_id")
                .values("article_id")[:1]
            ),
        )
        .first()
    )
    if story is None or not story.member_count:
        Story.objects.filter(pk=story_id).delete()
        return None
    story.article_count = story.member_count
    story.first_published_at, story.last_published_at = story.first_at, story.last_at
    story.representative_id = story.earliest_article_id
    story.save(update_fields=["article_count", "first_published_at", "last_published_at", "representative"])
    return story


def regroup_stories(queryset: QuerySet[Assessment] | None = None) -> int:
    """Group the given assessments (all by default) afresh, oldest article first; returns how many were grouped.

    For a rebuild after the fingerprint or the threshold changed. Runs in one transaction.
    """
    selected = Assessment.objects.all() if queryset is None else Assessment.objects.filter(pk__in=queryset.values("pk"))
    with transaction.atomic():
        _serialize_story_writes()
        touched_story_ids = list(selected.exclude(story=None).values_list("story_id", flat=True).distinct())
        selected.update(story=None)
        Story.objects.filter(assessments__isnull=True).delete()
        for story_id in Story.objects.filter(pk__in=touched_story_ids).values_list("pk", flat=True):
            refresh_story(story_id)
        ordered_ids = list(selected.order_by("article__published_at", "article_id").values_list("pk", flat=True))
        for start in range(0, len(ordered_ids), REGROUP_CHUNK_SIZE):
            chunk = ordered_ids[start : start + REGROUP_CHUNK_SIZE]
            loaded = Assessment.objects.select_related("article").in_bulk(chunk)
            for assessment_id in chunk:
                assign_story(loaded[assessment_id])
    return len(ordered_ids)


def _serialize_story_writes() -> None:
    # SQLite (the local demo) already lets one writer in at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_STORY_LOCK_KEY])
