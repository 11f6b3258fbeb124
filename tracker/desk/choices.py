"""The closed lists of the desk's records (DESIGN.md, "Records")."""

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    PUBLISHED = "published", "Published"
    RETRACTED = "retracted", "Retracted"


class Verdict(models.TextChoices):
    NOT_RATED = "not_rated", "Not yet rated"
    ACCURATE = "accurate", "Accurate"
    MOSTLY_ACCURATE = "mostly_accurate", "Mostly accurate"
    MISLEADING = "misleading", "Misleading"
    INACCURATE = "inaccurate", "Inaccurate"
    UNSUPPORTED = "unsupported", "Unsupported"


# Public definitions (methodology page) and ClaimReview's ratingValue, on a 1 (worst)
# to 5 (best) scale for the verdicts that say how true a claim is; nothing sits at the
# midpoint, 3. "Unsupported" and "Not yet rated" have no number (only their words, as
# ClaimReview's alternateName); "Not yet rated" is never published as a ClaimReview.
BEST_RATING, WORST_RATING = 5, 1
VERDICT_SCALE: dict[str, dict] = {
    Verdict.ACCURATE: {
        "rating": 5,
        "definition": "The statement is correct and the sources we checked confirm it.",
    },
    Verdict.MOSTLY_ACCURATE: {
        "rating": 4,
        "definition": "The statement is correct in substance but misses a detail or needs context to be fully right.",
    },
    # "Neither confirmed nor refuted" is not a degree of truth: a 3 of 5 reads as half true.
    Verdict.UNSUPPORTED: {
        "rating": None,
        "definition": "The sources available to us neither confirm nor refute the statement.",
    },
    Verdict.MISLEADING: {
        "rating": 2,
        "definition": "The statement contains some truth but leaves a false impression.",
    },
    Verdict.INACCURATE: {
        "rating": 1,
        "definition": "The statement is contradicted by the sources we checked.",
    },
    Verdict.NOT_RATED: {
        "rating": None,
        "definition": "The desk has logged the statement but has not yet reached a verdict.",
    },
}


class SourceKind(models.TextChoices):
    OFFICIAL = "official", "Official statement or readout"
    NEWS = "news", "News report"
    ANALYSIS = "analysis", "Analysis"
    OPINION = "opinion", "Opinion"
    AGGREGATOR = "aggregator", "Aggregator"


class Reliability(models.TextChoices):
    PRIMARY = "primary", "Primary"
    ESTABLISHED = "established_secondary", "Established secondary"
    UNVERIFIED = "unverified", "Unverified"
    UNRELIABLE = "unreliable", "Unreliable"


RELIABILITY_DEFINITIONS: dict[str, str] = {
    Reliability.PRIMARY: "The record itself: a government statement, readout or official text.",
    Reliability.ESTABLISHED: "An outlet with a track record, named authors and a corrections policy.",
    Reliability.UNVERIFIED: "An outlet or author whose record we cannot yet assess.",
    Reliability.UNRELIABLE: "A source shown to publish false or invented information.",
}


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    UNKNOWN = "unknown", "Unknown"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports"
    CONTRADICTS = "contradicts", "Contradicts"
    CONTEXT = "context", "Context"


class AnchorMethod(models.TextChoices):
    """How a quote was last placed in its source's text (tracker/desk/anchoring.py)."""

    PLACED = "placed", "Placed by a person"
    EXACT = "exact", "Found again exactly"
    TOLERANT = "tolerant", "Found again, up to spacing, quote marks or dashes"
    APPROXIMATE = "approximate", "Found again approximately"
    ORPHANED = "orphaned", "Orphaned: not found again"


# A quote an edit of its source re-pointed to other words, or could not find again.
NEEDS_A_LOOK = (AnchorMethod.TOLERANT, AnchorMethod.APPROXIMATE, AnchorMethod.ORPHANED)


class AgreementKind(models.TextChoices):
    SECURITY_DEFENCE = "security_defence", "Security and defence partnership"
    INFORMATION_SECURITY = "information_security", "Information-security agreement"
    FREE_TRADE = "free_trade", "Free-trade agreement or negotiation"
    STRATEGIC_PARTNERSHIP = "strategic_partnership", "Strategic partnership"
    MOU = "mou", "Memorandum of understanding"
    MULTILATERAL = "multilateral", "Multilateral initiative"


class AgreementStatus(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    UNDER_NEGOTIATION = "under_negotiation", "Under negotiation"
    NEGOTIATIONS_CONCLUDED = "negotiations_concluded", "Negotiations concluded"
    SIGNED = "signed", "Signed"
    IN_FORCE = "in_force", "In force"
    SUSPENDED = "suspended", "Suspended"
    TERMINATED = "terminated", "Terminated"


class MeetingFormat(models.TextChoices):
    BILATERAL = "bilateral", "Bilateral"
    MULTILATERAL = "multilateral", "Multilateral"
    CALL = "call", "Call"


class PartyKind(models.TextChoices):
    COUNTRY = "country", "Country"
    ORGANISATION = "organisation", "Organisation"


class CorrectionKind(models.TextChoices):
    CORRECTION = "correction", "Correction"
    RETRACTION = "retraction", "Retraction"
