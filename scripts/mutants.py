#!/usr/bin/env python3
"""Do the property tests notice when a rule is removed? (DESIGN.md: "a property test must
fail when the rule it checks is removed".)

Each mutant below removes one check that enforces one of DESIGN.md's rules from the
services (an `if` made `if False`, a guard dropped). For each, the project is copied to a
temporary directory (tracker/ and tests/ copied, the rest linked), the mutation applied
there, and the property tests run at the chosen effort:

    tests/properties/test_desk_rules.py tests/properties/test_three_person_desk.py

A mutant is *killed* when they fail, and *survives* when they pass. Before the mutants,
the same tests run on the unmutated copy and must pass (else nothing is learnt). The
script prints a table and exits 1 if any mutant survives, 2 if a mutation no longer
applies (the code it names changed: update the mutant).

    .venv/bin/python scripts/mutants.py                 # every mutant, at CI effort (TEST_EFFORT=full)
    .venv/bin/python scripts/mutants.py --effort quick  # at `make test`'s effort
    .venv/bin/python scripts/mutants.py publish-by-contributor moved-quote-publishes  # some
    .venv/bin/python scripts/mutants.py --list

Hypothesis does not shrink here (TEST_SHRINK=0: the first failing example kills a mutant)
and keeps no example database, so every mutant is found afresh. `-j 2` runs two at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["tests/properties/test_three_person_desk.py", "tests/properties/test_desk_rules.py"]
# Which runs first (-x stops at the first failure): the three-person desk is quicker, but
# only the whole desk checks rules 1, 3 and 10.
DESK_FIRST = {"1", "3", "10"}
COPIED = ("tracker", "tests")  # what a mutation may touch (and the tests' .pyc caches stay apart)
SERVICES = "tracker/desk/services"


@dataclass(frozen=True)
class Mutant:
    name: str
    rule: str  # DESIGN.md's rule it removes
    path: str
    old: str
    new: str
    what: str


MUTANTS = [
    # Rule 3: a published verdict rests on published evidence, never on the claim's own appearance.
    Mutant("verdict-without-evidence", "3", "tracker/desk/rules.py",
           "    if not stances:\n", "    if False:\n",
           "a verdict other than 'not yet rated' needs no quote"),
    Mutant("accurate-without-support", "3", "tracker/desk/rules.py",
           "if verdict == Verdict.ACCURATE and Stance.SUPPORTS not in stances:", "if False:",
           "'accurate' needs no supporting quote"),
    Mutant("inaccurate-without-contradiction", "3", "tracker/desk/rules.py",
           "if verdict == Verdict.INACCURATE and Stance.CONTRADICTS not in stances:", "if False:",
           "'inaccurate' needs no contradicting quote"),
    Mutant("own-quote-as-evidence", "3", f"{SERVICES}/claims.py",
           "    if item.start < claim.end and claim.start < item.end:\n", "    if False:\n",
           "the claim's own quote may be its evidence"),
    Mutant("own-source-supports", "3", f"{SERVICES}/claims.py",
           "    if item.stance != Stance.CONTEXT:\n", "    if False:\n",
           "the claim's own source may support or contradict it"),
    Mutant("retracted-source-verdict", "3", f"{SERVICES}/claims.py",
           "    if claim.source.state == State.RETRACTED:\n", "    if False:\n",
           "a claim appearing in a retracted source may be published"),
    Mutant("source-retraction-leaves-claims", "3", f"{SERVICES}/records.py",
           "    for claim, claim_seen in resting:\n", "    for claim, claim_seen in []:\n",
           "retracting a source leaves the published claims resting on it as they were"),
    # Rule 4: maker-checker per record; the desk never deadlocks.
    Mutant("publish-by-contributor", "4", f"{SERVICES}/claims.py",
           "    if by.pk in contributor_ids(claim):\n", "    if False:\n",
           "publish_refusal: a claim's contributor may publish or correct its verdict"),
    Mutant("publisher-writes-content", "4", f"{SERVICES}/claims.py",
           "if published and (content_changed or evidence_changed) and by.pk == claim.reviewed_by_id:",
           "if False:",
           "whoever published a verdict may then edit what it rests on"),
    Mutant("source-published-by-archivist", "4", f"{SERVICES}/checkers.py",
           "    if by.pk in source_contributor_ids(source):\n", "    if False:\n",
           "source_publish_refusal: whoever archived or edited a source may publish it"),
    Mutant("claim-publishes-sources-its-publisher-may-not", "4", f"{SERVICES}/claims.py",
           "            if refusal:\n                return f\"Publishing this claim",
           "            if False:\n                return f\"Publishing this claim",
           "a claim publishes its draft sources even where its publisher may not publish them"),
    Mutant("claim-deadlock", "4", f"{SERVICES}/checkers.py",
           "    if before and not claim_publishers(claim, without=by):\n", "    if False:\n",
           "guard_claim_contribution: everyone may write some of a claim, leaving nobody to publish it"),
    Mutant("source-deadlock", "4", f"{SERVICES}/checkers.py",
           "    if before and not source_publishers(source, without=by):\n", "    if False:\n",
           "guard_source_contribution: everyone may edit a draft source, leaving nobody to publish it"),
    # Rule 2 and 5: moved quotes are flagged, never silently re-pointed, and block publication.
    Mutant("moved-quote-publishes", "5", f"{SERVICES}/claims.py",
           "    if moved:\n", "    if False:\n",
           "verdict_problems: a re-pointed or flagged quote does not block publication"),
    Mutant("orphaned-evidence-publishes", "5", f"{SERVICES}/claims.py",
           "    if broken:\n", "    if False:\n",
           "verdict_problems: an orphaned evidence quote does not block publication"),
    Mutant("orphaned-claim-quote-publishes", "2", f"{SERVICES}/claims.py",
           "    if claim.anchor_broken:\n        problems.append(", "    if False:\n        problems.append(",
           "verdict_problems: a claim whose own quote is orphaned may be published"),
    Mutant("confirm-own-move", "5", f"{SERVICES}/checkers.py",
           "if item.anchor_moved_by_id is not None and by is not None and item.anchor_moved_by_id == by.pk:",
           "if False:",
           "whoever moved a quote by editing its source may confirm it"),
    Mutant("repointed-silently", "2", f"{SERVICES}/sources.py",
           "        method, score = found.method, found.score\n",
           "        method, score = AnchorMethod.EXACT, found.score\n",
           "a quote re-pointed to other words by a source edit is not flagged"),
    Mutant("moved-quote-stays-published", "2", f"{SERVICES}/sources.py",
           "    for claim in Claim.objects.filter(pk__in=impacts, state=State.PUBLISHED):\n",
           "    for claim in Claim.objects.none():\n",
           "a published claim whose quote an edit changed stays published, unannounced"),
    # Rule 5: reader-visible changes only with a public note.
    Mutant("correction-without-note", "5", f"{SERVICES}/claims.py",
           "    if reader_visible:\n        if not note:\n", "    if reader_visible:\n        if False:\n",
           "a published claim's content changes without a correction note"),
    Mutant("republish-without-note", "5", f"{SERVICES}/claims.py",
           "    if changes and not note:\n", "    if False:\n",
           "a claim withdrawn and changed is republished without a note"),
    Mutant("quote-unpublished-source", "1", f"{SERVICES}/claims.py",
           "    if claim.state == State.PUBLISHED and source.state != State.PUBLISHED:\n", "    if False:\n",
           "a published claim may quote a draft source"),
    Mutant("publish-without-its-sources", "1", f"{SERVICES}/claims.py",
           '    ids = {claim.source_id, *claim.evidence.values_list("source_id", flat=True)}\n',
           "    ids = set()\n",
           "a claim is published while the sources it quotes stay unpublished"),
    Mutant("claim-retracted-without-note", "5", f"{SERVICES}/claims.py",
           '    require(by, "retract_claim", "retract published claims")\n'
           '    note = note_required(note, "A retraction")\n',
           '    require(by, "retract_claim", "retract published claims")\n    note = clean(note or "")\n',
           "a claim is retracted without a public note"),
    Mutant("source-retracted-without-note", "5", f"{SERVICES}/records.py",
           '    note = note_required(note, "A retraction")\n', '    note = (note or "").strip()\n',
           "a source is retracted without a public note"),
    # Rule 6: published records are never deleted.
    Mutant("published-claim-deleted", "6", f"{SERVICES}/claims.py",
           "    if claim.first_published_at is not None:\n        raise WorkflowError(\"This claim has been",
           "    if False:\n        raise WorkflowError(\"This claim has been",
           "claim_delete deletes a published claim"),
    # Rule 7: a stale form's save is refused.
    Mutant("stale-form-saves", "7", f"{SERVICES}/common.py",
           "    if seen is not None and seen != record.version:\n", "    if False:\n",
           "check_version: a form opened before another save overwrites it"),
    # Rules 1, 9 and 10: one history that follows the public record.
    Mutant("withdrawal-not-logged", "10", f"{SERVICES}/claims.py",
           "    _event(claim, Action.WITHDRAWN, by, reason)\n    log_change(claim, before=seen, note=reason)\n",
           "    _event(claim, Action.WITHDRAWN, by, reason)\n",
           "withdrawing a claim writes no event: partners and feeds still see it published"),
]  # fmt: skip


def prepare(workdir: Path) -> None:
    """A copy of the project in `workdir`: tracker/ and tests/ copied, the rest linked."""
    for entry in ROOT.iterdir():
        if entry.name in (".git", ".hypothesis", ".pytest_cache", "artifacts", "backups") or entry.name.startswith(
            "db.sqlite3"
        ):
            continue
        target = workdir / entry.name
        if entry.name in COPIED:
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.symlink_to(entry)


def apply(workdir: Path, mutant: Mutant) -> None:
    path = workdir / mutant.path
    text = path.read_text(encoding="utf-8")
    if text.count(mutant.old) != 1:
        raise LookupError(f"{mutant.path}: the text to mutate occurs {text.count(mutant.old)} times, not once")
    path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")


def run_tests(workdir: Path, effort: str, timeout: float, tests=TESTS) -> tuple[str, float, str]:
    """('failed' | 'passed' | 'error', seconds, the failing test's first lines)."""
    env = dict(os.environ, TEST_EFFORT=effort, TEST_SHRINK="0", PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started, ""
    seconds = time.monotonic() - started
    out = done.stdout + done.stderr
    if done.returncode == 0:
        return "passed", seconds, ""
    if done.returncode == 1:
        errors = [line[1:].strip() for line in out.splitlines() if line.startswith("E ") and "Error" in line]
        test = next((line.split(" ")[1] for line in out.splitlines() if line.startswith("FAILED ")), "")
        return "failed", seconds, f"{test.split('::')[-1][:40]}: {(errors or [''])[0][:160]}"
    return "error", seconds, out[-2000:]


def check(mutant: Mutant | None, effort: str, timeout: float) -> tuple[str, float, str]:
    with tempfile.TemporaryDirectory(prefix="mutant-") as tmp:
        workdir = Path(tmp)
        prepare(workdir)
        if mutant is not None:
            try:
                apply(workdir, mutant)
            except LookupError as exc:
                return "stale", 0.0, str(exc)
        first = mutant is not None and mutant.rule in DESK_FIRST
        return run_tests(workdir, effort, timeout, TESTS[::-1] if first else TESTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="mutants to try (default: all)")
    parser.add_argument("--effort", choices=["full", "quick"], default="full", help="full: CI's (default)")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="mutants tried at once")
    parser.add_argument("--timeout", type=float, default=900, help="seconds for one mutant's run")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unmutated run")
    args = parser.parse_args()
    if args.list:
        for m in MUTANTS:
            print(f"{m.name:48} rule {m.rule:3} {m.path}: {m.what}")
        return 0
    chosen = [m for m in MUTANTS if not args.names or m.name in args.names]
    unknown = set(args.names) - {m.name for m in MUTANTS}
    if unknown:
        parser.error(f"unknown mutants: {', '.join(sorted(unknown))}")
    effort = "full" if args.effort == "full" else "quick"
    print(f"Property tests at {effort} effort: {' '.join(TESTS)}", flush=True)
    if not args.no_baseline:
        outcome, seconds, detail = check(None, effort, args.timeout)
        print(f"unmutated: {outcome} in {seconds:.0f} s", flush=True)
        if outcome != "passed":
            print(detail)
            return 2
    rows = []

    def one(mutant: Mutant):
        outcome, seconds, detail = check(mutant, effort, args.timeout)
        verdict = {"failed": "killed", "passed": "SURVIVED"}.get(outcome, outcome.upper())
        print(f"  {mutant.name:48} {verdict:9} {seconds:5.0f} s  {detail if outcome != 'error' else ''}", flush=True)
        if outcome == "error":
            print(detail)
        return mutant, verdict, seconds

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(one, chosen))
    print(f"\n| mutant | rule | removes | {effort} effort | seconds |\n|---|---|---|---|---|")
    for mutant, verdict, seconds in rows:
        print(f"| {mutant.name} | {mutant.rule} | {mutant.what} | {verdict} | {seconds:.0f} |")
    survived = [m.name for m, verdict, _ in rows if verdict != "killed"]
    killed = len(rows) - len(survived)
    print(f"\n{killed} of {len(rows)} mutants killed" + (f"; not killed: {', '.join(survived)}" if survived else ""))
    if any(verdict in ("STALE", "ERROR") for _, verdict, _ in rows):
        return 2
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
