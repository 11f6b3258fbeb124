"""The API honours its own OpenAPI schema: schemathesis generates requests for every
operation against the seeded record, with every one of its checks (`--checks all`):
valid requests must be answered 2xx (or a documented 404, 401...), invalid ones a
documented 4xx, never a server error, and every response, its status, media type and
headers as the schema says. Data that fits the schema and data that does not (both
generation modes, schemathesis's default), as an anonymous client and as a partner
with a key. API_FUZZ_EXAMPLES=200 for a deeper run (CI runs 60)."""

import os
import zlib

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import cache, caches
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework_api_key.models import APIKey

from tests import effort
from tracker.desk import services
from tracker.desk.models import Claim
from tracker.desk.seeds import SEED_EDITOR, load_seeds

# Marks the module as a database user, so pytest-django sets up the test database.
pytestmark = pytest.mark.django_db

# High enough that generated traffic is never throttled; throttling has its own tests.
UNTHROTTLED = {
    **settings.REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "partner": "100000/min", "export": "100000/min"},
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The seeded record plus one retraction, and a partner's API key (returned),
    rolled back after the module.

    Requests run in this thread on the test's own connection, inside one transaction,
    so Django must not close the connection at the end of each request.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    with django_db_blocker.unblock(), override_settings(REST_FRAMEWORK=UNTHROTTLED), transaction.atomic():
        load_seeds(settings.BASE_DIR / "seeds")
        services.claim_retract(
            claim=Claim.objects.published().order_by("slug").first(),
            by=get_user_model().objects.get(username=SEED_EDITOR),
            note="Retracted for the test.",
        )
        _, key = APIKey.objects.create_key(name="Schemathesis partner")
        cache.clear()
        caches["rates"].clear()
        yield key
        transaction.set_rollback(True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# Loaded eagerly: schemathesis's lazy (fixture) loader does not run on pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


# Who sends the requests. "mixed" (the suite's default): each request anonymously or
# with the partner's key, chosen by the request itself (so a failure replays the same
# way), both at the cost of one run. CI runs "anonymous,partner": every request both ways.
CLIENTS = os.environ.get("API_FUZZ_CLIENTS", "mixed").split(",")


def sends_the_key(client: str, case) -> bool:
    if client == "mixed":
        return zlib.crc32(repr((case.path_parameters, case.query)).encode()) % 2 == 1
    return client == "partner"


@schema.parametrize()
@hypothesis_settings(
    # Bounded so the suite stays quick (6, 15 at full effort: tests/effort.py);
    # API_FUZZ_EXAMPLES=200 for a deeper local run.
    max_examples=effort.examples(6, 15, "API_FUZZ_EXAMPLES"),
    deadline=None,
    database=None,  # no .hypothesis folder in the worktree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
@pytest.mark.parametrize("client", CLIENTS)
def test_the_api_conforms_to_its_schema_and_never_fails(case, seeded, client):
    # The WSGI transport does not undo gzip (test_conditional_and_compressed.py covers it).
    headers = {"Accept-Encoding": "identity"}
    if sends_the_key(client, case):
        headers["Authorization"] = f"Api-Key {seeded}"
    # No `checks`: every check schemathesis has, as `st run --checks all` runs them.
    case.call_and_validate(headers=headers)
