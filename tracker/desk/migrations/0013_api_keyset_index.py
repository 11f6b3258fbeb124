"""The API's default claim order, `-verdict_published_at` then `-id` with NULLs last
(tracker/api/pagination.py), read along an index instead of sorting every published
claim. PostgreSQL needs NULLS LAST spelled out; SQLite puts NULLs last in a descending
order anyway and refuses the words."""

from django.db import migrations

NAME = "claim_api_by_verdict_date"
COLUMNS = {
    "postgresql": "state, verdict_published_at DESC NULLS LAST, id DESC NULLS LAST",
    "sqlite": "state, verdict_published_at DESC, id DESC",
}


def forward(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(f"CREATE INDEX {NAME} ON desk_claim ({columns})")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("desk", "0012_list_indexes")]

    operations = [migrations.RunPython(forward, backward)]
