"""The editorial workflow: every change of a record's state goes through here.

Each service is one transaction: it locks the record, checks the guards, writes the
change together with its history record (who, and why) and a workflow event, and
returns the updated record. Admin buttons, admin actions and management commands
call these functions; nothing else changes `state`, `verdict`, `rationale` or
`reviewed_by`.

Claim states: draft -> in review -> published -> retracted, with "send back" (in
review -> draft), "return to review" (published -> in review, when a quote it rests
on breaks) and "correct" (published -> published, with a public Correction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify

from .choices import CorrectionKind, Stance, State, Verdict
from .models import Agreement, Claim, ClaimEvent, Correction, Evidence, Meeting, Person, Source
from .rules import verdict_evidence_problems

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

Action = ClaimEvent.Action


class WorkflowError(ValidationError):
    """A transition the rules refuse. The message says what to do instead."""


class NotAllowed(WorkflowError):
    """The person lacks the role for this transition."""


def _require(by: User, codename: str, doing: str) -> None:
    if not (by and by.is_active and by.has_perm(f"desk.{codename}")):
        raise NotAllowed(f"You are not allowed to {doing}. Ask an editor if you need this role.")


def _lock_claim(claim: Claim) -> Claim:
    return Claim.objects.select_for_update().get(pk=claim.pk)


def _require_state(claim: Claim, *states: str, doing: str) -> None:
    if claim.state not in states:
        allowed = " or ".join(State(s).label.lower() for s in states)
        raise WorkflowError(
            f"Cannot {doing}: the claim is {claim.get_state_display().lower()}, "
            f"and only a claim that is {allowed} can be."
        )


def _note_required(note: str, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise WorkflowError(f"{what} needs a note saying what changed and why; it is shown publicly.")
    return note


HISTORY_REASON_MAX = 100  # simple-history's history_change_reason column


def _save(record: models.Model, *, by: User | None, reason: str) -> None:
    """Save with its history record. The reason is cut to fit its column; the whole
    comment or note lives in the ClaimEvent or Correction written alongside."""
    if len(reason) > HISTORY_REASON_MAX:
        reason = reason[: HISTORY_REASON_MAX - 1] + "…"
    record._history_user = by
    record._change_reason = reason
    record.save()


def _event(claim: Claim, action: str, by: User | None, comment: str = "") -> None:
    ClaimEvent.objects.create(claim=claim, action=action, by=by, comment=comment)


def unique_slug(model: type[models.Model], text: str, max_length: int = 80) -> str:
    base = slugify(text)[:max_length].strip("-") or model._meta.model_name
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug = f"{base[: max_length - 6]}-{n}"
        n += 1
    return slug


def _evidence_problems(claim: Claim, verdict: str) -> list[str]:
    """Rule 3, plus: nothing the verdict rests on may be a flagged (broken) quote."""
    problems = []
    if claim.anchor_broken:
        problems.append("The claim's own quote no longer occurs in its source: fix the quote first.")
    evidence = list(claim.evidence.all())
    broken = [e for e in evidence if e.anchor_broken]
    if broken:
        problems.append(
            f"{len(broken)} evidence quote(s) no longer occur in their source after an edit: fix or remove them first."
        )
    problems += verdict_evidence_problems(verdict, [e.stance for e in evidence if not e.anchor_broken])
    return problems


def _check_verdict(claim: Claim, verdict: str, rationale: str) -> str:
    if verdict not in Verdict.values or verdict == Verdict.NOT_RATED:
        raise WorkflowError("Choose a verdict: a claim is published with a verdict, not “Not yet rated”.")
    rationale = (rationale or "").strip()
    if not rationale:
        raise WorkflowError("Write the rationale: readers see why the desk reached this verdict.")
    problems = _evidence_problems(claim, verdict)
    if problems:
        raise WorkflowError(problems)
    return rationale


def _maker_checker(claim: Claim, by: User, doing: str) -> None:
    if claim.drafted_by_id is not None and claim.drafted_by_id == by.pk:
        raise WorkflowError(f"You drafted this claim, so you cannot {doing} it: another verifier must (maker-checker).")


# Drafting and review ------------------------------------------------------------------


@transaction.atomic
def claim_create_draft(
    *,
    by: User,
    source: Source,
    quote: str,
    statement: str,
    claimant: str,
    near: int | None = None,
    claimed_on=None,
) -> Claim:
    """A new draft claim, its quote anchored in `source` (near offset `near` if given)."""
    _require(by, "add_claim", "draft claims")
    statement = (statement or "").strip()
    if not statement:
        raise WorkflowError("Write the claim's statement: the checkable sentence, in the desk's words.")
    claim = Claim(
        slug=unique_slug(Claim, statement),
        statement=statement,
        claimant=(claimant or "").strip() or source.publisher,
        source=source,
        quote=(quote or "").strip(),
        start=near or 0,
        claimed_on=claimed_on if claimed_on is not None else source.published_on,
        drafted_by=by,
    )
    claim.full_clean()  # anchors the quote, or says it is not in the source
    _save(claim, by=by, reason="Drafted")
    _event(claim, Action.DRAFTED, by)
    return claim


@transaction.atomic
def claim_submit(*, claim: Claim, by: User) -> Claim:
    """Draft -> in review."""
    _require(by, "submit_claim", "submit claims for review")
    claim = _lock_claim(claim)
    _require_state(claim, State.DRAFT, doing="submit it for review")
    if claim.drafted_by_id not in (None, by.pk) and not by.has_perm("desk.review_claim"):
        raise NotAllowed("Only the reporter who drafted this claim, or a verifier, can submit it for review.")
    if claim.anchor_broken:
        raise WorkflowError("The claim's quote no longer occurs in its source: fix the quote before submitting.")
    claim.state = State.IN_REVIEW
    claim.submitted_at = timezone.now()
    _save(claim, by=by, reason="Submitted for review")
    _event(claim, Action.SUBMITTED, by)
    return claim


@transaction.atomic
def claim_send_back(*, claim: Claim, by: User, comment: str) -> Claim:
    """In review -> draft, with a comment for the reporter."""
    _require(by, "review_claim", "send claims back")
    comment = (comment or "").strip()
    if not comment:
        raise WorkflowError("Say what the reporter should fix: sending a claim back needs a comment.")
    claim = _lock_claim(claim)
    _require_state(claim, State.IN_REVIEW, doing="send it back")
    claim.state = State.DRAFT
    _save(claim, by=by, reason=f"Sent back: {comment}")
    _event(claim, Action.SENT_BACK, by, comment)
    return claim


@transaction.atomic
def claim_publish(*, claim: Claim, by: User, verdict: str, rationale: str) -> Claim:
    """In review -> published, with a verdict resting on evidence (rules 3 and 4).

    The sources the claim and its evidence quote are published with it: a reader
    must be able to follow each quote to its passage.
    """
    _require(by, "publish_claim", "publish verdicts")
    claim = _lock_claim(claim)
    _require_state(claim, State.IN_REVIEW, doing="publish it")
    _maker_checker(claim, by, "publish")
    rationale = _check_verdict(claim, verdict, rationale)
    now = timezone.now()
    claim.verdict, claim.rationale = verdict, rationale
    claim.state = State.PUBLISHED
    claim.reviewed_by = by
    claim.verdict_published_at = now
    _save(claim, by=by, reason=f"Published as {Verdict(verdict).label}")
    source_ids = {claim.source_id, *claim.evidence.values_list("source_id", flat=True)}
    for source in Source.objects.select_for_update().filter(pk__in=source_ids, state=State.DRAFT):
        source.state = State.PUBLISHED
        _save(source, by=by, reason=f"Published with the claim “{claim}”")
    _event(claim, Action.PUBLISHED, by, rationale)
    return claim


@transaction.atomic
def claim_return_to_review(*, claim: Claim, reason: str, by: User | None = None) -> Claim:
    """Published -> in review, when something it rests on broke (rule 2). No role needed:
    the system calls it."""
    claim = _lock_claim(claim)
    if claim.state != State.PUBLISHED:
        return claim
    claim.state = State.IN_REVIEW
    claim.submitted_at = timezone.now()
    _save(claim, by=by, reason=reason)
    _event(claim, Action.RETURNED, by, reason)
    return claim


# Published records: corrections and retractions (rule 5) --------------------------------


@transaction.atomic
def claim_correct(*, claim: Claim, by: User, note: str, verdict: str, rationale: str) -> Claim:
    """Change a published verdict or rationale; the note becomes a public Correction."""
    _require(by, "correct_claim", "correct published verdicts")
    note = _note_required(note, "A correction")
    claim = _lock_claim(claim)
    _require_state(claim, State.PUBLISHED, doing="correct it")
    _maker_checker(claim, by, "correct the verdict of")
    rationale = _check_verdict(claim, verdict, rationale)
    if (verdict, rationale) == (claim.verdict, claim.rationale):
        raise WorkflowError("Nothing to correct: the verdict and rationale are unchanged.")
    old_verdict, old_label = claim.verdict, claim.get_verdict_display()
    claim.verdict, claim.rationale = verdict, rationale
    claim.reviewed_by = by
    if verdict != old_verdict:
        claim.verdict_published_at = timezone.now()
    _save(claim, by=by, reason=f"Corrected (was {old_label}): {note}")
    Correction.objects.create(kind=CorrectionKind.CORRECTION, claim=claim, note=note, created_by=by)
    _event(claim, Action.CORRECTED, by, note)
    return claim


@transaction.atomic
def claim_retract(*, claim: Claim, by: User, note: str) -> Claim:
    """Published -> retracted; the note becomes a public retraction notice (rules 5, 6)."""
    _require(by, "retract_claim", "retract published claims")
    note = _note_required(note, "A retraction")
    claim = _lock_claim(claim)
    _require_state(claim, State.PUBLISHED, doing="retract it")
    claim.state = State.RETRACTED
    _save(claim, by=by, reason=f"Retracted: {note}")
    Correction.objects.create(kind=CorrectionKind.RETRACTION, claim=claim, note=note, created_by=by)
    _event(claim, Action.RETRACTED, by, note)
    return claim


# Evidence ------------------------------------------------------------------------------


def evidence_refusal(claim: Claim, by: User) -> str:
    """Why `by` may not add evidence to `claim` as it stands, or "" if they may."""
    if not by.has_perm("desk.add_evidence"):
        return "You are not allowed to attach evidence."
    if claim.state == State.RETRACTED:
        return "This claim is retracted: its evidence no longer changes."
    if claim.state == State.PUBLISHED and not by.has_perm("desk.correct_claim"):
        return "This claim is published: only an editor can add evidence to it, with a correction."
    if claim.state == State.IN_REVIEW and not by.has_perm("desk.review_claim"):
        return "This claim is in review: a verifier adds its evidence now, or sends it back to you."
    if claim.state == State.DRAFT and claim.drafted_by_id not in (None, by.pk) and not by.has_perm("desk.review_claim"):
        return "This draft belongs to another reporter: only they or a verifier can add evidence to it."
    return ""


@transaction.atomic
def evidence_attach(
    *,
    claim: Claim,
    by: User,
    source: Source,
    quote: str,
    stance: str,
    note: str = "",
    near: int | None = None,
) -> Evidence:
    """Quote a passage of `source` as evidence for `claim`, anchored in its text."""
    _require(by, "add_evidence", "attach evidence")
    claim = _lock_claim(claim)
    refusal = evidence_refusal(claim, by)
    if refusal:
        raise NotAllowed(refusal)
    if stance not in Stance.values:
        raise WorkflowError("Choose whether the passage supports the claim, contradicts it or gives context.")
    evidence = Evidence(
        claim=claim,
        source=source,
        quote=(quote or "").strip(),
        start=near or 0,
        stance=stance,
        note=(note or "").strip(),
        created_by=by,
    )
    evidence.full_clean(exclude=["claim", "source"], validate_unique=False, validate_constraints=False)
    if Evidence.objects.filter(claim=claim, source=source, start=evidence.start, end=evidence.end).exists():
        raise WorkflowError("This passage is already evidence for this claim.")
    try:
        with transaction.atomic():
            _save(evidence, by=by, reason=f"Attached as {evidence.get_stance_display().lower()}")
    except IntegrityError:
        raise WorkflowError("This passage is already evidence for this claim.") from None
    return evidence


# Other records: publish and retract -----------------------------------------------------

_PUBLISH_PERMISSION = {
    Source: "publish_source",
    Agreement: "publish_agreement",
    Meeting: "publish_meeting",
    Person: "publish_person",
}


@transaction.atomic
def record_publish(*, record: Source | Agreement | Meeting | Person, by: User) -> models.Model:
    """Draft or in review -> published, for a source, agreement, meeting or person."""
    model = type(record)
    name = model._meta.verbose_name
    _require(by, _PUBLISH_PERMISSION[model], f"publish {model._meta.verbose_name_plural}")
    record = model.objects.select_for_update().get(pk=record.pk)
    if record.state not in (State.DRAFT, State.IN_REVIEW):
        raise WorkflowError(f"This {name} is {record.get_state_display().lower()}: only a draft can be published.")
    record.state = State.PUBLISHED
    _save(record, by=by, reason="Published")
    return record


@transaction.atomic
def record_retract(*, record: Source | Agreement | Meeting, by: User, note: str) -> models.Model:
    """Published -> retracted, with a public retraction notice."""
    model = type(record)
    name = model._meta.verbose_name
    if model not in (Source, Agreement, Meeting):
        raise WorkflowError(f"A {name} cannot be retracted; edit it instead.")
    _require(by, _PUBLISH_PERMISSION[model], f"retract {model._meta.verbose_name_plural}")
    note = _note_required(note, "A retraction")
    record = model.objects.select_for_update().get(pk=record.pk)
    if record.state != State.PUBLISHED:
        raise WorkflowError(f"This {name} is {record.get_state_display().lower()}: only a published one is retracted.")
    record.state = State.RETRACTED
    _save(record, by=by, reason=f"Retracted: {note}")
    on_record = {model._meta.model_name: record}
    Correction.objects.create(kind=CorrectionKind.RETRACTION, note=note, created_by=by, **on_record)
    return record
