"""The search index's table moves here from the public pages' app (public 0005), in
Django's state only: the table, its FTS5 mirror and its text-search column stay as
they are, under the name public_searchdocument."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("public", "0004_search_vector_inline")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDocument",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("claim", "Claim"),
                                    ("source", "Source"),
                                    ("agreement", "Agreement"),
                                    ("meeting", "Meeting"),
                                ],
                                max_length=16,
                            ),
                        ),
                        ("object_id", models.BigIntegerField()),
                        ("slug", models.CharField(max_length=120)),
                        ("title", models.TextField()),
                        ("body", models.TextField(blank=True)),
                        ("updated_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "public_searchdocument",
                        "constraints": [
                            models.UniqueConstraint(fields=("kind", "object_id"), name="search_document_once_per_record")
                        ],
                    },
                ),
            ],
        ),
    ]
