"""Rules about a verdict and its evidence (DESIGN.md, rule 3).

Shared by the workflow services and the seed loader, so that a seeded record and a
record published through the admin are held to the same standard.
"""

from collections.abc import Iterable

from .choices import Stance, Verdict


def verdict_evidence_problems(verdict: str, stances: Iterable[str]) -> list[str]:
    """What is missing for `verdict` to rest on evidence with these stances."""
    stances = list(stances)
    problems = []
    if verdict == Verdict.NOT_RATED:
        return problems
    if not stances:
        problems.append(f"A verdict of “{Verdict(verdict).label}” needs at least one evidence quote.")
    if verdict == Verdict.ACCURATE and Stance.SUPPORTS not in stances:
        problems.append("“Accurate” needs at least one piece of evidence that supports the claim.")
    if verdict == Verdict.INACCURATE and Stance.CONTRADICTS not in stances:
        problems.append("“Inaccurate” needs at least one piece of evidence that contradicts the claim.")
    return problems
