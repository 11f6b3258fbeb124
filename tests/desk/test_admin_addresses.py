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
def test_an_id_beyond_any_record_is_a_404(login, make_staff, page):
    assert login(make_staff("Editor")).get(page.format("9" * 30)).status_code == 404


@pytest.mark.parametrize("passage", ["abc", "1.5", "%00", "9" * 30, ""])
def test_attaching_a_passage_that_is_not_one_is_a_404_and_attaches_nothing(login, make_staff, make_claim, passage):
    claim = make_claim()
    response = login(make_staff("Editor")).post(
        f"/admin/desk/claim/{claim.pk}/candidates/", {"passage": passage, "stance": "supports"}
    )

    assert response.status_code == 404
    assert not Claim.objects.get(pk=claim.pk).evidence.exists()
