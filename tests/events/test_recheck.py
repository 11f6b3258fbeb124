"""Claims that flag themselves: an agreement's status step or a person's role
correction flags the published claims citing them, for the desk to re-check."""

import datetime as dt

import pytest

from tracker.desk import services
from tracker.desk.choices import AgreementStatus, State
from tracker.events.recheck import to_recheck


def test_a_status_step_flags_the_published_claims_about_the_agreement(make_agreement, make_claim, add_status, staff):
    agreement = make_agreement(title="Defence pact")
    cited = make_claim(state=State.PUBLISHED, agreements=[agreement])
    draft = make_claim(state=State.DRAFT, agreements=[agreement])
    make_claim(state=State.PUBLISHED)  # about something else

    add_status(agreement, AgreementStatus.SIGNED, dt.date(2025, 11, 3))

    flags = list(to_recheck(staff.editor))
    assert [flag.claim for flag in flags] == [cited]
    assert "Defence pact" in flags[0].why and "status changed" in flags[0].why
    cited.refresh_from_db()
    assert cited.state == State.PUBLISHED  # nothing is unpublished automatically
    assert draft.recheck_flags.count() == 0


def test_a_role_correction_flags_claims_about_or_by_the_person(make_person, make_claim, staff):
    person = make_person(name="Lee")
    about = make_claim(state=State.PUBLISHED, people=[person])
    by = make_claim(state=State.PUBLISHED, claimant_person=person)
    services.record_edit(
        record=person, by=staff.editor,
        rows={"roles": services.Rows(add=[{"title": "President of Korea", "start_date": dt.date(2025, 6, 4)}])},
    )  # fmt: skip
    assert {flag.claim for flag in to_recheck(staff.verifier)} == {about, by}


def test_other_edits_flag_nothing_and_reporters_see_no_flags(make_agreement, make_claim, add_status, staff):
    agreement = make_agreement()
    make_claim(state=State.PUBLISHED, agreements=[agreement])
    services.record_edit(record=agreement, by=staff.editor, fields={"summary": "A longer summary."})
    assert not to_recheck(staff.editor).exists()
    add_status(agreement)
    assert to_recheck(staff.editor).count() == 1
    assert not to_recheck(staff.reporter).exists()


def test_marking_re_checked_clears_the_flag_through_the_service(make_agreement, make_claim, add_status, staff):
    agreement = make_agreement()
    make_claim(state=State.PUBLISHED, agreements=[agreement])
    add_status(agreement)
    flag = to_recheck(staff.editor).get()
    with pytest.raises(services.NotAllowed):
        services.claim_mark_rechecked(flags=[flag.pk], by=staff.reporter)
    assert services.claim_mark_rechecked(flags=[flag.pk], by=staff.editor) == 1
    assert not to_recheck(staff.editor).exists()


def test_the_admin_lists_claims_to_re_check_and_its_action_clears_them(
    client, make_agreement, make_claim, add_status, make_staff
):
    agreement = make_agreement(title="Trade talks")
    claim = make_claim(state=State.PUBLISHED, agreements=[agreement], statement="Talks concluded")
    add_status(agreement, AgreementStatus.NEGOTIATIONS_CONCLUDED)
    editor = make_staff("Editor")
    client.force_login(editor)
    page = client.get("/admin/events/recheckflag/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Talks concluded" in body and "Trade talks" in body
    flag = claim.recheck_flags.get()
    response = client.post(
        "/admin/events/recheckflag/", {"action": "mark_rechecked", "_selected_action": [flag.pk]}, follow=True
    )
    assert "1 claim(s) marked re-checked" in response.content.decode()
    assert not to_recheck(editor).exists()
    reporter = make_staff("Reporter")
    client.force_login(reporter)
    assert client.get("/admin/events/recheckflag/").status_code == 403
