"""Synthetic records at a realistic scale, written in bulk (the generate_demo command).

Why bulk, and why that is safe here
-----------------------------------
The desk's services write one record at a time, with its checks, history and events:
about 40 queries for one published claim. At 100,000 claims that is hours. This
module writes the same rows the services would write, in bulk (`bulk_create`), as if
staff had done the work over the past two years:

- every record goes through the states a desk takes it through, by staff in the roles
  that may do each step: a reporter archives a source, an editor publishes it; a
  reporter drafts a claim with its evidence and links and submits it, a verifier (never
  the drafter) publishes it; an editor corrects or retracts a few. `contributors` holds
  the drafter only, so maker-checker holds as the services hold it;
- each step leaves what the service leaves: a history row (simple-history, with the
  service's reason, user, version and the record's values at that step, and the
  many-to-many snapshot rows for the links), the claim's workflow event, a public
  Correction for a correction or retraction, `first_published_at`,
  `verdict_published_at`, `submitted_at`, `updated_at` and `version` as the saves set them;
- derived data is computed by the models' and services' own functions: text hash and
  fingerprint (`Source.hash_text`, `Source.fingerprint_text`), canonical URL
  (`canonical_url`), quote anchors (`anchoring.anchor_quote`, so offsets, prefix and
  suffix are what the services store), candidate-evidence passages
  (`candidates.split_passages`), an agreement's current status (its latest step, as
  `Agreement.refresh_status` derives it) and the public search index rows
  (`search.document_text`);
- the rules hold by construction: every published verdict rests on published evidence
  from another source ("accurate" on a supporting quote, "inaccurate" on a
  contradicting one), every participant's role is one they held on the meeting's date.

tests/desk/test_generate_demo.py runs the invariant checks of the property test
(tests/properties/invariants.py) over a small generated record, and checks that the
same seed gives the same record.

Times are spread over the two years before `until` (a date; midnight UTC), so lists,
feeds, `updated_since` and the sitemap have a realistic spread; meetings run up to
two months past it (the desk records planned meetings).
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from array import array
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models
from django.utils.text import slugify

from tracker.events.models import RecordType

from . import anchoring
from . import demo_text as words
from .candidates import split_passages
from .canonical import canonical_url
from .choices import (
    AgreementKind,
    AgreementStatus,
    CorrectionKind,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Stance,
    State,
    Verdict,
)
from .demo_events import DemoEvents
from .models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    ClaimEvent,
    Correction,
    Evidence,
    Meeting,
    Participation,
    Party,
    Passage,
    Person,
    Role,
    Source,
    Topic,
)
from .roles import EDITOR, REPORTER, VERIFIER, sync_roles
from .services.common import HISTORY_REASON_MAX

BATCH = 2000
CHUNK = 5000  # claims built and written at a time, to bound memory
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
Action = ClaimEvent.Action


@dataclass(frozen=True)
class Shape:
    claims: int = 100_000
    sources: int = 20_000
    evidence: int = 200_000
    agreements: int = 2_000
    meetings: int = 10_000
    people: int = 2_000
    seed: int = 2025
    until: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())


@dataclass
class _SourceInfo:
    pk: int
    slug: str
    publisher: str
    published_on: dt.date | None
    published_at: dt.datetime
    text: str
    spans: array  # start, end of each passage, flattened
    title: str = ""
    reliability: str = ""
    url: str | None = None


def _reason(text: str) -> str:
    """A history reason as services.common.save cuts it to fit its column."""
    return text if len(text) <= HISTORY_REASON_MAX else text[: HISTORY_REASON_MAX - 1] + "…"


_HISTORY: dict = {}


def _history(model: type[models.Model]):
    if model not in _HISTORY:
        _HISTORY[model] = model.history.model
    return _HISTORY[model]


def _fields(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


class Builder:
    """Builds the demo record; see the module's docstring. `log` gets progress lines."""

    def __init__(self, shape: Shape, log=lambda line: None):
        self.shape = shape
        self.rng = random.Random(shape.seed)
        self.log = log
        self.until = dt.datetime.combine(shape.until, dt.time(), tzinfo=dt.UTC)
        self.start = self.until - 730 * DAY
        self.counts: dict[str, int] = {}
        self.next_pk: dict[type[models.Model], int] = {}
        self.events = DemoEvents()  # written last, in the order they happened

    # Helpers --------------------------------------------------------------------------------

    def write(self, objs: list, model: type[models.Model] | None = None) -> list:
        """Insert `objs`, giving each its primary key first. Plain executemany: Django's
        bulk_create spends most of its time preparing values one by one."""
        if not objs:
            return objs
        model = model or type(objs[0])
        pk = model._meta.pk.attname
        if model not in self.next_pk:
            last = model._default_manager.aggregate(last=models.Max(pk))["last"] or 0
            self.next_pk[model] = last + 1
        first = self.next_pk[model]
        for n, obj in enumerate(objs, start=first):
            setattr(obj, pk, n)
        self.next_pk[model] = first + len(objs)
        ops = connection.ops
        adapt = []
        for f in model._meta.concrete_fields:
            if isinstance(f, models.JSONField):
                adapt.append((f.attname, lambda value, encoder=f.encoder: ops.adapt_json_value(value, encoder)))
            elif isinstance(f, models.DateTimeField):
                adapt.append((f.attname, ops.adapt_datetimefield_value))
            elif isinstance(f, models.DateField):
                adapt.append((f.attname, ops.adapt_datefield_value))
            else:
                adapt.append((f.attname, None))
        columns = ", ".join(ops.quote_name(f.column) for f in model._meta.concrete_fields)
        sql = (
            f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(adapt))})"
        )
        with connection.cursor() as cursor:
            for at in range(0, len(objs), BATCH):
                rows = [
                    tuple(
                        fn(v) if fn is not None and v is not None else v
                        for name, fn in adapt
                        for v in (getattr(obj, name),)
                    )
                    for obj in objs[at : at + BATCH]
                ]
                cursor.executemany(sql, rows)
        for obj in objs:
            obj._state.adding, obj._state.db = False, "default"
        name = model._meta.db_table
        self.counts[name] = self.counts.get(name, 0) + len(objs)
        return objs

    def reset_sequences(self) -> None:
        """Primary keys were given explicitly: move PostgreSQL's sequences past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_pk))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def when(self, low: dt.datetime, high: dt.datetime) -> dt.datetime:
        if high <= low:
            return low
        span = (high - low).total_seconds()
        return low + dt.timedelta(seconds=int(self.rng.random() * span))

    def history_rows(self, record, steps: list[tuple], m2m: dict[str, list] | None = None) -> list:
        """History rows of `record` for `steps`: (type, when, user, reason, values at that step)."""
        model = type(record)
        H = _history(model)
        base = {name: getattr(record, name) for name in _fields(model)}
        rows = []
        for history_type, when, user, reason, values in steps:
            row = H(**{**base, **values})
            row.history_type, row.history_date, row.history_user_id = history_type, when, user.pk
            row.history_change_reason = _reason(reason)
            rows.append(row)
        return rows

    def m2m_history(self, model: type[models.Model], histories: list, links: dict[str, list], owner: str) -> None:
        """simple-history's snapshot of each many-to-many relation at each history row:
        `histories` are (history row, whether its links were set yet)."""
        H = _history(model)
        for name, through_rows in links.items():
            snapshot_model = H._meta.get_field(f"{H._meta.model_name}_{name}").related_model
            target = model._meta.get_field(name).m2m_reverse_field_name()
            rows = []
            for history, linked in histories:
                if not linked:
                    continue
                for through in through_rows.get(history.id, ()):
                    rows.append(
                        snapshot_model(
                            id=through.pk,
                            **{f"{owner}_id": getattr(through, f"{owner}_id")},
                            **{f"{target}_id": getattr(through, f"{target}_id")},
                            history=history,
                        )
                    )
            self.write(rows, snapshot_model)

    # The record -----------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        self.staff()
        self.reference()
        self.make_people()
        self.make_sources()
        self.make_agreements()
        self.make_meetings()
        self.make_claims()
        self.events.write(self.write)
        self.reset_sequences()
        return self.counts

    def staff(self) -> None:
        """The accounts the demo record is written by, in their roles; like the seed
        accounts, they cannot sign in."""
        User = get_user_model()
        if not Group.objects.filter(name=EDITOR).exists():
            from django.apps import apps

            sync_roles(apps)  # a test database flushed after the migrations ran
        self.reporters, self.verifiers, self.editors = [], [], []
        for role, n, bucket in ((REPORTER, 8, self.reporters), (VERIFIER, 4, self.verifiers),
                                (EDITOR, 3, self.editors)):  # fmt: skip
            group = Group.objects.get(name=role)
            for i in range(1, n + 1):
                user, created = User.objects.get_or_create(username=f"demo-{role.lower()}-{i}")
                if created:
                    user.set_unusable_password()
                    user.save()
                    user.groups.add(group)
                bucket.append(user)

    def reference(self) -> None:
        """Parties and topics: the desk's reference lists. Those that exist (from the
        seeds) are used as they are; the others are added through the services."""
        from . import services

        editor = self.editors[0]
        self.parties = []
        for code, name in words.COUNTRIES + words.ORGANISATIONS:
            party = Party.objects.filter(code=code).first()
            if party is None:
                kind = PartyKind.COUNTRY if (code, name) in words.COUNTRIES else PartyKind.ORGANISATION
                party = services.record_create(
                    model=Party, by=editor, fields={"code": code, "name": name, "kind": kind}
                )
            self.parties.append(party)
        self.canada = next(p for p in self.parties if p.code == "CA")
        self.countries = [p for p in self.parties if p.kind == PartyKind.COUNTRY and p.code != "CA"]
        self.topics = []
        for slug, name in words.TOPICS:
            topic = Topic.objects.filter(slug=slug).first() or Topic.objects.filter(name=name).first()
            if topic is None:
                topic = services.record_create(model=Topic, by=editor, fields={"slug": slug, "name": name})
            self.topics.append(topic)

    def make_people(self) -> None:
        rng, n = self.rng, self.shape.people
        editor = self.editors[0]
        people, steps = [], []
        for i in range(n):
            created = self.when(self.start - 60 * DAY, self.start)
            name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
            party = self.canada if rng.random() < 0.25 else rng.choice(self.countries)
            published = rng.random() < 0.97
            person = Person(
                slug=f"demo-person-{i:05d}", name=name, party_id=party.pk,
                summary=f"{name} has represented {party.name} in talks with Canada.",
                state=State.PUBLISHED if published else State.DRAFT, created_at=created,
                updated_at=created + 2 * MINUTE if published else created + MINUTE, version=3 if published else 2,
                first_published_at=created + 2 * MINUTE if published else None,
            )  # fmt: skip
            people.append(person)
        self.write(people)
        roles = []
        for i, person in enumerate(people):
            office = words.OFFICES[i % len(words.OFFICES)]
            party = next(p for p in self.parties if p.pk == person.party_id)
            title = f"{office} of {party.name}" + (
                f" ({i // len(words.OFFICES) + 1})" if i >= len(words.OFFICES) else ""
            )
            switch = self.start.date() + dt.timedelta(days=rng.randint(-700, 600))
            roles.append(Role(person=person, title=f"Adviser to the {title}", start_date=dt.date(2015, 1, 1),
                              end_date=switch - DAY, party_id=party.pk))  # fmt: skip
            roles.append(Role(person=person, title=title, start_date=switch, end_date=None, party_id=party.pk))
        self.write(roles)
        self.roles_of: dict[int, list[Role]] = {}
        for role in roles:
            self.roles_of.setdefault(role.person_id, []).append(role)
        history, role_history = [], []
        for person in people:
            created = person.created_at
            steps = [("+", created, editor, "Added", {"state": State.DRAFT, "version": 1, "updated_at": created,
                                                      "first_published_at": None})]  # fmt: skip
            steps.append(("~", created + MINUTE, editor, "Added its details",
                          {"state": State.DRAFT, "version": 2, "updated_at": created + MINUTE,
                           "first_published_at": None}))  # fmt: skip
            if person.state == State.PUBLISHED:
                steps.append(("~", person.updated_at, editor, "Published", {}))
                self.events.plain(RecordType.PERSON, person, person.name)
            history += self.history_rows(person, steps)
            for role in self.roles_of[person.pk]:
                role_history += self.history_rows(role, [("+", created, editor, f"Added to {person}", {})])
        self.write(history, _history(Person))
        self.write(role_history, _history(Role))
        self.people = people
        self.public_people = [p for p in people if p.state == State.PUBLISHED]
        self.log(f"{len(people)} people, {len(roles)} roles")

    def make_sources(self) -> None:
        rng, n = self.rng, self.shape.sources
        names = [p.name for p in self.people[:400]] or ["The minister"]
        self.source_info: list[_SourceInfo] = []
        for start in range(0, n, CHUNK):
            batch, infos = [], []
            for i in range(start, min(n, start + CHUNK)):
                publisher, kind, reliability, domain = rng.choice(words.PUBLISHERS)
                archived = self.when(self.start - 30 * DAY, self.until - 5 * DAY)
                published_at = archived + rng.randint(10, 48 * 60) * MINUTE
                day = (archived - rng.randint(0, 10) * DAY).date()
                precision = rng.choices([DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.UNKNOWN], [90, 6, 4])[0]
                published_on = {DatePrecision.DAY: day, DatePrecision.MONTH: day.replace(day=1)}.get(precision)
                city = rng.choice(words.CITIES)
                title = (
                    f"{rng.choice(words.SUBJECTS).removeprefix('The ').capitalize()} "
                    f"{rng.choice(words.VERBS)} {rng.choice(words.OBJECTS)} in {city}"
                )
                size = int(rng.lognormvariate(8.1, 0.45))  # median ~3.3 KB, most between 1.5 and 8 KB
                text = words.document(
                    rng, dateline=f"{city.upper()}, {day:%-d %B %Y} ({publisher}, document {i + 1})",
                    people=names, places=words.CITIES, size=min(max(size, 800), 20_000),
                )  # fmt: skip
                url = None
                if rng.random() < 0.9:
                    url = f"https://www.{domain}/{day:%Y/%m}/{slugify(title)[:70]}-{i + 1}"
                source = Source(
                    slug=f"demo-source-{i:05d}", title=title, publisher=publisher, kind=kind,
                    reliability=reliability, url=url, canonical_url=canonical_url(url) if url else None,
                    published_on=published_on, published_precision=precision, retrieved_on=archived.date(),
                    language="en", text=text, text_sha256=Source.hash_text(text),
                    text_fingerprint=Source.fingerprint_text(text), created_by_id=rng.choice(self.reporters).pk,
                    state=State.PUBLISHED, created_at=archived, updated_at=published_at,
                    first_published_at=published_at, version=2,
                )  # fmt: skip
                batch.append(source)
            self.write(batch)
            passages, history, documents = [], [], []
            for source in batch:
                spans = array("I")
                for begin, end in split_passages(source.text):
                    passages.append(Passage(source_id=source.pk, start=begin, end=end, text=source.text[begin:end]))
                    spans.extend((begin, end))
                reporter = next(u for u in self.reporters if u.pk == source.created_by_id)
                history += self.history_rows(source, [
                    ("+", source.created_at, reporter, "Archived",
                     {"state": State.DRAFT, "version": 1, "updated_at": source.created_at, "first_published_at": None}),
                    ("~", source.updated_at, rng.choice(self.editors), "Published", {}),
                ])  # fmt: skip
                documents.append(self.search_row("source", source))
                infos.append(_SourceInfo(source.pk, source.slug, source.publisher, source.published_on,
                                         source.updated_at, source.text, spans, source.title, source.reliability,
                                         source.url))  # fmt: skip
                self.events.source(source)
            self.write(passages, Passage)
            self.write(history, _history(Source))
            self.write(documents)
            self.source_info += infos
            self.log(f"{start + len(batch)} sources")
        self.source_info.sort(key=lambda s: (s.published_at, s.pk))
        self.info_by_pk = {info.pk: info for info in self.source_info}
        self.source_times = [s.published_at for s in self.source_info]

    def search_row(self, kind: str, record, view=None):
        from tracker.search.index import document_text
        from tracker.search.models import SearchDocument

        title, body = document_text(kind, view or record)
        return SearchDocument(kind=kind, object_id=record.pk, slug=record.slug, title=title, body=body,
                              updated_at=record.updated_at)  # fmt: skip

    def source_before(self, moment: dt.datetime, *, exclude: set[int] = frozenset()) -> _SourceInfo:
        """A random source published before `moment` (the earliest ones if none is)."""
        upto = max(1, bisect.bisect_left(self.source_times, moment))
        for _ in range(20):
            info = self.source_info[self.rng.randrange(upto)]
            if info.pk not in exclude:
                return info
        return next(s for s in self.source_info if s.pk not in exclude)

    def passage_of(self, info: _SourceInfo) -> anchoring.Anchor:
        k = self.rng.randrange(len(info.spans) // 2)
        quote = info.text[info.spans[2 * k] : info.spans[2 * k + 1]]
        return anchoring.anchor_quote(info.text, quote)  # as the services anchor it

    def make_agreements(self) -> None:
        rng, n = self.rng, self.shape.agreements
        statuses = AgreementStatus.values
        agreements, links, steps_of = [], {"parties": [], "topics": []}, {}
        editor = self.editors[0]
        for i in range(n):
            kind = rng.choice(AgreementKind.values)
            others = rng.sample(self.countries, k=rng.randint(3, 7) if kind == AgreementKind.MULTILATERAL else 1)
            created = self.when(self.start, self.until - 20 * DAY)
            label = AgreementKind(kind).label
            title = f"Canada–{others[0].name} {label.lower()}" + (f" on {rng.choice(words.MINERALS)}" if i % 3 else "")
            title += f" ({created.year}, no. {i + 1})"
            # Steps in order, from announced; a few end suspended or terminated.
            count = rng.randint(1, 5)
            path = statuses[:count] + ([rng.choice(statuses[5:])] if rng.random() < 0.05 else [])
            day = created.date() - rng.randint(0, 200) * DAY
            steps = []
            for status in path:
                day += rng.randint(5, 120) * DAY
                steps.append((status, min(day, self.until.date()), self.source_before(self.until)))
            published = rng.random() < 0.95
            last = max(range(len(steps)), key=lambda k: (steps[k][1], k))
            agreement = Agreement(
                slug=f"demo-agreement-{i:05d}", title=title, kind=kind,
                binding=kind in (AgreementKind.FREE_TRADE, AgreementKind.INFORMATION_SECURITY),
                summary=words.paragraph(rng, [p.name for p in self.people[:50]], words.CITIES, rng.randint(2, 4)),
                current_status=steps[last][0], status_since=steps[last][1],
                state=State.PUBLISHED if published else State.DRAFT, created_at=created,
                updated_at=created + (2 * MINUTE if published else MINUTE), version=3 if published else 2,
                first_published_at=created + 2 * MINUTE if published else None,
            )  # fmt: skip
            agreements.append(agreement)
            steps_of[i] = steps
            links["parties"].append([self.canada, *others])
            links["topics"].append(rng.sample(self.topics, k=rng.randint(1, 2)))
        self.write(agreements)
        through = self.link_rows(Agreement, agreements, links)
        changes, history, change_history, documents = [], [], [], []
        for i, agreement in enumerate(agreements):
            for status, day, info in steps_of[i]:
                changes.append(AgreementStatusChange(agreement=agreement, status=status, date=day,
                                                     source_id=info.pk))  # fmt: skip
        self.write(changes)
        steps_by_agreement: dict[int, list] = {}
        for change in changes:
            steps_by_agreement.setdefault(change.agreement_id, []).append(change)
        for i, agreement in enumerate(agreements):
            if agreement.state == State.PUBLISHED:
                self.events.agreement(agreement, steps_by_agreement[agreement.pk], links["parties"][i],
                                      links["topics"][i], self.info_by_pk)  # fmt: skip
        for change in changes:
            change_history += self.history_rows(change, [("+", change.agreement.created_at, editor,
                                                          f"Added to {change.agreement}", {})])  # fmt: skip
        self.write(change_history, _history(AgreementStatusChange))
        for agreement in agreements:
            history += self.history_rows(
                agreement, self.record_steps(agreement, editor, {"current_status": "", "status_since": None})
            )
            if agreement.state == State.PUBLISHED:
                documents.append(self.search_row("agreement", agreement))
        self.write(history, _history(Agreement))
        self.m2m_history(Agreement, [(h, h.version > 1) for h in history], through, "agreement")
        self.write(documents)
        self.agreements = agreements
        self.public_agreements = [a for a in agreements if a.state == State.PUBLISHED]
        self.log(f"{len(agreements)} agreements, {len(changes)} status steps")

    def record_steps(self, record, editor, first_values: dict | None = None) -> list[tuple]:
        """record_create (Added, then Added its details) and record_publish."""
        created = record.created_at
        draft = {"state": State.DRAFT, "first_published_at": None}
        steps = [
            ("+", created, editor, "Added", {**draft, "version": 1, "updated_at": created, **(first_values or {})}),
            ("~", created + MINUTE, editor, "Added its details",
             {**draft, "version": 2, "updated_at": created + MINUTE}),
        ]  # fmt: skip
        if record.state == State.PUBLISHED:
            steps.append(("~", record.updated_at, editor, "Published", {}))
        return steps

    def link_rows(self, model: type[models.Model], records: list, links: dict[str, list[list]]) -> dict:
        """Write the many-to-many rows; return them by relation, then by record id."""
        out: dict[str, dict[int, list]] = {}
        for name, targets_per_record in links.items():
            through = model._meta.get_field(name).remote_field.through
            owner = model._meta.get_field(name).m2m_field_name()
            target = model._meta.get_field(name).m2m_reverse_field_name()
            rows = []
            for record, targets in zip(records, targets_per_record, strict=True):
                seen = set()
                for t in targets:
                    if t.pk not in seen:
                        seen.add(t.pk)
                        rows.append(through(**{f"{owner}_id": record.pk, f"{target}_id": t.pk}))
            self.write(rows, through)
            by_record: dict[int, list] = {}
            for row in rows:
                by_record.setdefault(getattr(row, f"{owner}_id"), []).append(row)
            out[name] = by_record
        return out

    def make_meetings(self) -> None:
        rng, n = self.rng, self.shape.meetings
        editor = self.editors[-1]
        meetings, links = [], {"counterparts": [], "outcome_agreements": [], "topics": [], "sources": []}
        for i in range(n):
            start_date = (self.start + rng.randint(0, 730 + 60) * DAY).date()
            created = min(self.until - HOUR, dt.datetime.combine(start_date, dt.time(9), tzinfo=dt.UTC)
                          - rng.randint(0, 20) * DAY)  # fmt: skip
            fmt = rng.choices(MeetingFormat.values, [60, 25, 15])[0]
            counterparts = rng.sample(self.countries, k=1 if fmt != MeetingFormat.MULTILATERAL else rng.randint(2, 6))
            occasion = rng.choice(words.OCCASIONS)
            place = "" if fmt == MeetingFormat.CALL else rng.choice(words.CITIES)
            published = rng.random() < 0.97
            meeting = Meeting(
                slug=f"demo-meeting-{i:05d}",
                title=f"Canada–{counterparts[0].name} {MeetingFormat(fmt).label.lower()} meeting"
                + (f" at {occasion}" if occasion else "") + f" (no. {i + 1})",
                start_date=start_date,
                end_date=start_date + rng.choice([0, 0, 0, 1, 2]) * DAY,
                place=place, host_id=rng.choice([self.canada, counterparts[0]]).pk, occasion=occasion, format=fmt,
                outcomes=words.paragraph(rng, [p.name for p in self.people[:50]], words.CITIES, rng.randint(1, 3)),
                significance=words.paragraph(rng, [p.name for p in self.people[:50]], words.CITIES, 1),
                state=State.PUBLISHED if published else State.DRAFT, created_at=created,
                updated_at=created + (2 * MINUTE if published else MINUTE), version=3 if published else 2,
                first_published_at=created + 2 * MINUTE if published else None,
            )  # fmt: skip
            meetings.append(meeting)
            links["counterparts"].append(counterparts)
            links["outcome_agreements"].append(
                rng.sample(self.public_agreements, k=min(len(self.public_agreements), rng.choice([0, 0, 1, 1, 2])))
            )
            links["topics"].append(rng.sample(self.topics, k=rng.randint(1, 3)))
            links["sources"].append([self.source_info[rng.randrange(len(self.source_info))]
                                     for _ in range(rng.randint(1, 2))])  # fmt: skip
        links["sources"] = [[_Pk(info.pk) for info in infos] for infos in links["sources"]]
        self.write(meetings)
        through = self.link_rows(Meeting, meetings, links)
        participations = []
        for meeting in meetings:
            for person in rng.sample(self.public_people, k=min(len(self.public_people), rng.randint(2, 5))):
                held = [r for r in self.roles_of[person.pk] if r.start_date <= meeting.start_date
                        and (r.end_date is None or r.end_date >= meeting.start_date)]  # fmt: skip
                participations.append(Participation(meeting=meeting, person_id=person.pk,
                                                    role_id=held[0].pk if held else None))  # fmt: skip
        self.write(participations)
        history, participation_history, documents = [], [], []
        for p in participations:
            participation_history += self.history_rows(p, [("+", p.meeting.created_at, editor,
                                                            f"Added to {p.meeting}", {})])  # fmt: skip
        for meeting in meetings:
            history += self.history_rows(meeting, self.record_steps(meeting, editor))
            if meeting.state == State.PUBLISHED:
                self.events.plain(RecordType.MEETING, meeting, meeting.title)
                documents.append(self.search_row("meeting", meeting))
        self.write(participation_history, _history(Participation))
        self.write(history, _history(Meeting))
        self.m2m_history(Meeting, [(h, h.version > 1) for h in history], through, "meeting")
        self.write(documents)
        self.public_meetings = [m for m in meetings if m.state == State.PUBLISHED]
        self.log(f"{len(meetings)} meetings, {len(participations)} participants")

    def make_claims(self) -> None:
        n = self.shape.claims
        per_claim = self.shape.evidence / n if n else 0
        for start in range(0, n, CHUNK):
            self.claim_chunk(range(start, min(n, start + CHUNK)), per_claim)
            self.log(f"{min(n, start + CHUNK)} claims")

    def claim_chunk(self, numbers: range, per_claim: float) -> None:
        rng = self.rng
        claims, plans = [], []
        links = {"topics": [], "parties": [], "agreements": [], "meetings": [], "people": []}
        for i in numbers:
            drafted = self.when(self.start + 10 * DAY, self.until - 3 * DAY)
            info = self.source_before(drafted)
            found = self.passage_of(info)
            fate = rng.random()
            state = (State.PUBLISHED if fate < 0.935 else State.RETRACTED if fate < 0.94
                     else State.IN_REVIEW if fate < 0.97 else State.DRAFT)  # fmt: skip
            corrected = state == State.PUBLISHED and rng.random() < 0.01
            drafter = rng.choice(self.reporters)
            reviewer = rng.choice(self.verifiers)
            edited = drafted + rng.randint(1, 30) * MINUTE
            submitted = edited + rng.randint(60, 48 * 60) * MINUTE
            published = min(submitted + rng.randint(60, 5 * 24 * 60) * MINUTE, self.until - MINUTE)
            later = min(published + rng.randint(1, 60) * DAY, self.until)
            verdict = rng.choices(Verdict.values[1:], [30, 20, 15, 20, 15])[0]
            person = rng.choice(self.public_people) if rng.random() < 0.1 and self.public_people else None
            quote_words = found.exact.rstrip(".")
            claim = Claim(
                slug=f"demo-claim-{i:06d}",
                statement=f"According to {info.publisher}, {quote_words[0].lower()}{quote_words[1:]}."[:1000],
                claimant=person.name if person else info.publisher, claimant_person_id=person.pk if person else None,
                source_id=info.pk, claimed_on=info.published_on, quote=found.exact, start=found.start, end=found.end,
                prefix=found.prefix, suffix=found.suffix, drafted_by_id=drafter.pk, created_at=drafted,
            )  # fmt: skip
            evidence_sources = []
            exclude = {info.pk}
            count = max(1, round(per_claim + rng.uniform(-1, 1)))
            for _ in range(count):
                other = self.source_before(drafted, exclude=exclude)
                exclude.add(other.pk)
                evidence_sources.append(other)
            stances = [rng.choice(Stance.values) for _ in evidence_sources]
            if state in (State.PUBLISHED, State.RETRACTED):
                claim.verdict = verdict
                claim.rationale = words.paragraph(rng, [info.publisher], words.CITIES, rng.randint(1, 3))
                claim.reviewed_by_id = reviewer.pk
                claim.verdict_published_at = claim.first_published_at = published
                claim.submitted_at = submitted
                stances[0] = {Verdict.ACCURATE: Stance.SUPPORTS, Verdict.INACCURATE: Stance.CONTRADICTS}.get(
                    verdict, stances[0]
                )
            elif state == State.IN_REVIEW:
                claim.submitted_at = submitted
            claim.state = state
            editor = rng.choice(self.editors)  # who corrects or retracts it
            first_rationale = claim.rationale
            if corrected:
                claim.rationale += " The figures were checked again against the customs data."
                claim.reviewed_by_id = editor.pk
            claim.version = {State.DRAFT: 2, State.IN_REVIEW: 3, State.PUBLISHED: 4 + corrected, State.RETRACTED: 5}[
                state
            ]
            claim.updated_at = {State.DRAFT: edited, State.IN_REVIEW: submitted, State.PUBLISHED: published}.get(
                state, later
            )
            if corrected:
                claim.updated_at = later
            claims.append(claim)
            plans.append((drafter, reviewer, editor, edited, submitted, published, later, corrected, evidence_sources,
                          stances, verdict, first_rationale))  # fmt: skip
            links["topics"].append(rng.sample(self.topics, k=rng.randint(1, 2)))
            links["parties"].append(rng.sample(self.parties, k=rng.randint(0, 2)))
            links["agreements"].append(
                rng.sample(self.public_agreements, k=1) if rng.random() < 0.3 and self.public_agreements else []
            )
            links["meetings"].append(
                rng.sample(self.public_meetings, k=1) if rng.random() < 0.3 and self.public_meetings else []
            )
            links["people"].append([person] if person else [])
        self.write(claims)
        through = self.link_rows(Claim, claims, links)
        contributors = Claim.contributors.through
        self.write([contributors(claim_id=c.pk, user_id=c.drafted_by_id) for c in claims], contributors)

        evidence, history, events, corrections, documents = [], [], [], [], []
        for claim, plan in zip(claims, plans, strict=True):
            (
                drafter,
                reviewer,
                editor,
                edited,
                submitted,
                published,
                later,
                corrected,
                sources,
                stances,
                verdict,
                first,
            ) = plan
            for info, stance in zip(sources, stances, strict=True):
                found = self.passage_of(info)
                evidence.append(Evidence(
                    claim=claim, source_id=info.pk, quote=found.exact, start=found.start, end=found.end,
                    prefix=found.prefix, suffix=found.suffix, stance=stance, created_by_id=drafter.pk,
                    created_at=edited, note="" if rng.random() < 0.8 else "The passage gives the figure directly.",
                ))  # fmt: skip
            steps, claim_events = self.claim_steps(claim, drafter, reviewer, editor, edited, submitted, published,
                                                   later, corrected, verdict, first)  # fmt: skip
            history += self.history_rows(claim, steps)
            events += claim_events
            if claim.state == State.RETRACTED:
                corrections.append(Correction(kind=CorrectionKind.RETRACTION, claim=claim, created_at=later,
                                              note=RETRACTION_NOTE, created_by_id=steps[-1][2].pk))  # fmt: skip
            if corrected:
                corrections.append(Correction(kind=CorrectionKind.CORRECTION, claim=claim, created_at=later,
                                              note=CORRECTION_NOTE, created_by_id=steps[-1][2].pk))  # fmt: skip
            if claim.state == State.PUBLISHED:
                # Its source is published: the index shows the quote (search.document_text).
                view = SimpleNamespace(
                    statement=claim.statement,
                    rationale=claim.rationale,
                    quote=claim.quote,
                    claimant=claim.claimant,
                    source=SimpleNamespace(state=State.PUBLISHED),
                )
                documents.append(self.search_row("claim", claim, view))
        self.write(evidence)
        self.write(history, _history(Claim))
        self.m2m_history(Claim, [(h, h.version > 1) for h in history], through, "claim")
        evidence_history = []
        for item in evidence:
            label = Stance(item.stance).label.lower()
            drafter = next(u for u in self.reporters if u.pk == item.created_by_id)
            evidence_history += self.history_rows(item, [("+", item.created_at, drafter, f"Attached as {label}", {})])
        self.write(evidence_history, _history(Evidence))
        self.write(events, ClaimEvent)
        self.write(corrections, Correction)
        self.write(documents)
        self.claim_events(claims, plans, links, evidence, corrections)

    def claim_events(self, claims, plans, links, evidence, corrections) -> None:
        """The public events of the chunk's published and retracted claims."""
        by_claim: dict[int, list] = {}
        for item in evidence:
            by_claim.setdefault(item.claim_id, []).append(item)
        notes: dict[int, list] = {}
        for correction in corrections:
            notes.setdefault(correction.claim_id, []).append(correction)
        for k, (claim, plan) in enumerate(zip(claims, plans, strict=True)):
            if claim.state not in (State.PUBLISHED, State.RETRACTED):
                continue
            published, later, corrected, first = plan[5], plan[6], plan[7], plan[11]
            self.events.claim(
                claim, info=self.info_by_pk[claim.source_id], evidence=by_claim.get(claim.pk, []),
                infos=self.info_by_pk, links={name: rows[k] for name, rows in links.items()},
                first_rationale=first, corrected=corrected, published=published, later=later,
                corrections=notes.get(claim.pk, []), correction_note=CORRECTION_NOTE, retraction_note=RETRACTION_NOTE,
            )  # fmt: skip

    def claim_steps(self, claim, drafter, reviewer, editor, edited, submitted, published, later, corrected, verdict,
                    first_rationale):  # fmt: skip
        """The history rows and events of claim_create_draft (with its evidence and links),
        claim_submit, claim_publish, then claim_correct or claim_retract."""
        draft = {"state": State.DRAFT, "verdict": Verdict.NOT_RATED, "rationale": "", "reviewed_by_id": None,
                 "verdict_published_at": None, "first_published_at": None, "submitted_at": None}  # fmt: skip
        drafted = claim.created_at
        steps = [
            ("+", drafted, drafter, "Drafted", {**draft, "version": 1, "updated_at": drafted}),
            ("~", edited, drafter, "Edited (evidence, links)", {**draft, "version": 2, "updated_at": edited}),
        ]
        events = [(Action.DRAFTED, drafted, drafter, ""), (Action.EDITED, edited, drafter, "")]
        if claim.state != State.DRAFT:
            steps.append(("~", submitted, drafter, "Submitted for review",
                          {**draft, "state": State.IN_REVIEW, "version": 3, "updated_at": submitted,
                           "submitted_at": submitted}))  # fmt: skip
            events.append((Action.SUBMITTED, submitted, drafter, ""))
        if claim.state in (State.PUBLISHED, State.RETRACTED):
            label = Verdict(verdict).label
            at_publish = {"state": State.PUBLISHED, "version": 4, "updated_at": published,
                          "reviewed_by_id": reviewer.pk, "rationale": first_rationale}  # fmt: skip
            steps.append(("~", published, reviewer, f"Published as {label}", at_publish))
            events.append((Action.PUBLISHED, published, reviewer, first_rationale))
            if corrected:
                steps.append(("~", later, editor, f"Corrected (was {label}): {CORRECTION_NOTE}", {}))
                events.append((Action.CORRECTED, later, editor, CORRECTION_NOTE))
            elif claim.state == State.RETRACTED:
                steps.append(("~", later, editor, f"Retracted: {RETRACTION_NOTE}", {}))
                events.append((Action.RETRACTED, later, editor, RETRACTION_NOTE))
        return steps, [
            ClaimEvent(claim=claim, action=action, created_at=when, by_id=user.pk, comment=comment)
            for action, when, user, comment in events
        ]


CORRECTION_NOTE = "We restated the rationale after checking the figures against a second customs table."
RETRACTION_NOTE = "The claim was attributed to the wrong speaker; the speaker's office denied making it."


@dataclass(frozen=True)
class _Pk:
    pk: int
