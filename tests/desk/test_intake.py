"""Intake: earlier checks as a reporter types a statement, from a staff-only JSON
endpoint with bounded cost, and the repeat chosen there linked when the draft is saved."""

import pytest
from django.core.cache import cache

from tracker.desk.admin import intake
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim

URL = "/admin/desk/claim/earlier-checks/"
EARLIER = "Canada and the Republic of Korea signed a defence agreement in Gyeongju in October 2025."
TYPED = "Canada and Korea signed a defence agreement in Gyeongju in October 2025"


@pytest.fixture
def earlier(make_claim):
    return make_claim(statement=EARLIER, state=State.PUBLISHED, verdict=Verdict.INACCURATE, rationale="No.")


def test_a_typed_statement_finds_the_earlier_check_with_its_verdict(earlier, make_claim, staff, login):
    make_claim(statement="Canada's trade with Japan grew by a tenth in the year to September.")
    answer = login(staff.reporter).get(URL, {"q": TYPED})
    assert answer.status_code == 200
    assert answer["Cache-Control"].startswith("max-age=0") or "no-store" in answer["Cache-Control"]
    results = answer.json()["results"]
    assert [r["id"] for r in results] == [earlier.pk]
    assert results[0]["verdict"] == "Inaccurate" and results[0]["state"] == "Published"
    assert results[0]["score"] >= answer.json()["threshold"]
    assert results[0]["url"] == f"/admin/desk/claim/{earlier.pk}/change/"
    assert results[0]["public_url"] == earlier.get_absolute_url()


def test_only_matches_above_the_threshold_are_offered(make_claim, staff, login):
    make_claim(statement="Canada and Korea discussed trade, energy and critical minerals at length.")
    results = login(staff.reporter).get(URL, {"q": TYPED}).json()["results"]
    assert results == []


def test_a_claim_is_not_its_own_earlier_check(earlier, staff, login):
    results = login(staff.reporter).get(URL, {"q": EARLIER, "exclude": earlier.pk}).json()["results"]
    assert earlier.pk not in [r["id"] for r in results]


def test_short_input_is_not_looked_up_and_long_input_is_refused(earlier, staff, login, django_assert_max_num_queries):
    client = login(staff.reporter)
    client.get(URL, {"q": "warm up the session"})
    with django_assert_max_num_queries(4):  # session, user, permissions: no look-up
        short = client.get(URL, {"q": "Canada signed"})
    assert short.status_code == 200 and short.json()["results"] == []
    too_long = client.get(URL, {"q": "word " * 400})
    assert too_long.status_code == 400 and "at most" in too_long.json()["error"]
    assert client.get(URL, {"q": "\x00" * 50, "exclude": "abc"}).status_code == 200


def test_the_endpoint_is_rate_limited_per_person(earlier, staff, login, monkeypatch):
    monkeypatch.setattr(intake, "RATE_PER_MINUTE", 3)
    cache.clear()
    client = login(staff.reporter)
    statuses = [client.get(URL, {"q": f"{TYPED} {n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert login(staff.verifier).get(URL, {"q": TYPED}).status_code == 200  # another person is not held up


def test_the_endpoint_is_for_staff_who_may_see_claims(earlier, make_user, make_staff, login, client):
    assert client.get(URL, {"q": TYPED}).status_code == 302
    assert login(make_user()).get(URL, {"q": TYPED}).status_code == 302
    refused = login(make_staff(None)).get(URL, {"q": TYPED})
    assert refused.status_code == 403 and EARLIER not in refused.content.decode()


def test_the_add_form_links_the_repeat_chosen_while_typing(earlier, make_source, staff, login):
    source = make_source()
    client = login(staff.reporter)
    form = client.get("/admin/desk/claim/add/").content.decode()
    assert 'data-earlier-checks="/admin/desk/claim/earlier-checks/"' in form
    assert "desk/earlier-checks.js" in form
    response = client.post(
        "/admin/desk/claim/add/",
        {"statement": TYPED, "claimant": "A wire service", "source": source.pk, "quote": "announced the new",
         "repeats": earlier.pk, "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0, "_save": "Save"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Claim.objects.get(statement=TYPED).earlier_check == earlier


def test_the_reading_page_links_the_repeat_chosen_while_typing(earlier, make_source, staff, login):
    source = make_source()
    client = login(staff.reporter)
    page = client.get(f"/admin/desk/source/{source.pk}/read/").content.decode()
    assert 'name="claim-repeats"' in page and "desk/earlier-checks.js" in page
    client.post(
        f"/admin/desk/source/{source.pk}/read/",
        {"claim-statement": TYPED, "claim-claimant": "", "claim-quote": "announced the new",
         "claim-repeats": earlier.pk, "mark_claim": "1"},
    )  # fmt: skip
    assert Claim.objects.get(statement=TYPED).earlier_check == earlier


def test_a_retracted_earlier_check_cannot_be_chosen(make_claim, make_source, staff, login):
    gone = make_claim(statement=EARLIER, state=State.RETRACTED)
    source = make_source()
    response = login(staff.reporter).post(
        f"/admin/desk/source/{source.pk}/read/",
        {"claim-statement": TYPED, "claim-quote": "announced the new", "claim-repeats": gone.pk,
         "mark_claim": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "retracted or no longer exists" in response.content.decode()
    assert not Claim.objects.filter(statement=TYPED).exists()
