"""Sources, parties, topics, people, agreements and meetings from their seeds."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from .. import services
from ..choices import (
    AgreementKind,
    AgreementStatus,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    State,
)
from ..models import Agreement, Meeting, Party, Person, Source, Topic
from ..text import strip_control_chars
from .history import _first_published, _history, _needs_note, _plan, _Version
from .reading import _choice, _Context, _date, _each, _refused_as_seed_error, _require, _rows


def _differences(record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(record, name) != value}


def _link_differences(record: models.Model, links: dict[str, list]) -> dict[str, list]:
    return {
        name: targets
        for name, targets in links.items()
        if set(getattr(record, name).values_list("pk", flat=True)) != {target.pk for target in targets}
    }


def _row_differences(
    existing, wanted: list[dict], key: tuple[str, ...], *, remove_stale: bool, loose_key: tuple[str, ...] = ()
) -> services.Rows:
    """What turns the rows `existing` into `wanted`, matching rows on `key` (then, for
    rows left over, on `loose_key`, so that a corrected date changes a row rather than
    adding a second one)."""
    current = {tuple(getattr(row, name) for name in key): row for row in existing}
    rows = services.Rows()
    unmatched = []
    for values in wanted:
        row = current.pop(tuple(values[name] for name in key), None)
        if row is None:
            unmatched.append(values)
            continue
        changed = _differences(row, values)
        if changed:
            rows.change[row.pk] = changed
    for values in unmatched:
        row = None
        if loose_key:
            loose = tuple(values[name] for name in loose_key)
            row = next((r for r in current.values() if tuple(getattr(r, n) for n in loose_key) == loose), None)
        if row is None:
            rows.add.append(values)
            continue
        current = {k: r for k, r in current.items() if r.pk != row.pk}
        rows.change[row.pk] = _differences(row, values)
    if remove_stale:
        rows.remove = [row.pk for row in current.values()]
    return rows


# Agreements, meetings, people, parties, topics ----------------------------------------------
@dataclass
class _Fields:
    """A record's values as a seed version gives them."""

    fields: dict[str, Any]
    links: dict[str, list] = field(default_factory=dict)
    rows: dict[str, tuple[list[dict], tuple[str, ...], bool, tuple[str, ...]]] = field(default_factory=dict)


def _changes(record: models.Model, values: _Fields) -> tuple[dict, dict, dict]:
    row_changes = {
        name: _row_differences(getattr(record, name).all(), wanted, key, remove_stale=stale, loose_key=loose)
        for name, (wanted, key, stale, loose) in values.rows.items()
    }
    row_changes = {name: changes for name, changes in row_changes.items() if changes}
    return _differences(record, values.fields), _link_differences(record, values.links), row_changes


def _correct_record(ctx: _Context, record: models.Model, values: _Fields, note: str) -> None:
    """One correction of a published agreement, meeting or person, with its note."""
    changed, links, rows = _changes(record, values)
    correctable = isinstance(record, Agreement | Meeting)
    if changed or links or rows:
        record = services.record_edit(record=record, by=ctx.editor, fields=changed, links=links, rows=rows,
                                      note=note if correctable else "")  # fmt: skip
    if correctable and not record.corrections.filter(note=note).exists():
        services.record_note_correction(record=record, by=ctx.editor, note=note)


def _sync(
    ctx: _Context,
    model: type[models.Model],
    key: dict[str, Any],
    history: list[_Version],
    parse: Callable[[dict], _Fields],
    *,
    publish: bool = True,
) -> models.Model:
    """Create (as first published) or update an agreement, meeting, person, party or
    topic through the services, and queue its corrections; a record that already
    matches its seed is left alone."""
    parsed = [parse(version.row) for version in history]
    record = model.objects.filter(**key).first()
    correct = lambda r, v, note: _correct_record(ctx, r, v, note)  # noqa: E731
    with _refused_as_seed_error(ctx):
        if record is None or (publish and record.state in (State.DRAFT, State.IN_REVIEW)
                              and record.first_published_at is None):  # fmt: skip
            # Never published: it is published as its seed's first version, on its first
            # day (_replay); parties and topics are public as soon as they exist.
            first = parsed[0]
            with _first_published(history[0].day):
                if record is None:
                    record = services.record_create(
                        model=model, by=ctx.editor, fields={**key, **first.fields}, links=first.links,
                        rows={name: services.Rows(add=wanted) for name, (wanted, *_rest) in first.rows.items()},
                    )  # fmt: skip
                else:
                    changed, links, rows = _changes(record, first)
                    if changed or links or rows:
                        record = services.record_edit(record=record, by=ctx.editor, fields=changed, links=links,
                                                      rows=rows)  # fmt: skip
            ctx.mark_changed(record)
            publication = (lambda r: services.record_publish(record=r, by=ctx.editor)) if publish else None
            _plan(ctx, record, history, correct, parsed, created=True, publish=publication)
            return record
        if getattr(record, "state", State.PUBLISHED) != State.PUBLISHED:
            return record  # withdrawn or retracted by the desk: left as it is
        if len(history) > 1 and _plan(ctx, record, history, correct, parsed, created=False):
            return record  # brought up to date by its corrections (_replay)
        changed, links, rows = _changes(record, parsed[-1])
        if not (changed or links or rows):
            return record
        if (changed or rows) and (model in (Agreement, Meeting) or (model is Person and len(history) > 1)):
            raise ctx.fail(_needs_note(record, history))
        # What it links to, or a person's details (which carry no corrections before their first).
        record = services.record_edit(record=record, by=ctx.editor, fields=changed, links=links, rows=rows)
        ctx.mark_changed(record)
    return record


def _load_sources(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "file", "title", "publisher", "kind", "reliability")
        history = _history(ctx, row)
        parsed = [_source_values(ctx, version.row) for version in history]
        source = Source.objects.filter(slug=row["slug"]).first()
        with _refused_as_seed_error(ctx):
            if source is None:
                with _first_published(history[0].day):
                    source = services.source_create(by=ctx.reporter, slug=row["slug"], **parsed[0])
                ctx.mark_changed(source)
                _plan(ctx, source, history, lambda s, v, note: _correct_source(ctx, s, v, note), parsed, created=True,
                      publish=lambda s: services.record_publish(record=s, by=ctx.editor))  # fmt: skip
            elif source.state != State.RETRACTED:
                pending = []
                if len(history) > 1:
                    pending = _plan(ctx, source, history, lambda s, v, note: _correct_source(ctx, s, v, note),
                                    parsed, created=False)  # fmt: skip
                changed = _differences(source, parsed[-1])
                if changed and not pending:
                    # The service refuses a published source's new text without a note.
                    source = services.source_edit(source=source, by=ctx.editor, fields=changed)
                    ctx.mark_changed(source)
        ctx.sources[row["slug"]] = source


def _source_values(ctx: _Context, row: dict) -> dict[str, Any]:
    _require(ctx, row, "file", "title", "publisher", "kind", "reliability")
    path = ctx.folder / row["file"]
    try:
        text = strip_control_chars(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ctx.fail(f"cannot read archived text {row['file']}: {exc}") from None
    precision = _choice(ctx, row.get("published_precision", "unknown"), DatePrecision, "published_precision")
    return {
        "title": row["title"],
        "publisher": row["publisher"],
        "kind": _choice(ctx, row["kind"], SourceKind, "kind"),
        "reliability": _choice(ctx, row["reliability"], Reliability, "reliability"),
        "url": row.get("url") or None,
        "published_on": _date(ctx, row.get("published_on"), "published_on"),
        "published_precision": precision,
        "retrieved_on": _date(ctx, row.get("retrieved_on"), "retrieved_on"),
        "language": row.get("language", "en"),
        "text": text,
    }


def _correct_source(ctx: _Context, source: Source, values: dict[str, Any], note: str) -> None:
    """A correction of a published source: a new text is published with the note as
    the source's correction (the service's rule); other fields with the note as the
    change's public note."""
    changed = _differences(source, values)
    if changed:
        services.source_edit(source=source, by=ctx.editor, fields=changed, note=note)


def _load_reference(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data, "parties"), lambda r: f"party {r.get('code')}"):
        _require(ctx, row, "code", "name", "kind")
        history = _history(ctx, row)
        parse = lambda r: _Fields({"name": r["name"], "kind": _choice(ctx, r["kind"], PartyKind, "kind")})  # noqa: E731
        ctx.parties[row["code"]] = _sync(ctx, Party, {"code": row["code"]}, history, parse, publish=False)
    for row in _each(ctx, _rows(ctx, data, "topics"), lambda r: f"topic {r.get('slug')}"):
        _require(ctx, row, "slug", "name")
        history = _history(ctx, row)
        parse = lambda r: _Fields({"name": r["name"]})  # noqa: E731
        ctx.topics[row["slug"]] = _sync(ctx, Topic, {"slug": row["slug"]}, history, parse, publish=False)


def _load_people(ctx: _Context, data: Any) -> None:
    rows = _rows(ctx, data)
    histories = {}
    for row in _each(ctx, rows, lambda r: r.get("slug")):
        _require(ctx, row, "slug", "name")
        histories[row["slug"]] = history = _history(ctx, row)
        person = Person.objects.filter(slug=row["slug"]).first()
        if person is None:
            # Drafted first, all of them, so that a role is checked against every other
            # holder of its title when the roles are added (below), then published.
            with _refused_as_seed_error(ctx), _first_published(history[0].day):
                fields = _person_fields(ctx, history[0].row)
                person = services.record_create(model=Person, by=ctx.editor, fields={"slug": row["slug"], **fields})
        ctx.people[row["slug"]] = person
    for row in _each(ctx, rows, lambda r: r.get("slug")):

        def parse(version: dict) -> _Fields:
            roles = []
            for role in _rows(ctx, version.get("roles")):
                _require(ctx, role, "title")
                roles.append(
                    {
                        "title": role["title"],
                        "start_date": _date(ctx, role.get("start"), "start"),
                        "party": ctx.ref(ctx.parties, role["party"], "party") if role.get("party") else None,
                        "end_date": _date(ctx, role.get("end"), "end"),
                    }
                )
            # Roles are never removed by the seeds: a meeting may place someone in one.
            # A role whose start date is corrected is the same role (matched on its title).
            roles_key = (roles, ("title", "start_date"), False, ("title",))
            return _Fields(_person_fields(ctx, version), rows={"roles": roles_key})

        ctx.people[row["slug"]] = _sync(ctx, Person, {"slug": row["slug"]}, histories[row["slug"]], parse)


def _person_fields(ctx: _Context, row: dict) -> dict[str, Any]:
    return {
        "name": row["name"],
        "party": ctx.ref(ctx.parties, row["party"], "party") if row.get("party") else None,
        "summary": row.get("summary") or "",
    }


def _load_agreements(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "kind", "parties", "status_history")
        history = _history(ctx, row)

        def parse(version: dict) -> _Fields:
            steps = []
            for step in _rows(ctx, version["status_history"]):
                _require(ctx, step, "status", "date", "source")
                steps.append(
                    {
                        "status": _choice(ctx, step["status"], AgreementStatus, "status"),
                        "date": _date(ctx, step["date"], "date"),
                        "date_precision": _choice(
                            ctx, step.get("date_precision", "day"), DatePrecision, "date_precision"
                        ),  # fmt: skip
                        "source": ctx.ref(ctx.sources, step["source"], "source"),
                        "note": step.get("note") or "",
                    }
                )
            return _Fields(
                {
                    "title": version["title"],
                    "kind": _choice(ctx, version["kind"], AgreementKind, "kind"),
                    "binding": bool(version.get("binding", False)),
                    "summary": version.get("summary") or "",
                },
                links={
                    "parties": ctx.refs(ctx.parties, version["parties"], "party"),
                    "topics": ctx.refs(ctx.topics, version.get("topics"), "topic"),
                },
                rows={"status_history": (steps, ("status", "date"), True, ())},
            )

        ctx.agreements[row["slug"]] = _sync(ctx, Agreement, {"slug": row["slug"]}, history, parse)


def _load_meetings(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "start_date", "format")
        history = _history(ctx, row)

        def parse(version: dict) -> _Fields:
            _require(ctx, version, "title", "start_date", "format")
            start = _date(ctx, version["start_date"], "start_date")
            participants = []
            for entry in _rows(ctx, version.get("participants")):
                _require(ctx, entry, "person")
                person = ctx.ref(ctx.people, entry["person"], "person")
                role = None
                if entry.get("role"):
                    role = person.roles.filter(title=entry["role"]).held_on(start).first()
                    if role is None:
                        raise ctx.fail(f"{person} did not hold the role {entry['role']!r} on {start}")
                participants.append({"person": person, "role": role})
            return _Fields(
                {
                    "title": version["title"],
                    "start_date": start,
                    "end_date": _date(ctx, version.get("end_date"), "end_date"),
                    "place": version.get("place") or "",
                    "host": ctx.ref(ctx.parties, version["host"], "party") if version.get("host") else None,
                    "occasion": version.get("occasion") or "",
                    "format": _choice(ctx, version["format"], MeetingFormat, "format"),
                    "outcomes": version.get("outcomes") or "",
                    "significance": version.get("significance") or "",
                },
                links={
                    "counterparts": ctx.refs(ctx.parties, version.get("counterparts"), "party"),
                    "outcome_agreements": ctx.refs(ctx.agreements, version.get("outcome_agreements"), "agreement"),
                    "topics": ctx.refs(ctx.topics, version.get("topics"), "topic"),
                    "sources": ctx.refs(ctx.sources, version.get("sources"), "source"),
                },
                rows={"participants": (participants, ("person",), True, ())},
            )

        ctx.meetings[row["slug"]] = _sync(ctx, Meeting, {"slug": row["slug"]}, history, parse)
