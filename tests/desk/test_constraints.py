"""Integrity held by the database itself, not only by forms."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tracker.desk.choices import AgreementKind, AgreementStatus, MeetingFormat, PartyKind, State, Verdict
from tracker.desk.models import (
    Agreement,
    AgreementStatusChange,
    Claim,
    Correction,
    Meeting,
    Party,
    Person,
    PublishedRecordDeletion,
    Role,
    Source,
)


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_a_country_code_must_have_two_letters(db):
    refused(lambda: Party.objects.create(code="CAN", name="Canada", kind=PartyKind.COUNTRY))
    Party.objects.create(code="APEC", name="APEC", kind=PartyKind.ORGANISATION)


def test_party_codes_are_upper_case(db):
    refused(lambda: Party.objects.create(code="ca", name="Canada"))


def test_the_same_text_cannot_be_archived_twice(make_source):
    source = make_source()
    refused(
        lambda: Source.objects.create(
            slug="again", title="t", publisher="p", kind="news", reliability="unverified", text=source.text
        )
    )


def test_the_same_url_cannot_be_archived_twice(make_source):
    make_source(url="https://example.org/readout")
    refused(lambda: make_source(url="https://example.org/readout"))


def test_a_known_date_needs_a_precision_and_an_unknown_one_none(make_source):
    refused(lambda: make_source(published_on=dt.date(2025, 11, 1), published_precision="unknown"))
    refused(lambda: make_source(published_on=None, published_precision="day"))


def test_the_reviewer_cannot_be_the_drafter(make_claim, make_user):
    user = make_user()
    refused(lambda: make_claim(drafted_by=user, reviewed_by=user))


def test_a_published_verdict_needs_a_rationale(make_claim):
    refused(lambda: make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, rationale=""))


def test_a_meeting_cannot_end_before_it_starts(db):
    refused(
        lambda: Meeting.objects.create(
            slug="m",
            title="m",
            start_date=dt.date(2025, 10, 29),
            end_date=dt.date(2025, 10, 28),
            format=MeetingFormat.BILATERAL,
        )
    )


def test_a_role_cannot_end_before_it_starts(db):
    person = Person.objects.create(slug="p", name="P")
    refused(
        lambda: Role.objects.create(
            person=person, title="t", start_date=dt.date(2025, 6, 4), end_date=dt.date(2025, 1, 1)
        )
    )


def test_a_correction_belongs_to_exactly_one_record(make_claim, make_source):
    claim = make_claim()
    refused(lambda: Correction.objects.create(note="n"))
    refused(lambda: Correction.objects.create(note="n", claim=claim, source=make_source()))
    refused(lambda: Correction.objects.create(note="", claim=claim))


def test_an_agreement_status_step_is_unique_and_dated(make_source):
    agreement = Agreement.objects.create(slug="a", title="A", kind=AgreementKind.MOU)
    source = make_source()
    AgreementStatusChange.objects.create(
        agreement=agreement, status="signed", date=dt.date(2025, 10, 29), source=source
    )
    refused(
        lambda: AgreementStatusChange.objects.create(
            agreement=agreement, status="signed", date=dt.date(2025, 10, 29), source=source
        )
    )
    refused(
        lambda: AgreementStatusChange.objects.create(
            agreement=agreement, status="in_force", date=dt.date(2025, 11, 1), date_precision="unknown", source=source
        )
    )


def test_current_status_follows_the_latest_dated_step(make_source):
    agreement = Agreement.objects.create(slug="a", title="A", kind=AgreementKind.FREE_TRADE)
    source = make_source()
    later = AgreementStatusChange.objects.create(
        agreement=agreement, status=AgreementStatus.UNDER_NEGOTIATION, date=dt.date(2025, 10, 31), source=source
    )
    AgreementStatusChange.objects.create(
        agreement=agreement, status=AgreementStatus.ANNOUNCED, date=dt.date(2025, 10, 1), source=source
    )
    agreement.refresh_from_db()
    assert agreement.current_status == AgreementStatus.UNDER_NEGOTIATION
    assert agreement.status_since == dt.date(2025, 10, 31)
    later.delete()
    agreement.refresh_from_db()
    assert agreement.current_status == AgreementStatus.ANNOUNCED


def test_a_role_title_resolves_to_one_person_on_a_date(db):
    korea = Party.objects.create(code="KR", name="Republic of Korea")
    yoon = Person.objects.create(slug="yoon", name="Yoon Suk Yeol")
    lee = Person.objects.create(slug="lee", name="Lee Jae-myung")
    title = "President of the Republic of Korea"
    Role.objects.create(
        person=yoon, title=title, party=korea, start_date=dt.date(2022, 5, 10), end_date=dt.date(2025, 4, 4)
    )
    Role.objects.create(person=lee, title=title, party=korea, start_date=dt.date(2025, 6, 4))
    holders = Role.objects.filter(title=title).held_on(dt.date(2025, 10, 29))
    assert [role.person for role in holders] == [lee]


def test_two_people_cannot_hold_the_same_role_at_once(db):
    from django.core.exceptions import ValidationError

    a = Person.objects.create(slug="a", name="A")
    b = Person.objects.create(slug="b", name="B")
    Role.objects.create(person=a, title="Prime Minister of Canada", start_date=dt.date(2025, 3, 14))
    overlapping = Role(person=b, title="Prime Minister of Canada", start_date=dt.date(2025, 6, 1))
    with pytest.raises(ValidationError, match="Another person holds"):
        overlapping.full_clean()


def test_a_published_record_cannot_be_deleted(make_claim):
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.NOT_RATED)
    with pytest.raises(PublishedRecordDeletion):
        claim.delete()
    with pytest.raises(PublishedRecordDeletion):
        Claim.objects.filter(pk=claim.pk).delete()
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_a_draft_that_was_never_published_can_be_deleted(make_claim):
    claim = make_claim()
    claim.delete()
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_published_returns_only_published_records(make_claim):
    draft = make_claim()
    in_review = make_claim(state=State.IN_REVIEW)
    published = make_claim(state=State.PUBLISHED)
    retracted = make_claim(state=State.RETRACTED)
    assert list(Claim.objects.published()) == [published]
    assert {draft, in_review, retracted}.isdisjoint(Claim.objects.published())
