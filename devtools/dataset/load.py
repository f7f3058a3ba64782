"""Loading a generated data set into PostgreSQL with COPY, and removing it again.

One transaction: the old generated set goes, the new one arrives, or nothing changes. Articles, sources, stories and
tags are copied with session_replication_role = replica, which skips foreign-key checks and the rollup triggers (the
plan's rows are consistent by construction, and the rollup is rebuilt once at the end). Assessments are copied with
triggers on: the search trigger fills their search vectors, as it does for every other write.
"""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as day_time

from django.apps import apps
from django.contrib.auth.models import User
from django.db import connection, transaction

from devtools.dataset.catalogue import GENERATED_URL_PREFIX, outlets
from devtools.dataset.feeds import build_feeds
from devtools.dataset.plan import DatasetSpec, Plan, plan_dataset
from devtools.dataset.rows import (
    ARTICLE_COLUMNS,
    ASSESSMENT_COLUMNS,
    SOURCE_COLUMNS,
    STORY_COLUMNS,
    TAG_COLUMNS,
    ChunkRows,
    FirstIds,
    RowBuilder,
)
from ingest.models import Article, ArticleSource, Feed
from tracker.models import Assessment, SignalType, Story, Tag
from tracker.readmodel.refresh import DAILY_TABLES, rebuild_read_model
from tracker.roles import CURATOR, ensure_role_groups
from tracker.stories import refresh_story

CHUNK_STORIES = 20_000
CURATOR_USERNAME = "dataset-curator"
# Any fixed number: it keeps two runs from loading at once.
LOAD_LOCK_KEY = int.from_bytes(b"dataset", "big")
COPIED_TABLES = {
    Article: ARTICLE_COLUMNS,
    ArticleSource: SOURCE_COLUMNS,
    Story: STORY_COLUMNS,
    Assessment: ASSESSMENT_COLUMNS,
    Tag: TAG_COLUMNS,
}


class DatasetError(Exception):
    """The database is not one a data set can be generated into, as it stands."""


@dataclass
class LoadSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    cleared_articles: int = 0


def generate_dataset(
    spec: DatasetSpec, *, clear: bool = False, force: bool = False, progress: Callable[[int], None] | None = None
) -> LoadSummary:
    """Replace (with clear) the generated data set by a new one; progress is called with each chunk's article count."""
    require_postgresql()
    require_known_columns()
    summary = LoadSummary()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOAD_LOCK_KEY])
        # Checked row by row, so a mistake fails at its statement rather than at the commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with timed(summary, "clear"):
            summary.cleared_articles = prepare_database(cursor, spec, clear=clear, force=force)
        if spec.articles:
            with timed(summary, "plan"):
                plan = plan_dataset(spec, outlets(spec.feeds), active_signal_slugs())
            with timed(summary, "load"):
                summary.counts = load_plan(cursor, plan, progress or (lambda count: None))
        # In the same transaction: the tags went in without the triggers that log dirty days, so a reader between
        # the commit and a later rebuild would be shown the old counts.
        with timed(summary, "rollup"):
            rebuild_read_model()
    with timed(summary, "analyze"):
        analyze_tables()
    return summary


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise DatasetError(
            f"generate_dataset needs PostgreSQL (this database is {connection.vendor}): it loads with COPY and "
            "benchmarks only mean something on the database the site runs on. Set DATABASE_URL."
        )


def require_known_columns() -> None:
    """Fail clearly if a migration added a required column that the COPY statements would leave out."""
    for model, columns in COPIED_TABLES.items():
        missing = [
            f.column
            for f in model._meta.concrete_fields
            if not f.null and f.column not in columns and not f.has_db_default()
        ]
        if missing:
            raise DatasetError(f"{model._meta.db_table} has columns the generator does not write: {missing}.")


@contextmanager
def timed(summary: LoadSummary, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    summary.seconds[phase] = time.perf_counter() - started


# --- What is there already --------------------------------------------------------------------------------------------


def prepare_database(cursor, spec: DatasetSpec, *, clear: bool, force: bool) -> int:
    """Refuse to mix with real articles (unless forced) or an earlier set (unless cleared); returns articles cleared."""
    generated_feed_ids = list(Feed.objects.filter(url__startswith=GENERATED_URL_PREFIX).values_list("pk", flat=True))
    has_other_articles = Article.objects.exclude(feed_id__in=generated_feed_ids).exists()
    if generated_feed_ids and not clear:
        raise DatasetError("The database already holds a generated data set: pass --clear to replace it.")
    if has_other_articles and spec.articles and not force:
        raise DatasetError(
            "The database holds articles that were not generated: a generated set would be counted with them. "
            "Use a database of its own, or pass --force to add it anyway."
        )
    if not generated_feed_ids:
        return 0
    cleared = Article.objects.filter(feed_id__in=generated_feed_ids).count()
    if has_other_articles or not article_tables_stand_alone():
        delete_generated_articles(cursor, generated_feed_ids)
    else:
        cursor.execute(f"TRUNCATE {', '.join(m._meta.db_table for m in COPIED_TABLES)} RESTART IDENTITY")
    Feed.objects.filter(pk__in=generated_feed_ids).delete()
    return cleared


def article_tables_stand_alone() -> bool:
    """No other table points at the article tables: TRUNCATE, which must name every such table, can empty them."""
    for model in apps.get_models(include_auto_created=True):
        if model in COPIED_TABLES:
            continue
        for field_ in model._meta.concrete_fields:
            if field_.is_relation and field_.related_model in COPIED_TABLES and field_.db_constraint:
                return False
    return True


def delete_generated_articles(cursor, feed_ids: list[int]) -> None:
    """Delete the generated articles and everything hanging from them, leaving the other articles' rows intact."""
    articles = "SELECT id FROM ingest_article WHERE feed_id = ANY(%(feeds)s)"
    params = {"feeds": feed_ids}
    cursor.execute(f"DELETE FROM tracker_tag WHERE article_id IN ({articles})", params)
    cursor.execute(
        f"SELECT DISTINCT story_id FROM tracker_assessment WHERE story_id IS NOT NULL AND article_id IN ({articles})",
        params,
    )
    story_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(f"DELETE FROM tracker_assessment WHERE article_id IN ({articles})", params)
    cursor.execute(
        "DELETE FROM tracker_story s WHERE s.id = ANY(%(stories)s)"
        " AND NOT EXISTS (SELECT 1 FROM tracker_assessment a WHERE a.story_id = s.id) RETURNING s.id",
        {"stories": story_ids},
    )
    # A story that an ingested article joined keeps that article, recounted without the generated ones.
    for story_id in set(story_ids) - {row[0] for row in cursor.fetchall()}:
        refresh_story(story_id)
    cursor.execute(
        f"DELETE FROM ingest_articlesource WHERE feed_id = ANY(%(feeds)s) OR article_id IN ({articles})", params
    )
    cursor.execute("DELETE FROM ingest_article WHERE feed_id = ANY(%(feeds)s)", params)


# --- Loading ----------------------------------------------------------------------------------------------------------


def active_signal_slugs() -> list[str]:
    slugs = list(SignalType.objects.filter(is_active=True).values_list("slug", flat=True))
    if not slugs:
        raise DatasetError("There is no active signal type to tag with: run the migrations first.")
    return slugs


def load_plan(cursor, plan: Plan, progress: Callable[[int], None]) -> dict[str, int]:
    feeds = create_feeds(plan)
    signal_ids = dict(SignalType.objects.values_list("slug", "pk"))
    builder = RowBuilder(
        plan,
        feed_ids=[feed.pk for feed in feeds],
        signal_ids=[signal_ids[slug] for slug in plan.signal_slugs],
        curator_id=curator_user().pk,
        first=reserve_ids(cursor, plan),
    )
    with connection.connection.cursor() as copy_cursor:
        can_skip_triggers = is_superuser(copy_cursor)
        for rows in built_chunks(builder, len(plan.stories.sizes)):
            with triggers_skipped(copy_cursor, can_skip_triggers):
                copy_rows(copy_cursor, Article, rows.articles)
                copy_rows(copy_cursor, ArticleSource, rows.sources)
                copy_rows(copy_cursor, Story, rows.stories)
            copy_rows(copy_cursor, Assessment, rows.assessments)
            with triggers_skipped(copy_cursor, can_skip_triggers):
                copy_rows(copy_cursor, Tag, rows.tags)
            progress(len(rows.articles))
    return planned_counts(plan, len(feeds), builder.source_count)


def create_feeds(plan: Plan) -> list[Feed]:
    first_day_start = datetime.combine(plan.spec.first_day, day_time.min, UTC)
    feeds = build_feeds(plan.feeds.outlets, first_day_start, plan.spec.end_at, plan.spec.seed)
    created_at = [feed.created_at for feed in feeds]
    Feed.objects.bulk_create(feeds)
    # bulk_create stamps created_at with the current time; the planned dates go in afterwards.
    for feed, moment in zip(feeds, created_at, strict=True):
        feed.created_at = moment
    Feed.objects.bulk_update(feeds, ["created_at"])
    return feeds


def built_chunks(builder: RowBuilder, story_count: int) -> Iterator[ChunkRows]:
    """The chunks in order, each built in a worker thread while the server is still busy with the one before."""
    bounds = [(start, min(start + CHUNK_STORIES, story_count)) for start in range(0, story_count, CHUNK_STORIES)]
    with ThreadPoolExecutor(max_workers=1) as worker:
        pending = [worker.submit(builder.chunk, *bounds[0])] if bounds else []
        for following in bounds[1:]:
            pending.append(worker.submit(builder.chunk, *following))
            yield pending.pop(0).result()
        if pending:
            yield pending.pop(0).result()


def reserve_ids(cursor, plan: Plan) -> FirstIds:
    """Take a block of ids from each table's sequence: rows are copied with ids, and later inserts follow them."""
    return FirstIds(
        article=reserve_block(cursor, "ingest_article", len(plan.articles.stories)),
        source=reserve_block(cursor, "ingest_articlesource", int(plan.articles.source_counts.sum())),
        story=reserve_block(cursor, "tracker_story", len(plan.stories.sizes)),
        assessment=reserve_block(cursor, "tracker_assessment", len(plan.articles.stories)),
        tag=reserve_block(cursor, "tracker_tag", len(plan.tags.articles)),
    )


def reserve_block(cursor, table: str, count: int) -> int:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
    return first


def curator_user() -> User:
    """The curator whose name the generated decisions carry; it cannot log in."""
    user, created = User.objects.get_or_create(
        username=CURATOR_USERNAME, defaults={"first_name": "Generated", "last_name": "Curator", "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(ensure_role_groups()[CURATOR])
    return user


def is_superuser(cursor) -> bool:
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    return cursor.fetchone()[0]


@contextmanager
def triggers_skipped(cursor, is_allowed: bool) -> Iterator[None]:
    """Skip foreign-key checks and triggers for the rows written inside (superusers only; others just load slower)."""
    if is_allowed:
        cursor.execute("SET LOCAL session_replication_role = replica")
    yield
    if is_allowed:
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def copy_rows(cursor, model, rows: list[tuple]) -> None:
    columns = ", ".join(COPIED_TABLES[model])
    with cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def planned_counts(plan: Plan, feed_count: int, source_count: int) -> dict[str, int]:
    tags = plan.tags
    return {
        "feeds": feed_count,
        "articles": len(plan.articles.stories),
        "article sources": source_count,
        "stories": len(plan.stories.sizes),
        "assessments": len(plan.articles.stories),
        "relevant assessments": int(plan.stories.is_relevant[plan.articles.stories].sum()),
        "tags": len(tags.articles),
        "tagged articles": len(set(tags.articles.tolist())),
        "curated tags": int(((tags.decisions > 0) | tags.is_curator_added).sum()),
    }


# --- Afterwards -------------------------------------------------------------------------------------------------------


def rollup_tables() -> list[str]:
    """The rollup count tables and the dirty-day log, found by name so that a rollup table added later is included."""
    tables = (model._meta.db_table for model in apps.get_app_config("tracker").get_models())
    return sorted(table for table in tables if "rollup" in table)


def loaded_tables() -> list[str]:
    """Every table the load writes: the copied ones, then everything the rollup refresh keeps."""
    kept = sorted({model._meta.db_table for model in DAILY_TABLES} | set(rollup_tables()))
    return [Feed._meta.db_table, *(model._meta.db_table for model in COPIED_TABLES), *kept]


def analyze_tables() -> None:
    """Fresh statistics for the planner; outside a transaction, VACUUM too (the visibility map for index-only scans)."""
    with connection.cursor() as cursor:
        # VACUUM cannot run inside a transaction block, such as a test's.
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {', '.join(loaded_tables())}")
            return
        # The rollup was just rewritten whole, and the load filled and emptied the dirty-day log: compacted, those
        # tables hold no dead rows for the benchmarks to read. Elsewhere only a --clear beside real articles leaves
        # dead rows, and the plain VACUUM makes their space reusable.
        cursor.execute(f"VACUUM (FULL, ANALYZE) {', '.join(rollup_tables())}")
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(t for t in loaded_tables() if t not in rollup_tables())}")


def table_sizes() -> dict[str, int]:
    """Bytes on disk per loaded table, indexes and TOAST included."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT t, pg_total_relation_size(t::regclass) FROM unnest(%s::text[]) AS t", [loaded_tables()])
        return dict(cursor.fetchall())
