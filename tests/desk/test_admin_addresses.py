"""The desk's own admin pages of one record: an id that is not a number is a 404."""

import pytest

from tracker.desk.models import Claim

DESK_PAGES = [
    "/admin/desk/source/{}/read/",
    "/admin/desk/claim/{}/candidates/",
    "/admin/desk/claim/{}/workflow/publish/",
    "/admin/desk/source/{}/workflow/publish/",
    "/admin/desk/agreement/{}/workflow/publish/",
    "/admin/desk/meeting/{}/workflow/publish/",
    "/admin/desk/person/{}/workflow/publish/",
]


@pytest.mark.parametrize("page", DESK_PAGES)
@pytest.mark.parametrize("object_id", ["abc", "%00", "1%00", "%D9%A1", "1.0", "-1", "1/2", " 1"])
def test_a_non_numeric_id_in_a_desk_address_is_a_404(login, make_staff, page, object_id):
    response = login(make_staff("Editor")).get(page.format(object_id))

    assert response.status_code == 404


@pytest.mark.parametrize("page", DESK_PAGES)
@pytest.mark.parametrize("digits", [30, 5000])  # int() refuses more than 4,300 digits
def test_an_id_beyond_any_record_is_a_404(login, make_staff, page, digits):
    assert login(make_staff("Editor")).get(page.format("9" * digits)).status_code == 404


@pytest.mark.parametrize("passage", ["abc", "1.5", "%00", "9" * 30, "9" * 5000, ""])
def test_attaching_a_passage_that_is_not_one_is_a_404_and_attaches_nothing(login, make_staff, make_claim, passage):
    claim = make_claim()
    response = login(make_staff("Editor")).post(
        f"/admin/desk/claim/{claim.pk}/candidates/", {"passage": passage, "stance": "supports"}
    )

    assert response.status_code == 404
    assert not Claim.objects.get(pk=claim.pk).evidence.exists()


@pytest.mark.parametrize(
    "page", ["/admin/desk/claim/{}/history/", "/admin/desk/claim/1/history/{}/", "/admin/desk/party/{}/history/"]
)
@pytest.mark.parametrize("bad_id", ["abc", "%00", "1.5"])
def test_a_non_numeric_id_in_a_history_address_is_a_404(login, make_staff, make_claim, page, bad_id):
    make_claim()

    assert login(make_staff("Editor")).get(page.format(bad_id)).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "/admin/desk/claim/?state=%00",
        "/admin/desk/claim/?verdict__exact=%00",
        "/admin/desk/source/?language=%00",
        "/admin/desk/claimforreview/?verdict__exact=%00",
        "/admin/desk/meeting/?start_date__year=9999",  # the year after it is not a date
        "/admin/desk/meeting/?start_date__year=9999&start_date__month=12",
        "/admin/desk/meeting/?start_date__year=99999999999999999999",
    ],
)
def test_a_list_filter_the_database_cannot_take_is_an_invalid_lookup(login, make_staff, query):
    response = login(make_staff("Editor")).get(query)

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")  # the admin's own answer: the list, with a note


def test_a_nul_in_an_autocomplete_search_finds_nothing(login, make_staff, make_source):
    make_source(title="Readout")
    response = login(make_staff("Editor")).get(
        "/admin/autocomplete/", {"term": "Read\x00", "app_label": "desk", "model_name": "claim", "field_name": "source"}
    )

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_review_queues_history_pages_are_the_claims(login, make_staff, make_claim):
    claim = make_claim()
    client = login(make_staff("Verifier"))

    history = client.get(f"/admin/desk/claimforreview/{claim.pk}/history/")
    version = client.get(f"/admin/desk/claimforreview/{claim.pk}/history/1/")

    assert (history.status_code, history["Location"]) == (302, f"/admin/desk/claim/{claim.pk}/history/")
    assert (version.status_code, version["Location"]) == (302, f"/admin/desk/claim/{claim.pk}/history/1/")


def test_a_topics_past_version_page_reads_without_a_server_error(login, make_staff, make_topic):
    topic = make_topic("defence", "Defence")
    version = topic.history.earliest().history_id
    client = login(make_staff("Editor"))

    response = client.get(f"/admin/desk/topic/{topic.pk}/history/{version}/")
    added = client.get("/admin/desk/topic/add/")

    assert response.status_code == 200
    assert "Defence" in response.content.decode()
    assert "prepopulated" in added.content.decode()  # the slug still fills from the name on adding
