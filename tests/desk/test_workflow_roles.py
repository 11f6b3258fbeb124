"""Each role against each claim transition: allowed or refused, and nothing changes when refused."""

import pytest

from tracker.desk import services
from tracker.desk.choices import Stance, State, Verdict
from tracker.desk.models import Claim, ClaimEvent, Correction

ROLES = ["Reporter", "Verifier", "Editor", None]


@pytest.fixture
def drafter(make_staff):
    return make_staff("Reporter", username="the-drafter")


@pytest.fixture
def claim_in(make_claim, make_evidence, drafter, make_staff):
    """A claim in a given state, drafted by `drafter`, with supporting evidence."""

    def make(state: str) -> Claim:
        claim = make_claim(drafted_by=drafter)
        make_evidence(claim, stance=Stance.SUPPORTS)
        if state == State.DRAFT:
            return claim
        claim = services.claim_submit(claim=claim, by=drafter)
        if state == State.IN_REVIEW:
            return claim
        return services.claim_publish(
            claim=claim, by=make_staff("Verifier"), verdict=Verdict.ACCURATE, rationale="The readout says so."
        )

    return make


def _act(transition: str, claim: Claim, user):
    if transition == "submit":
        return services.claim_submit(claim=claim, by=user)
    if transition == "send_back":
        return services.claim_send_back(claim=claim, by=user, comment="Quote the second paragraph instead.")
    if transition == "publish":
        return services.claim_publish(claim=claim, by=user, verdict=Verdict.ACCURATE, rationale="Confirmed.")
    if transition == "retract":
        return services.claim_retract(claim=claim, by=user, note="The source was withdrawn.")
    if transition == "correct":
        return services.claim_correct(
            claim=claim, by=user, note="A later source adds context.", verdict=Verdict.MOSTLY_ACCURATE, rationale="X."
        )
    if transition == "withdraw":
        return services.claim_withdraw(claim=claim, by=user, reason="The evidence needs another look.")
    raise AssertionError(transition)


# transition -> (state it starts from, state it ends in, roles allowed)
TRANSITIONS = {
    "submit": (State.DRAFT, State.IN_REVIEW, {"Verifier", "Editor"}),
    "send_back": (State.IN_REVIEW, State.DRAFT, {"Verifier", "Editor"}),
    "publish": (State.IN_REVIEW, State.PUBLISHED, {"Verifier", "Editor"}),
    "retract": (State.PUBLISHED, State.RETRACTED, {"Editor"}),
    "correct": (State.PUBLISHED, State.PUBLISHED, {"Editor"}),
    "withdraw": (State.PUBLISHED, State.IN_REVIEW, {"Editor"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", TRANSITIONS)
def test_each_role_is_allowed_or_refused_each_transition(transition, role, claim_in, make_staff):
    start, end, allowed = TRANSITIONS[transition]
    claim = claim_in(start)
    user = make_staff(role)
    before = Claim.objects.get(pk=claim.pk)
    if role in allowed:
        result = _act(transition, claim, user)
        assert result.state == end
        assert Claim.objects.get(pk=claim.pk).state == end
        assert Claim.objects.get(pk=claim.pk).version == before.version + 1
    else:
        with pytest.raises(services.NotAllowed):
            _act(transition, claim, user)
        after = Claim.objects.get(pk=claim.pk)
        assert (after.state, after.verdict, after.version) == (before.state, before.verdict, before.version)


def test_the_reporter_who_drafted_a_claim_can_submit_it(claim_in, drafter):
    claim = services.claim_submit(claim=claim_in(State.DRAFT), by=drafter)
    assert claim.state == State.IN_REVIEW
    assert claim.submitted_at is not None
    assert claim.events.first().action == ClaimEvent.Action.SUBMITTED


def test_a_reporter_cannot_submit_another_reporters_draft(claim_in, make_staff):
    with pytest.raises(services.NotAllowed, match="Only the reporter who drafted"):
        services.claim_submit(claim=claim_in(State.DRAFT), by=make_staff("Reporter"))


def test_a_superuser_is_allowed_what_an_editor_is(claim_in, make_user):
    boss = make_user(is_staff=True, is_superuser=True)
    claim = services.claim_retract(claim=claim_in(State.PUBLISHED), by=boss, note="Withdrawn by its publisher.")
    assert claim.state == State.RETRACTED


@pytest.mark.parametrize(
    ("transition", "state"),
    [
        ("submit", State.IN_REVIEW),
        ("submit", State.PUBLISHED),
        ("send_back", State.DRAFT),
        ("publish", State.DRAFT),
        ("publish", State.PUBLISHED),
        ("retract", State.IN_REVIEW),
        ("correct", State.DRAFT),
        ("withdraw", State.IN_REVIEW),
    ],
)
def test_a_transition_from_the_wrong_state_is_refused_with_the_reason(transition, state, claim_in, make_staff):
    claim = claim_in(state)
    with pytest.raises(services.WorkflowError, match="Cannot"):
        _act(transition, claim, make_staff("Editor"))
    assert Claim.objects.get(pk=claim.pk).state == state


def test_sending_back_needs_a_comment_which_the_reporter_sees(claim_in, make_staff):
    claim = claim_in(State.IN_REVIEW)
    verifier = make_staff("Verifier")
    with pytest.raises(services.WorkflowError, match="needs a comment"):
        services.claim_send_back(claim=claim, by=verifier, comment="  ")
    assert Claim.objects.get(pk=claim.pk).state == State.IN_REVIEW
    services.claim_send_back(claim=claim, by=verifier, comment="The quote is from the wrong paragraph.")
    event = claim.events.first()
    assert (event.action, event.by, event.comment) == (
        ClaimEvent.Action.SENT_BACK,
        verifier,
        "The quote is from the wrong paragraph.",
    )
    assert claim.history.first().history_change_reason.startswith("Sent back")


def test_publishing_records_who_reviewed_it_and_when_in_the_history(claim_in, make_staff):
    verifier = make_staff("Verifier")
    claim = services.claim_publish(
        claim=claim_in(State.IN_REVIEW), by=verifier, verdict=Verdict.ACCURATE, rationale="The readout confirms it."
    )
    assert claim.reviewed_by == verifier
    assert claim.verdict_published_at is not None
    assert claim in Claim.objects.published()
    latest = claim.history.first()
    assert latest.history_user == verifier
    assert latest.history_change_reason == "Published as Accurate"


def test_publishing_a_claim_publishes_the_draft_sources_it_quotes(make_claim, make_evidence, make_source, make_staff):
    drafter = make_staff("Reporter")
    own, other = make_source(state=State.DRAFT), make_source(state=State.DRAFT)
    claim = make_claim(source=own, drafted_by=drafter)
    make_evidence(claim, source=other)
    services.claim_submit(claim=claim, by=drafter)
    services.claim_publish(claim=claim, by=make_staff("Verifier"), verdict=Verdict.ACCURATE, rationale="Confirmed.")
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.state == other.state == State.PUBLISHED


def test_a_refused_transition_leaves_no_correction_and_no_event(claim_in, make_staff):
    claim = claim_in(State.PUBLISHED)
    events = claim.events.count()
    with pytest.raises(services.WorkflowError):
        services.claim_retract(claim=claim, by=make_staff("Editor"), note="")
    assert Correction.objects.count() == 0
    assert claim.events.count() == events


def test_a_long_comment_is_kept_whole_in_the_workflow_log_and_cut_in_the_history(claim_in, make_staff):
    comment = "The quote is from the wrong paragraph; " * 10
    claim = services.claim_send_back(claim=claim_in(State.IN_REVIEW), by=make_staff("Verifier"), comment=comment)
    assert claim.events.first().comment == comment.strip()
    reason = claim.history.first().history_change_reason
    assert reason.startswith("Sent back: The quote is from") and len(reason) == 100
