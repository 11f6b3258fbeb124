"""`manage.py index_passages` fills in the passages of sources made without them (bulk_create)."""

import io

from django.core.management import call_command

from tracker.desk.models import Passage, Source


def test_it_indexes_sources_that_have_no_passages_and_leaves_the_others(make_source):
    indexed = make_source()
    before = list(indexed.passages.values_list("pk", flat=True))
    # Past the services on purpose: a bulk import (generate_demo's, say) is what the command is for.
    text = "A sentence long enough to be a passage of its own."
    bulk = Source.objects.bulk_create(
        [Source(slug="bulk", title="Bulk", publisher="p", kind="news", reliability="unverified", text=text,
                text_sha256=Source.hash_text(text), text_fingerprint=Source.fingerprint_text(text))]
    )[0]  # fmt: skip
    assert not Passage.objects.filter(source=bulk).exists()
    out = io.StringIO()
    call_command("index_passages", stdout=out)
    assert "1 source(s)" in out.getvalue()
    assert list(Passage.objects.filter(source=bulk).values_list("text", flat=True)) == [
        "A sentence long enough to be a passage of its own."
    ]
    assert list(indexed.passages.values_list("pk", flat=True)) == before
