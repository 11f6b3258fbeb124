"""What each role sees in the admin; staff in no group see nothing they cannot use."""

import pytest


def _index_links(client) -> str:
    response = client.get("/admin/")
    assert response.status_code == 200
    return response.content.decode()


def test_staff_in_no_group_see_no_model_and_no_desk_page(login, make_staff, make_claim, make_source):
    client = login(make_staff(None))
    page = _index_links(client)
    assert "have permission to view or edit anything" in page
    claim = make_claim()
    for url in (
        "/admin/desk/claim/",
        "/admin/desk/claimforreview/",
        f"/admin/desk/claim/{claim.pk}/change/",
        f"/admin/desk/claim/{claim.pk}/candidates/",
        f"/admin/desk/claim/{claim.pk}/workflow/publish/",
        f"/admin/desk/source/{make_source().pk}/read/",
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        ("Reporter", ["/admin/desk/source/", "/admin/desk/claim/"], ["/admin/desk/claimforreview/", "/admin/auth/"]),
        ("Verifier", ["/admin/desk/claimforreview/", "/admin/desk/claim/"], ["/admin/rest_framework_api_key/"]),
        ("Editor", ["/admin/desk/agreement/", "/admin/desk/correction/", "/admin/rest_framework_api_key/apikey/"], []),
    ],
)
def test_each_role_sees_its_part_of_the_admin(role, visible, hidden, login, make_staff):
    page = _index_links(login(make_staff(role)))
    for url in visible:
        assert f'href="{url}' in page, url
    for url in hidden:
        assert f'href="{url}' not in page, url


def test_a_reporter_cannot_add_agreements_or_see_the_review_queue(login, make_staff):
    client = login(make_staff("Reporter"))
    assert client.get("/admin/desk/agreement/add/").status_code == 403
    assert client.get("/admin/desk/claimforreview/").status_code == 403
    assert client.get("/admin/desk/source/add/").status_code == 200


def test_a_verifier_cannot_manage_partner_api_keys_but_an_editor_can(login, make_staff):
    assert login(make_staff("Verifier")).get("/admin/rest_framework_api_key/apikey/").status_code == 403
    assert login(make_staff("Editor")).get("/admin/rest_framework_api_key/apikey/add/").status_code == 200
