"""Reading the event log for the public: what may still be shown of each event.

An event was public when it was written. A record may since have left the public
record (withdrawn, retracted): its events then keep its type, address and the kind of
change, with public notes, but no longer its title or values, the way the corrections
page names a retracted record by its kind alone (DESIGN.md rule 1).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source, Topic

from .models import Event, RecordType

MODELS = {
    RecordType.CLAIM: Claim,
    RecordType.SOURCE: Source,
    RecordType.AGREEMENT: Agreement,
    RecordType.MEETING: Meeting,
    RecordType.PERSON: Person,
    RecordType.PARTY: Party,
    RecordType.TOPIC: Topic,
}


def for_the_public(events: Iterable[Event]) -> list[Event]:
    """The events, each marked `is_public` (its record is published now) and, where it
    is not, without its title and values. One query per record type on the page."""
    events = list(events)
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        wanted[event.record_type].add(event.record_id)
    public: set[tuple[str, int]] = set()
    for record_type, ids in wanted.items():
        found = MODELS[record_type].objects.published().filter(pk__in=ids).values_list("pk", flat=True)
        public |= {(record_type, pk) for pk in found}
    for event in events:
        event.is_public = (event.record_type, event.record_id) in public
        if not event.is_public:
            event.title = ""
            event.changes = [{"field": change["field"]} for change in event.changes]
    return events


def _shown(value) -> str:
    if value in (None, "", []):
        return "none"
    if isinstance(value, list):
        return ", ".join(_shown(item) if isinstance(item, list) else str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def describe_changes(event: Event) -> list[str]:
    """One line per change: "verdict: accurate → misleading", or just the field name."""
    lines = []
    for change in event.changes:
        name = change["field"].replace("_", " ")
        if "old" in change or "new" in change:
            if "old" in change:
                lines.append(f"{name}: {_shown(change.get('old'))} → {_shown(change.get('new'))}")
            else:
                lines.append(f"{name}: {_shown(change.get('new'))}")
        else:
            lines.append(f"{name} changed")
    return lines
