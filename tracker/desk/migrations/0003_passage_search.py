"""Full-text search over passages, for candidate evidence (tracker/desk/candidates.py).

PostgreSQL: a GIN index on the same to_tsvector expression the ranking query uses.
SQLite: an FTS5 index with a porter stemmer, kept in step with desk_passage by triggers.
Then the passages of the sources already in the database are built.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE desk_passage_fts USING fts5("
    "text, content='desk_passage', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER desk_passage_fts_insert AFTER INSERT ON desk_passage BEGIN "
    "INSERT INTO desk_passage_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER desk_passage_fts_delete AFTER DELETE ON desk_passage BEGIN "
    "INSERT INTO desk_passage_fts(desk_passage_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER desk_passage_fts_update AFTER UPDATE ON desk_passage BEGIN "
    "INSERT INTO desk_passage_fts(desk_passage_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO desk_passage_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS desk_passage_fts_update",
    "DROP TRIGGER IF EXISTS desk_passage_fts_delete",
    "DROP TRIGGER IF EXISTS desk_passage_fts_insert",
    "DROP TABLE IF EXISTS desk_passage_fts",
]
POSTGRESQL_UP = ["CREATE INDEX desk_passage_text_tsv ON desk_passage USING gin (to_tsvector('english', text))"]
POSTGRESQL_DOWN = ["DROP INDEX IF EXISTS desk_passage_text_tsv"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def build_passages(apps, schema_editor):
    from tracker.desk.candidates import split_passages

    Source = apps.get_model("desk", "Source")
    Passage = apps.get_model("desk", "Passage")
    for source in Source.objects.all().iterator():
        Passage.objects.filter(source=source).delete()
        Passage.objects.bulk_create(
            [Passage(source=source, start=s, end=e, text=source.text[s:e]) for s, e in split_passages(source.text)]
        )


class Migration(migrations.Migration):
    dependencies = [("desk", "0002_workflow_and_passages")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRESQL_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRESQL_DOWN}),
        ),
        migrations.RunPython(build_passages, migrations.RunPython.noop),
    ]
