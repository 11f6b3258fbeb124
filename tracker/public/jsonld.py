"""schema.org ClaimReview for a published verdict, as fact-check aggregators read it.

Google's fact-check documentation and schema.org's ClaimReview: the review's `url`,
`claimReviewed` and `reviewRating` (whose `alternateName`, the verdict in words, is
the one required part), and `itemReviewed`, the Claim: who made it (`author`), when
(`datePublished`) and where (`appearance`: the original document's own address, with
the desk's archived copy as `archivedAt`).

A number is given only for the verdicts that say how true a claim is. "Unsupported"
(the sources neither confirm nor refute it) has none: a 3 of 5 is read as half true.
"""

import json
import re

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from tracker.desk.choices import BEST_RATING, VERDICT_SCALE, WORST_RATING, DatePrecision, State, Verdict
from tracker.desk.models import Claim, Source

# Inside <script> only "<" can end the element ("</script>", "<!--"); escaping <, > and &
# as JSON unicode escapes keeps the data identical for a JSON parser.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# An editorial gloss after a claimant's name: "Maninder Sidhu (as reported by an
# unattributed aggregator site)", "Prime Minister of Canada (official readout)".
_GLOSS = re.compile(r"\s*\([^()]*\)\s*$")


def review_rating(verdict: str) -> dict:
    """The verdict in words, and its number on the scale when it has one."""
    rating = {"@type": "Rating", "alternateName": Verdict(verdict).label}
    number = VERDICT_SCALE[verdict]["rating"]
    if number is not None:
        rating.update(ratingValue=number, bestRating=BEST_RATING, worstRating=WORST_RATING)
    return rating


def claimant_name(claim: Claim) -> str:
    """Who made the claim, by name alone: the person's own name when the claim names a
    published person, else the claimant without the desk's gloss in parentheses."""
    person = claim.claimant_person
    if person is not None and person.state == State.PUBLISHED:
        return person.name
    return _GLOSS.sub("", claim.claimant) or claim.claimant


def iso_date(day, precision: str = DatePrecision.DAY) -> str | None:
    """ISO 8601 at the precision known: 2025-10-30, 2025-10 or 2025 (schema.org Date)."""
    if day is None or precision == DatePrecision.UNKNOWN:
        return None
    return {DatePrecision.YEAR: f"{day:%Y}", DatePrecision.MONTH: f"{day:%Y-%m}"}.get(precision, day.isoformat())


def appearance(claim: Claim, source: Source, request: HttpRequest) -> dict:
    work = {
        "@type": "CreativeWork",
        "headline": source.title,
        "publisher": {"@type": "Organization", "name": source.publisher},
        # The desk's archived copy, at the claim's passage.
        "archivedAt": request.build_absolute_uri(source.get_absolute_url() + claim.fragment),
    }
    if source.url:
        work["url"] = source.url
    published = iso_date(source.published_on, source.published_precision)
    if published:
        work["datePublished"] = published
    return work


def claim_review(claim: Claim, request: HttpRequest) -> dict | None:
    """The ClaimReview for `claim`, or None while it has no verdict (a review of no
    verdict would tell aggregators nothing; the desk cannot publish one anyway)."""
    if claim.verdict == Verdict.NOT_RATED:
        return None
    source = claim.source
    item = {
        "@type": "Claim",
        "author": {"@type": "Person" if claim.claimant_person_id else "Organization", "name": claimant_name(claim)},
    }
    # When the claim was made: its own date, else its document's, never more precise
    # than known. (The desk dates a claim by its source when given no date: a source
    # known only to its month gives its claims the month's first day.)
    made = claim.claimed_on.isoformat() if claim.claimed_on else None
    if source.is_public:
        if claim.claimed_on is None or claim.claimed_on == source.published_on:
            made = iso_date(source.published_on, source.published_precision)
        item["appearance"] = appearance(claim, source, request)
    if made:
        item["datePublished"] = made
    published = claim.verdict_published_at or claim.first_published_at or claim.updated_at
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": request.build_absolute_uri(claim.get_absolute_url()),
        "claimReviewed": claim.statement,
        "datePublished": published.date().isoformat(),
        "author": {"@type": "Organization", "name": settings.SITE_NAME, "url": request.build_absolute_uri("/")},
        "reviewRating": review_rating(claim.verdict),
        "itemReviewed": item,
    }


def script_json(data: dict) -> SafeString:
    """JSON that is safe between <script> tags whatever the strings hold."""
    return mark_safe(json.dumps(data, ensure_ascii=False, indent=2).translate(_SCRIPT_SAFE))  # noqa: S308
