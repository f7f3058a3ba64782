from django.db import migrations

LARGE_TEXT_COLUMNS = ("summary_html", "content_html", "text")


def use_lz4(apps, schema_editor):
    # lz4 compresses and decompresses several times faster than PostgreSQL's default pglz,
    # and article bodies are the bulk of what ingest writes and the dashboard reads.
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in LARGE_TEXT_COLUMNS:
        schema_editor.execute(f"ALTER TABLE ingest_article ALTER COLUMN {column} SET COMPRESSION lz4")


def use_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in LARGE_TEXT_COLUMNS:
        schema_editor.execute(f"ALTER TABLE ingest_article ALTER COLUMN {column} SET COMPRESSION default")


class Migration(migrations.Migration):
    dependencies = [("ingest", "0001_initial")]
    operations = [migrations.RunPython(use_lz4, use_default)]
