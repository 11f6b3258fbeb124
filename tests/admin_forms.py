"""What the admin's forms send, for tests that POST to them as a browser (or an attacker) would."""

from tracker.desk.models import Claim


def claim_form(claim: Claim, **changes) -> dict:
    """The claim's change form with its evidence inline, every row as it stands, then `changes`."""
    data = {
        "statement": claim.statement,
        "claimant": claim.claimant,
        "claimant_person": "",
        "source": claim.source_id,
        "quote": claim.quote,
        "claimed_on": "",
        "slug": claim.slug,
        "seen_version": claim.version,
        "correction_note": "",
        "_save": "Save",
    }
    rows = list(claim.evidence.order_by("pk"))
    for i, item in enumerate(rows):
        data.update({
            f"evidence-{i}-id": item.pk, f"evidence-{i}-claim": claim.pk, f"evidence-{i}-source": item.source_id,
            f"evidence-{i}-quote": item.quote, f"evidence-{i}-stance": item.stance, f"evidence-{i}-note": item.note,
        })  # fmt: skip
    data.update({"evidence-TOTAL_FORMS": len(rows), "evidence-INITIAL_FORMS": len(rows),
                 "evidence-MIN_NUM_FORMS": 0, "evidence-MAX_NUM_FORMS": 1000})  # fmt: skip
    data.update(changes)
    return data
