"""Database triggers that log which days' rollup counts a write may have changed, and the assessments' search
vector.

The SQL is written out here as it was when this migration shipped, so that later changes to the triggers (made
by later migrations) never change what this one did.
"""

from django.db import migrations

POSTGRESQL_INSTALL = """
CREATE OR REPLACE FUNCTION tracker_mark_article_days(article_ids bigint[]) RETURNS void AS $$
    INSERT INTO tracker_rollupdirtyday (day)
    SELECT DISTINCT (published_at AT TIME ZONE 'UTC')::date FROM ingest_article WHERE id = ANY(article_ids);
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

DROP TRIGGER IF EXISTS tracker_assessment_rollup_update ON tracker_assessment;
CREATE TRIGGER tracker_assessment_rollup_update AFTER UPDATE ON tracker_assessment
    FOR EACH ROW WHEN ((OLD.article_id, OLD.language, OLD.story_id) IS DISTINCT FROM (NEW.article_id, NEW.language, NEW.story_id)) EXECUTE FUNCTION tracker_rollup_tag_changed();

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
    INSERT INTO tracker_rollupdirtyday (day) VALUES
        ((OLD.published_at AT TIME ZONE 'UTC')::date), ((NEW.published_at AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_article_rollup_update AFTER UPDATE ON ingest_article
    FOR EACH ROW WHEN ((OLD.published_at, OLD.feed_id) IS DISTINCT FROM (NEW.published_at, NEW.feed_id))
    EXECUTE FUNCTION tracker_rollup_article_changed();

-- The per-kind rollup is derived from the per-feed one, so a feed changing kind dirties its days.
CREATE OR REPLACE FUNCTION tracker_rollup_feed_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO tracker_rollupdirtyday (day) SELECT DISTINCT day FROM tracker_feedrollup WHERE feed_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_feed_rollup_update AFTER UPDATE ON ingest_feed
    FOR EACH ROW WHEN (OLD.source_kind IS DISTINCT FROM NEW.source_kind)
    EXECUTE FUNCTION tracker_rollup_feed_changed();
"""

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
"""
POSTGRESQL_SEARCH_INDEX = """
CREATE INDEX tracker_assessment_search_gin ON tracker_assessment USING gin (search_vector);
"""

POSTGRESQL_SEARCH_UNINSTALL = """
DROP INDEX IF EXISTS tracker_assessment_search_gin;
DROP TRIGGER IF EXISTS tracker_assessment_search ON tracker_assessment;
DROP FUNCTION IF EXISTS tracker_assessment_search_vector();
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
    return f"INSERT INTO tracker_rollupdirtyday (day) SELECT date(published_at) FROM ingest_article WHERE id = {article_id};"


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
        " BEGIN INSERT INTO tracker_rollupdirtyday (day) VALUES (date(OLD.published_at)), (date(NEW.published_at)); END"
    ),
    # A search on SQLite reads the title and text themselves (PostgreSQL reads the assessment's vector).
    "tracker_article_search_update": (
        "AFTER UPDATE ON ingest_article WHEN OLD.title IS NOT NEW.title OR OLD.text IS NOT NEW.text"
        f" BEGIN {_sqlite_mark('NEW.id')} END"
    ),
    "tracker_feed_rollup_update": (
        "AFTER UPDATE ON ingest_feed WHEN OLD.source_kind IS NOT NEW.source_kind"
        " BEGIN INSERT INTO tracker_rollupdirtyday (day)"
        " SELECT DISTINCT day FROM tracker_feedrollup WHERE feed_id = NEW.id; END"
    ),
}

EVERY_TAGGED_DAY_MARKED = {
    "postgresql": (
        "INSERT INTO tracker_rollupdirtyday (day) SELECT DISTINCT (published_at AT TIME ZONE 'UTC')::date"
        " FROM ingest_article WHERE id IN (SELECT article_id FROM tracker_tag)"
    ),
    "sqlite": (
        "INSERT INTO tracker_rollupdirtyday (day) SELECT DISTINCT date(published_at)"
        " FROM ingest_article WHERE id IN (SELECT article_id FROM tracker_tag)"
    ),
}


def install(apps, schema_editor):
    """Create the triggers, and mark every day that already has tags so the first read fills the rollup."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_INSTALL)
        schema_editor.execute(POSTGRESQL_SEARCH_INSTALL)
        schema_editor.execute(POSTGRESQL_SEARCH_INDEX)
        schema_editor.execute("UPDATE tracker_assessment SET language = language")  # fills search vectors
    elif vendor == "sqlite":
        for name, body in SQLITE_TRIGGERS.items():
            schema_editor.execute(f"CREATE TRIGGER {name} {body}")
    else:
        return
    schema_editor.execute(EVERY_TAGGED_DAY_MARKED[vendor])


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_SEARCH_UNINSTALL)
        schema_editor.execute(POSTGRESQL_UNINSTALL)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("tracker", "0004_dashboard"), ("ingest", "0002_lz4_compression")]

    operations = [migrations.RunPython(install, uninstall)]
