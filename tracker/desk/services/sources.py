"""Sources: archiving a document, editing it, and what a change of its text does.

A source's text is what every quote is anchored in (rule 2). When it changes, each
quote is found again in the new text: where it still occurs it moves there (with a
history row, and its claim marked changed so partners re-sync it). Where it does not
occur exactly, it is found tolerantly (other quote marks, dashes or spacing), then
approximately, scored on the quote, its context and its old position
(anchoring.reanchor_quote); the score is stored. Below the threshold the quote is
orphaned, never silently re-pointed: it waits in the "orphaned quotes" queue for a
person to confirm a new passage or detach it (claims.quote_confirm, evidence_detach).
A published claim with a reworded or orphaned quote returns to review: the words a
reader sees would change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from tracker.events.log import log_change, snapshot

from .. import anchoring, signals
from ..candidates import index_passages
from ..canonical import canonical_url
from ..choices import AnchorMethod, CorrectionKind, DatePrecision, State
from ..models import Claim, Correction, Evidence, Source
from ..text import strip_control_chars
from . import checkers
from .claims import claim_note_correction, claim_return_to_review
from .common import (
    NotAllowed,
    WorkflowError,
    can,
    check_slug,
    check_version,
    clean,
    delete,
    lock,
    require,
    save,
    unique_slug,
    writes,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

FIELDS = (
    "title", "publisher", "kind", "reliability", "url", "slug",
    "published_on", "published_precision", "retrieved_on", "language", "text",
)  # fmt: skip


class DuplicateSource(WorkflowError):
    """The document is already archived; `existing` is the source to use instead."""

    def __init__(self, existing: Source, why: str):
        self.existing, self.why = existing, why
        super().__init__(f"{why} is already archived as “{existing.title}”: use that source.", code="duplicate")


def find_duplicate(*, url: str | None, text: str | None, exclude: Source | None = None) -> DuplicateSource | None:
    """The archived source this URL or text duplicates, as the refusal to show."""
    others = Source.objects.exclude(pk=exclude.pk) if exclude is not None and exclude.pk else Source.objects.all()
    if url:
        other = others.filter(canonical_url=canonical_url(url)).first()
        if other:
            return DuplicateSource(other, "This URL")
    if text:
        other = others.filter(text_fingerprint=Source.fingerprint_text(text)).first()
        if other:
            return DuplicateSource(other, "This text")
    return None


def edit_refusal(source: Source, by: User | None) -> str:
    """Why `by` may not edit `source`, or "" if they may."""
    if not can(by, "change_source"):
        return "You are not allowed to edit sources."
    if source.state == State.RETRACTED:
        return "This source is retracted: it no longer changes."
    if source.state == State.PUBLISHED:
        return "" if can(by, "correct_source") else "This source is published: only an editor can change it."
    if source.created_by_id not in (None, by.pk) and not can(by, "publish_source"):
        return "This draft source was added by someone else: only they or a verifier can change it."
    return ""


def _validate(source: Source) -> None:
    if not source.text.strip():
        raise WorkflowError({"text": "Paste the document's text or upload it as a file."})
    if source.published_on is None:
        source.published_precision = DatePrecision.UNKNOWN
    elif source.published_precision == DatePrecision.UNKNOWN:
        source.published_precision = DatePrecision.DAY
    try:
        source.full_clean(exclude=["slug", "text_sha256", "text_fingerprint"], validate_unique=False,
                          validate_constraints=False)  # fmt: skip
    except ValidationError as exc:
        raise WorkflowError(exc.message_dict) from None


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    # The archived text is kept as retrieved (its hash is published), less control characters.
    cleaned = {name: strip_control_chars(value) if name == "text" else clean(value) for name, value in values.items()}
    if "url" in cleaned:
        cleaned["url"] = cleaned["url"] or None
    return cleaned


@writes
def source_create(*, by: User, title: str, publisher: str, kind: str, reliability: str, text: str, **fields) -> Source:
    """Archive a document as a draft source; refused if it is already archived."""
    require(by, "add_source", "add sources")
    values = _cleaned({"title": title, "publisher": publisher, "kind": kind, "reliability": reliability,
                       "text": text, **fields})  # fmt: skip
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise WorkflowError(f"These are not fields of a source: {', '.join(sorted(unknown))}.")
    slug = values.pop("slug", "")
    source = Source(**values, created_by=by)
    source.slug = check_slug(source, slug) if slug else unique_slug(Source, source.title)
    _validate(source)
    duplicate = find_duplicate(url=source.url, text=source.text)
    if duplicate:
        raise duplicate
    save(source, by=by, reason="Archived")
    source.contributors.add(by)
    index_passages(source)
    signals.step("source_archived", source, by)
    return source


@writes
def source_edit(*, source: Source, by: User, fields: dict[str, Any], note: str = "", seen_version: int | None = None):
    """Change a source. A new text re-anchors every quote in it; on a published source
    it also needs `note`, published as a correction of the source."""
    source = lock(source)
    check_version(source, seen_version)
    seen = snapshot(source)
    refusal = edit_refusal(source, by)
    if refusal:
        raise NotAllowed(refusal)
    values = _cleaned(fields)
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise WorkflowError(f"These are not fields of a source: {', '.join(sorted(unknown))}.")
    old_text = source.text
    if "slug" in values:
        source.slug = check_slug(source, values.pop("slug") or unique_slug(Source, values.get("title", source.title)))
    changed = [name for name, value in values.items() if getattr(source, name) != value]
    for name in changed:
        setattr(source, name, values[name])
    _validate(source)
    text_changed = source.text != old_text
    duplicate = find_duplicate(url=source.url if "url" in changed else None,
                               text=source.text if text_changed else None, exclude=source)  # fmt: skip
    if duplicate:
        raise duplicate
    note = clean(note or "")
    if text_changed and source.state == State.PUBLISHED and not note:
        raise WorkflowError(
            {"text": "This source is published: say in a correction note what changed in its text and why."}
        )
    if not changed and source.slug == Source.objects.filter(pk=source.pk).values_list("slug", flat=True).get():
        return source
    if text_changed:
        checkers.guard_source_contribution(source, by)
    save(source, by=by, reason=("Text changed" if text_changed else "Edited") + (f": {note}" if note else ""))
    if text_changed:
        source.contributors.add(by)
        index_passages(source)
        reanchor_quotes(source, by=by, note=note)
        if source.state == State.PUBLISHED:
            Correction.objects.create(kind=CorrectionKind.CORRECTION, source=source, note=note, created_by=by)
    # The note is public only as the correction of a published source's text.
    log_change(source, before=seen, note=note if text_changed else "")
    return source


@dataclass(frozen=True)
class QuoteImpact:
    """What an edit of a source's text does to one quote in it, and to its claim."""

    item: Claim | Evidence
    claim: Claim
    method: str
    score: float
    old: str
    new: str
    light: bool

    @property
    def outcome(self) -> str:
        """For the person about to save the edit: what happens to the claim."""
        if self.claim.state == State.PUBLISHED:
            if self.light and self.method != AnchorMethod.ORPHANED:
                return (
                    "Stays published with a public correction saying the quote now reads as in the corrected "
                    "source; someone else confirms the passage."
                )
            return (
                "Withdrawn to review: its page says publicly that it is under review until someone else "
                "confirms the passage and it is published again."
            )
        return "Flagged: someone else confirms the passage before the claim can be published."


def _quotes_in(source: Source) -> list[Claim | Evidence]:
    return [
        *Evidence.objects.filter(source=source).select_related("claim").order_by("pk"),
        *Claim.objects.filter(source=source).order_by("pk"),
    ]


def _claim_of(item: Claim | Evidence) -> Claim:
    return item.claim if isinstance(item, Evidence) else item


def _impact(text: str, item: Claim | Evidence) -> tuple[anchoring.Reanchored, QuoteImpact | None]:
    """Where the quote stands in `text`, and its impact if its words changed or it is gone."""
    found = anchoring.reanchor_quote(text, exact=item.quote, prefix=item.prefix, suffix=item.suffix, start=item.start)
    if not found.orphaned and found.anchor.exact == item.quote:
        return found, None
    new = found.anchor.exact if found.anchor else ""
    light = not found.orphaned and anchoring.is_light_change(item.quote, new)
    return found, QuoteImpact(item, _claim_of(item), found.method, found.score, item.quote, new, light)


def source_edit_impact(*, source: Source, text: str) -> list[QuoteImpact]:
    """The quotes a new text would move to other words or lose, for the desk to see
    before the edit is saved. Reads only."""
    text = strip_control_chars(text or "")
    if text == source.text:
        return []
    return [impact for item in _quotes_in(source) if (impact := _impact(text, item)[1]) is not None]


def reanchor_quotes(source: Source, *, by: User | None, note: str = "") -> list[Claim | Evidence]:
    """Find every quote anchored in `source` in its new text (see the module's docstring).
    Returns the quotes that were orphaned.

    Whoever changed the text moved the quotes, so someone else confirms any that now read
    differently (`anchor_moved_by`); the edit is a correction of the source, not
    authorship of the claims quoting it. A published claim whose quotes changed only by a
    typo fix stays published with a public correction (`note` is the source's); one whose
    words changed, or which lost a quote, is withdrawn to review, saying so publicly."""
    orphaned: list[Claim | Evidence] = []
    changed_claims: set[int] = set()
    impacts: dict[int, list[QuoteImpact]] = {}
    placed = [(item, *_impact(source.text, item)) for item in _quotes_in(source)]
    for _item, _found, impact in placed:
        if impact is not None:
            impacts.setdefault(impact.claim.pk, []).append(impact)
    # What readers saw of the published claims whose quotes change, before they change.
    before_views = {claim.pk: snapshot(claim) for claim in Claim.objects.filter(pk__in=impacts, state=State.PUBLISHED)}
    for item, found, impact in placed:
        claim_id = _claim_of(item).pk
        if found.orphaned:
            # Nothing is re-pointed: the best candidate, if any, waits for a person to confirm it.
            suggested = (found.anchor.start, found.anchor.end) if found.anchor else (None, None)
            new = (True, AnchorMethod.ORPHANED, found.score, *suggested)
            old = (item.anchor_broken, item.anchor_method, item.anchor_score, item.suggested_start, item.suggested_end)
            if new != old:
                (item.anchor_broken, item.anchor_method, item.anchor_score,
                 item.suggested_start, item.suggested_end) = new  # fmt: skip
                item.anchor_moved_by = by
                save(item, by=by, reason=f"Orphaned: the quote no longer occurs in “{source.slug}” "
                                         f"(best match scored {found.score:.2f})")  # fmt: skip
                changed_claims.add(claim_id)
                signals.step("quote_flagged", source, by, item=item)
            orphaned.append(item)
            continue
        method, score = found.method, found.score
        if method == AnchorMethod.EXACT and item.anchor_method in (AnchorMethod.TOLERANT, AnchorMethod.APPROXIMATE):
            # Still waiting for a person to confirm an earlier re-pointing: keep it flagged.
            method, score = item.anchor_method, item.anchor_score
        anchor = found.anchor
        new = (anchor.start, anchor.end, anchor.exact, anchor.prefix, anchor.suffix, False, method, score, None, None)
        old = (item.start, item.end, item.quote, item.prefix, item.suffix, item.anchor_broken, item.anchor_method,
               item.anchor_score, item.suggested_start, item.suggested_end)  # fmt: skip
        if new == old:
            continue
        (item.start, item.end, item.quote, item.prefix, item.suffix, item.anchor_broken, item.anchor_method,
         item.anchor_score, item.suggested_start, item.suggested_end) = new  # fmt: skip
        if impact is not None:
            item.anchor_moved_by = by
            signals.step("quote_flagged", source, by, item=item)
        how = "" if method == AnchorMethod.EXACT else f" ({AnchorMethod(method).label.lower()}, score {score:.2f})"
        save(item, by=by, reason=f"Re-anchored after an edit of “{source.slug}”{how}")
        changed_claims.add(claim_id)
    settled = set()
    for claim in Claim.objects.filter(pk__in=impacts, state=State.PUBLISHED):
        _after_quotes_moved(claim, source, impacts[claim.pk], by=by, note=note, before=before_views.get(claim.pk))
        settled.add(claim.pk)
    # The others are marked changed, so partners syncing on updated_since re-read their offsets.
    for claim in Claim.objects.filter(pk__in=(changed_claims | set(impacts)) - settled):
        save(claim, by=by, reason=f"Quotes re-anchored after an edit of “{source.slug}”")
    return orphaned


def _after_quotes_moved(claim: Claim, source: Source, impacts: list[QuoteImpact], *, by, note: str, before) -> None:
    """A published claim some of whose quotes now read differently (rules 2 and 5)."""
    if all(impact.light and impact.method != AnchorMethod.ORPHANED for impact in impacts) and before is not None:
        changes = " ".join(f"The passage quoted from it now reads “{i.new}” (it read “{i.old}”)." for i in impacts)
        why = f" ({note})" if note else ""
        claim_note_correction(
            claim=claim, by=by, before=before, note=f"The source “{source.title}” was corrected{why}. {changes}"
        )
        return
    signals.step("claim_returned", claim, by, source=source)
    claim_return_to_review(
        claim=claim,
        by=by,
        reason=f"Returned to review: a passage this claim quotes changed when the source “{source.title}” was "
        "corrected; the desk is checking the claim again before it is published again.",
    )


@writes
def source_delete(*, source: Source, by: User) -> None:
    """Delete a draft source added by mistake: never published, quoted by nothing."""
    require(by, "delete_source", "delete sources")
    source = lock(source)
    if source.first_published_at is not None:
        raise WorkflowError("This source has been published: it is retracted, never deleted.")
    if source.created_by_id != by.pk and not can(by, "correct_source"):
        raise NotAllowed("Only whoever added this source, or an editor, can delete it.")
    quoted = Claim.objects.filter(source=source).count() + Evidence.objects.filter(source=source).count()
    if quoted or source.status_changes.exists() or source.meetings.exists():
        raise WorkflowError("This source is quoted or cited by other records: remove those first.")
    delete(source, by=by, reason="Deleted as a draft added by mistake")


def claims_resting_on(source: Source):
    """Published claims that appear in `source` or quote it as evidence."""
    return Claim.objects.filter(Q(source=source) | Q(evidence__source=source), state=State.PUBLISHED).distinct()
