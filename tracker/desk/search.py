"""The desk's records in the search index (tracker/search/): what a reader finds each
published claim, source, agreement and meeting by."""

from collections.abc import Iterable

from tracker.search.indexes import SearchIndex, register

from .choices import State
from .models import Agreement, Claim, Meeting, Source


class _Published(SearchIndex):
    def indexed(self, record) -> bool:
        return record.state == State.PUBLISHED

    def may_have_document(self, record) -> bool:
        return getattr(record, "first_published_at", True) is not None


@register
class ClaimIndex(_Published):
    kind, model, url_name = "claim", Claim, "public:claim"

    def queryset(self):
        return (
            Claim.objects.published()
            .select_related("source")
            .only("pk", "slug", "state", "updated_at", "statement", "rationale", "quote", "claimant", "source__state")
        )

    def document(self, record) -> tuple[str, str]:
        # A claim's quote is words of its source: it is searchable only while that source
        # is published (rule 1: no text of an unpublished source through a published record).
        quote = f"“{record.quote}”\n" if record.source.state == State.PUBLISHED else ""
        return record.statement, f"{record.rationale}\n{quote}Claimed by {record.claimant}."


@register
class SourceIndex(_Published):
    kind, model, url_name = "source", Source, "public:source"

    def document(self, record) -> tuple[str, str]:
        return record.title, "\n".join([record.publisher, record.text])

    def dependents(self, record) -> Iterable[tuple[str, Claim]]:
        # The claims that appear in it quote its text: published or not, that changes them.
        return (("claim", claim) for claim in Claim.objects.published().filter(source=record).select_related("source"))


@register
class AgreementIndex(_Published):
    kind, model, url_name = "agreement", Agreement, "public:agreement"

    def document(self, record) -> tuple[str, str]:
        return record.title, record.summary


@register
class MeetingIndex(_Published):
    kind, model, url_name = "meeting", Meeting, "public:meeting"

    def document(self, record) -> tuple[str, str]:
        return record.title, "\n".join([record.place, record.occasion, record.outcomes, record.significance])
