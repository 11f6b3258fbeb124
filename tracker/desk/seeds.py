"""Loading the desk's seed records (`seeds/`) into the database.

The seed folder holds the archived source texts and YAML files of curated records
(see seeds/README.md). Loading is all-or-nothing and idempotent: everything is
validated and written inside one transaction, a record that already matches its
seed is not saved again (so no history row is added), and any problem aborts with
a SeedError naming the file and the record.

Every record is written by the desk's services, as the seed accounts below: a claim
is drafted, submitted and published as in the admin, and a published claim whose
seed changes is corrected in public (its seed must then carry a `correction` note).
"""

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from tracker.events.log import snapshot

from . import anchoring, services
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
    Claim,
    Meeting,
    Party,
    Person,
    Source,
    Topic,
)
from .roles import EDITOR, REPORTER, sync_roles
from .rules import verdict_evidence_problems
from .text import strip_control_chars

SEED_FILES = ["sources.yaml", "reference.yaml", "people.yaml", "agreements.yaml", "meetings.yaml", "claims.yaml"]

# The seeded record was drafted, reviewed and edited by the desk before the system
# existed; these accounts stand for those people, so that the seeds go through the
# same services, and maker-checker holds, as for anything made in the admin.
SEED_DRAFTER = "desk-seed-reporter"
SEED_REVIEWER = "desk-seed-verifier"
SEED_EDITOR = "desk-seed-editor"


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
        self.reporter = self.verifier = self.editor = None

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


@contextmanager
def _refused_as_seed_error(ctx: _Context):
    """A service's refusal, reported with the seed file and record it came from."""
    try:
        yield
    except ValidationError as exc:
        raise ctx.fail(_message(exc)) from None


NEEDS_NOTE = (
    "this {what} is published, and its seed now differs from what readers see: add "
    "`correction: <a public note saying what changed and why>` to publish the change as a correction"
)


def _correction_note(record: models.Model, value: Any) -> tuple[str, bool]:
    """The seed's `correction` note for a change to `record`, and whether it is new. A
    note already published on the record was written for an earlier change: reusing it
    for this one would tell readers the wrong thing."""
    note = strip_control_chars(str(value or "")).strip()
    return note, bool(note) and not record.corrections.filter(note=note).exists()


def _note_problem(what: str, note: str) -> str:
    problem = NEEDS_NOTE.format(what=what)
    if note:
        problem += " (the seed's note was already published for an earlier change: write one for this change)"
    return problem


def _differences(record: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(record, name) != value}


def _link_differences(record: models.Model, links: dict[str, list]) -> dict[str, list]:
    return {
        name: targets
        for name, targets in links.items()
        if set(getattr(record, name).values_list("pk", flat=True)) != {target.pk for target in targets}
    }


def _row_differences(existing, wanted: list[dict], key: tuple[str, ...], *, remove_stale: bool) -> services.Rows:
    current = {tuple(getattr(row, name) for name in key): row for row in existing}
    rows = services.Rows()
    for values in wanted:
        row = current.pop(tuple(values[name] for name in key), None)
        if row is None:
            rows.add.append(values)
        else:
            changed = _differences(row, values)
            if changed:
                rows.change[row.pk] = changed
    if remove_stale:
        rows.remove = [row.pk for row in current.values()]
    return rows


def _sync(
    ctx: _Context,
    model: type[models.Model],
    key: dict[str, Any],
    fields: dict[str, Any],
    *,
    links: dict[str, list] | None = None,
    rows: dict[str, tuple[list[dict], tuple[str, ...], bool]] | None = None,
    publish: bool = True,
    correction: str | None = None,
) -> models.Model:
    """Create or update an agreement, meeting, person, party or topic through the
    services, and publish it; a record that already matches its seed is left alone.

    `correction` is the seed's public note for a published agreement or meeting (None
    for records that carry no corrections): a change to what readers see of it (its
    fields or rows, not only what it links to) is published with that note."""
    links, rows = links or {}, rows or {}
    record = model.objects.filter(**key).first()
    with _refused_as_seed_error(ctx):
        if record is None:
            record = services.record_create(
                model=model, by=ctx.editor, fields={**key, **fields}, links=links,
                rows={name: services.Rows(add=wanted) for name, (wanted, _key, _stale) in rows.items()},
            )  # fmt: skip
            ctx.changed += 1
        elif getattr(record, "state", None) != State.RETRACTED:
            row_changes = {
                name: _row_differences(getattr(record, name).all(), wanted, row_key, remove_stale=stale)
                for name, (wanted, row_key, stale) in rows.items()
            }
            row_changes = {name: changes for name, changes in row_changes.items() if changes}
            changed, changed_links = _differences(record, fields), _link_differences(record, links)
            if changed or changed_links or row_changes:
                note = ""
                if correction is not None and record.state == State.PUBLISHED:
                    note, fresh = _correction_note(record, correction)
                    if (changed or row_changes) and not fresh:
                        raise ctx.fail(_note_problem(model._meta.verbose_name, note))
                    note = note if fresh else ""
                record = services.record_edit(
                    record=record, by=ctx.editor, fields=changed, links=changed_links, rows=row_changes, note=note
                )
                ctx.changed += 1
        if publish and record.state in (State.DRAFT, State.IN_REVIEW) and record.first_published_at is None:
            record = services.record_publish(record=record, by=ctx.editor)
            note = (correction or "").strip()
            if note:
                # Created as corrected: the public record shows the same correction as on a
                # database that loaded the seed before it changed.
                record = services.record_note_correction(record=record, by=ctx.editor, note=note)
    return record


def _load_sources(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "file", "title", "publisher", "kind", "reliability")
        path = ctx.folder / row["file"]
        try:
            text = strip_control_chars(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise ctx.fail(f"cannot read archived text {row['file']}: {exc}") from None
        precision = _choice(ctx, row.get("published_precision", "unknown"), DatePrecision, "published_precision")
        values = {
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
        source = Source.objects.filter(slug=row["slug"]).first()
        with _refused_as_seed_error(ctx):
            if source is None:
                source = services.source_create(by=ctx.reporter, slug=row["slug"], **values)
                source = services.record_publish(record=source, by=ctx.editor)
                ctx.changed += 1
            elif source.state != State.RETRACTED:
                changed = _differences(source, values)
                if changed:
                    note, fresh = _correction_note(source, row.get("correction"))
                    note = note if fresh else ""  # a note published before was for an earlier change
                    source = services.source_edit(source=source, by=ctx.editor, fields=changed, note=note)
                    ctx.changed += 1
        ctx.sources[row["slug"]] = source


def _load_reference(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data, "parties"), lambda r: f"party {r.get('code')}"):
        _require(ctx, row, "code", "name", "kind")
        fields = {"name": row["name"], "kind": _choice(ctx, row["kind"], PartyKind, "kind")}
        ctx.parties[row["code"]] = _sync(ctx, Party, {"code": row["code"]}, fields, publish=False)
    for row in _each(ctx, _rows(ctx, data, "topics"), lambda r: f"topic {r.get('slug')}"):
        _require(ctx, row, "slug", "name")
        ctx.topics[row["slug"]] = _sync(ctx, Topic, {"slug": row["slug"]}, {"name": row["name"]}, publish=False)


def _load_people(ctx: _Context, data: Any) -> None:
    rows = _rows(ctx, data)
    for row in _each(ctx, rows, lambda r: r.get("slug")):
        _require(ctx, row, "slug", "name")
        fields = {
            "name": row["name"],
            "party": ctx.ref(ctx.parties, row["party"], "party") if row.get("party") else None,
            "summary": row.get("summary") or "",
        }
        ctx.people[row["slug"]] = _sync(ctx, Person, {"slug": row["slug"]}, fields)
    # Roles after all people exist, so overlapping holders are checked across people.
    for row in _each(ctx, rows, lambda r: r.get("slug")):
        person = ctx.people[row["slug"]]
        roles = []
        for role in _rows(ctx, row.get("roles")):
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
        ctx.people[row["slug"]] = _sync(ctx, Person, {"slug": person.slug}, {},
                                        rows={"roles": (roles, ("title", "start_date"), False)})  # fmt: skip


def _load_agreements(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "kind", "parties", "status_history")
        steps = []
        for step in _rows(ctx, row["status_history"]):
            _require(ctx, step, "status", "date", "source")
            steps.append(
                {
                    "status": _choice(ctx, step["status"], AgreementStatus, "status"),
                    "date": _date(ctx, step["date"], "date"),
                    "date_precision": _choice(ctx, step.get("date_precision", "day"), DatePrecision, "date_precision"),
                    "source": ctx.ref(ctx.sources, step["source"], "source"),
                    "note": step.get("note") or "",
                }
            )
        ctx.agreements[row["slug"]] = _sync(
            ctx,
            Agreement,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "kind": _choice(ctx, row["kind"], AgreementKind, "kind"),
                "binding": bool(row.get("binding", False)),
                "summary": row.get("summary") or "",
            },
            links={
                "parties": ctx.refs(ctx.parties, row["parties"], "party"),
                "topics": ctx.refs(ctx.topics, row.get("topics"), "topic"),
            },
            rows={"status_history": (steps, ("status", "date"), True)},
            correction=str(row.get("correction") or ""),
        )


def _load_meetings(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "title", "start_date", "format")
        start = _date(ctx, row["start_date"], "start_date")
        participants = []
        for entry in _rows(ctx, row.get("participants")):
            _require(ctx, entry, "person")
            person = ctx.ref(ctx.people, entry["person"], "person")
            role = None
            if entry.get("role"):
                role = person.roles.filter(title=entry["role"]).held_on(start).first()
                if role is None:
                    raise ctx.fail(f"{person} did not hold the role {entry['role']!r} on {start}")
            participants.append({"person": person, "role": role})
        ctx.meetings[row["slug"]] = _sync(
            ctx,
            Meeting,
            {"slug": row["slug"]},
            {
                "title": row["title"],
                "start_date": start,
                "end_date": _date(ctx, row.get("end_date"), "end_date"),
                "place": row.get("place") or "",
                "host": ctx.ref(ctx.parties, row["host"], "party") if row.get("host") else None,
                "occasion": row.get("occasion") or "",
                "format": _choice(ctx, row["format"], MeetingFormat, "format"),
                "outcomes": row.get("outcomes") or "",
                "significance": row.get("significance") or "",
            },
            links={
                "counterparts": ctx.refs(ctx.parties, row.get("counterparts"), "party"),
                "outcome_agreements": ctx.refs(ctx.agreements, row.get("outcome_agreements"), "agreement"),
                "topics": ctx.refs(ctx.topics, row.get("topics"), "topic"),
                "sources": ctx.refs(ctx.sources, row.get("sources"), "source"),
            },
            rows={"participants": (participants, ("person",), True)},
            correction=str(row.get("correction") or ""),
        )


def _seed_users(ctx: _Context) -> None:
    """The accounts the seeded record is written by. They hold their roles but cannot
    sign in (no usable password), so maker-checker holds for the seeds too."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=EDITOR).exists():
        sync_roles(apps)  # a test database flushed after the migrations ran
    User = get_user_model()
    for attr, username, role in (("reporter", SEED_DRAFTER, REPORTER), ("verifier", SEED_REVIEWER, EDITOR),
                                 ("editor", SEED_EDITOR, EDITOR)):  # fmt: skip
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_active=True)
            user.set_unusable_password()
            user.save()
        if not user.is_active:
            User.objects.filter(pk=user.pk).update(is_active=True)
            user.is_active = True
        if not user.groups.filter(name=role).exists():
            user.groups.set([Group.objects.get(name=role)])
        setattr(ctx, attr, User.objects.get(pk=user.pk))  # fresh, without a cached permission set


def _check_quote(ctx: _Context, source: Source, quote: Any, what: str) -> anchoring.Anchor:
    if not isinstance(quote, str):
        raise ctx.fail(f"{what} quote must be text")
    try:
        return anchoring.anchor_quote(source.text, quote)
    except anchoring.QuoteNotFound as exc:
        raise ctx.fail(f"{what} quote {quote[:80]!r} is not in source {source.slug!r}: {exc}") from None


def _load_claims(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "statement", "claimant", "source", "quote", "verdict", "evidence")
        source = ctx.ref(ctx.sources, row["source"], "source")
        verdict = _choice(ctx, row["verdict"], Verdict, "verdict")
        evidence = []
        for item in _rows(ctx, row["evidence"]):
            _require(ctx, item, "source", "quote", "stance")
            evidence_source = ctx.ref(ctx.sources, item["source"], "source")
            found = _check_quote(ctx, evidence_source, item["quote"], "evidence")
            evidence.append(
                {
                    "source": evidence_source,
                    "quote": found.exact,
                    "start": found.start,
                    "stance": _choice(ctx, item["stance"], Stance, "stance"),
                    "note": item.get("note") or "",
                }
            )
        problems = verdict_evidence_problems(verdict, [item["stance"] for item in evidence])
        if problems:
            raise ctx.fail(" ".join(problems))
        if verdict == Verdict.NOT_RATED or not row.get("rationale"):
            raise ctx.fail("a seeded claim is published with a verdict and its rationale")
        quote = _check_quote(ctx, source, row["quote"], "claim")
        content = {
            "statement": row["statement"],
            "claimant": row["claimant"],
            "claimant_person": ctx.ref(ctx.people, row["claimant_person"], "person")
            if row.get("claimant_person")
            else None,
            "source": source,
            "quote": quote.exact,
            "claimed_on": _date(ctx, row.get("claimed_on"), "claimed_on"),
        }
        links = {
            "agreements": ctx.refs(ctx.agreements, row.get("agreements"), "agreement"),
            "meetings": ctx.refs(ctx.meetings, row.get("meetings"), "meeting"),
            "people": ctx.refs(ctx.people, row.get("people"), "person"),
            "parties": ctx.refs(ctx.parties, row.get("parties"), "party"),
            "topics": ctx.refs(ctx.topics, row.get("topics"), "topic"),
        }
        claim = Claim.objects.filter(slug=row["slug"]).first()
        with _refused_as_seed_error(ctx):
            if claim is None:
                _new_claim(ctx, row, content, quote.start, links, evidence, verdict)
            elif claim.state == State.PUBLISHED:
                _update_claim(ctx, row, claim, content, links, evidence, verdict)


def _new_claim(ctx: _Context, row: dict, content: dict, near: int, links: dict, evidence: list, verdict: str) -> None:
    """Drafted by the seed reporter, published by the seed verifier: the same path as
    a claim made in the admin."""
    claim = services.claim_create_draft(
        by=ctx.reporter, slug=row["slug"], near=near, links=links,
        evidence=[services.EvidenceAdd(source=item["source"], quote=item["quote"], stance=item["stance"],
                                       note=item["note"], near=item["start"]) for item in evidence],
        **content,
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=ctx.reporter)
    claim = services.claim_publish(claim=claim, by=ctx.verifier, verdict=verdict, rationale=row["rationale"])
    note = strip_control_chars(str(row.get("correction") or "")).strip()
    if note:
        # The seed records a correction of this claim: a fresh database shows it too, so
        # its public record is the same as on a database that saw the change.
        services.claims.claim_note_correction(claim=claim, by=ctx.verifier, note=note, before=snapshot(claim))
    ctx.changed += 1


def _update_claim(
    ctx: _Context, row: dict, claim: Claim, content: dict, links: dict, evidence: list, verdict: str
) -> None:
    """A published claim whose seed changed: what is about it is updated; what readers
    see changes only with the `correction` note the seed gives (rule 5)."""
    changed = _differences(claim, content)
    current = {(item.source_id, item.start, item.end): item for item in claim.evidence.all()}
    add, change = [], []
    for item in evidence:
        found = current.pop((item["source"].pk, item["start"], item["start"] + len(item["quote"])), None)
        if found is None:
            add.append(services.EvidenceAdd(source=item["source"], quote=item["quote"], stance=item["stance"],
                                            note=item["note"], near=item["start"]))  # fmt: skip
        elif (found.stance, found.note) != (item["stance"], item["note"]):
            change.append(services.EvidenceChange(evidence_id=found.pk, stance=item["stance"], note=item["note"]))
    remove = [item.pk for item in current.values()]
    changed_links = _link_differences(claim, links)
    rationale = row["rationale"].strip()
    verdict_changed = (verdict, rationale) != (claim.verdict, claim.rationale)
    if not (changed or add or change or remove or changed_links or verdict_changed):
        return
    note, fresh = _correction_note(claim, row.get("correction"))
    if (changed or add or change or remove or verdict_changed) and not fresh:
        raise ctx.fail(_note_problem("claim", note))
    note = note if fresh else ""
    if verdict_changed and (changed or add or change or remove):
        # The new verdict rests on the new evidence, and the old one may not: change both
        # while the claim is back in review, then publish the seed's note (rule 5).
        claim = services.claim_withdraw(claim=claim, by=ctx.editor, reason=note)
        claim = services.claim_edit(claim=claim, by=ctx.editor, fields=changed, links=changed_links, add=add,
                                    change=change, remove=remove)  # fmt: skip
        services.claim_publish(claim=claim, by=ctx.verifier, verdict=verdict, rationale=rationale, note=note)
        ctx.changed += 1
        return
    if changed or add or change or remove or changed_links:
        claim = services.claim_edit(claim=claim, by=ctx.editor, fields=changed, links=changed_links, add=add,
                                    change=change, remove=remove, note=note)  # fmt: skip
    if verdict_changed:
        services.claim_correct(claim=claim, by=ctx.verifier, note=note, verdict=verdict, rationale=rationale)
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
            _seed_users(ctx)
            for name in SEED_FILES:
                ctx.file = name
                LOADERS[name](ctx, documents[name])
    except IntegrityError as exc:
        raise ctx.fail(f"breaks a database rule: {exc}") from None
    return ctx.changed
