"""`manage.py index_passages` fills in the passages of sources made without them (bulk_create)."""

import io

from django.core.management import call_command

from tracker.desk.models import Passage, Source


def test_it_indexes_sources_that_have_no_passages_and_leaves_the_others(make_source):
    indexed = make_source()
    before = list(indexed.passages.values_list("pk", flat=True))
    bulk = Source.objects.bulk_create(
        [Source(slug="bulk", title="Bulk", publisher="p", kind="news", reliability="unverified",
                text="A sentence long enough to be a passage of its own.", text_sha256="x" * 64)]
    )[0]  # fmt: skip
    assert not Passage.objects.filter(source=bulk).exists()
    out = io.StringIO()
    call_command("index_passages", stdout=out)
    assert "1 source(s)" in out.getvalue()
    assert list(Passage.objects.filter(source=bulk).values_list("text", flat=True)) == [
        "A sentence long enough to be a passage of its own."
    ]
    assert list(indexed.passages.values_list("pk", flat=True)) == before
