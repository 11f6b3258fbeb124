"""`?as_of=` shows exactly what readers saw (issue 28; DESIGN.md rule 10).

The three-person desk of test_three_person_desk.py works on, one day per step (the
desk's clock, tracker/desk/clock.py, dates each step's changes on its own day). After
every step the test keeps what readers saw of every claim that day: the claim page's
record (statement, claimant, quote, verdict, rationale, evidence, corrections, the
verdict's date) as text, and the API detail; a claim off the public record that day
is kept as "nothing". Every few steps and at the end, it asks each claim's page and
API detail `as_of` each earlier day and requires exactly what was kept: never a later
state, never one readers did not see (a 404 where they saw nothing).

It fails when as-of reads the record as it stands instead of its history (tried by
hand: tracker/public/versions.claim_then returning the current claim's fields).
"""

import datetime as dt
import html
import os
import re

import pytest
from django.core.cache import caches
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant, run_state_machine_as_test

from tracker.desk import clock
from tracker.desk.models import Claim

from .test_three_person_desk import ThreePersonDesk

FIRST_DAY = dt.datetime(2024, 3, 1, 12, 0, tzinfo=dt.UTC)
CHECK_EVERY = 4
# What the API says of a claim that a version must repeat: everything readers read,
# but the addresses of quotes in their sources' text, which move when a source's text
# is corrected (that is the source's version, not the claim's).
OFFSETS = ("start", "end", "prefix", "suffix", "passage_url")
TAGS = re.compile(r"<[^>]+>")


def page_record(body: str) -> str:
    """The text of the claim's record on its page (between the version markers), as a
    reader reads it; the as-of label on the verdict is not part of the record."""
    region = body.split("data-version>", 1)[1].split("<!-- /version -->", 1)[0]
    region = re.sub(r"Our verdict as of [^<]*<", "Our verdict<", region)
    return " ".join(html.unescape(TAGS.sub(" ", region)).split())


def api_record(data: dict) -> dict:
    data = {key: value for key, value in data.items() if key not in ("as_of", "updated_at")}
    for item in [data.get("quote") or {}, *[e["quote"] for e in data["evidence"]]]:
        for name in OFFSETS:
            item.pop(name, None)
    return data


class DeskThroughTime(ThreePersonDesk):
    def __init__(self):
        self.day = 0
        self._clock = clock.seeded_at(FIRST_DAY)
        self._clock.__enter__()
        super().__init__()
        self.client = Client()
        self.readers_saw: dict[tuple[int, dt.date], tuple[str, dict] | None] = {}
        self.checked = 0

    def teardown(self):
        try:
            self._check_every_earlier_day()
        finally:
            self._clock.__exit__(None, None, None)
            super().teardown()

    def _today(self) -> dt.date:
        return (FIRST_DAY + dt.timedelta(days=self.day)).date()

    def _read(self, slug: str, day: dt.date | None = None):
        query = {"as_of": day.isoformat()} if day else {}
        page = self.client.get(f"/claims/{slug}/", query)
        api = self.client.get(f"/api/v1/claims/{slug}/", query)
        return page, api

    @invariant()
    def keep_what_readers_saw_then_move_to_the_next_day(self):
        caches["rates"].clear()  # the anonymous API rate
        today = self._today()
        for claim in Claim.objects.all():
            if claim.state == "published":
                page, api = self._read(claim.slug)
                assert page.status_code == api.status_code == 200
                self.readers_saw[(claim.pk, today)] = (page_record(page.content.decode()), api_record(api.json()))
            else:
                self.readers_saw[(claim.pk, today)] = None
        self.day += 1
        self._clock.__exit__(None, None, None)
        self._clock = clock.seeded_at(FIRST_DAY + dt.timedelta(days=self.day))
        self._clock.__enter__()
        if self.day % CHECK_EVERY == 0:
            self._check_every_earlier_day()

    def _check_every_earlier_day(self):
        caches["rates"].clear()
        slugs = dict(Claim.objects.values_list("pk", "slug"))
        for (pk, day), then in self.readers_saw.items():
            if Claim.objects.filter(pk=pk, state="published").exists() is False:
                continue  # its address now says it is under review or gone: no as-of at all
            page, api = self._read(slugs[pk], day)
            if then is None:
                assert page.status_code == api.status_code == 404, f"{slugs[pk]} as of {day}: readers saw nothing"
                continue
            assert page.status_code == api.status_code == 200, f"{slugs[pk]} as of {day}: {page.status_code}"
            assert page_record(page.content.decode()) == then[0], f"{slugs[pk]}'s page as of {day}"
            assert api_record(api.json()) | {"as_of": None} == then[1] | {"as_of": None}, f"{slugs[pk]} API {day}"


@pytest.mark.django_db
def test_as_of_any_earlier_day_shows_exactly_what_readers_saw_that_day():
    run_state_machine_as_test(
        DeskThroughTime,
        settings=settings(
            max_examples=int(os.environ.get("AS_OF_PROPERTY_EXAMPLES", "3")),
            stateful_step_count=int(os.environ.get("PROPERTY_STEPS", "12")),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
