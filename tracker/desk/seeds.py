"""Loading the desk's seed records (`seeds/`) into the database.

The seed folder holds the archived source texts and YAML files of curated records
(see seeds/README.md). Loading is all-or-nothing and idempotent: everything is
validated and written inside one transaction, a record that already matches its
seed is not saved again (so no history row is added), and any problem aborts with
a SeedError naming the file and the record.
"""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from . import anchoring
from .choices import (
    AgreementKind,
    AgreementStatus,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    Stance,
    State,
    Verdict,
)
from .models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Evidence,
    Meeting,
    Participation,
    Party,
    Person,
    Role,
    Source,
    Topic,
)
from .rules import verdict_evidence_problems

SEED_FILES = ["sources.yaml", "reference.yaml", "people.yaml", "agreements.yaml", "meetings.yaml", "claims.yaml"]

# The seeded verdicts were drafted and reviewed by the desk before the system
# existed; these two accounts stand for them so that maker-checker holds.
SEED_DRAFTER = "desk-seed-reporter"
SEED_REVIEWER = "desk-seed-verifier"


class SeedError(Exception):
    def __init__(self, file: str, record: str, message: str):
        self.file, self.record, self.message = file, record, message
        super().__init__(f"{file}: {record}: {message}")


class _Context:
    """Where we are, for error messages, plus the slug lookups built so far."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = ""
        self.record = ""
        self.sources: dict[str, Source] = {}
        self.parties: dict[str, Party] = {}
        self.topics: dict[str, Topic] = {}
        self.people: dict[str, Person] = {}
        self.agreements: dict[str, Agreement] = {}
        self.meetings: dict[str, Meeting] = {}
        self.changed = 0

    def fail(self, message: str) -> SeedError:
        return SeedError(self.file, self.record, message)

    def ref(self, table: dict, key: Any, what: str):
        try:
            return table[key]
        except (KeyError, TypeError):
            raise self.fail(f"unknown {what} {key!r}") from None

    def refs(self, table: dict, keys: Any, what: str) -> list:
        if keys is None:
            return []
        if not isinstance(keys, list):
            raise self.fail(f"{what} must be a list, not {keys!r}")
        return [self.ref(table, key, what) for key in keys]


def _date(ctx: _Context, value: Any, field: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ctx.fail(f"{field} must be a date like 2025-10-29, not {value!r}") from None


def _choice(ctx: _Context, value: Any, choices: type[models.TextChoices], field: str) -> str:
    if value not in choices.values:
        raise ctx.fail(f"{field} {value!r} is not one of {', '.join(choices.values)}")
    return value


def _require(ctx: _Context, row: dict, *fields: str) -> None:
    if not isinstance(row, dict):
        raise ctx.fail(f"expected a mapping of fields, got {row!r}")
    missing = [f for f in fields if row.get(f) in (None, "")]
    if missing:
        raise ctx.fail(f"missing {', '.join(missing)}")


def _upsert(ctx: _Context, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Create or update one record, saving only when something differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
    elif all(getattr(obj, name) == value for name, value in values.items()):
        return obj
    else:
        for name, value in values.items():
            setattr(obj, name, value)
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj._change_reason = "Loaded from seeds"
        obj.save()
    except ValidationError as exc:
        raise ctx.fail(_message(exc)) from None
    ctx.changed += 1
    return obj


def _set_m2m(ctx: _Context, obj: models.Model, **relations: list) -> None:
    """Set many-to-many relations, recording one history entry for all of them.

    simple-history would otherwise write a full history row for every add and remove.
    """
    obj.skip_history_when_saving = True
    changed = False
    try:
        for field, targets in relations.items():
            manager = getattr(obj, field)
            if set(manager.values_list("pk", flat=True)) != {t.pk for t in targets}:
                manager.set(targets)
                changed = True
    finally:
        del obj.skip_history_when_saving
    if changed:
        obj._change_reason = "Loaded from seeds"
        obj.save()
        ctx.changed += 1


def _message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _rows(ctx: _Context, data: Any, key: str | None = None) -> list:
    rows = data.get(key) if key and isinstance(data, dict) else data
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ctx.fail(f"expected a list{f' under {key!r}' if key else ''}")
    return rows


def _each(ctx: _Context, rows: list, label: Callable[[dict], str]):
    seen = set()
    for index, row in enumerate(rows):
        ctx.record = f"#{index + 1}"
        if isinstance(row, dict):
            ctx.record = label(row) or ctx.record
        if ctx.record in seen:
            raise ctx.fail("appears twice")
        seen.add(ctx.record)
        yield row


def _load_sources(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "file", "title", "publisher", "kind", "reliability")
        path = ctx.folder / row["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ctx.fail(f"cannot read archived text {row['file']}: {exc}") from None
        precision = _choice(ctx, row.get("published_precision", "unknown"), DatePrecision, "published_precision")
        ctx.sources[row["slug"]] = _upsert(
            ctx,
            Source,
            {"slug": row["slug"]},
            {
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
                "state": State.PUBLISHED,
            },
        )


def _load_reference(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data, "parties"), lambda r: f"party {r.get('code')}"):
        _require(ctx, row, "code", "name", "kind")
        ctx.parties[row["code"]] = _upsert(
            ctx,
            Party,
            {"code": row["code"]},
            {"name": row["name"], "kind": _choice(ctx, row["kind"], PartyKind, "kind")},
        )
    for row in _each(ctx, _rows(ctx, data, "topics"), lambda r: f"topic {r.get('slug')}"):
        _require(ctx, row, "slug", "name")
        ctx.topics[row["slug"]] = _upsert(ctx, Topic, {"slug": row["slug"]}, {"name": row["name"]})


def _load_people(ctx: _Context, data: Any) -> None:
    rows = _rows(ctx, data)
    for row in _each(ctx, rows, lambda r: r.get("slug")):
        _require(ctx, row, "slug", "name")
        ctx.people[row["slug"]] = _upsert(
            ctx,
            Person,
            {"slug": row["slug"]},
            {
                "name": row["name"],
                "party": ctx.ref(ctx.parties, row["party"], "party") if row.get("party") else None,
                "summary": row.get("summary") or "",
                "state": State.PUBLISHED,
            },
        )
    # Roles after all people exist, so overlapping holders are checked across people.
    for row in _each(ctx, rows, lambda r: r.get("slug")):
        person = ctx.people[row["slug"]]
        for role in _rows(ctx, row.get("roles")):
            _require(ctx, role, "title")
            start = _date(ctx, role.get("start"), "start")
            _upsert(
                ctx,
                Role,
                {"person": person, "title": role["title"], "start_date": start},
                {
                    "party": ctx.ref(ctx.parties, role["party"], "party") if role.get("party") else None,
                    "end_date": _date(ctx, role.get("end"), "end"),
                },
            )


def _load_agreements(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "kind", "parties", "status_history")
        agreement = _upsert(
            ctx,
            Agreement,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "kind": _choice(ctx, row["kind"], AgreementKind, "kind"),
                "binding": bool(row.get("binding", False)),
                "summary": row.get("summary") or "",
                "state": State.PUBLISHED,
            },
        )
        _set_m2m(
            ctx,
            agreement,
            parties=ctx.refs(ctx.parties, row["parties"], "party"),
            topics=ctx.refs(ctx.topics, row.get("topics"), "topic"),
        )
        keep = []
        for step in _rows(ctx, row["status_history"]):
            _require(ctx, step, "status", "date", "source")
            change = _upsert(
                ctx,
                AgreementStatusChange,
                {
                    "agreement": agreement,
                    "status": _choice(ctx, step["status"], AgreementStatus, "status"),
                    "date": _date(ctx, step["date"], "date"),
                },
                {
                    "date_precision": _choice(ctx, step.get("date_precision", "day"), DatePrecision, "date_precision"),
                    "source": ctx.ref(ctx.sources, step["source"], "source"),
                    "note": step.get("note") or "",
                },
            )
            keep.append(change.pk)
        stale = agreement.status_history.exclude(pk__in=keep)
        if stale.exists():
            for change in stale:
                change.delete()
            ctx.changed += 1
        ctx.agreements[row["slug"]] = agreement


def _load_meetings(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "start_date", "format")
        meeting = _upsert(
            ctx,
            Meeting,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "start_date": _date(ctx, row["start_date"], "start_date"),
                "end_date": _date(ctx, row.get("end_date"), "end_date"),
                "place": row.get("place") or "",
                "host": ctx.ref(ctx.parties, row["host"], "party") if row.get("host") else None,
                "occasion": row.get("occasion") or "",
                "format": _choice(ctx, row["format"], MeetingFormat, "format"),
                "outcomes": row.get("outcomes") or "",
                "significance": row.get("significance") or "",
                "state": State.PUBLISHED,
            },
        )
        _set_m2m(
            ctx,
            meeting,
            counterparts=ctx.refs(ctx.parties, row.get("counterparts"), "party"),
            outcome_agreements=ctx.refs(ctx.agreements, row.get("outcome_agreements"), "agreement"),
            topics=ctx.refs(ctx.topics, row.get("topics"), "topic"),
            sources=ctx.refs(ctx.sources, row.get("sources"), "source"),
        )
        keep = []
        for entry in _rows(ctx, row.get("participants")):
            _require(ctx, entry, "person")
            person = ctx.ref(ctx.people, entry["person"], "person")
            role = None
            if entry.get("role"):
                role = person.roles.filter(title=entry["role"]).held_on(meeting.start_date).first()
                if role is None:
                    raise ctx.fail(f"{person} did not hold the role {entry['role']!r} on {meeting.start_date}")
            keep.append(_upsert(ctx, Participation, {"meeting": meeting, "person": person}, {"role": role}).pk)
        stale = meeting.participants.exclude(pk__in=keep)
        if stale.exists():
            stale.delete()
            ctx.changed += 1
        ctx.meetings[row["slug"]] = meeting


def _seed_users() -> tuple:
    User = get_user_model()
    drafter, _ = User.objects.get_or_create(username=SEED_DRAFTER, defaults={"is_active": False})
    reviewer, _ = User.objects.get_or_create(username=SEED_REVIEWER, defaults={"is_active": False})
    return drafter, reviewer


def _check_quote(ctx: _Context, source: Source, quote: Any, what: str) -> None:
    if not isinstance(quote, str):
        raise ctx.fail(f"{what} quote must be text")
    try:
        anchoring.anchor_quote(source.text, quote)
    except anchoring.QuoteNotFound as exc:
        raise ctx.fail(f"{what} quote {quote[:80]!r} is not in source {source.slug!r}: {exc}") from None


def _load_claims(ctx: _Context, data: Any) -> None:
    drafter, reviewer = _seed_users()
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "statement", "claimant", "source", "quote", "verdict", "evidence")
        source = ctx.ref(ctx.sources, row["source"], "source")
        verdict = _choice(ctx, row["verdict"], Verdict, "verdict")
        evidence_rows = _rows(ctx, row["evidence"])
        for item in evidence_rows:
            _require(ctx, item, "source", "quote", "stance")
            _choice(ctx, item["stance"], Stance, "stance")
        problems = verdict_evidence_problems(verdict, [item["stance"] for item in evidence_rows])
        if problems:
            raise ctx.fail(" ".join(problems))
        if verdict != Verdict.NOT_RATED and not row.get("rationale"):
            raise ctx.fail("a published verdict needs a rationale")
        _check_quote(ctx, source, row["quote"], "claim")

        existing = Claim.objects.filter(slug=row["slug"]).first()
        claim = _upsert(
            ctx,
            Claim,
            {"slug": row["slug"]},
            {
                "statement": row["statement"],
                "claimant": row["claimant"],
                "claimant_person": ctx.ref(ctx.people, row["claimant_person"], "person")
                if row.get("claimant_person")
                else None,
                "source": source,
                "quote": anchoring.anchor_quote(source.text, row["quote"]).exact,
                "claimed_on": _date(ctx, row.get("claimed_on"), "claimed_on"),
                "verdict": verdict,
                "rationale": row.get("rationale") or "",
                "state": State.PUBLISHED,
                "drafted_by": existing.drafted_by if existing and existing.drafted_by_id else drafter,
                "reviewed_by": existing.reviewed_by if existing and existing.reviewed_by_id else reviewer,
                "verdict_published_at": existing.verdict_published_at
                if existing and existing.verdict_published_at
                else timezone.now(),
            },
        )
        _set_m2m(
            ctx,
            claim,
            agreements=ctx.refs(ctx.agreements, row.get("agreements"), "agreement"),
            meetings=ctx.refs(ctx.meetings, row.get("meetings"), "meeting"),
            people=ctx.refs(ctx.people, row.get("people"), "person"),
            parties=ctx.refs(ctx.parties, row.get("parties"), "party"),
            topics=ctx.refs(ctx.topics, row.get("topics"), "topic"),
        )

        keep = []
        for item in evidence_rows:
            evidence_source = ctx.ref(ctx.sources, item["source"], "source")
            _check_quote(ctx, evidence_source, item["quote"], "evidence")
            found = anchoring.anchor_quote(evidence_source.text, item["quote"])
            evidence = _upsert(
                ctx,
                Evidence,
                {"claim": claim, "source": evidence_source, "start": found.start, "end": found.end},
                {"quote": found.exact, "stance": item["stance"], "note": item.get("note") or ""},
            )
            keep.append(evidence.pk)
        stale = claim.evidence.exclude(pk__in=keep)
        if stale.exists():
            for evidence in stale:
                evidence.delete()
            ctx.changed += 1


LOADERS = {
    "sources.yaml": _load_sources,
    "reference.yaml": _load_reference,
    "people.yaml": _load_people,
    "agreements.yaml": _load_agreements,
    "meetings.yaml": _load_meetings,
    "claims.yaml": _load_claims,
}


def load_seeds(folder: Path) -> int:
    """Load every seed file in `folder`; return how many records changed."""
    ctx = _Context(folder)
    documents = {}
    for name in SEED_FILES:
        ctx.file, ctx.record = name, "(file)"
        try:
            documents[name] = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ctx.fail("file is missing") from None
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ctx.fail(f"not valid YAML: {exc}") from None
    try:
        with transaction.atomic():
            for name in SEED_FILES:
                ctx.file = name
                LOADERS[name](ctx, documents[name])
    except IntegrityError as exc:
        raise ctx.fail(f"breaks a database rule: {exc}") from None
    return ctx.changed
