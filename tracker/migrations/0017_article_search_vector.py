from django.db import migrations

# An article whose title or text changes gets its assessment's search vector recomputed here: the tagger leaves an
# assessment it would write unchanged alone, and the assessment's own trigger only runs when the assessment is
# written. The new vector fires the assessment's rollup trigger, which marks the article's days, so that the
# signal facts and article signal sets take their copies of it on the next refresh.
INSTALL = """
CREATE FUNCTION tracker_article_search_changed() RETURNS trigger AS $$
BEGIN
    UPDATE tracker_assessment
       SET search_vector =
           setweight(to_tsvector(
               CASE WHEN language = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END,
               coalesce(NEW.title, '')), 'A')
           || setweight(to_tsvector(
               CASE WHEN language = 'en' THEN 'english'::regconfig ELSE 'simple'::regconfig END,
               coalesce(NEW.text, '')), 'B')
     WHERE article_id = NEW.id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER tracker_article_search_update AFTER UPDATE OF title, text ON ingest_article
    FOR EACH ROW WHEN ((OLD.title, OLD.text) IS DISTINCT FROM (NEW.title, NEW.text))
    EXECUTE FUNCTION tracker_article_search_changed();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS tracker_article_search_update ON ingest_article;
DROP FUNCTION IF EXISTS tracker_article_search_changed();
"""


def install(apps, schema_editor):
    # SQLite has no search vector: its search reads the title and text themselves.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0016_article_signal_sets")]

    operations = [migrations.RunPython(install, uninstall)]
