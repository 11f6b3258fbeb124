"""Trigram indexes for searching claims by any part of a word, on PostgreSQL.

The API's `?search=` and the admin's search match words anywhere in a claim's statement,
claimant, quote (and, in the admin, slug) as Django's icontains does:
UPPER(column) LIKE '%WORD%'. Without an index that is a scan of every claim (150-600 ms
at 100,000 claims); a GIN index of the same expression's trigrams answers it. The index
expressions are Django's, so the planner matches them. SQLite has no such index: there
the scan stays (its in-process scan is fast enough at this size, docs/benchmarks.md).
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = {
    "claim_search_statement": "statement",
    "claim_search_claimant": "claimant",
    "claim_search_quote": "quote",
    "claim_search_slug": "slug",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in COLUMNS.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON desk_claim USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("desk", "0014_tombstone_indexes")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
