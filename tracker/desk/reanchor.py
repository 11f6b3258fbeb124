"""Re-anchoring evidence when a source's archived text changes (DESIGN.md, rule 2)."""

from django.db import transaction

from . import anchoring
from .choices import State
from .models import Claim, Evidence, Source
from .services import claim_return_to_review


@transaction.atomic
def reanchor_source(source: Source) -> list:
    """Move every quote anchored in `source` to its place in the new text.

    A quote that no longer occurs is flagged (`anchor_broken`), and a published
    claim resting on it, or appearing in it, goes back to review. Returns the
    flagged records.
    """
    flagged = []
    claims_to_review: set[int] = set()
    quoted = list(Evidence.objects.filter(source=source)) + list(Claim.objects.filter(source=source))
    for item in quoted:
        try:
            found = anchoring.reanchor(source.text, exact=item.quote, prefix=item.prefix, start=item.start)
        except anchoring.QuoteNotFound:
            type(item).objects.filter(pk=item.pk).update(anchor_broken=True)
            flagged.append(item)
            claims_to_review.add(item.claim_id if isinstance(item, Evidence) else item.pk)
            continue
        type(item).objects.filter(pk=item.pk).update(
            start=found.start,
            end=found.end,
            quote=found.exact,
            prefix=found.prefix,
            suffix=found.suffix,
            anchor_broken=False,
        )
    for claim in Claim.objects.filter(pk__in=claims_to_review, state=State.PUBLISHED):
        claim_return_to_review(
            claim=claim,
            reason=f"Returned to review: a quote no longer occurs in the edited source “{source}”.",
            by=getattr(source, "_history_user", None),
        )
    return flagged
