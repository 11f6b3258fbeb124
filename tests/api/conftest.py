"""Fixtures for the partner API: a client, throttle counts reset, and the records
a claim points at (agreements, meetings, people), made for real in the database."""

import datetime as dt
import itertools

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from tracker.desk.choices import AgreementKind, AgreementStatus, CorrectionKind, MeetingFormat, State
from tracker.desk.models import (
    Agreement,
    AgreementStatusChange,
    Correction,
    Meeting,
    Participation,
    Party,
    Person,
    Role,
)

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    return APIClient()


@pytest.fixture
def partner_key(db):
    """An API key as an editor would make it: returns (record, the key shown once)."""
    return APIKey.objects.create_key(name="Partner newsroom")


@pytest.fixture
def make_party(db):
    def make(code: str | None = None, **fields) -> Party:
        code = code or f"O{next(_counter)}"
        values = {"name": f"Party {code}", "kind": "organisation" if len(code) != 2 else "country"}
        values.update(fields)
        return Party.objects.create(code=code, **values)

    return make


@pytest.fixture
def make_person(db):
    def make(**fields) -> Person:
        n = next(_counter)
        values = {"slug": f"person-{n}", "name": f"Person {n}", "state": State.PUBLISHED}
        values.update(fields)
        return Person.objects.create(**values)

    return make


@pytest.fixture
def make_agreement(db, make_source):
    def make(parties=(), **fields) -> Agreement:
        n = next(_counter)
        values = {
            "slug": f"agreement-{n}",
            "title": f"Agreement {n}",
            "kind": AgreementKind.SECURITY_DEFENCE,
            "state": State.PUBLISHED,
        }
        values.update(fields)
        agreement = Agreement.objects.create(**values)
        agreement.parties.set(parties)
        return agreement

    return make


@pytest.fixture
def add_status(db, make_source):
    def add(agreement: Agreement, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 29), source=None):
        return AgreementStatusChange.objects.create(
            agreement=agreement, status=status, date=date, source=source or make_source()
        )

    return add


@pytest.fixture
def make_meeting(db):
    def make(participants=(), **fields) -> Meeting:
        n = next(_counter)
        values = {
            "slug": f"meeting-{n}",
            "title": f"Meeting {n}",
            "start_date": dt.date(2025, 10, 29),
            "format": MeetingFormat.BILATERAL,
            "state": State.PUBLISHED,
        }
        values.update(fields)
        meeting = Meeting.objects.create(**values)
        for person in participants:
            role = Role.objects.create(
                person=person, title=f"Minister {next(_counter)}", start_date=dt.date(2025, 1, 1)
            )
            Participation.objects.create(meeting=meeting, person=person, role=role)
        return meeting

    return make


@pytest.fixture
def correct(db):
    def make(record, note: str = "We corrected a date.", kind=CorrectionKind.CORRECTION) -> Correction:
        field = type(record).__name__.lower()
        return Correction.objects.create(**{field: record}, note=note, kind=kind)

    return make


@pytest.fixture
def published_claim(make_claim, make_evidence):
    """A published claim with a verdict resting on one supporting quote."""
    # Staff without a password: hashing one costs a third of a second per user.
    users = get_user_model().objects
    drafter, reviewer = users.create(username="api-drafter"), users.create(username="api-reviewer")

    def make(**fields):
        claim = make_claim(
            drafted_by=drafter,
            reviewed_by=reviewer,
            **{"state": State.PUBLISHED, "verdict": "accurate", "rationale": "The readout says so.", **fields},
        )
        make_evidence(claim)
        return claim

    return make
