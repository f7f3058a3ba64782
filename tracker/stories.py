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
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet

from tracker.models import Assessment, Story

STORY_WINDOW = timedelta(days=3)
MAX_STORY_DISTANCE_BITS = 9
# Fewer words than this give too few shingles for a distance to mean anything: such an article is its own story.
MIN_FINGERPRINT_WORDS = 8
SHINGLE_WORDS = 2
BAND_COUNT = 4
BAND_BITS = 16
REGROUP_CHUNK_SIZE = 500
# Fingerprints per candidate query: 4 bands of 17 values each keep a query below SQLite's 32766 parameters.
LOOKUP_BATCH_SIZE = 250
FINGERPRINT_FIELDS = ("simhash", *(f"simhash_band_{index}" for index in range(BAND_COUNT)))
STORY_COUNTED_FIELDS = ("article_count", "first_published_at", "last_published_at", "representative")

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


def near_band_values(band: int) -> list[int]:
    """The band itself and the 16 values one bit off: what a lookup matches in one band column."""
    return [band, *(band ^ (1 << bit) for bit in range(BAND_BITS))]


def band_matches(value: int, published_at: datetime, exclude_id: int | None = None) -> list[Candidate]:
    """Assessments in the window with a band equal or one bit off: every row a lookup examines, in one query."""
    near_band = Q()
    for index, band in enumerate(simhash_bands(value)):
        near_band |= Q(**{f"simhash_band_{index}__in": near_band_values(band)})
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
    return assign_stories([assessment])[assessment.pk]


def assign_stories(assessments: Sequence[Assessment]) -> dict[int, Story]:
    """Group saved assessments (articles loaded) as assign_story would one by one, oldest article first.

    Copies within the batch join each other. The queries are the same few for one article or a few hundred: the
    candidates of the whole batch are read at once and the articles placed in memory. Returns stories by assessment id.
    """
    batch = sorted(assessments, key=lambda assessment: (assessment.article.published_at, assessment.article_id))
    if not batch:
        return {}
    # Without a savepoint: inside a caller's transaction a failure here fails the whole batch, as it should.
    with transaction.atomic(savepoint=False):
        _serialize_story_writes()
        previous_story_ids = {assessment.story_id for assessment in batch} - {None}
        for assessment in batch:
            for name, value in fingerprint_fields(assessment.article.title, assessment.article.text).items():
                setattr(assessment, name, value)
        placement = _BatchPlacement(_candidate_rows(batch), _member_counts(previous_story_ids))
        story_keys = {assessment.pk: placement.place(assessment) for assessment in batch}
        story_ids = placement.save_new_stories()
        for assessment in batch:
            assessment.story_id = story_ids.get(story_keys[assessment.pk], story_keys[assessment.pk])
        Assessment.objects.bulk_update(batch, ["story", *FINGERPRINT_FIELDS])
        stories = _recount_stories(previous_story_ids | {assessment.story_id for assessment in batch})
    return {assessment.pk: stories[assessment.story_id] for assessment in batch}


@dataclass(frozen=True)
class _Row:
    """An assessment as the batch lookup sees it; story_key is a story id, or a negative key for a new story."""

    assessment_id: int
    story_key: int | None
    simhash: int
    bands: tuple[int, ...]
    published_at: datetime


def _candidate_rows(batch: list[Assessment]) -> list[_Row]:
    """Stored assessments any article of the batch may match: one query per LOOKUP_BATCH_SIZE fingerprints."""
    fingerprinted = [assessment for assessment in batch if assessment.simhash is not None]
    rows = []
    for start in range(0, len(fingerprinted), LOOKUP_BATCH_SIZE):
        lookup = _lookup_filter(fingerprinted[start : start + LOOKUP_BATCH_SIZE])
        found = Assessment.objects.filter(lookup).values_list(
            "pk", "story_id", "simhash", *FINGERPRINT_FIELDS[1:], "article__published_at"
        )
        rows.extend(_Row(pk, story_id, value, tuple(bands), at) for pk, story_id, value, *bands, at in found)
    return rows


def _lookup_filter(fingerprinted: list[Assessment]) -> Q:
    """The band lookup of each article, merged per run of articles published close together.

    A batch spanning months (a retag) gets one window per run, not one window over everything.
    """
    runs: list[list[Assessment]] = []
    for assessment in fingerprinted:
        if runs and assessment.article.published_at - runs[-1][-1].article.published_at <= STORY_WINDOW:
            runs[-1].append(assessment)
        else:
            runs.append([assessment])
    lookup = Q()
    for run in runs:
        near_band = Q()
        for index in range(BAND_COUNT):
            values = {value for a in run for value in near_band_values(simhash_bands(a.simhash)[index])}
            near_band |= Q(**{f"simhash_band_{index}__in": sorted(values)})
        window = (run[0].article.published_at - STORY_WINDOW, run[-1].article.published_at + STORY_WINDOW)
        lookup |= near_band & Q(article__published_at__range=window)
    return lookup


def _member_counts(story_ids: set[int]) -> dict[int, int]:
    if not story_ids:
        return {}
    counted = Assessment.objects.filter(story_id__in=story_ids).values("story_id").annotate(n=Count("pk"))
    return {row["story_id"]: row["n"] for row in counted.order_by()}


class _BatchPlacement:
    """The batch's view of the stored assessments, kept as the database would be after each article is placed."""

    def __init__(self, rows: list[_Row], member_counts: dict[int, int]) -> None:
        self._rows: dict[int, _Row] = {}
        self._by_band: dict[tuple[int, int], set[int]] = defaultdict(set)
        self._members = Counter(member_counts)
        self._new_stories: dict[int, Story] = {}
        for row in rows:
            self._put(row)

    def place(self, assessment: Assessment) -> int:
        """The story key the article goes to: its current story, a copy's, or a new one's (negative)."""
        story_key = self._story_to_join(assessment)
        if story_key is None:
            story_key = -1 - len(self._new_stories)
            published_at = assessment.article.published_at
            self._new_stories[story_key] = Story(
                first_published_at=published_at,
                last_published_at=published_at,
                article_count=1,
                representative_id=assessment.article_id,
            )
        self._move(assessment, story_key)
        return story_key

    def save_new_stories(self) -> dict[int, int]:
        """Create the new stories in one query; their ids by key."""
        Story.objects.bulk_create(self._new_stories.values())
        return {key: story.pk for key, story in self._new_stories.items()}

    def _story_to_join(self, assessment: Assessment) -> int | None:
        story_keys = self._near_story_keys(assessment)
        current = assessment.story_id
        # Its own row counts among the members: alone in its story means a count of one.
        if current is not None and (current in story_keys or (not story_keys and self._members[current] <= 1)):
            return current
        return story_keys[0] if story_keys else None

    def _near_story_keys(self, assessment: Assessment) -> list[int]:
        """Stories of the near duplicates, nearest first (then earliest, then oldest row), as near_duplicates."""
        if assessment.simhash is None:
            return []
        published_at = assessment.article.published_at
        found = []
        for pk in self._band_neighbours(assessment.simhash) - {assessment.pk}:
            row = self._rows[pk]
            distance = hamming(assessment.simhash, row.simhash)
            if distance <= MAX_STORY_DISTANCE_BITS and abs(row.published_at - published_at) <= STORY_WINDOW:
                found.append((distance, row.published_at, pk, row.story_key))
        # Candidates placed later in the batch have no story yet; they will find this one.
        return [story_key for *_, story_key in sorted(found) if story_key is not None]

    def _band_neighbours(self, value: int) -> set[int]:
        found = set()
        for index, band in enumerate(simhash_bands(value)):
            for near_value in near_band_values(band):
                found |= self._by_band.get((index, near_value), set())
        return found

    def _move(self, assessment: Assessment, story_key: int) -> None:
        if assessment.story_id is not None:
            self._members[assessment.story_id] -= 1
        self._members[story_key] += 1
        old = self._rows.pop(assessment.pk, None)
        if old is not None:
            for index, band in enumerate(old.bands):
                self._by_band[(index, band)].discard(old.assessment_id)
        if assessment.simhash is not None:
            bands = simhash_bands(assessment.simhash)
            self._put(_Row(assessment.pk, story_key, assessment.simhash, bands, assessment.article.published_at))

    def _put(self, row: _Row) -> None:
        self._rows[row.assessment_id] = row
        for index, band in enumerate(row.bands):
            self._by_band[(index, band)].add(row.assessment_id)


def refresh_story(story_id: int) -> Story | None:
    """Recount a story from its members: counters, dates, the earliest article as representative; delete it if empty."""
    return _recount_stories({story_id}).get(story_id)


def _recount_stories(story_ids: set[int]) -> dict[int, Story]:
    """Recount stories from their members, save those that changed, delete the empty ones; the others by id."""
    # The members in one indexed query and the counting in Python: per-story subqueries joined to the articles
    # made PostgreSQL scan the articles once per story, seconds for a batch of 200.
    members: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    rows = Assessment.objects.filter(story_id__in=story_ids).values_list(
        "story_id", "article__published_at", "article_id"
    )
    for story_id, published_at, article_id in rows:
        members[story_id].append((published_at, article_id))
    kept, changed, emptied = {}, [], []
    for story in Story.objects.filter(pk__in=story_ids):
        if story.pk not in members:
            emptied.append(story.pk)
            continue
        before = _counted_values(story)
        ordered = sorted(members[story.pk])
        story.article_count = len(ordered)
        story.first_published_at, story.last_published_at = ordered[0][0], ordered[-1][0]
        story.representative_id = ordered[0][1]
        if _counted_values(story) != before:
            changed.append(story)
        kept[story.pk] = story
    Story.objects.bulk_update(changed, STORY_COUNTED_FIELDS)
    if emptied:
        Story.objects.filter(pk__in=emptied).delete()
    return kept


def _counted_values(story: Story) -> tuple:
    return (story.article_count, story.first_published_at, story.last_published_at, story.representative_id)


def regroup_stories(queryset: QuerySet[Assessment] | None = None) -> int:
    """Group the given assessments (all by default) afresh, oldest article first; returns how many were grouped.

    For a rebuild after the fingerprint or the threshold changed. Runs in one transaction.
    """
    selected = Assessment.objects.all() if queryset is None else Assessment.objects.filter(pk__in=queryset.values("pk"))
    with transaction.atomic():
        _serialize_story_writes()
        touched_story_ids = set(selected.exclude(story=None).values_list("story_id", flat=True).distinct())
        selected.update(story=None)
        Story.objects.filter(assessments__isnull=True).delete()
        _recount_stories(touched_story_ids)
        ordered_ids = list(selected.order_by("article__published_at", "article_id").values_list("pk", flat=True))
        for start in range(0, len(ordered_ids), REGROUP_CHUNK_SIZE):
            chunk = ordered_ids[start : start + REGROUP_CHUNK_SIZE]
            assign_stories(list(Assessment.objects.select_related("article").in_bulk(chunk).values()))
    return len(ordered_ids)


def _serialize_story_writes() -> None:
    # SQLite (the local demo) already lets one writer in at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_STORY_LOCK_KEY])
