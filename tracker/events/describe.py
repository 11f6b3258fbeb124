"""What changed between two public snapshots of a claim, in words a reader understands.

A claim withdrawn to review and published again carries a public note of what changed
since readers last saw it (DESIGN.md rule 5); this drafts it from the difference, for
the publisher to edit. Snapshots are tracker.events.log's (`Snapshot.fields`).
"""

from __future__ import annotations

from typing import Any

from tracker.desk.choices import Stance, Verdict
from tracker.desk.models import Source, short_text

QUOTE_CHARS = 160
ROLE = {Stance.SUPPORTS: "supports the claim", Stance.CONTRADICTS: "contradicts it", Stance.CONTEXT: "gives context"}


def _verdict(value: str | None) -> str:
    return Verdict(value).label if value in Verdict.values else "not yet rated"


def _stance(value: str) -> str:
    return Stance(value).label.lower() if value in Stance.values else value


def _titles(slugs: set[str]) -> dict[str, str]:
    return dict(Source.objects.filter(slug__in=slugs).values_list("slug", "title"))


def _evidence(before: list, after: list) -> list[str]:
    """Evidence rows are [source slug, quote, stance, note]."""
    old = {(row[0], row[1]): row for row in before or []}
    new = {(row[0], row[1]): row for row in after or []}
    titles = _titles({key[0] for key in (*old, *new)})

    def where(key) -> str:
        return f"“{short_text(key[1], QUOTE_CHARS)}” ({titles.get(key[0], key[0])})"

    sentences = []
    for key in sorted(new.keys() - old.keys()):
        sentences.append(f"Evidence added, which {ROLE.get(new[key][2], 'bears on the claim')}: {where(key)}.")
    for key in sorted(old.keys() - new.keys()):
        sentences.append(f"Evidence removed: {where(key)}.")
    for key in sorted(old.keys() & new.keys()):
        if old[key][2] != new[key][2]:
            sentences.append(
                f"The evidence {where(key)} is now counted as {_stance(new[key][2])}, not {_stance(old[key][2])}."
            )
        elif old[key][3] != new[key][3]:
            sentences.append(f"The note on the evidence {where(key)} was rewritten.")
    return sentences


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One sentence per change a reader would notice, most important first."""
    sentences = []
    if before.get("verdict") != after.get("verdict"):
        sentences.append(
            f"The verdict changed from {_verdict(before.get('verdict'))} to {_verdict(after.get('verdict'))}."
        )
    if before.get("statement") != after.get("statement"):
        sentences.append(f"The claim now reads: “{after.get('statement')}” (it read: “{before.get('statement')}”).")
    if before.get("rationale") != after.get("rationale"):
        sentences.append("The rationale was rewritten.")
    if before.get("quote") != after.get("quote") or before.get("source") != after.get("source"):
        sentences.append(f"The passage where the claim is made is now: “{short_text(after.get('quote') or '', 300)}”.")
    if before.get("claimant") != after.get("claimant"):
        sentences.append(f"The claim is now attributed to {after.get('claimant')} (it was {before.get('claimant')}).")
    if before.get("claimed_on") != after.get("claimed_on"):
        sentences.append(f"The date of the claim is now {after.get('claimed_on') or 'unknown'}.")
    sentences += _evidence(before.get("evidence"), after.get("evidence"))
    return sentences
