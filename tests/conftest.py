"""Shared fixtures: small factories that make real records in the real database."""

import itertools

import pytest
from django.contrib.auth import get_user_model

from tracker.desk.choices import Reliability, SourceKind, Stance, State, Verdict
from tracker.desk.models import Claim, Evidence, Source

_counter = itertools.count(1)

SAMPLE_TEXT = (
    "Prime Minister Mark Carney and Korean President Lee Jae Myung announced the new "
    "Canada-Republic of Korea Security and Defence Cooperation Partnership. They also "
    "announced the conclusion of negotiations on the General Security of Information Agreement."
)


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, **extra):
        username = username or f"user{next(_counter)}"
        return get_user_model().objects.create_user(username=username, password="pw-for-tests-only", **extra)

    return make


@pytest.fixture
def make_source(db):
    def make(text: str = SAMPLE_TEXT, **fields) -> Source:
        n = next(_counter)
        values = {
            "slug": f"source-{n}",
            "title": f"Source {n}",
            "publisher": "Prime Minister of Canada",
            "kind": SourceKind.OFFICIAL,
            "reliability": Reliability.PRIMARY,
            # Source texts are unique (a duplicate is the same document): keep them apart.
            "text": f"{text}\n(Test source {n}.)",
            "state": State.PUBLISHED,
        }
        values.update(fields)
        return Source.objects.create(**values)

    return make


@pytest.fixture
def make_claim(db, make_source):
    def make(source: Source | None = None, quote: str = "announced the new", **fields) -> Claim:
        n = next(_counter)
        values = {
            "slug": f"claim-{n}",
            "statement": f"Statement {n}",
            "claimant": "An outlet",
            "source": source or make_source(),
            "quote": quote,
            "state": State.DRAFT,
            "verdict": Verdict.NOT_RATED,
        }
        values.update(fields)
        return Claim.objects.create(**values)

    return make


@pytest.fixture
def make_evidence(db, make_source):
    def make(claim: Claim, source: Source | None = None, quote: str = "Security and Defence", **fields) -> Evidence:
        values = {"claim": claim, "source": source or make_source(), "quote": quote, "stance": Stance.SUPPORTS}
        values.update(fields)
        return Evidence.objects.create(**values)

    return make


@pytest.fixture
def make_staff(db):
    """A staff login in one of the roles (Reporter, Verifier, Editor), or in none."""

    def make(role: str | None, username: str | None = None, **extra):
        from django.apps import apps
        from django.contrib.auth.models import Group

        from tracker.desk.roles import sync_roles

        if role and not Group.objects.filter(name=role).exists():
            sync_roles(apps)  # a transactional test's flush emptied the groups the migration made
        username = username or f"{(role or 'staff').lower()}{next(_counter)}"
        user = get_user_model().objects.create_user(
            username=username, password="pw-for-tests-only", is_staff=True, **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The real hasher is slow on purpose; tests make many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
