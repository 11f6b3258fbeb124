"""The search index's model now belongs to the search app (search 0001), which takes
over the same table; only Django's state changes here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0004_search_vector_inline"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="SearchDocument")]),
    ]
