"""Internal comments: a thread on every claim and source, on a field or an evidence row,
with @mentions that reach the mentioned person's mail through the worker."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.delivery.conftest import run_worker_until_idle
from tracker.desk.choices import State
from tracker.newsroom import services
from tracker.newsroom.models import Comment, Kind, Notification

from .conftest import messages_of

COMMENT = "/admin/newsroom/comment/"


def comment(client, record, body, **extra):
    kind = "claim" if hasattr(record, "statement") else "source"
    return client.post(COMMENT, {"kind": kind, "id": record.pk, "body": body, **extra}, follow=True)


def test_a_mention_reaches_the_mentioned_persons_mail_through_the_worker(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    response = comment(login(desk.rita), claim, "@vera can you check the second quote?")
    assert "Comment added." in messages_of(response)
    assert mail.outbox == []  # nothing is sent in the request: the worker sends it
    run_worker_until_idle()
    [message] = mail.outbox
    assert message.to == ["vera@desk.example"]
    assert "Rita Reyes mentioned you" in message.body and "can you check the second quote?" in message.body
    assert reverse("admin:desk_claim_change", args=[claim.pk]) in message.body
    run_worker_until_idle()
    assert len(mail.outbox) == 1  # once


def test_the_thread_shows_on_the_change_page_with_field_evidence_and_state(desk, make_claim, make_evidence, login):
    claim = make_claim(drafted_by=desk.rita)
    evidence = make_evidence(claim, quote="Security and Defence")
    client = login(desk.rita)
    comment(client, claim, "Whole claim: fine.")
    comment(client, claim, "The rationale overstates it.", field="rationale")
    comment(client, claim, "Is this the right passage?", evidence=evidence.pk)
    page = client.get(reverse("admin:desk_claim_change", args=[claim.pk])).content.decode()
    assert "Internal comments (3)" in page
    assert "on <em>rationale</em>" in page and "on the evidence “Security and Defence”" in page
    first = Comment.objects.get(body="Whole claim: fine.")
    client.post("/admin/newsroom/comment/resolve/", {"comment": first.pk})
    first.refresh_from_db()
    assert first.resolved_at is not None and first.resolved_by == desk.rita
    assert "resolved by Rita Reyes" in client.get(reverse("admin:desk_claim_change", args=[claim.pk])).content.decode()


def test_a_source_has_a_thread_too(desk, make_source, login):
    source = make_source(state=State.DRAFT, by=desk.rita)
    client = login(desk.vera)
    comment(client, source, "@rita the date is unclear", field="published_on")
    page = client.get(reverse("admin:desk_source_change", args=[source.pk])).content.decode()
    assert "the date is unclear" in page
    assert Notification.objects.get(recipient=desk.rita).kind == Kind.MENTIONED


@pytest.mark.parametrize(
    ("body", "extra", "says"),
    [
        ("Ask @nobody-here about it", {}, "Nobody on the desk is called @nobody-here"),
        ("", {}, "This field is required."),
        ("   ", {}, "This field is required."),
        ("bad\x00byte", {}, "Null characters are not allowed."),
        ("x" * 4001, {}, "at most 4000 characters"),
        ("on a made-up field", {"field": "secret"}, "A claim has no field “secret”"),
        ("on no evidence", {"evidence": "99999"}, "There is no such evidence row."),
        ("on odd evidence", {"evidence": "1e3"}, "There is no such evidence row."),
    ],
)
def test_a_bad_comment_is_refused_with_a_clear_message_and_nothing_is_saved(desk, make_claim, login, body, extra, says):
    claim = make_claim(drafted_by=desk.rita)
    response = comment(login(desk.rita), claim, body, **extra)
    assert response.status_code == 400
    assert says in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    assert not Comment.objects.exists() and not Notification.objects.exists()


def test_a_comment_on_another_claims_evidence_is_refused(desk, make_claim, make_evidence, login):
    claim, other = make_claim(drafted_by=desk.rita), make_claim(drafted_by=desk.rita)
    evidence = make_evidence(other)
    response = comment(login(desk.rita), claim, "Wrong row", evidence=evidence.pk)
    assert "That evidence row belongs to another claim." in response.content.decode()
    assert not Comment.objects.exists()


def test_someone_who_cannot_see_the_record_cannot_comment(desk, make_claim, make_staff, login):
    outsider = make_staff(None, "outsider")  # staff in no group: sees no claim
    claim = make_claim(drafted_by=desk.rita)
    response = login(outsider).post(COMMENT, {"kind": "claim", "id": claim.pk, "body": "@vera hello"})
    assert response.status_code == 403
    assert "You cannot see this record" in response.content.decode()
    assert not Comment.objects.exists() and not Notification.objects.exists()


def test_resolving_a_comment_on_a_hidden_record_or_a_made_up_one_is_refused(desk, make_claim, make_staff, login):
    claim = make_claim(drafted_by=desk.rita)
    note = services.comment_add(record=claim, by=desk.rita, body="Open question")
    outsider = login(make_staff(None, "outsider"))
    assert outsider.post("/admin/newsroom/comment/resolve/", {"comment": note.pk}).status_code == 403
    for odd in ("abc", "9" * 30, "\x00", ""):
        assert login(desk.ed).post("/admin/newsroom/comment/resolve/", {"comment": odd}).status_code == 404
    note.refresh_from_db()
    assert note.resolved_at is None


def test_mentioning_yourself_or_someone_twice_tells_each_other_person_once(desk, make_claim):
    claim = make_claim(drafted_by=desk.rita)
    services.comment_add(record=claim, by=desk.rita, body="@rita @vera and again @vera, @ed.")
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["ed", "vera"]


def test_an_email_address_is_not_a_mention(desk, make_claim):
    claim = make_claim(drafted_by=desk.rita)
    services.comment_add(record=claim, by=desk.rita, body="Write to press@vera.example")
    assert not Notification.objects.exists()
