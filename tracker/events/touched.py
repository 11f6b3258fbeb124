"""What a change readers can see touches: the keys cached responses are tagged with.

The event log calls `touched()` for every event it writes; the keys go with the change
(tracker/desk/versioning.py, `public_change`) to every app server's response cache and
to the edge cache, which drop exactly the responses tagged with any of them
(tracker/caching/). A change no reader can see writes no event, so it touches nothing.

The keys:

- `claim:<slug>` (source, agreement, meeting, person, party:<code>, topic): the record
  itself changed. Every response that showed the record carries its key.
- `about:<type>:<slug>`: a record that names this one changed (a claim filed under an
  agreement, a meeting with a person among its participants...), before or after the
  change. A record's own page and feed list those records, so they carry it.
- `list:<type>`: the membership or the order of lists of that type may have moved (the
  record was published, withdrawn, retracted or removed, or a field the lists filter
  or sort on changed). Lists of that type carry it.
- `changed:<type>`: any change of a record of that type (lists asked for what changed
  since a date, searches, lists ordered by the date of the last change).
- `list:correction`: the change came with a public note (a correction or retraction).
- `public`: any change readers can see (responses that declare nothing narrower).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.desk.choices import State
from tracker.desk.models import Claim

if TYPE_CHECKING:
    from .models import Event

# Fields of each snapshot that name other records: the record type, and for a list of
# rows, the position of the name in each row.
REFERENCES: dict[str, dict[str, tuple[str, int | None]]] = {
    "claim": {
        "claimant_person": ("person", None),
        "source": ("source", None),
        "evidence": ("source", 0),
        "agreements": ("agreement", None),
        "meetings": ("meeting", None),
        "people": ("person", None),
        "parties": ("party", None),
        "topics": ("topic", None),
        "earlier_check": ("claim", None),
    },
    "agreement": {"parties": ("party", None), "topics": ("topic", None)},
    "meeting": {
        "host": ("party", None),
        "counterparts": ("party", None),
        "outcome_agreements": ("agreement", None),
        "topics": ("topic", None),
        "sources": ("source", None),
        "participants": ("person", 0),
    },
    "person": {"party": ("party", None)},
}
# Fields no list filters or sorts on: a change to them alone leaves every list's
# membership and order as they were (the records' own keys cover their text).
CONTENT_ONLY: dict[str, set[str]] = {
    "claim": {"statement", "claimant", "quote", "rationale", "evidence", "earlier_check"},
    "source": {"text", "url", "retrieved_on", "language"},
    "agreement": {"summary"},
    "meeting": {"place", "occasion", "outcomes", "significance", "end_date", "sources"},
    "person": {"summary"},
}
MEMBERSHIP = {"published", "withdrawn", "retracted", "removed"}


def record_key(record_type: str, slug: str) -> str:
    return f"{record_type}:{slug}"


def _names(value: Any, position: int | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item[position] if position is not None else item) for item in value if item is not None]
    return [str(value)]


def touched(record_type: str, event: Event, before: Any, after: Any) -> set[str]:
    """The keys of everything `event` may have changed for readers; `before` and `after`
    are the log's snapshots of the record (log.Snapshot)."""
    slug = after.slug or before.slug
    keys = {"public", f"changed:{record_type}", record_key(record_type, slug)}
    for snap in (before, after):
        for field, (other_type, position) in REFERENCES.get(record_type, {}).items():
            keys |= {f"about:{other_type}:{name}" for name in _names(snap.fields.get(field), position)}
    if record_type == "claim" and event.kind in MEMBERSHIP:
        keys |= _linked_checks(after.pk or before.pk)
    changed = {change["field"] for change in event.changes}
    if event.kind in MEMBERSHIP or changed - CONTENT_ONLY.get(record_type, set()) or _tied(record_type, after):
        keys.add(f"list:{record_type}")
    if event.note:
        keys.add("list:correction")
    return keys


def _linked_checks(pk: int | None) -> set[str]:
    """The claims whose "Related checks" show this one while it is published: its
    earlier check, and the claims that repeat it."""
    claim = Claim.objects.filter(pk=pk).select_related("earlier_check").first()
    if claim is None:
        return set()
    slugs = list(Claim.objects.filter(earlier_check=claim).values_list("slug", flat=True))
    if claim.earlier_check is not None:
        slugs.append(claim.earlier_check.slug)
    return {f"about:claim:{slug}" for slug in slugs}


def _tied(record_type: str, after: Any) -> bool:
    """Whether the claim shares its verdict's date with another published claim: the
    claim lists order such ties by the date of the last change, which every change
    moves."""
    if record_type != "claim" or not after.public:
        return False
    published_at = Claim.objects.filter(pk=after.pk).values_list("verdict_published_at", flat=True).first()
    if published_at is None:
        return False
    return Claim.objects.filter(state=State.PUBLISHED, verdict_published_at=published_at).exclude(pk=after.pk).exists()
