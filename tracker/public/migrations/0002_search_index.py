"""The full-text side of the search index, per database, and its first build.

SQLite: an FTS5 table over public_searchdocument, kept in step by triggers.
PostgreSQL: text search runs on public_searchdocument itself (tracker/search/index.py).
"""

from django.db import migrations

FTS = "public_searchdocument_fts"
SQLITE_FORWARD = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(title, body, content='public_searchdocument', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    f"""CREATE TRIGGER {FTS}_insert AFTER INSERT ON public_searchdocument BEGIN
        INSERT INTO {FTS}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    f"""CREATE TRIGGER {FTS}_delete AFTER DELETE ON public_searchdocument BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END""",
    f"""CREATE TRIGGER {FTS}_update AFTER UPDATE ON public_searchdocument BEGIN
        INSERT INTO {FTS}({FTS}, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO {FTS}(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
]


def create_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def drop_fts(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


def build_index(apps, schema_editor):
    from tracker.search.index import index_record

    documents = apps.get_model("public", "SearchDocument").objects
    for kind, model_name in (("claim", "Claim"), ("source", "Source"), ("agreement", "Agreement"), ("meeting", "Meeting")):
        for record in apps.get_model("desk", model_name).objects.filter(state="published").iterator():
            index_record(kind, record, documents=documents)


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0001_initial"),
        ("desk", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_fts, drop_fts),
        migrations.RunPython(build_index, migrations.RunPython.noop),
    ]
