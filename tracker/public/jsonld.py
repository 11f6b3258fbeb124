"""schema.org ClaimReview for a published verdict, as fact-check publishers emit it."""

import json

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from tracker.desk.choices import VERDICT_SCALE, Verdict
from tracker.desk.models import Claim

# Inside <script> only "<" can end the element ("</script>", "<!--"); escaping <, > and &
# as JSON unicode escapes keeps the data identical for a JSON parser.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def claim_review(claim: Claim, request: HttpRequest) -> dict | None:
    """The ClaimReview for `claim`, or None while it has no rating."""
    rating = VERDICT_SCALE[claim.verdict]["rating"]
    if rating is None:
        return None
    source = claim.source
    appearance = {
        "@type": "CreativeWork",
        "url": source.url or request.build_absolute_uri(source.get_absolute_url()),
        "headline": source.title,
        "publisher": {"@type": "Organization", "name": source.publisher},
    }
    if source.published_on:
        appearance["datePublished"] = source.published_on.isoformat()
    item = {
        "@type": "Claim",
        "author": {"@type": "Person" if claim.claimant_person_id else "Organization", "name": claim.claimant},
    }
    if source.is_public:
        item["appearance"] = appearance
    if claim.claimed_on:
        item["datePublished"] = claim.claimed_on.isoformat()
    published = claim.verdict_published_at or claim.first_published_at or claim.updated_at
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "claimReviewed": claim.statement,
        "datePublished": published.date().isoformat(),
        "author": {"@type": "Organization", "name": settings.SITE_NAME, "url": request.build_absolute_uri("/")},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": Verdict(claim.verdict).label,
        },
        "itemReviewed": item,
    }


def script_json(data: dict) -> SafeString:
    """JSON that is safe between <script> tags whatever the strings hold."""
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=2).translate(_SCRIPT_SAFE))  # noqa: S308
