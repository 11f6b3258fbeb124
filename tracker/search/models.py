"""The search index: one row per published claim, source, agreement and meeting.

tracker/search/index.py keeps it current and queries it; on SQLite an FTS5 table mirrors
it through triggers, on PostgreSQL it is searched with the database's text search. The
table keeps the name it had when the public pages' app held it (public_searchdocument):
its FTS5 table, triggers and text-search column are built on that name.
"""

from django.db import models


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        CLAIM = "claim", "Claim"
        SOURCE = "source", "Source"
        AGREEMENT = "agreement", "Agreement"
        MEETING = "meeting", "Meeting"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    slug = models.CharField(max_length=120)
    title = models.TextField()
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "public_searchdocument"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                name="search_document_once_per_record",
                violation_error_message="This record is already in the search index.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title[:60]}"
