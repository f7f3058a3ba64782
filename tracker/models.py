"""The tracker's domain: signal types, the rules that find them, the tags on articles, and stories."""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from ingest.models import Article, Feed

# --- Triggers ----------------------------------------------------------------------------------------------
# Triggers, not Django signals: bulk updates, raw SQL and cascades all pass through them, so no write path can
# leave the derived tables stale. The dirty-day triggers only append the days a write may have changed to
# tracker_rollupdirtyday; tracker.readmodel.refresh recounts those days. pgtrigger writes them into the migrations, on
# PostgreSQL only: the embedded SQLite database has none, and rebuilds its derived tables whenever a writer
# refreshes them.


def _marks_days_of_articles(*article_ids: str) -> str:
    """A trigger body that logs the publication day (UTC) of each article named, for recounting."""
    return f"""
    INSERT INTO tracker_rollupdirtyday (day)
    SELECT DISTINCT (published_at AT TIME ZONE 'UTC')::date FROM ingest_article WHERE id IN ({", ".join(article_ids)});
    RETURN NULL;"""


def _marks_days_of_article(name: str, operation: pgtrigger.Operation, *changed: str) -> pgtrigger.Trigger:
    """A trigger that logs the days of the article a row belongs to, before and after the write (on INSERT, OLD
    is NULL; on DELETE, NEW is), when one of the ``changed`` fields changes (on any write, if none are named)."""
    return pgtrigger.Trigger(
        name=name,
        when=pgtrigger.After,
        operation=operation,
        condition=pgtrigger.AnyChange(*changed) if changed else None,
        func=_marks_days_of_articles("OLD.article_id", "NEW.article_id"),
    )


def _search_vector(language: str, title: str, text: str) -> str:
    """SQL for an article's search vector, its title weighted above its text. English is stemmed; every other
    language is only lower-cased, since a stemmer for the wrong language mangles words (and PostgreSQL has none
    for Korean)."""
    config = f"CASE WHEN {language} = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END"
    return (
        f"setweight(to_tsvector({config}, coalesce({title}, '')), 'A')"
        f" || setweight(to_tsvector({config}, coalesce({text}, '')), 'B')"
    )


class SignalType(models.Model):
    """A kind of cooperation signal. Six ship by default; admins may edit or add more."""

    slug = models.SlugField(max_length=32, unique=True, help_text="Stable identifier used in exports and the API")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#4c78a8", help_text="Chart colour, #rrggbb")
    cameo_codes = models.CharField(max_length=100, blank=True, help_text="Nearest CAMEO event codes, for reference")
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "slug"]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """One term or pattern the tagger uses; rules are data that admins curate."""

    class Kind(models.TextChoices):
        ACTOR = "actor", "Actor: a name for one side (relevance)"
        TRIGGER = "trigger", "Trigger: a term that signals the type"
        VETO = "veto", "Veto: cancels the type's triggers in the same sentence (negation, 'declined to comment')"
        CONTEXT = "context", "Context: a term the type's triggers need nearby (e.g. 'joint' for drills)"
        OFF_TOPIC = "off_topic", "Off topic: marks an article as not about the relationship (sports, culture)"

    class Side(models.TextChoices):
        RUSSIA = "ru", "Russia"
        NORTH_KOREA = "kp", "North Korea"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    signal = models.ForeignKey(
        SignalType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
        help_text="For triggers, vetoes and context terms",
    )
    side = models.CharField(max_length=2, choices=Side.choices, blank=True, help_text="For actors")
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code; blank applies to every language")
    pattern = models.TextField(help_text="A term (matched as whole words, case-insensitive) or a regular expression")
    is_regex = models.BooleanField(default=False)
    weight = models.FloatField(default=1.0, help_text="How strongly a match counts; 1.0 is an ordinary term")
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=500, blank=True, help_text="Why the rule exists: the case it handles")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "signal__sort_order", "side", "language", "pattern"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "signal", "side", "language", "pattern"], name="unique_rule"),
            models.CheckConstraint(
                condition=(models.Q(kind="actor") & ~models.Q(side="")) | (~models.Q(kind="actor") & models.Q(side="")),
                name="actor_rules_name_a_side",
            ),
        ]

    def __str__(self) -> str:
        target = self.side or (self.signal.slug if self.signal_id else "relevance")
        return f"{self.kind} {target} [{self.language or '*'}]: {self.pattern}"


class Story(models.Model):
    """Copies of the same story (syndication, light rewrites, one wire story across feeds), counted once."""

    first_published_at = models.DateTimeField(db_index=True)
    last_published_at = models.DateTimeField()
    article_count = models.PositiveIntegerField(default=0)
    representative = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-first_published_at"]
        triggers = [
            # A story is counted through its lead article.
            pgtrigger.Trigger(
                name="story_rollup_update",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("representative"),
                func=_marks_days_of_articles("OLD.representative_id", "NEW.representative_id"),
            ),
        ]

    def __str__(self) -> str:
        return f"Story {self.pk} ({self.article_count} articles)"


class Assessment(models.Model):
    """What the tagger made of one article: its language, whether it is relevant, and its story."""

    class Status(models.TextChoices):
        RELEVANT = "relevant", "Relevant"
        NOT_RELEVANT = "not_relevant", "Not relevant"
        UNREADABLE = "unreadable", "Language the tagger cannot read"

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="assessment")
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    language = models.CharField(max_length=8, blank=True, help_text="Detected language, ISO 639-1")
    relevance_score = models.FloatField(default=0.0)
    relevance_evidence = models.JSONField(default=list, blank=True)
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments")
    # A 64-bit SimHash of the text's shingles, and its four 16-bit bands: two near-duplicates
    # share at least one band, so candidates are found through these indexed columns.
    simhash = models.BigIntegerField(null=True, blank=True)
    simhash_band_0 = models.IntegerField(null=True, blank=True, db_index=True)
    simhash_band_1 = models.IntegerField(null=True, blank=True, db_index=True)
    simhash_band_2 = models.IntegerField(null=True, blank=True, db_index=True)
    simhash_band_3 = models.IntegerField(null=True, blank=True, db_index=True)
    tagger_version = models.CharField(max_length=64, blank=True)
    assessed_at = models.DateTimeField(auto_now=True)
    # Full-text index of the article's title and text, in the article's language (English is stemmed,
    # others are not). PostgreSQL triggers maintain it (here and on TrackedArticle); on SQLite it stays empty
    # and search falls back.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        # The language filter finds its articles here, without reading the assessments themselves.
        indexes = [models.Index(fields=["language", "article"], name="tracker_assessment_language")]
        triggers = [
            _marks_days_of_article("assessment_rollup_insert_delete", pgtrigger.Insert | pgtrigger.Delete),
            # The signal facts copy each article's search vector, so a new vector dirties its days too.
            _marks_days_of_article(
                "assessment_rollup_update", pgtrigger.Update, "article", "language", "story", "search_vector"
            ),
            pgtrigger.Trigger(
                name="assessment_search_vector",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("article_id", "language", "status"),
                func=f"""
    NEW.search_vector := (
        SELECT {_search_vector("NEW.language", "title", "text")} FROM ingest_article WHERE id = NEW.article_id
    );
    RETURN NEW;""",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.status}"


class Tag(models.Model):
    """A signal on an article, with the evidence behind it. Curators' decisions are final."""

    class Origin(models.TextChoices):
        AUTO = "auto", "Tagger"
        CURATOR = "curator", "Curator"

    class Decision(models.TextChoices):
        PENDING = "", "Not reviewed"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="tags")
    signal = models.ForeignKey(SignalType, on_delete=models.CASCADE, related_name="tags")
    confidence = models.FloatField(help_text="Probability the tag is right, in [0, 1]")
    evidence = models.JSONField(default=list, blank=True, help_text='[{"sentence": ..., "terms": [...]}]')
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.AUTO)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    tagger_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "signal"], name="one_tag_per_signal_per_article"),
            models.CheckConstraint(
                condition=models.Q(confidence__gte=0) & models.Q(confidence__lte=1), name="confidence_in_unit_interval"
            ),
        ]
        indexes = [
            models.Index(fields=["signal", "decision"]),
            # The list sorted by confidence walks tags strongest first.
            models.Index(fields=["-confidence"], name="tracker_tag_confidence"),
            # "Curated only" finds the few curated tags directly (same condition as the rollup's "curated").
            models.Index(
                fields=["article"],
                condition=models.Q(origin="curator") | models.Q(decision="confirmed"),
                name="tracker_tag_curated",
            ),
        ]
        triggers = [
            _marks_days_of_article("tag_rollup_insert_delete", pgtrigger.Insert | pgtrigger.Delete),
            _marks_days_of_article(
                "tag_rollup_update", pgtrigger.Update, "article", "signal", "confidence", "origin", "decision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signal.slug} on {self.article_id} ({self.confidence:.2f})"

    @property
    def is_curated(self) -> bool:
        """A curator added, confirmed or rejected it: re-tagging must leave it alone."""
        return self.origin == self.Origin.CURATOR or self.decision != self.Decision.PENDING


class TrackedArticle(Article):
    """Ingest's article with the tracker's triggers on it: proxies keep them in the tracker's migrations, so that
    ingest never hears of the tracker."""

    class Meta:
        proxy = True
        triggers = [
            pgtrigger.Trigger(
                name="article_rollup_update",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("published_at", "feed"),
                func="""
    INSERT INTO tracker_rollupdirtyday (day)
    VALUES ((OLD.published_at AT TIME ZONE 'UTC')::date), ((NEW.published_at AT TIME ZONE 'UTC')::date);
    RETURN NULL;""",
            ),
            # The tagger leaves an assessment it would write unchanged alone, so a new title or text recomputes the
            # vector here; the new vector then marks the article's days (the assessment's rollup_update).
            pgtrigger.Trigger(
                name="article_search_vector",
                when=pgtrigger.After,
                operation=pgtrigger.UpdateOf("title", "text"),
                condition=pgtrigger.AnyChange("title", "text"),
                func=f"""
    UPDATE tracker_assessment SET search_vector = {_search_vector("language", "NEW.title", "NEW.text")}
     WHERE article_id = NEW.id;
    RETURN NULL;""",
            ),
        ]


class TrackedFeed(Feed):
    """Ingest's feed with the tracker's triggers on it (see TrackedArticle)."""

    class Meta:
        proxy = True
        triggers = [
            # The per-kind rollup is derived from the per-feed one, so a feed changing kind dirties its days.
            pgtrigger.Trigger(
                name="feed_rollup_update",
                when=pgtrigger.After,
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange("source_kind"),
                func="""
    INSERT INTO tracker_rollupdirtyday (day) SELECT DISTINCT day FROM tracker_feedrollup WHERE feed_id = NEW.id;
    RETURN NULL;""",
            ),
        ]


class KeyEvent(models.Model):
    """A curated milestone (a summit, a treaty, a reported shipment) drawn on the timelines."""

    date = models.DateField(db_index=True)
    label = models.CharField(max_length=120, help_text="Short text shown on the charts")
    description = models.TextField(blank=True)
    signal = models.ForeignKey(
        SignalType, null=True, blank=True, on_delete=models.SET_NULL, help_text="The type it belongs to, if any"
    )
    source_url = models.URLField(max_length=2000, blank=True)

    class Meta:
        ordering = ["date", "label"]

    def __str__(self) -> str:
        return f"{self.date}: {self.label}"


class RollupCounts(models.Model):
    """Counts of visible (not rejected) tags per day and signal, with the dimensions the filters need.

    ``articles`` counts tagged articles; ``stories`` counts those that lead their story (the
    story's earliest article, or an article in no story), so a story counts once, on the day
    and in the feed of its first report. Kept equal to the raw tables by tracker.readmodel.refresh.
    """

    day = models.DateField()
    signal = models.ForeignKey(SignalType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    confidence_tenths = models.PositiveSmallIntegerField(help_text="floor(confidence × 10)")
    curated = models.BooleanField(help_text="Added or confirmed by a curator")
    articles = models.PositiveIntegerField()
    stories = models.PositiveIntegerField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.signal_id}: {self.articles} articles, {self.stories} stories"


class FeedRollup(RollupCounts):
    """Per feed and language: answers filters on particular feeds and the sources chart."""

    feed = models.ForeignKey(Feed, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    language = models.CharField(max_length=8)

    class Meta:
        indexes = [models.Index(fields=["day", "signal"]), models.Index(fields=["feed", "day"])]


class KindRollup(RollupCounts):
    """Per kind of source and language: answers filters on kinds and languages."""

    source_kind = models.CharField(max_length=32)
    language = models.CharField(max_length=8)

    class Meta:
        indexes = [models.Index(fields=["day", "signal"])]


class DayRollup(RollupCounts):
    """Per day and type only: the few rows behind the unfiltered overview and date, type and confidence filters."""

    class Meta:
        indexes = [models.Index(fields=["day", "signal"])]


class RollupDirtyDay(models.Model):
    """Days whose rollup rows are stale. Database triggers add one on every write that could change a count.

    A log, not a set: a unique day would make concurrent writers wait on each other's uncommitted rows.
    """

    day = models.DateField()

    def __str__(self) -> str:
        return str(self.day)


class SignalFact(models.Model):
    """One visible tag with everything the list filters and orders on: a narrow copy kept by the read model.

    The raw rows are wide (evidence, text, HTML, search vectors inline), so filtering or ordering a million
    of them reads gigabytes; here one table answers. A search is tested on the fact's article signal set,
    which holds the article's search vector.
    """

    tag = models.OneToOneField(
        Tag, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    article = models.ForeignKey(Article, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    signal = models.ForeignKey(
        SignalType, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    feed = models.ForeignKey(Feed, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    published_at = models.DateTimeField()
    day = models.DateField(help_text="UTC day of publication, as in the rollup tables")
    source_kind = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    confidence = models.FloatField()
    confidence_tenths = models.PositiveSmallIntegerField(help_text="floor(confidence × 10)")
    curated = models.BooleanField(help_text="Added or confirmed by a curator")
    leads_story = models.BooleanField(help_text="Its article is its story's lead, or in no story")

    class Meta:
        indexes = [
            # The refresh replaces a day's facts.
            models.Index(fields=["day"], name="tracker_fact_day"),
            models.Index(fields=["-published_at", "-article"], name="tracker_fact_newest"),
            models.Index(fields=["-confidence", "-published_at", "-article"], name="tracker_fact_strongest"),
            models.Index(fields=["feed", "-published_at"], name="tracker_fact_feed"),
            models.Index(fields=["language", "-published_at"], name="tracker_fact_language"),
            models.Index(fields=["-published_at"], condition=models.Q(curated=True), name="tracker_fact_curated"),
        ]

    def __str__(self) -> str:
        return f"tag {self.tag_id}: article {self.article_id}, {self.signal_id} on {self.day}"


# The confidence thresholds the filter offers, in tenths: each has its own mask of signal types.
MASKED_CONFIDENCE_TENTHS = range(5, 10)
# Signal types are bits of a 32-bit integer, by id; the sign bit is left alone.
MASKED_SIGNAL_IDS = range(31)


class ArticleSignalSet(models.Model):
    """One tagged article as a search counts it: its day, feed, language and story lead, its visible signal types
    as bit masks (bit n for the type with id n), and a copy of its search vector.

    Every search is counted and found from these, one row per matching article, where the signal facts hold one
    per tag. Kept by the read model's refresh from the signal facts; its vectors are stored out of line (see
    migration 0016), so that scanning the rows never reads them unless a search asks.
    """

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    feed = models.ForeignKey(Feed, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    day = models.DateField(help_text="UTC day of publication, as in the rollup tables")
    signals = models.IntegerField(help_text="Types of its visible tags")
    curated_signals = models.IntegerField(help_text="Types of its visible tags added or confirmed by a curator")
    signals_tenths_5 = models.IntegerField(help_text="… with a confidence of 0.5 or more")
    signals_tenths_6 = models.IntegerField(help_text="… with a confidence of 0.6 or more")
    signals_tenths_7 = models.IntegerField(help_text="… with a confidence of 0.7 or more")
    signals_tenths_8 = models.IntegerField(help_text="… with a confidence of 0.8 or more")
    signals_tenths_9 = models.IntegerField(help_text="… with a confidence of 0.9 or more")
    leads_story = models.BooleanField(help_text="It is its story's lead, or in no story")
    language = models.CharField(max_length=8)
    search_vector = SearchVectorField(null=True, editable=False)

    def __str__(self) -> str:
        return f"article {self.article_id} on {self.day}: signals {self.signals:b}"

    @staticmethod
    def mask_field(confidence_tenths: int | None) -> str:
        return "signals" if confidence_tenths is None else f"signals_tenths_{confidence_tenths}"
