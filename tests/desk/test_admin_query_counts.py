"""Admin lists stay fast at scale: the query count of each list does not grow with its rows."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tracker.desk import services
from tracker.desk.choices import State

_n = itertools.count(1)


def _claims(make_claim, make_evidence, make_staff, count):
    reporter = make_staff("Reporter")
    for _ in range(count):
        claim = make_claim(drafted_by=reporter, state=State.IN_REVIEW)
        make_evidence(claim)


def _sources(make_source, count):
    for _ in range(count):
        make_source()


def _records(make_claim, make_person, make_agreement, make_meeting, correct, staff, count):
    for _ in range(count):
        n = next(_n)
        person = make_person(slug=f"p{n}", name=f"Person {n}")
        services.record_edit(
            record=person, by=staff.editor, rows={"roles": services.Rows(add=[{"title": f"Minister {n}"}])}
        )
        make_agreement(slug=f"a{n}", title=f"Agreement {n}", kind="mou")
        make_meeting(slug=f"m{n}", title=f"Meeting {n}", start_date=dt.date(2025, 10, 29), format="call")
        correct(make_claim(state=State.PUBLISHED), note="n")


LISTS = [
    "/admin/desk/claim/",
    "/admin/desk/claimforreview/",
    "/admin/desk/evidence/",
    "/admin/desk/source/",
    "/admin/desk/agreement/",
    "/admin/desk/meeting/",
    "/admin/desk/person/",
    "/admin/desk/correction/",
]


@pytest.fixture
def fill(make_claim, make_evidence, make_source, make_staff, make_person, make_agreement, make_meeting, correct, staff):
    def make(count):
        _claims(make_claim, make_evidence, make_staff, count)
        _sources(make_source, count)
        _records(make_claim, make_person, make_agreement, make_meeting, correct, staff, count)

    return make


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_makes_as_many_queries_for_30_rows_as_for_3(url, fill, login, make_staff, django_assert_max_num_queries):
    client = login(make_staff("Editor"))
    fill(3)
    few = _count(client, url)
    fill(27)
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert len(response.context["cl"].result_list) >= 30
    assert few <= 12, f"{url} takes {few} queries"
