"""The event log: each service that changes the public record writes exactly one
event, in the same transaction; a draft's changes write none."""

import datetime as dt

import pytest
from django.db import transaction

from tracker.desk import services
from tracker.desk.choices import AgreementStatus, State, Verdict
from tracker.desk.models import Party, Topic
from tracker.events.models import Event


def kinds(**filters) -> list[tuple[str, str, str]]:
    return list(Event.objects.filter(**filters).values_list("record_type", "record_slug", "kind"))


@pytest.fixture
def since():
    """The events written after this point, in order."""

    class Since:
        def __init__(self):
            self.mark = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0

        def __call__(self, *record_types):
            found = kinds(id__gt=self.mark)
            return [e for e in found if e[0] in record_types] if record_types else found

    return Since


def test_a_drafts_whole_life_before_publication_writes_no_event(make_claim, make_source, staff):
    claim = make_claim(state=State.DRAFT)
    services.claim_edit(claim=claim, by=staff.reporter, fields={"statement": "A secret draft statement"})
    claim = services.claim_submit(claim=claim, by=staff.reporter)
    services.claim_send_back(claim=claim, by=staff.verifier, comment="Fix the quote")
    assert not Event.objects.filter(record_type="claim").exists()
    assert not Event.objects.filter(title__contains="secret").exists()


def test_publishing_a_claim_writes_one_published_event_with_its_verdict(make_claim, since):
    after = since()
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE)
    assert after("claim") == [("claim", claim.slug, "published")]
    event = Event.objects.get(record_type="claim")
    assert event.changes == [{"field": "verdict", "new": "accurate"}]
    assert event.title == claim.statement
    assert event.record_id == claim.pk


def test_publishing_a_claim_publishes_its_draft_source_with_an_event(make_claim, make_source, staff, since):
    source = make_source(state=State.DRAFT)
    after = since()
    claim = make_claim(source=source, state=State.PUBLISHED)
    assert ("source", source.slug, "published") in after()
    assert after()[-1] == ("claim", claim.slug, "published")


def test_a_correction_records_old_and_new_values_and_the_public_note(make_claim, staff, since):
    claim = make_claim(state=State.PUBLISHED)
    after = since()
    services.claim_edit(claim=claim, by=staff.editor, fields={"statement": "A better statement"}, note="Reworded.")
    assert after() == [("claim", claim.slug, "corrected")]
    event = Event.objects.latest("id")
    assert event.note == "Reworded."
    assert event.changes == [{"field": "statement", "old": claim.statement, "new": "A better statement"}]


def test_a_verdict_correction_is_its_own_kind(make_claim, staff, since):
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE)
    after = since()
    services.claim_correct(
        claim=claim, by=staff.editor, note="We misread it.", verdict=Verdict.MOSTLY_ACCURATE, rationale="Mostly."
    )
    assert after() == [("claim", claim.slug, "verdict_corrected")]
    event = Event.objects.latest("id")
    assert {"field": "verdict", "old": "accurate", "new": "mostly_accurate"} in event.changes
    assert event.note == "We misread it."


def test_withdrawing_writes_a_withdrawn_event_with_its_public_reason_and_no_draft(make_claim, staff, since):
    claim = make_claim(state=State.PUBLISHED)
    after = since()
    claim = services.claim_withdraw(claim=claim, by=staff.editor, reason="A new readout may change the verdict.")
    services.claim_edit(claim=claim, by=staff.verifier, fields={"statement": "Reworded in review, unpublished"})
    assert after() == [("claim", claim.slug, "withdrawn")]
    event = Event.objects.latest("id")
    # The reason is shown on the claim's page while it is under review: it is public.
    assert event.note == "A new readout may change the verdict." and event.changes == []
    assert "unpublished" not in event.title and "unpublished" not in str(event.snapshot)


def test_republishing_after_review_writes_what_changed_since_readers_last_saw_it(make_claim, staff, since):
    claim = make_claim(state=State.PUBLISHED)
    old = claim.statement
    claim = services.claim_withdraw(claim=claim, by=staff.editor, reason="Check again")
    claim = services.claim_edit(claim=claim, by=staff.verifier, fields={"statement": "Draft text"})
    claim = services.claim_edit(claim=claim, by=staff.verifier, fields={"statement": "Republished text"})
    after = since()
    services.claim_publish(claim=claim, by=staff.editor, verdict=Verdict.ACCURATE, rationale="Still right.",
                           note="We reworded the claim.")  # fmt: skip
    assert after() == [("claim", claim.slug, "republished")]
    event = Event.objects.latest("id")
    assert event.title == "Republished text" and event.note == "We reworded the claim."
    # Old values are those readers saw before the withdrawal, never the drafts in between.
    assert {"field": "statement", "old": old, "new": "Republished text"} in event.changes
    assert "Draft text" not in str(event.changes)


def test_retracting_a_claim_writes_the_retraction_note(make_claim, staff, since):
    claim = make_claim(state=State.PUBLISHED)
    after = since()
    services.claim_retract(claim=claim, by=staff.editor, note="The quote was misread.")
    assert after() == [("claim", claim.slug, "retracted")]
    assert Event.objects.latest("id").note == "The quote was misread."


def test_a_published_claims_new_link_is_an_update_naming_the_public_record(make_claim, make_agreement, link, since):
    claim = make_claim(state=State.PUBLISHED)
    public = make_agreement()
    draft = make_agreement(state=State.DRAFT, title="Secret draft agreement")
    after = since()
    link(claim, agreements=[draft])
    assert after() == []  # only an unpublished record changed: nothing a reader sees
    link(claim, agreements=[public])
    assert after() == [("claim", claim.slug, "updated")]
    event = Event.objects.latest("id")
    assert event.changes == [{"field": "agreements", "old": [], "new": [public.slug]}]
    assert draft.slug not in str(event.changes)
    # The agreement's feed shows the claim now about it.
    assert event in Event.objects.concerning("agreement", public.pk)
    assert not Event.objects.concerning("agreement", draft.pk).exists()


def test_an_agreement_status_step_is_a_status_change(make_agreement, add_status, since):
    agreement = make_agreement()
    after = since()
    add_status(agreement, AgreementStatus.ANNOUNCED, dt.date(2025, 10, 29))
    assert after("agreement") == [("agreement", agreement.slug, "status_changed")]
    changes = {c["field"]: c for c in Event.objects.latest("id").changes}
    assert changes["status"]["old"] == "" and changes["status"]["new"] == "announced"


def test_a_draft_agreements_steps_write_nothing_until_it_is_published(make_agreement, add_status, staff, since):
    after = since()
    agreement = make_agreement(state=State.DRAFT)
    add_status(agreement, AgreementStatus.ANNOUNCED)
    assert after("agreement") == []
    services.record_publish(record=agreement, by=staff.editor)
    assert after("agreement")[-1] == ("agreement", agreement.slug, "published")
    assert Event.objects.latest("id").changes[0] == {"field": "status", "new": "announced"}


def test_an_agreement_edit_with_a_note_is_a_correction_and_a_retraction_is_one_event(
    make_agreement, staff, correct, since
):
    agreement = make_agreement()
    after = since()
    correct(agreement, note="The title was wrong.")
    services.record_retract(record=agreement, by=staff.editor, note="Never existed.")
    assert after() == [("agreement", agreement.slug, "corrected"), ("agreement", agreement.slug, "retracted")]
    notes = [e.note for e in Event.objects.filter(record_type="agreement")]
    assert notes[-2:] == ["The title was wrong.", "Never existed."]


def test_a_published_meeting_is_an_event_of_the_people_and_agreements_it_concerns(
    make_meeting, make_person, make_agreement, since
):
    person, hidden = make_person(), make_person(state=State.DRAFT)
    agreement = make_agreement()
    after = since()
    meeting = make_meeting([person, hidden], outcome_agreements=[agreement])
    assert after("meeting") == [("meeting", meeting.slug, "published")]
    event = Event.objects.get(record_type="meeting")
    assert event in Event.objects.concerning("person", person.pk)
    assert event in Event.objects.concerning("agreement", agreement.pk)
    assert not Event.objects.concerning("person", hidden.pk).exists()


def test_a_published_persons_role_correction_is_its_own_kind(make_person, staff, since):
    person = make_person()
    after = since()
    services.record_edit(
        record=person, by=staff.editor, rows={"roles": services.Rows(add=[{"title": "Minister of Trade"}])}
    )
    assert after() == [("person", person.slug, "roles_changed")]


def test_parties_and_topics_are_public_from_creation_to_deletion(staff, since):
    after = since()
    party = services.record_create(model=Party, by=staff.editor, fields={"code": "ZZ", "name": "Zedland"})
    topic = services.record_create(model=Topic, by=staff.editor, fields={"slug": "fish", "name": "Fish"})
    services.record_edit(record=party, by=staff.editor, fields={"name": "Zedland Republic"})
    services.record_delete(record=topic, by=staff.editor)
    assert after() == [
        ("party", "ZZ", "published"),
        ("topic", "fish", "published"),
        ("party", "ZZ", "updated"),
        ("topic", "fish", "removed"),
    ]
    published = Event.objects.get(kind="published", record_type="topic")
    assert Event.objects.get(kind="removed").record_id == published.record_id


def test_retracting_a_source_writes_its_event_and_its_claims_corrections(make_claim, make_source, staff, since):
    quoted = make_source()
    claim = make_claim(state=State.PUBLISHED)
    services.evidence_attach(
        claim=claim, by=staff.editor, source=quoted, quote="Security and Defence", stance="supports",
        correction_note="One more quote.",
    )  # fmt: skip
    after = since()
    services.record_retract(record=quoted, by=staff.editor, note="A forgery.")
    assert after() == [("source", quoted.slug, "retracted"), ("claim", claim.slug, "corrected")]
    assert Event.objects.latest("id").changes == [{"field": "evidence"}]


def test_a_source_text_correction_names_the_text_without_repeating_it(make_source, staff, since):
    source = make_source()
    after = since()
    services.source_edit(source=source, by=staff.editor, fields={"text": source.text + " More."}, note="Fixed OCR.")
    services.source_edit(source=source, by=staff.editor, fields={"title": "Better title"})
    assert after() == [("source", source.slug, "corrected"), ("source", source.slug, "updated")]
    text_event, title_event = Event.objects.order_by("-id")[:2][::-1]
    assert text_event.changes == [{"field": "text"}] and text_event.note == "Fixed OCR."
    assert title_event.changes == [{"field": "title", "old": source.title, "new": "Better title"}]
    assert title_event.note == ""


def test_a_refused_change_writes_no_event(make_claim, staff, since):
    claim = make_claim(state=State.PUBLISHED)
    after = since()
    with pytest.raises(services.WorkflowError), transaction.atomic():
        services.claim_edit(claim=claim, by=staff.editor, fields={"statement": "No note given"})
    assert after() == []


def test_event_ids_increase_with_time(make_claim, correct):
    claim = make_claim(state=State.PUBLISHED)
    correct(claim)
    events = list(Event.objects.order_by("id"))
    assert [e.at for e in events] == sorted(e.at for e in events)
