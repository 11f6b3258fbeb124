"""What each kind of record puts in the search index, declared by the app that owns
the records (in its `search.py`, found at start-up), the way NetBox's apps declare
their search indexes. The index (index.py) reads only these declarations, so it
imports no app's models and any app can add a kind of record."""

from collections.abc import Iterable

from django.db.models import Model, QuerySet


class SearchIndex:
    """One kind of record in the index. Its `document` and `indexed` read plain
    attributes only, so the migration that first built the index can pass historical
    models."""

    kind: str  # one of SearchDocument.Kind
    model: type[Model]
    url_name: str  # the record's public page, reversed with its slug

    def queryset(self) -> QuerySet:
        """The records that have a document: the published ones (a rebuild reads
        these in batches, so a subclass may narrow the columns it loads)."""
        return self.model.objects.published()

    def indexed(self, record: Model) -> bool:
        """Whether this record has a document now."""
        raise NotImplementedError

    def may_have_document(self, record: Model) -> bool:
        """Whether a record without a document now may have had one (a draft never
        published has none to drop: its saves cost the index nothing)."""
        return True

    def document(self, record: Model) -> tuple[str, str]:
        """The (title, body) the record is found by."""
        raise NotImplementedError

    def dependents(self, record: Model) -> Iterable[tuple[str, Model]]:
        """Other records whose documents show words of this one: (kind, record) pairs
        to index again when it is saved."""
        return ()


registry: dict[str, SearchIndex] = {}
models: dict[str, type[Model]] = {}  # kind -> model, in the order they were declared


def register(index_class: type[SearchIndex]) -> type[SearchIndex]:
    """Class decorator: put this kind of record in the index."""
    index = index_class()
    registry[index.kind] = index
    models[index.kind] = index.model
    return index_class
