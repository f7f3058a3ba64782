"""Database triggers that log which days' rollup counts a write may have changed.

Triggers, not Django signals: bulk updates, raw SQL and cascades all pass through them,
so no write path can leave the rollup silently stale. Each trigger only appends a day to
tracker_rollupdirtyday; tracker.rollup recomputes those days from the raw tables.
"""

DIRTY = "tracker_rollupdirtyday"

POSTGRESQL_DAY = "(published_at AT TIME ZONE 'UTC')::date"


def _assessment_update_trigger(*columns: str) -> str:
    old = ", ".join(f"OLD.{column}" for column in columns)
    new = ", ".join(f"NEW.{column}" for column in columns)
    return f"""
DROP TRIGGER IF EXISTS tracker_assessment_rollup_update ON tracker_assessment;
CREATE TRIGGER tracker_assessment_rollup_update AFTER UPDATE ON tracker_assessment
    FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) EXECUTE FUNCTION tracker_rollup_tag_changed();
"""


# The signal facts copy each article's search vector, so a new vector dirties its days too.
POSTGRESQL_ASSESSMENT_UPDATE_WITH_SEARCH = _assessment_update_trigger(
    "article_id", "language", "story_id", "search_vector"
)
POSTGRESQL_ASSESSMENT_UPDATE = _assessment_update_trigger("article_id", "language", "story_id")

POSTGRESQL_INSTALL = f"""
CREATE OR REPLACE FUNCTION tracker_mark_article_days(article_ids bigint[]) RETURNS void AS $$
    INSERT INTO {DIRTY} (day)
    SELECT DISTINCT {POSTGRESQL_DAY} FROM ingest_article WHERE id = ANY(article_ids);
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION tracker_rollup_tag_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM tracker_mark_article_days(ARRAY[NEW.article_id]);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM tracker_mark_article_days(ARRAY[OLD.article_id]);
    ELSE
        PERFORM tracker_mark_article_days(ARRAY[OLD.article_id, NEW.article_id]);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER tracker_tag_rollup_insert_delete AFTER INSERT OR DELETE ON tracker_tag
    FOR EACH ROW EXECUTE FUNCTION tracker_rollup_tag_changed();
CREATE TRIGGER tracker_tag_rollup_update AFTER UPDATE ON tracker_tag
    FOR EACH ROW WHEN (
        (OLD.article_id, OLD.signal_id, OLD.confidence, OLD.origin, OLD.decision)
        IS DISTINCT FROM (NEW.article_id, NEW.signal_id, NEW.confidence, NEW.origin, NEW.decision)
    ) EXECUTE FUNCTION tracker_rollup_tag_changed();

CREATE TRIGGER tracker_assessment_rollup_insert_delete AFTER INSERT OR DELETE ON tracker_assessment
    FOR EACH ROW EXECUTE FUNCTION tracker_rollup_tag_changed();
{POSTGRESQL_ASSESSMENT_UPDATE}
-- A story's lead article is the one its story is counted by.
CREATE OR REPLACE FUNCTION tracker_rollup_story_changed() RETURNS trigger AS $$
BEGIN
    PERFORM tracker_mark_article_days(ARRAY[OLD.representative_id, NEW.representative_id]);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_story_rollup_update AFTER UPDATE ON tracker_story
    FOR EACH ROW WHEN (OLD.representative_id IS DISTINCT FROM NEW.representative_id)
    EXECUTE FUNCTION tracker_rollup_story_changed();

CREATE OR REPLACE FUNCTION tracker_rollup_article_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO {DIRTY} (day) VALUES
        ((OLD.published_at AT TIME ZONE 'UTC')::date), ((NEW.published_at AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_article_rollup_update AFTER UPDATE ON ingest_article
    FOR EACH ROW WHEN ((OLD.published_at, OLD.feed_id) IS DISTINCT FROM (NEW.published_at, NEW.feed_id))
    EXECUTE FUNCTION tracker_rollup_article_changed();

-- The per-kind rollup is derived from the per-feed one, so a feed changing kind dirties its days.
CREATE OR REPLACE FUNCTION tracker_rollup_feed_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO {DIRTY} (day) SELECT DISTINCT day FROM tracker_feedrollup WHERE feed_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_feed_rollup_update AFTER UPDATE ON ingest_feed
    FOR EACH ROW WHEN (OLD.source_kind IS DISTINCT FROM NEW.source_kind)
    EXECUTE FUNCTION tracker_rollup_feed_changed();
"""


# Vectors out of line: scans and walks of the facts then read about 100 bytes a row instead of a kilobyte.
POSTGRESQL_FACTS_INSTALL = """
ALTER TABLE tracker_signalfact ALTER COLUMN search_vector SET STORAGE EXTERNAL;
ALTER TABLE tracker_signalfact SET (toast_tuple_target = 128);
CREATE INDEX tracker_fact_search ON tracker_signalfact USING gin (search_vector);
"""


# PostgreSQL moves a value out of line only when its row is longer than about 2 kB, and the toast_tuple_target
# set above only lowers the size it then shrinks rows to. A fact's search vector (about 900 bytes) would stay in
# line and make the rows ten times wider than their other columns, so that every search and every walk of the
# list would read ten times the pages. This constant column lengthens each new row past that limit; it
# compresses to some 30 bytes and stays, while the search vector goes out of line (a target of 256 bytes
# leaves room for the rest of the row). The GIN index needs no vector to say what matches.
def _vectors_out_of_line(table: str) -> str:
    return f"""
ALTER TABLE {table} SET (toast_tuple_target = 256);
ALTER TABLE {table} ADD COLUMN toast_ballast text NOT NULL DEFAULT repeat(' ', 2100);
"""


POSTGRESQL_FACTS_BALLAST = _vectors_out_of_line("tracker_signalfact")

# A search finds its matches alone (tracker.search.matching_facts); with the day in the same GIN index
# (btree_gin), a range of dates narrows those matches inside the index itself. No B-tree on the day is left
# beside it for the planner to prefer, which would mean testing every fact of the range against the search.
POSTGRESQL_FACTS_SEARCH_BY_DAY = """
DROP INDEX tracker_fact_search;
CREATE INDEX tracker_fact_search ON tracker_signalfact USING gin (search_vector, day);
"""

# The article signal sets hold the same vectors, out of line by the same means, indexed with the day likewise.
POSTGRESQL_SIGNAL_SETS_INSTALL = f"""
ALTER TABLE tracker_articlesignalset ALTER COLUMN search_vector SET STORAGE EXTERNAL;
{_vectors_out_of_line("tracker_articlesignalset")}
CREATE INDEX tracker_signal_set_search ON tracker_articlesignalset USING gin (search_vector, day);
"""

POSTGRESQL_UNINSTALL = """
DROP TRIGGER IF EXISTS tracker_tag_rollup_insert_delete ON tracker_tag;
DROP TRIGGER IF EXISTS tracker_tag_rollup_update ON tracker_tag;
DROP TRIGGER IF EXISTS tracker_assessment_rollup_insert_delete ON tracker_assessment;
DROP TRIGGER IF EXISTS tracker_assessment_rollup_update ON tracker_assessment;
DROP TRIGGER IF EXISTS tracker_story_rollup_update ON tracker_story;
DROP TRIGGER IF EXISTS tracker_article_rollup_update ON ingest_article;
DROP TRIGGER IF EXISTS tracker_feed_rollup_update ON ingest_feed;
DROP FUNCTION IF EXISTS tracker_rollup_tag_changed();
DROP FUNCTION IF EXISTS tracker_rollup_story_changed();
DROP FUNCTION IF EXISTS tracker_rollup_article_changed();
DROP FUNCTION IF EXISTS tracker_rollup_feed_changed();
DROP FUNCTION IF EXISTS tracker_mark_article_days(bigint[]);
"""


def _sqlite_mark(article_id: str) -> str:
    return f"INSERT INTO {DIRTY} (day) SELECT date(published_at) FROM ingest_article WHERE id = {article_id};"


SQLITE_TRIGGERS = {
    "tracker_tag_rollup_insert": f"AFTER INSERT ON tracker_tag BEGIN {_sqlite_mark('NEW.article_id')} END",
    "tracker_tag_rollup_delete": f"AFTER DELETE ON tracker_tag BEGIN {_sqlite_mark('OLD.article_id')} END",
    "tracker_tag_rollup_update": (
        "AFTER UPDATE ON tracker_tag WHEN OLD.article_id IS NOT NEW.article_id OR OLD.signal_id IS NOT NEW.signal_id"
        " OR OLD.confidence IS NOT NEW.confidence OR OLD.origin IS NOT NEW.origin OR OLD.decision IS NOT NEW.decision"
        f" BEGIN {_sqlite_mark('OLD.article_id')} {_sqlite_mark('NEW.article_id')} END"
    ),
    "tracker_assessment_rollup_insert": (
        f"AFTER INSERT ON tracker_assessment BEGIN {_sqlite_mark('NEW.article_id')} END"
    ),
    "tracker_assessment_rollup_delete": (
        f"AFTER DELETE ON tracker_assessment BEGIN {_sqlite_mark('OLD.article_id')} END"
    ),
    "tracker_assessment_rollup_update": (
        "AFTER UPDATE ON tracker_assessment WHEN OLD.article_id IS NOT NEW.article_id"
        " OR OLD.language IS NOT NEW.language OR OLD.story_id IS NOT NEW.story_id"
        f" BEGIN {_sqlite_mark('OLD.article_id')} {_sqlite_mark('NEW.article_id')} END"
    ),
    "tracker_story_rollup_update": (
        "AFTER UPDATE ON tracker_story WHEN OLD.representative_id IS NOT NEW.representative_id"
        f" BEGIN {_sqlite_mark('OLD.representative_id')} {_sqlite_mark('NEW.representative_id')} END"
    ),
    "tracker_article_rollup_update": (
        "AFTER UPDATE ON ingest_article WHEN OLD.published_at IS NOT NEW.published_at"
        " OR OLD.feed_id IS NOT NEW.feed_id"
        f" BEGIN INSERT INTO {DIRTY} (day) VALUES (date(OLD.published_at)), (date(NEW.published_at)); END"
    ),
    # A search on SQLite reads the title and text themselves (PostgreSQL reads the assessment's vector).
    "tracker_article_search_update": (
        "AFTER UPDATE ON ingest_article WHEN OLD.title IS NOT NEW.title OR OLD.text IS NOT NEW.text"
        f" BEGIN {_sqlite_mark('NEW.id')} END"
    ),
    "tracker_feed_rollup_update": (
        "AFTER UPDATE ON ingest_feed WHEN OLD.source_kind IS NOT NEW.source_kind"
        f" BEGIN INSERT INTO {DIRTY} (day) SELECT DISTINCT day FROM tracker_feedrollup WHERE feed_id = NEW.id; END"
    ),
}

# The search vector: English is stemmed; every other language is only lower-cased, since a
# stemmer for the wrong language mangles words (and PostgreSQL has none for Korean).
POSTGRESQL_SEARCH_INSTALL = """
CREATE OR REPLACE FUNCTION tracker_assessment_search_vector() RETURNS trigger AS $$
DECLARE
    config regconfig := CASE WHEN NEW.language = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END;
BEGIN
    SELECT setweight(to_tsvector(config, coalesce(title, '')), 'A')
           || setweight(to_tsvector(config, coalesce(text, '')), 'B')
      INTO NEW.search_vector
      FROM ingest_article WHERE id = NEW.article_id;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_assessment_search BEFORE INSERT OR UPDATE OF article_id, language, status ON tracker_assessment
    FOR EACH ROW EXECUTE FUNCTION tracker_assessment_search_vector();
CREATE INDEX tracker_assessment_search_gin ON tracker_assessment USING gin (search_vector);
"""

POSTGRESQL_SEARCH_UNINSTALL = """
DROP INDEX IF EXISTS tracker_assessment_search_gin;
DROP TRIGGER IF EXISTS tracker_assessment_search ON tracker_assessment;
DROP FUNCTION IF EXISTS tracker_assessment_search_vector();
"""


def install(schema_editor) -> None:
    """Create the triggers, and mark every day that already has tags so the first read fills the rollup."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INSTALL)
        schema_editor.execute(POSTGRESQL_SEARCH_INSTALL)
        schema_editor.execute("UPDATE tracker_assessment SET language = language")  # fills search vectors
    elif vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    else:
        return
    mark_every_tagged_day(schema_editor)


def install_facts(schema_editor) -> None:
    """Set up the signal facts' search, and mark every tagged day so the first refresh fills them."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_FACTS_INSTALL)
        schema_editor.execute(POSTGRESQL_ASSESSMENT_UPDATE_WITH_SEARCH)
    mark_every_tagged_day(schema_editor)


def narrow_facts(schema_editor) -> None:
    """Store the facts' search vectors out of line and index them with the day; every tagged day is marked so
    that the refresh writes the facts anew.

    The facts are emptied first: rewritten in place, the table would keep the old wide rows' space.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE tracker_signalfact")
        schema_editor.execute(POSTGRESQL_FACTS_BALLAST)
        schema_editor.execute(POSTGRESQL_FACTS_SEARCH_BY_DAY)
        mark_every_tagged_day(schema_editor)


def install_signal_sets(schema_editor) -> None:
    """Set up the article signal sets' search, and mark every tagged day so that the refresh fills them."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_SIGNAL_SETS_INSTALL)
    mark_every_tagged_day(schema_editor)


def widen_facts(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE tracker_signalfact DROP COLUMN toast_ballast")
        schema_editor.execute("ALTER TABLE tracker_signalfact SET (toast_tuple_target = 128)")
        schema_editor.execute("DROP INDEX tracker_fact_search")
        schema_editor.execute("CREATE INDEX tracker_fact_search ON tracker_signalfact USING gin (search_vector)")


def mark_every_tagged_day(schema_editor) -> None:
    schema_editor.execute(every_tagged_day_marked(schema_editor.connection.vendor))


def every_tagged_day_marked(vendor: str) -> str:
    """SQL that marks every day with tags for recounting."""
    day = POSTGRESQL_DAY if vendor == "postgresql" else "date(published_at)"
    return (
        f"INSERT INTO {DIRTY} (day) SELECT DISTINCT {day} FROM ingest_article"
        " WHERE id IN (SELECT article_id FROM tracker_tag)"
    )


def uninstall_facts(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_ASSESSMENT_UPDATE)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_SEARCH_UNINSTALL)
        schema_editor.execute(POSTGRESQL_UNINSTALL)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def ensure_sqlite_triggers(connection) -> list[str]:
    """Re-create any SQLite trigger a later migration dropped; returns the names it had to re-create.

    SQLite alters a table by copying it to a new one, and the copy has none of the old table's triggers.
    When one was missing, writes may have gone unlogged, so every tagged day is marked for recounting.
    """
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        for name in missing:
            cursor.execute(f"CREATE TRIGGER {name} {SQLITE_TRIGGERS[name]}")
        if missing:
            cursor.execute(every_tagged_day_marked(connection.vendor))
    return missing
