"""Fixtures for the partner API: a client, throttle counts reset, and published claims.
The records a claim points at (agreements, meetings, people) come from tests/conftest.py."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient
from rest_framework_api_key.models import APIKey

from tracker.desk.choices import State


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the rate counters; each test starts with none."""
    caches["rates"].clear()
    yield
    caches["rates"].clear()


@pytest.fixture
def api(db):
    return APIClient()


@pytest.fixture
def partner_key(db):
    """An API key as an editor would make it: returns (record, the key shown once)."""
    return APIKey.objects.create_key(name="Partner newsroom")


@pytest.fixture
def published_claim(make_claim, make_staff):
    """A published claim with a verdict resting on one supporting quote, drafted by one
    reporter and published by a verifier."""
    drafter, reviewer = make_staff("Reporter", "api-drafter"), make_staff("Verifier", "api-reviewer")

    def make(**fields):
        return make_claim(
            drafted_by=drafter,
            reviewed_by=reviewer,
            **{"state": State.PUBLISHED, "verdict": "accurate", "rationale": "The readout says so.", **fields},
        )

    return make
