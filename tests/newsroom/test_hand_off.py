"""Wherever maker-checker refuses a step, the page names who can take it and hands the
record to them in one click (a CSRF-protected POST), telling them."""

from django.test import Client
from django.urls import reverse

from tracker.desk import services as desk_services
from tracker.desk.choices import Stance, State
from tracker.newsroom import services
from tracker.newsroom.models import Kind, Notification


def test_a_reporter_refused_publishing_hands_the_claim_to_a_verifier_from_the_403(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    client = login(desk.rita)
    page = client.get(reverse("admin:desk_claim_workflow", args=[claim.pk, "publish"]))
    assert page.status_code == 403
    html = page.content.decode()
    assert "Hand to Vera Vance" in html and 'name="csrfmiddlewaretoken"' in html
    response = client.post(
        "/admin/newsroom/assign/", {"kind": "claim", "id": claim.pk, "to": desk.vera.pk}, follow=True
    )
    assert response.status_code == 200
    assert services.assignee_of(claim) == desk.vera
    assert Notification.objects.get(recipient=desk.vera).kind == Kind.REVIEW


def test_a_verifier_who_wrote_evidence_is_offered_the_hand_off_on_the_page_and_the_form(
    desk, make_claim, make_source, make_staff, login
):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    desk_services.evidence_attach(
        claim=claim, by=desk.vera, source=make_source(), quote="Security and Defence", stance=Stance.SUPPORTS
    )
    client = login(desk.vera)
    change = client.get(reverse("admin:desk_claim_change", args=[claim.pk])).content.decode()
    assert "Hand to Ed Eno" in change
    form = client.get(reverse("admin:desk_claim_workflow", args=[claim.pk, "publish"])).content.decode()
    assert "maker-checker" in form.lower() or "wrote" in form
    assert "Hand to Ed Eno" in form


def test_the_hand_off_needs_its_csrf_token(desk, make_claim):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    client = Client(enforce_csrf_checks=True)
    client.force_login(desk.rita, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/admin/newsroom/assign/", {"kind": "claim", "id": claim.pk, "to": desk.vera.pk})
    assert response.status_code == 403
    assert services.assignee_of(claim) == desk.rita


def test_an_editor_who_archived_a_source_hands_its_publication_to_a_verifier(desk, make_source, login):
    source = make_source(state=State.DRAFT, by=desk.ed)
    client = login(desk.ed)
    page = client.get(reverse("admin:desk_source_workflow", args=[source.pk, "publish"])).content.decode()
    assert "someone else must publish it" in page and "Hand to Vera Vance" in page
    client.post("/admin/newsroom/assign/", {"kind": "source", "id": source.pk, "to": desk.vera.pk})
    assert services.assignee_of(source) == desk.vera
    assert Notification.objects.get(recipient=desk.vera).kind == Kind.ASSIGNED
    # The refused POST of the publish form published nothing.
    client.post(reverse("admin:desk_source_workflow", args=[source.pk, "publish"]))
    source.refresh_from_db()
    assert source.state == State.DRAFT


def test_a_reporter_refused_publishing_their_source_hands_it_on_from_the_403(desk, make_source, login):
    source = make_source(state=State.DRAFT, by=desk.rita)
    page = login(desk.rita).get(reverse("admin:desk_source_workflow", args=[source.pk, "publish"]))
    assert page.status_code == 403
    html = page.content.decode()
    assert "You are not allowed to publish sources." in html and "Hand to Vera Vance" in html
