"""Event.state: what readers saw of a claim, agreement or source right after each event.

Events written from now on carry it (log.py). For the events already written, it is
rebuilt where the log allows: from each event's snapshot (what readers saw, minus the
source names, offsets and dates it did not keep), with the names of the records it
cites as they are now, the quote offsets of the evidence still holding the same quote,
the corrections dated by then, and the verdict's date from the events before it. A
source's text is restored only where the snapshot's hash matches the text of one of its
history rows. An event no state can be rebuilt for keeps none: its day then shows no
version rather than a guess (tracker/public/versions.py).
"""

import hashlib

from django.db import migrations, models

OFF = {"withdrawn", "retracted", "removed"}
SHAPE = 1


def _iso(value):
    return value.isoformat() if value is not None else None


def _source_ref(source):
    return {"slug": source.slug, "title": source.title, "publisher": source.publisher,
            "reliability": source.reliability, "url": source.url or ""}  # fmt: skip


def _corrections(Correction, at, **about):
    rows = Correction.objects.filter(created_at__lte=at, **about).order_by("created_at", "id")
    return [{"id": r.pk, "kind": r.kind, "note": r.note, "created_at": _iso(r.created_at)} for r in rows]


def _names(model, keys, key="slug", name="title"):
    found = dict(model.objects.filter(**{f"{key}__in": keys}).values_list(key, name))
    return sorted(([k, found[k]] for k in keys if k in found), key=lambda pair: pair[1])


def backfill(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    get = apps.get_model
    Claim, Agreement, Source = get("desk", "Claim"), get("desk", "Agreement"), get("desk", "Source")
    Evidence, Correction = get("desk", "Evidence"), get("desk", "Correction")
    Step, HistoricalSource = get("desk", "AgreementStatusChange"), get("desk", "HistoricalSource")
    Person, Meeting, Party, Topic = get("desk", "Person"), get("desk", "Meeting"), get("desk", "Party"), get("desk", "Topic")
    sources = {s.slug: s for s in Source.objects.defer("text")}
    events = Event.objects.filter(record_type__in=("claim", "agreement", "source"), state__isnull=True)
    verdict_at: dict[int, str] = {}
    for event in events.filter(snapshot__isnull=False).order_by("at", "id").iterator():
        if event.kind in OFF:
            continue
        snap = event.snapshot
        state = None
        if event.record_type == "claim":
            changed = {change.get("field") for change in event.changes}
            if event.kind in ("published", "republished") and event.record_id not in verdict_at or "verdict" in changed:
                verdict_at[event.record_id] = _iso(event.at)
            claim = Claim.objects.filter(pk=event.record_id).first()
            if claim is None:
                continue
            offsets = {(e.source_id, e.quote): e for e in Evidence.objects.filter(claim=claim)}
            evidence = []
            for slug, quote, stance, note in snap.get("evidence", []):
                source = sources.get(slug)
                if source is None:
                    continue
                found = offsets.get((source.pk, quote))
                evidence.append({
                    "id": found.pk if found else None, "stance": stance, "quote": quote, "note": note,
                    "start": found.start if found else 0, "end": found.end if found else 0,
                    "prefix": found.prefix if found else "", "suffix": found.suffix if found else "",
                    "source": _source_ref(source),
                })  # fmt: skip
            person = Person.objects.filter(slug=snap.get("claimant_person") or "").first()
            source = sources.get(snap.get("source") or "")
            state = {
                "shape": SHAPE, "statement": snap.get("statement", ""), "claimant": snap.get("claimant", ""),
                "claimant_person": [person.slug, person.name] if person else None,
                "claimed_on": snap.get("claimed_on"), "source": _source_ref(source) if source else None,
                "quote": snap.get("quote", "") if source else "",
                "quote_at": [claim.start, claim.end] if claim.quote == snap.get("quote") and not claim.anchor_broken
                else None,
                "quote_context": [claim.prefix, claim.suffix] if claim.quote == snap.get("quote") else ["", ""],
                "verdict": snap.get("verdict", ""), "rationale": snap.get("rationale", ""),
                "verdict_published_at": verdict_at.get(event.record_id),
                "first_published_at": _iso(claim.first_published_at),
                "evidence": sorted(evidence, key=lambda item: (item["start"], item["id"] or 0)),
                "agreements": _names(Agreement, snap.get("agreements", [])),
                "meetings": _names(Meeting, snap.get("meetings", [])),
                "people": _names(Person, snap.get("people", []), name="name"),
                "parties": _names(Party, snap.get("parties", []), key="code", name="name"),
                "topics": _names(Topic, snap.get("topics", []), name="name"),
                "corrections": _corrections(Correction, event.at, claim_id=claim.pk),
            }  # fmt: skip
        elif event.record_type == "agreement":
            agreement = Agreement.objects.filter(pk=event.record_id).first()
            if agreement is None:
                continue
            steps = {(s.status, _iso(s.date)): s for s in Step.objects.filter(agreement=agreement)}
            history = []
            for status, date, precision, note in snap.get("status_history", []):
                step = steps.get((status, date))
                source = sources.get(getattr(step.source, "slug", "")) if step and step.source_id else None
                history.append({"id": step.pk if step else None, "status": status, "date": date,
                                "date_precision": precision, "note": note,
                                "source": _source_ref(source) if source and source.state == "published" else None})  # fmt: skip
            state = {
                "shape": SHAPE, "title": snap.get("title", ""), "kind": snap.get("kind", ""),
                "binding": snap.get("binding"), "summary": snap.get("summary", ""), "status": snap.get("status", ""),
                "status_since": snap.get("status_since"), "status_history": history,
                "parties": _names(Party, snap.get("parties", []), key="code", name="name"),
                "topics": _names(Topic, snap.get("topics", []), name="name"),
                "first_published_at": _iso(agreement.first_published_at),
                "corrections": _corrections(Correction, event.at, agreement_id=agreement.pk),
            }  # fmt: skip
        else:
            digest = snap.get("text")
            text = next(
                (row.text for row in HistoricalSource.objects.filter(id=event.record_id).order_by("-history_date")
                 if hashlib.sha256(row.text.encode("utf-8")).hexdigest() == digest),
                None,
            )  # fmt: skip
            source = Source.objects.filter(pk=event.record_id).first()
            if text is None or source is None:
                continue
            state = {"shape": SHAPE, **{name: snap.get(name) for name in (
                "title", "publisher", "kind", "reliability", "url", "published_on", "published_precision",
                "retrieved_on", "language")}}  # fmt: skip
            state |= {"text": text, "first_published_at": _iso(source.first_published_at),
                      "corrections": _corrections(Correction, event.at, source_id=source.pk)}  # fmt: skip
        Event.objects.filter(pk=event.pk).update(state=state)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_constraint_messages"),
        ("desk", "0020_public_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="state",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
