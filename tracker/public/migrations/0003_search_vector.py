"""PostgreSQL: the search index's text-search vector, stored and GIN-indexed.

A generated column, so every write of a row (tracker/search/index.py) keeps it
current without the code knowing it is there; queries match and rank on it instead
of computing to_tsvector over every row per search. SQLite searches its FTS5 table
(migration 0002) and gets nothing here.
"""

from django.db import migrations

TABLE = "public_searchdocument"
FORWARD = [
    f"""ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'B')
    ) STORED""",
    f"CREATE INDEX public_searchdocument_vector ON {TABLE} USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS public_searchdocument_vector",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("public", "0002_search_index")]

    operations = [migrations.RunPython(forward, backward)]
