"""Every claim and source in the pipeline has an assignee: take it, assign it, hand it on."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracker.desk import services as desk_services
from tracker.desk.choices import State
from tracker.newsroom import services
from tracker.newsroom.models import Assignment, Kind, Notification

from .conftest import messages_of

ASSIGN = "/admin/newsroom/assign/"


def assign(client, record, to, **extra):
    kind = "claim" if hasattr(record, "statement") else "source"
    return client.post(ASSIGN, {"kind": kind, "id": record.pk, "to": to, **extra}, follow=True)


def test_a_new_draft_and_a_new_source_are_assigned_to_whoever_made_them(desk, make_claim, make_source):
    source = make_source(state=State.DRAFT, by=desk.rita)
    claim = make_claim(drafted_by=desk.rita)
    assert services.assignee_of(source) == desk.rita
    assert services.assignee_of(claim) == desk.rita


def test_a_verifier_takes_a_claim_in_review_and_the_page_says_so(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    client = login(desk.vera)
    page = client.get(reverse("admin:desk_claim_change", args=[claim.pk]))
    assert "Take it" in page.content.decode()
    response = assign(client, claim, "me")
    assert "You took it." in messages_of(response)
    assert services.assignee_of(claim) == desk.vera
    assert "Assigned to\n    <strong>Vera Vance</strong>" in response.content.decode()


def test_an_editor_assigns_anyone_and_they_are_told(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    response = assign(login(desk.ed), claim, desk.vera.pk)
    assert "Handed to Vera Vance; they have been told." in messages_of(response)
    note = Notification.objects.get(recipient=desk.vera)
    assert note.kind == Kind.REVIEW and note.claim == claim and "waits for your review" in note.text


def test_a_reporter_cannot_take_or_hand_on_someone_elses_claim(desk, make_claim, make_staff, login):
    other = make_staff("Reporter", "otto")
    claim = make_claim(drafted_by=other, state=State.IN_REVIEW)
    client = login(desk.rita)
    for to in ("me", desk.ed.pk, desk.vera.pk):
        response = assign(client, claim, to)
        assert response.status_code == 200
        assert any("not yours to hand on" in m or "Only someone" in m for m in messages_of(response)), to
    assert services.assignee_of(claim) == other
    assert not Notification.objects.exists()


def test_the_reporter_hands_their_own_claim_only_to_someone_who_can_move_it(desk, make_claim, make_staff, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    other = make_staff("Reporter", "otto")
    client = login(desk.rita)
    response = assign(client, claim, other.pk)
    assert "Otto" in " ".join(messages_of(response)) or "otto cannot take" in " ".join(messages_of(response))
    assert services.assignee_of(claim) == desk.rita
    assign(client, claim, desk.vera.pk)
    assert services.assignee_of(claim) == desk.vera


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "claim", "id": "abc", "to": "me"},
        {"kind": "claim", "id": "9" * 30, "to": "me"},
        {"kind": "agreement", "id": "1", "to": "me"},
        {"kind": "claim\x00", "id": "1", "to": "me"},
    ],
)
def test_a_crafted_assignment_of_nothing_is_a_404(desk, login, data):
    assert login(desk.ed).post(ASSIGN, data).status_code == 404


def test_odd_assignees_are_refused_with_a_message_and_change_nothing(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    client = login(desk.ed)
    for to in ("", "abc", "9" * 40, "\x00", "99999"):
        response = assign(client, claim, to)
        assert response.status_code == 200
        assert "That person is not on the desk or cannot see this claim." in messages_of(response)
    assert services.assignee_of(claim) == desk.rita


def test_a_published_record_is_not_assigned(desk, make_claim, login):
    claim = make_claim(state=State.PUBLISHED)
    response = assign(login(desk.ed), claim, desk.vera.pk)
    assert any("only drafts and records in review" in m for m in messages_of(response))
    assert not Assignment.objects.filter(claim=claim, assignee=desk.vera).exists()


def test_assigning_is_a_post(desk, login):
    assert login(desk.ed).get(ASSIGN).status_code == 405


def test_a_redirect_elsewhere_is_not_followed(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    client = login(desk.ed)
    data = {"kind": "claim", "id": claim.pk, "to": desk.vera.pk, "next": "https://evil.example/"}
    response = client.post(ASSIGN, data)
    assert response["Location"] == reverse("admin:desk_claim_change", args=[claim.pk])


def test_sending_back_gives_the_claim_back_to_its_reporter_and_tells_them(desk, make_claim):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    services.assign(record=claim, to=desk.vera, by=desk.vera)
    desk_services.claim_send_back(claim=claim, by=desk.vera, comment="Find the second source.")
    assert services.assignee_of(claim) == desk.rita
    note = Notification.objects.get(recipient=desk.rita)
    assert note.kind == Kind.SENT_BACK and "Find the second source." in note.text


def test_the_claim_list_filters_by_assignee(desk, make_claim, login):
    mine = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW, statement="Mine to review")
    make_claim(drafted_by=desk.rita, state=State.IN_REVIEW, statement="Rita keeps this")
    services.assign(record=mine, to=desk.vera, by=desk.vera)
    page = login(desk.vera).get(reverse("admin:desk_claim_changelist") + "?assignee=me").content.decode()
    assert "Mine to review" in page and "Rita keeps this" not in page
    page = login(desk.vera).get(reverse("admin:desk_claim_changelist") + "?assignee=others").content.decode()
    assert "Rita keeps this" in page and "Mine to review" not in page


def test_the_staff_home_shows_what_is_assigned_to_me_and_my_unread_notifications(
    desk, make_claim, login, django_assert_max_num_queries
):
    for n in range(3):
        claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW, statement=f"Review me {n}")
        services.assign(record=claim, to=desk.vera, by=desk.ed)
    client = login(desk.vera)
    client.get("/admin/")
    with django_assert_max_num_queries(40):
        page = client.get("/admin/").content.decode()
    assert "Notifications (3 unread)" in page
    assert "Assigned to me" in page and "Review me 2" in page


def test_my_submissions_says_what_became_of_each(desk, make_claim, make_source, login, staff):
    make_claim(drafted_by=desk.rita, statement="Still a draft")
    make_claim(drafted_by=desk.rita, state=State.IN_REVIEW, statement="Waiting")
    make_claim(drafted_by=desk.rita, state=State.PUBLISHED, statement="Out there")
    back = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW, statement="Bounced")
    desk_services.claim_send_back(claim=back, by=desk.vera, comment="Quote the readout, not the report.")
    withdrawn = make_claim(drafted_by=desk.rita, state=State.PUBLISHED, statement="Pulled")
    desk_services.claim_withdraw(claim=withdrawn, by=staff.editor, reason="A new readout contradicts it.")
    make_claim(statement="Not hers")
    page = login(desk.rita).get(reverse("admin:newsroom_submissions")).content.decode()
    for statement, fate in [
        ("Still a draft", "Draft"),
        ("Waiting", "In review"),
        ("Out there", "Published"),
        ("Bounced", "Sent back"),
        ("Pulled", "Withdrawn to review"),
    ]:
        row = page.split(statement, 1)[1].split("</tr>", 1)[0]
        assert f"<strong>{fate}</strong>" in row, statement
    assert "Quote the readout, not the report." in page and "A new readout contradicts it." in page
    assert "Not hers" not in page


def test_my_submissions_costs_the_same_however_many(desk, make_claim, make_source, login):
    client = login(desk.rita)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:newsroom_submissions")).status_code == 200
        return len(captured.captured_queries)

    make_claim(drafted_by=desk.rita)
    one = queries()
    for _ in range(4):
        make_claim(drafted_by=desk.rita)
        make_source(state=State.DRAFT, by=desk.rita)
    assert queries() == one <= 12
