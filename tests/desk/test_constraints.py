"""Integrity held by the database itself, not only by the services.

The records around each check are made through the services; the row the database
must refuse is written past them on purpose (objects.create, a bulk update), as a
bulk import or a hand-made fix in the database would.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import effort
from tracker.desk import services
from tracker.desk.choices import AgreementKind, AgreementStatus, MeetingFormat, PartyKind, State
from tracker.desk.models import (
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


def _source_row(**fields):
    values = {"slug": "again", "title": "t", "publisher": "p", "kind": "news", "reliability": "unverified",
              "text": "Another text."}  # fmt: skip
    values.update(fields)
    return Source.objects.create(**values)


def test_a_country_code_must_have_two_letters(db):
    refused(lambda: Party.objects.create(code="CAN", name="Canada", kind=PartyKind.COUNTRY))
    Party.objects.create(code="APEC", name="APEC", kind=PartyKind.ORGANISATION)


def test_party_codes_are_upper_case(db):
    refused(lambda: Party.objects.create(code="ca", name="Canada"))


def test_the_same_text_cannot_be_archived_twice(make_source):
    source = make_source()
    refused(lambda: _source_row(text=source.text))


def test_the_same_url_cannot_be_archived_twice(make_source):
    make_source(url="https://example.org/readout")
    refused(lambda: _source_row(url="https://example.org/readout"))


def test_a_known_date_needs_a_precision_and_an_unknown_one_none(db):
    refused(lambda: _source_row(published_on=dt.date(2025, 11, 1), published_precision="unknown"))
    refused(lambda: _source_row(published_on=None, published_precision="day"))


def test_the_reviewer_cannot_be_the_drafter(make_claim):
    claim = make_claim()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(reviewed_by=F("drafted_by")))


def test_a_published_verdict_needs_a_rationale(make_claim):
    claim = make_claim(state=State.PUBLISHED)
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(rationale=""))


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


def test_a_role_cannot_end_before_it_starts(make_person):
    person = make_person()
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


def test_an_agreement_status_step_is_unique_and_dated(make_agreement, add_status, make_source, staff):
    agreement = make_agreement(kind=AgreementKind.MOU, state=State.DRAFT)
    source = make_source()
    add_status(agreement, status="signed", date=dt.date(2025, 10, 29), source=source)
    again = {"status": "signed", "date": dt.date(2025, 10, 29), "source": source}
    with pytest.raises(services.WorkflowError):
        services.record_edit(record=agreement, by=staff.editor, rows={"status_history": services.Rows(add=[again])})
    refused(lambda: AgreementStatusChange.objects.create(agreement=agreement, **again))
    refused(
        lambda: AgreementStatusChange.objects.create(
            agreement=agreement, status="in_force", date=dt.date(2025, 11, 1), date_precision="unknown", source=source
        )
    )


def test_current_status_follows_the_latest_dated_step(make_agreement, make_source, staff):
    agreement = make_agreement(kind=AgreementKind.FREE_TRADE, state=State.DRAFT)
    source = make_source()

    def steps(**rows):
        return services.record_edit(record=agreement, by=staff.editor, rows={"status_history": services.Rows(**rows)})

    steps(
        add=[
            {"status": AgreementStatus.UNDER_NEGOTIATION, "date": dt.date(2025, 10, 31), "source": source},
            {"status": AgreementStatus.ANNOUNCED, "date": dt.date(2025, 10, 1), "source": source},
        ]
    )
    agreement.refresh_from_db()
    assert agreement.current_status == AgreementStatus.UNDER_NEGOTIATION
    assert agreement.status_since == dt.date(2025, 10, 31)
    later = agreement.status_history.get(status=AgreementStatus.UNDER_NEGOTIATION)
    steps(remove=[later.pk])
    agreement.refresh_from_db()
    assert agreement.current_status == AgreementStatus.ANNOUNCED


def test_a_role_title_resolves_to_one_person_on_a_date(make_party, make_person, staff):
    korea = make_party("KR", name="Republic of Korea")
    title = "President of the Republic of Korea"

    def holding(slug, name, **dates):
        person = make_person(slug=slug, name=name)
        role = {"title": title, "party": korea, **dates}
        return services.record_edit(record=person, by=staff.editor, rows={"roles": services.Rows(add=[role])})

    holding("yoon", "Yoon Suk Yeol", start_date=dt.date(2022, 5, 10), end_date=dt.date(2025, 4, 4))
    lee = holding("lee", "Lee Jae-myung", start_date=dt.date(2025, 6, 4))
    holders = Role.objects.filter(title=title).held_on(dt.date(2025, 10, 29))
    assert [role.person for role in holders] == [lee]


def test_two_people_cannot_hold_the_same_role_at_once(make_person, staff):
    def role(person, start):
        row = {"title": "Prime Minister of Canada", "start_date": start}
        return services.record_edit(record=person, by=staff.editor, rows={"roles": services.Rows(add=[row])})

    role(make_person(slug="a", name="A"), dt.date(2025, 3, 14))
    b = make_person(slug="b", name="B")
    with pytest.raises(services.WorkflowError, match="Another person holds"):
        role(b, dt.date(2025, 6, 1))
    assert not Person.objects.get(slug="b").roles.exists()


def test_a_title_may_change_hands_on_the_day_the_predecessor_leaves(make_person, staff):
    def role(person, start, end=None):
        row = {"title": "Prime Minister of Canada", "start_date": start, "end_date": end}
        return services.record_edit(record=person, by=staff.editor, rows={"roles": services.Rows(add=[row])})

    trudeau = role(make_person(slug="trudeau", name="Justin Trudeau"), dt.date(2015, 11, 4), dt.date(2025, 3, 14))
    carney = role(make_person(slug="carney", name="Mark Carney"), dt.date(2025, 3, 14))
    # On the hand-over day both held the title; the day after, only the successor.
    holders = Role.objects.filter(title="Prime Minister of Canada")
    assert {r.person for r in holders.held_on(dt.date(2025, 3, 14))} == {trudeau, carney}
    assert [r.person for r in holders.held_on(dt.date(2025, 3, 15))] == [carney]
    # One day more is an overlap, from either side.
    with pytest.raises(services.WorkflowError, match="Another person holds"):
        role(make_person(slug="late", name="Late"), dt.date(2025, 3, 13), dt.date(2025, 3, 15))
    with pytest.raises(services.WorkflowError, match="Another person holds"):
        role(make_person(slug="early", name="Early"), dt.date(2010, 1, 1), dt.date(2015, 11, 5))


# A term as (start, end) day numbers; None is an unknown, open-ended start or end.
TERMS = st.tuples(st.none() | st.integers(0, 6), st.none() | st.integers(0, 6)).filter(
    lambda t: None in t or t[0] <= t[1]
)


def _days(term):
    start, end = term
    return set(range(-1 if start is None else start, 8 if end is None else end + 1))


def _clash(a, b) -> bool:
    """Two terms clash when they share a day, unless the one day they share is a
    hand-over: the day one ends and the other starts."""
    shared = _days(a) & _days(b)
    if len(shared) != 1:
        return bool(shared)
    day = shared.pop()
    return not ((a[1] == day and b[0] == day) or (b[1] == day and a[0] == day))


@settings(
    max_examples=effort.examples(15, 40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=TERMS, second=TERMS)
def test_a_second_holder_is_refused_exactly_when_the_terms_overlap(make_person, staff, first, second):
    day0 = dt.date(2025, 1, 1)

    def row(term):
        start, end = (None if d is None else day0 + dt.timedelta(days=d) for d in term)
        return {"title": "Premier", "start_date": start, "end_date": end}

    with transaction.atomic():
        a, b = make_person(), make_person()
        services.record_edit(record=a, by=staff.editor, rows={"roles": services.Rows(add=[row(first)])})
        try:
            services.record_edit(record=b, by=staff.editor, rows={"roles": services.Rows(add=[row(second)])})
            refused_ = False
        except services.WorkflowError:
            refused_ = True
        transaction.set_rollback(True)
    assert refused_ == _clash(first, second), (first, second)


def test_a_published_record_cannot_be_deleted(make_claim, staff):
    claim = make_claim(state=State.PUBLISHED)
    with pytest.raises(services.WorkflowError, match="retracted, never deleted"):
        services.claim_delete(claim=claim, by=staff.editor)
    # Past the services too: the model and its queryset refuse.
    with pytest.raises(PublishedRecordDeletion):
        claim.delete()
    with pytest.raises(PublishedRecordDeletion):
        Claim.objects.filter(pk=claim.pk).delete()
    assert Claim.objects.filter(pk=claim.pk).exists()


def test_a_draft_that_was_never_published_can_be_deleted(make_claim):
    claim = make_claim()
    services.claim_delete(claim=claim, by=claim.drafted_by)
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_published_returns_only_published_records(make_claim):
    draft = make_claim()
    in_review = make_claim(state=State.IN_REVIEW)
    published = make_claim(state=State.PUBLISHED)
    retracted = make_claim(state=State.RETRACTED)
    assert list(Claim.objects.published()) == [published]
    assert {draft, in_review, retracted}.isdisjoint(Claim.objects.published())
