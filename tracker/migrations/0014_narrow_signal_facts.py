from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

# The SQL as it was when this migration shipped, written out so that later changes never change what it did.

# PostgreSQL moves a value out of line only when its row is longer than about 2 kB, and the toast_tuple_target
# set in 0012 only lowers the size it then shrinks rows to. A fact's search vector (about 900 bytes) would stay in
# line and make the rows ten times wider than their other columns, so that every search and every walk of the
# list would read ten times the pages. This constant column lengthens each new row past that limit; it
# compresses to some 30 bytes and stays, while the search vector goes out of line (a target of 256 bytes
# leaves room for the rest of the row). The GIN index needs no vector to say what matches.
POSTGRESQL_FACTS_BALLAST = """
ALTER TABLE tracker_signalfact SET (toast_tuple_target = 256);
ALTER TABLE tracker_signalfact ADD COLUMN toast_ballast text NOT NULL DEFAULT repeat(' ', 2100);
"""

# A search finds its matches alone; with the day in the same GIN index (btree_gin), a range of dates narrows those
# matches inside the index itself. No B-tree on the day is left beside it for the planner to prefer, which would
# mean testing every fact of the range against the search.
POSTGRESQL_FACTS_SEARCH_BY_DAY = """
DROP INDEX tracker_fact_search;
CREATE INDEX tracker_fact_search ON tracker_signalfact USING gin (search_vector, day);
"""

EVERY_TAGGED_DAY_MARKED = (
    "INSERT INTO tracker_rollupdirtyday (day) SELECT DISTINCT (published_at AT TIME ZONE 'UTC')::date"
    " FROM ingest_article WHERE id IN (SELECT article_id FROM tracker_tag)"
)


def narrow(apps, schema_editor):
    """Store the facts' search vectors out of line and index them with the day; every tagged day is marked so
    that the refresh writes the facts anew.

    The facts are emptied first: rewritten in place, the table would keep the old wide rows' space.
    """
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE tracker_signalfact")
        schema_editor.execute(POSTGRESQL_FACTS_BALLAST)
        schema_editor.execute(POSTGRESQL_FACTS_SEARCH_BY_DAY)
        schema_editor.execute(EVERY_TAGGED_DAY_MARKED)


def widen(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE tracker_signalfact DROP COLUMN toast_ballast")
        schema_editor.execute("ALTER TABLE tracker_signalfact SET (toast_tuple_target = 128)")
        schema_editor.execute("DROP INDEX tracker_fact_search")
        schema_editor.execute("CREATE INDEX tracker_fact_search ON tracker_signalfact USING gin (search_vector)")


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0013_cached_searches"),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.RemoveIndex(model_name="signalfact", name="tracker_fact_day"),
        migrations.RunPython(narrow, widen),
    ]
