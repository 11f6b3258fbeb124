"""Shared fixtures: small factories that make real records in the real database.

Every record is made the way the desk makes it, through the services
(`tracker.desk.services`), by staff in the roles that may do each step. A fixture
that asks for a published claim drafts it, submits it and has another person publish
it, so a test never holds a record the workflow could not have produced.
"""

import datetime as dt
import itertools
import re
from functools import cached_property

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.test import Client

from tracker.api import throttles
from tracker.caching import freshness, responses
from tracker.desk import services
from tracker.desk.choices import (
    AgreementKind,
    AgreementStatus,
    CorrectionKind,
    MeetingFormat,
    Reliability,
    SourceKind,
    Stance,
    State,
    Verdict,
)
from tracker.desk.models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Correction,
    Evidence,
    Meeting,
    Party,
    Person,
    Source,
    Topic,
)
from tracker.desk.roles import EDITOR, REPORTER, VERIFIER, sync_roles

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The suite's own PostgreSQL connections get 60 s statements, not production's 5 s:
    creating, flushing and dropping test databases are long statements on a machine
    other suites share. The servers the operational tests start keep production's."""
    from django.conf import settings

    for db in settings.DATABASES.values():
        options = db.get("OPTIONS", {})
        if "statement_timeout" in options.get("options", ""):
            options["options"] = re.sub(r"statement_timeout=\d+", "statement_timeout=60000", options["options"])
            # The shared records' transaction stays open between tests (and while a worker
            # waits for the last tests of another): no idle timeout for the suite's own.
            options["options"] = re.sub(
                r"idle_in_transaction_session_timeout=\d+", "idle_in_transaction_session_timeout=0", options["options"]
            )


class _Shared:
    """Records that many tests read (tests/public/conftest.py's `desk`), built once
    and kept, in a transaction left open, for as long as consecutive tests ask for
    them. Each test runs in a savepoint inside it (pytest-django's `db`), rolled back
    after the test, so every test still starts from the same records."""

    builder = None
    atomic = None
    values: dict | None = None

    def drop(self, blocker) -> None:
        if self.atomic is not None:
            with blocker.unblock():
                try:
                    transaction.set_rollback(True)
                    self.atomic.__exit__(None, None, None)
                except DatabaseError:  # the server ended the session: nothing left to roll back
                    connection.close()
        self.builder = self.atomic = self.values = None


_shared = _Shared()
TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def shared_records(builder) -> dict | None:
    """The records `builder` made for the tests sharing them, or None: build your own."""
    return _shared.values if _shared.builder is builder else None


def fresh(value):
    """`value` with every model instance in it read again from the database."""
    if isinstance(value, Model):
        return type(value)._default_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {name: fresh(item) for name, item in value.items()}
    return value


@pytest.fixture(scope="session")
def _shared_records_session(django_db_setup, django_db_blocker):
    yield
    _shared.drop(django_db_blocker)


@pytest.fixture(autouse=True)
def _shared_records(request):
    """Runs before every other function fixture (the `db` savepoint above all): keeps,
    builds or drops the shared records, as this test asks for them or not."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    commits = bool(names & TRANSACTIONAL) or bool(marker and marker.kwargs.get("transaction"))
    wanted = "_desk_records" in names and not commits
    builder = request.getfixturevalue("_desk_records") if wanted else None
    if _shared.atomic is not None and _shared.builder is not builder:
        _shared.drop(request.getfixturevalue("django_db_blocker"))
    if wanted and _shared.atomic is None:
        request.getfixturevalue("_shared_records_session")
        with request.getfixturevalue("django_db_blocker").unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                values = builder(Staff())
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        _shared.builder, _shared.atomic, _shared.values = builder, atomic, values
    yield


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After the counts: at what effort the suite ran, and how to run it at CI's."""
    from . import effort

    if effort.FULL:
        line = "Effort: full (TEST_EFFORT=full, as CI runs it)."
    else:
        line = (
            "Effort: quick (property, fuzz and API-contract tests try fewer examples); "
            "`TEST_EFFORT=full make test` runs them as CI does."
        )
    terminalreporter.write_sep("-", line)


@pytest.fixture(scope="session")
def _test_db_image():
    from . import db_image

    with db_image.migrations_from_image():
        yield


@pytest.fixture(scope="session")
def django_db_setup(_test_db_image, django_db_setup):
    """pytest-django's, with an in-memory SQLite database loaded from an image of the
    migrated schema rather than migrated in every worker (tests/db_image.py)."""
    yield


@pytest.fixture(autouse=True)
def _empty_cache(_shared_records):
    """Each test starts with an empty cache: a rolled-back test database reuses record
    version numbers, so a page cached by one test could otherwise answer the next. The
    rate counters are emptied too, and the leases a process holds with the counts they
    were granted from."""
    for store in (cache, caches["rates"]):
        store.clear()
    throttles.leases.clear()
    freshness.log.reset()
    responses.memory.clear()
    yield
    for store in (cache, caches["rates"]):
        store.clear()
    throttles.leases.clear()
    freshness.log.reset()
    responses.memory.clear()


SAMPLE_TEXT = (
    "Prime Minister Mark Carney and Korean President Lee Jae Myung announced the new "
    "Canada-Republic of Korea Security and Defence Cooperation Partnership. They also "
    "announced the conclusion of negotiations on the General Security of Information Agreement."
)
PASSWORD = "pw-for-tests-only"


def role_user(role: str | None, username: str, *, password: str | None = PASSWORD, **extra):
    """A staff account in `role` (Reporter, Verifier, Editor) or in none. Without a
    password it cannot sign in, which the services do not need (and hashing is slow)."""
    if role and not Group.objects.filter(name=role).exists():
        sync_roles(apps)  # a transactional test's flush emptied the groups the migration made
    # password=None: an unusable password, set without hashing anything.
    user = get_user_model().objects.create_user(username=username, password=password, is_staff=True, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def _helper_account(role: str, username: str):
    existing = get_user_model().objects.filter(username=username).first()  # made for shared records
    return existing or role_user(role, username, password=None)


class Staff:
    """One helper account per role, made when first used. Fixtures act as them: the
    reporter drafts, the verifier publishes, the editor corrects and retracts, so
    maker-checker holds for every record a fixture makes."""

    @cached_property
    def reporter(self):
        return _helper_account(REPORTER, "desk-reporter")

    @cached_property
    def verifier(self):
        return _helper_account(VERIFIER, "desk-verifier")

    @cached_property
    def editor(self):
        return _helper_account(EDITOR, "desk-editor")


@pytest.fixture
def staff(db) -> Staff:
    return Staff()


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, **extra):
        username = username or f"user{next(_counter)}"
        return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)

    return make


@pytest.fixture
def make_staff(db):
    """A staff login in one of the roles (Reporter, Verifier, Editor), or in none."""

    def make(role: str | None, username: str | None = None, **extra):
        username = username or f"{(role or 'staff').lower()}{next(_counter)}"
        return role_user(role, username, **extra)

    return make


@pytest.fixture
def make_source(db, staff):
    """A source archived by the reporter and, unless `state` says otherwise, published
    by the editor (or published and then retracted)."""

    def make(text: str = SAMPLE_TEXT, *, state: str = State.PUBLISHED, by=None, **fields) -> Source:
        n = next(_counter)
        values = {
            "slug": f"source-{n}",
            "title": f"Source {n}",
            "publisher": "Prime Minister of Canada",
            "kind": SourceKind.OFFICIAL,
            "reliability": Reliability.PRIMARY,
            # Source texts are unique (a duplicate is the same document): keep them apart.
            "text": f"{text}\n(Test source {n}.)",
        }
        values.update(fields)
        source = services.source_create(by=by or staff.reporter, **values)
        if state == State.DRAFT:
            return source
        if state not in (State.PUBLISHED, State.RETRACTED):
            raise ValueError(f"A source is a draft, published or retracted, not {state!r}.")
        source = services.record_publish(record=source, by=staff.editor)
        if state == State.RETRACTED:
            source = services.record_retract(record=source, by=staff.editor, note=f"Retracted “{source.title}”.")
        return source

    return make


def _default_evidence(make_source, verdict: str) -> services.EvidenceAdd:
    """One quote from another source that a verdict of `verdict` may rest on."""
    stance = Stance.CONTRADICTS if verdict == Verdict.INACCURATE else Stance.SUPPORTS
    return services.EvidenceAdd(source=make_source(), quote="Security and Defence", stance=stance)


@pytest.fixture
def make_claim(db, make_source, staff):
    """A claim drafted by `drafted_by` (the reporter by default) and taken through the
    workflow to `state`: submitted by its drafter; published with `verdict` by
    `reviewed_by` (the verifier by default); retracted by the editor.

    `evidence` (services.EvidenceAdd) is attached while it is a draft; a claim that is
    published without any gets one quote from another source that its verdict rests on.
    """

    def make(
        source: Source | None = None,
        quote: str = "announced the new",
        *,
        state: str = State.DRAFT,
        drafted_by=None,
        reviewed_by=None,
        verdict: str = Verdict.ACCURATE,
        rationale: str = "The readout says so.",
        evidence: list[services.EvidenceAdd] | None = None,
        **fields,
    ) -> Claim:
        n = next(_counter)
        links = {name: fields.pop(name) for name in services.claims.LINK_FIELDS if name in fields}
        values = {"slug": f"claim-{n}", "statement": f"Statement {n}", "claimant": "An outlet", **fields}
        drafter = drafted_by or staff.reporter
        publishing = state in (State.PUBLISHED, State.RETRACTED)
        if evidence is None:
            evidence = [_default_evidence(make_source, verdict)] if publishing else []
        claim = services.claim_create_draft(
            by=drafter, source=source or make_source(), quote=quote, links=links, evidence=evidence, **values
        )
        if state == State.DRAFT:
            return claim
        claim = services.claim_submit(claim=claim, by=drafter)
        if state == State.IN_REVIEW:
            return claim
        if not publishing:
            raise ValueError(f"Not a state of a claim: {state!r}.")
        claim = services.claim_publish(
            claim=claim, by=reviewed_by or staff.verifier, verdict=verdict, rationale=rationale
        )
        if state == State.RETRACTED:
            claim = services.claim_retract(claim=claim, by=staff.editor, note="Retracted: the quote was misread.")
        return Claim.objects.get(pk=claim.pk)

    return make


@pytest.fixture
def make_evidence(db, make_source, staff):
    """A passage attached to `claim` as evidence, by whoever may do it now: the drafter
    of a draft, the verifier of a claim in review, the editor of a published claim (with
    a correction note, since readers see the change)."""

    def make(
        claim: Claim,
        source: Source | None = None,
        quote: str = "Security and Defence",
        *,
        stance: str = Stance.SUPPORTS,
        note: str = "",
        by=None,
        correction_note: str = "",
    ) -> Evidence:
        claim = Claim.objects.get(pk=claim.pk)
        if by is None:
            by = {State.DRAFT: claim.drafted_by, State.IN_REVIEW: staff.verifier}.get(claim.state, staff.editor)
        if claim.state == State.PUBLISHED and not correction_note:
            correction_note = "We added a quote that bears on the claim."
        return services.evidence_attach(
            claim=claim, by=by, source=source or make_source(), quote=quote, stance=stance, note=note,
            correction_note=correction_note,
        )  # fmt: skip

    return make


@pytest.fixture
def make_party(db, staff):
    def make(code: str | None = None, **fields) -> Party:
        code = code or f"O{next(_counter)}"
        values = {"name": f"Party {code}", "kind": "organisation" if len(code) != 2 else "country"}
        values.update(fields)
        return services.record_create(model=Party, by=staff.editor, fields={"code": code, **values})

    return make


@pytest.fixture
def make_topic(db, staff):
    def make(slug: str | None = None, name: str | None = None) -> Topic:
        n = next(_counter)
        fields = {"slug": slug or f"topic-{n}", "name": name or f"Topic {n}"}
        return services.record_create(model=Topic, by=staff.editor, fields=fields)

    return make


def _publish(record, state: str, by):
    """Publish a new record unless it is meant to stay a draft."""
    if state == State.DRAFT:
        return record
    if state != State.PUBLISHED:
        raise ValueError(f"Fixtures make drafts or published records, not {state!r}; retract through the services.")
    return services.record_publish(record=record, by=by)


@pytest.fixture
def make_person(db, staff):
    def make(*, state: str = State.PUBLISHED, **fields) -> Person:
        n = next(_counter)
        values = {"slug": f"person-{n}", "name": f"Person {n}", **fields}
        person = services.record_create(model=Person, by=staff.editor, fields=values)
        return _publish(person, state, staff.editor)

    return make


@pytest.fixture
def make_agreement(db, staff):
    def make(parties=(), *, state: str = State.PUBLISHED, topics=(), **fields) -> Agreement:
        n = next(_counter)
        values = {"slug": f"agreement-{n}", "title": f"Agreement {n}", "kind": AgreementKind.SECURITY_DEFENCE}
        values.update(fields)
        agreement = services.record_create(
            model=Agreement, by=staff.editor, fields=values, links={"parties": list(parties), "topics": list(topics)}
        )
        return _publish(agreement, state, staff.editor)

    return make


@pytest.fixture
def add_status(db, make_source, staff):
    """A dated step of an agreement's status history, backed by a source."""

    def add(agreement: Agreement, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 29), source=None):
        step = {"status": status, "date": date, "source": source or make_source()}
        services.record_edit(record=agreement, by=staff.editor, rows={"status_history": services.Rows(add=[step])})
        return AgreementStatusChange.objects.get(agreement=agreement, status=status, date=date)

    return add


@pytest.fixture
def make_meeting(db, staff):
    """A meeting; each participant is placed in a role they hold on its date."""

    def make(participants=(), *, state: str = State.PUBLISHED, **fields) -> Meeting:
        n = next(_counter)
        values = {
            "slug": f"meeting-{n}",
            "title": f"Meeting {n}",
            "start_date": dt.date(2025, 10, 29),
            "format": MeetingFormat.BILATERAL,
        }
        values.update(fields)
        links = {name: list(values.pop(name)) for name in ("counterparts", "outcome_agreements", "topics", "sources")
                 if name in values}  # fmt: skip
        rows = []
        for person in participants:
            title = f"Minister {next(_counter)}"
            services.record_edit(
                record=person, by=staff.editor,
                rows={"roles": services.Rows(add=[{"title": title, "start_date": dt.date(2025, 1, 1)}])},
            )  # fmt: skip
            rows.append({"person": person, "role": person.roles.get(title=title)})
        meeting = services.record_create(
            model=Meeting, by=staff.editor, fields=values, links=links,
            rows={"participants": services.Rows(add=rows)},
        )  # fmt: skip
        return _publish(meeting, state, staff.editor)

    return make


@pytest.fixture
def link(db, staff):
    """Add what a published record is about (links), as an editor does in the admin."""

    def add(record, **links):
        wanted = {name: [*getattr(record, name).all(), *targets] for name, targets in links.items()}
        if isinstance(record, Claim):
            return services.claim_edit(claim=record, by=staff.editor, links=wanted)
        return services.record_edit(record=record, by=staff.editor, links=wanted)

    return add


@pytest.fixture
def correct(db, staff):
    """A public correction (or retraction) of a published record, made as the desk
    makes one: an editor's edit with a note, or a retraction with one."""

    def make(record, note: str = "We corrected a date.", kind=CorrectionKind.CORRECTION) -> Correction:
        editor = staff.editor
        if kind == CorrectionKind.RETRACTION:
            if isinstance(record, Claim):
                services.claim_retract(claim=record, by=editor, note=note)
            else:
                services.record_retract(record=record, by=editor, note=note)
        elif isinstance(record, Claim):
            record = Claim.objects.get(pk=record.pk)
            services.claim_correct(
                claim=record, by=editor, note=note, verdict=record.verdict, rationale=f"{record.rationale} Corrected."
            )
        elif isinstance(record, Source):
            record = Source.objects.get(pk=record.pk)
            services.source_edit(source=record, by=editor, fields={"text": f"{record.text}\n(Corrected.)"}, note=note)
        else:
            record = type(record).objects.get(pk=record.pk)
            fields = {"title": f"{record.title} (corrected)"}
            services.record_edit(record=record, by=editor, fields=fields, note=note)
        return Correction.objects.filter(**{type(record).__name__.lower(): record}).latest("created_at")

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow on purpose; tests make many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def login(db):
    """A test client signed in as `user` (by session, as after a real sign-in)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
