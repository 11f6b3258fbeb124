"""PostgreSQL: keep each document's text-search vector in its row, not out of line.

Ranking a search reads the vector of every match. A source's vector (3.4 KB compressed
on average at the benchmark's shape) was moved to the TOAST table, so ranking the
10,000 sources a broad search matches looked up ~20,000 TOAST chunks through their
index (docs/benchmarks.md, "Known problems"). With STORAGE MAIN the vector stays in
the row, compressed (lz4 where the server has it: it decompresses several times faster
than pglz), and goes out of line only when the row could not otherwise fit in a page.
The body, which only the ten highlighted results of a page read, stays out of line.

The setting applies to rows as they are written, so the sources' rows are written
again here (a generated column is recomputed and stored anew on UPDATE). SQLite
searches its FTS5 table and gets nothing here.
"""

from django.db import migrations

TABLE = "public_searchdocument"
LZ4 = "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(LZ4)
        has_lz4 = cursor.fetchone() is not None
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE MAIN")
    if has_lz4:
        schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET COMPRESSION lz4")
    schema_editor.execute(f"UPDATE {TABLE} SET title = title WHERE kind = 'source'")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET STORAGE EXTENDED")
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN search_vector SET COMPRESSION default")


class Migration(migrations.Migration):
    dependencies = [("public", "0003_search_vector")]

    operations = [migrations.RunPython(forward, backward)]
