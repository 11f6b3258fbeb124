"""The admin's source list at 20,000 sources: its search and its language filter.

The search matches any part of a source's title, publisher, address or slug as Django's
icontains does, UPPER(column) LIKE '%WORD%': a scan of every source, 60 ms for the count
and as much again for the page. A GIN index of each expression's trigrams answers it, as
migration 0015 does for claims (PostgreSQL only; SQLite keeps the scan). The language
filter lists the distinct languages along an index of them.
"""

from django.db import migrations, models

COLUMNS = {
    "source_search_title": "title",
    "source_search_publisher": "publisher",
    "source_search_url": "url",
    "source_search_slug": "slug",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON desk_source USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("desk", "0016_evidence_needs_a_look")]

    operations = [
        migrations.AddIndex(
            model_name="source",
            index=models.Index(fields=["language"], name="source_language"),
        ),
        migrations.RunPython(create, drop),
    ]
