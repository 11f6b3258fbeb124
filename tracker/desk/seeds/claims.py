"""Claims from their seeds: drafted, submitted and published as in the admin, corrected in
public."""

from dataclasses import dataclass
from typing import Any

from tracker.events.log import snapshot

from .. import anchoring, services
from ..choices import (
    Stance,
    State,
    Verdict,
)
from ..models import Claim, Source
from ..rules import verdict_evidence_problems
from ..text import strip_control_chars
from .history import _first_published, _history, _needs_note, _plan, _Version
from .reading import _choice, _Context, _date, _each, _refused_as_seed_error, _require, _rows
from .records import _differences, _link_differences


# Claims ------------------------------------------------------------------------------------
@dataclass
class _ClaimVersion:
    content: dict[str, Any]
    near: int
    links: dict[str, list]
    evidence: list[dict]
    verdict: str
    rationale: str


def _check_quote(ctx: _Context, source: Source, quote: Any, what: str) -> anchoring.Anchor:
    if not isinstance(quote, str):
        raise ctx.fail(f"{what} quote must be text")
    try:
        return anchoring.anchor_quote(source.text, quote)
    except anchoring.QuoteNotFound as exc:
        raise ctx.fail(f"{what} quote {quote[:80]!r} is not in source {source.slug!r}: {exc}") from None


def _claim_version(ctx: _Context, row: dict) -> _ClaimVersion:
    _require(ctx, row, "statement", "claimant", "source", "quote", "verdict", "evidence")
    source = ctx.ref(ctx.sources, row["source"], "source")
    verdict = _choice(ctx, row["verdict"], Verdict, "verdict")
    evidence = []
    for item in _rows(ctx, row["evidence"]):
        _require(ctx, item, "source", "quote", "stance")
        evidence_source = ctx.ref(ctx.sources, item["source"], "source")
        found = _check_quote(ctx, evidence_source, item["quote"], "evidence")
        evidence.append(
            {
                "source": evidence_source,
                "quote": found.exact,
                "start": found.start,
                "stance": _choice(ctx, item["stance"], Stance, "stance"),
                "note": item.get("note") or "",
            }
        )
    problems = verdict_evidence_problems(verdict, [item["stance"] for item in evidence])
    if problems:
        raise ctx.fail(" ".join(problems))
    if verdict == Verdict.NOT_RATED or not row.get("rationale"):
        raise ctx.fail("a seeded claim is published with a verdict and its rationale")
    quote = _check_quote(ctx, source, row["quote"], "claim")
    content = {
        "statement": row["statement"],
        "claimant": row["claimant"],
        "claimant_person": ctx.ref(ctx.people, row["claimant_person"], "person")
        if row.get("claimant_person")
        else None,
        "source": source,
        "quote": quote.exact,
        "claimed_on": _date(ctx, row.get("claimed_on"), "claimed_on"),
    }
    links = {
        "agreements": ctx.refs(ctx.agreements, row.get("agreements"), "agreement"),
        "meetings": ctx.refs(ctx.meetings, row.get("meetings"), "meeting"),
        "people": ctx.refs(ctx.people, row.get("people"), "person"),
        "parties": ctx.refs(ctx.parties, row.get("parties"), "party"),
        "topics": ctx.refs(ctx.topics, row.get("topics"), "topic"),
    }
    rationale = strip_control_chars(str(row["rationale"])).strip()
    return _ClaimVersion(content, quote.start, links, evidence, verdict, rationale)


def _load_claims(ctx: _Context, data: Any) -> None:
    for row in _each(ctx, _rows(ctx, data), lambda r: r.get("slug")):
        _require(ctx, row, "slug", "statement", "claimant", "source", "quote", "verdict", "evidence")
        history = _history(ctx, row)
        parsed = [_claim_version(ctx, version.row) for version in history]
        claim = Claim.objects.filter(slug=row["slug"]).first()
        correct = lambda c, v, note: _correct_claim(ctx, c, v, note)  # noqa: E731
        with _refused_as_seed_error(ctx):
            if claim is None:
                with _first_published(history[0].day):
                    claim = _new_claim(ctx, row["slug"], parsed[0])
                publish = lambda c, v=parsed[0]: services.claim_publish(  # noqa: E731
                    claim=c, by=ctx.verifier, verdict=v.verdict, rationale=v.rationale
                )
                _plan(ctx, claim, history, correct, parsed, created=True, publish=publish)
            elif claim.state == State.PUBLISHED:
                pending = _plan(ctx, claim, history, correct, parsed, created=False) if len(history) > 1 else []
                if not pending:
                    _settle_claim(ctx, claim, history, parsed[-1])


def _new_claim(ctx: _Context, slug: str, version: _ClaimVersion) -> Claim:
    """Drafted and submitted by the seed reporter, to be published by the seed verifier
    (_replay): the same path as a claim made in the admin."""
    claim = services.claim_create_draft(
        by=ctx.reporter, slug=slug, near=version.near, links=version.links,
        evidence=[services.EvidenceAdd(source=item["source"], quote=item["quote"], stance=item["stance"],
                                       note=item["note"], near=item["start"]) for item in version.evidence],
        **version.content,
    )  # fmt: skip
    claim = services.claim_submit(claim=claim, by=ctx.reporter)
    ctx.mark_changed(claim)
    return claim


@dataclass
class _ClaimChanges:
    fields: dict[str, Any]
    links: dict[str, list]
    add: list[services.EvidenceAdd]
    change: list[services.EvidenceChange]
    remove: list[int]
    verdict_changed: bool

    @property
    def content(self) -> bool:
        """A change of what readers see of the claim besides its verdict and rationale."""
        return bool(self.fields or self.add or self.change or self.remove)


def _claim_changes(claim: Claim, version: _ClaimVersion) -> _ClaimChanges:
    current = {(item.source_id, item.start, item.end): item for item in claim.evidence.all()}
    add, change = [], []
    for item in version.evidence:
        found = current.pop((item["source"].pk, item["start"], item["start"] + len(item["quote"])), None)
        if found is None:
            add.append(services.EvidenceAdd(source=item["source"], quote=item["quote"], stance=item["stance"],
                                            note=item["note"], near=item["start"]))  # fmt: skip
        elif (found.stance, found.note) != (item["stance"], item["note"]):
            change.append(services.EvidenceChange(evidence_id=found.pk, stance=item["stance"], note=item["note"]))
    return _ClaimChanges(
        fields=_differences(claim, version.content),
        links=_link_differences(claim, version.links),
        add=add,
        change=change,
        remove=[item.pk for item in current.values()],
        verdict_changed=(version.verdict, version.rationale) != (claim.verdict, claim.rationale),
    )


def _settle_claim(ctx: _Context, claim: Claim, history: list[_Version], version: _ClaimVersion) -> None:
    """A published claim with no correction left to publish: what it is about may be
    updated; a change readers would see without a correction is refused (rule 5)."""
    changes = _claim_changes(claim, version)
    if changes.content or changes.verdict_changed:
        raise ctx.fail(_needs_note(claim, history))
    if changes.links:
        services.claim_edit(claim=claim, by=ctx.editor, links=changes.links)
        ctx.mark_changed(claim)


def _correct_claim(ctx: _Context, claim: Claim, version: _ClaimVersion, note: str) -> None:
    """One correction of a published claim, with its note: the services the desk would
    use for it, one public change (see _replay)."""
    changes = _claim_changes(claim, version)
    edit = {"fields": changes.fields, "links": changes.links, "add": changes.add, "change": changes.change,
            "remove": changes.remove}  # fmt: skip
    if changes.verdict_changed and changes.content:
        # The new verdict rests on the new evidence, and the old one may not: change both
        # while the claim is back in review; readers see one correction (_replay).
        claim = services.claim_withdraw(claim=claim, by=ctx.editor, reason=note)
        claim = services.claim_edit(claim=claim, by=ctx.editor, **edit)
        claim = services.claim_publish(claim=claim, by=ctx.verifier, verdict=version.verdict,
                                       rationale=version.rationale, note=note)  # fmt: skip
    else:
        if changes.content or changes.links:
            claim = services.claim_edit(claim=claim, by=ctx.editor, note=note, **edit)
        if changes.verdict_changed:
            claim = services.claim_correct(claim=claim, by=ctx.verifier, note=note, verdict=version.verdict,
                                           rationale=version.rationale)  # fmt: skip
    if not claim.corrections.filter(note=note).exists():
        services.claims.claim_note_correction(claim=claim, by=ctx.verifier, note=note, before=snapshot(claim))
