"""Anchoring quotes in a source's archived text (DESIGN.md, rule 2).

A quote is stored the way W3C Web Annotation describes a passage: a text position
selector (start and end offsets into the archived text) and a text quote selector
(the exact passage with some prefix and suffix context). Matching is exact first;
failing that, it tolerates differences of whitespace, quote marks and dashes, since
quotes are often pasted from a rendering of the text rather than the text itself.
"""

import re
from dataclasses import dataclass

CONTEXT_CHARS = 32

_QUOTE_MARKS = str.maketrans(
    {
        "\u2018": "'",  # left single
        "\u2019": "'",  # right single / apostrophe
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",  # prime
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
    }
)
_DASH_RUN = re.compile(r"[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]+")
_SPACE_RUN = re.compile(r"\s+")


class QuoteNotFound(ValueError):
    """The quote does not occur in the source's archived text."""


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def _normalise(text: str) -> tuple[str, list[int]]:
    """Fold quote marks, dash runs and whitespace runs; return the folded text and,
    for each folded character, the offset in the original text it came from."""
    folded: list[str] = []
    origin: list[int] = []
    text = text.translate(_QUOTE_MARKS)
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            folded.append(" ")
            origin.append(i)
            i = j
        elif _DASH_RUN.match(ch):
            j = _DASH_RUN.match(text, i).end()
            folded.append("-")
            origin.append(i)
            i = j
        else:
            folded.append(ch)
            origin.append(i)
            i += 1
    return "".join(folded), origin


def _all_occurrences(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at != -1:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _closest(candidates: list[int], hint: int | None) -> int:
    if hint is None:
        return candidates[0]
    return min(candidates, key=lambda at: abs(at - hint))


def _make_anchor(text: str, start: int, end: int) -> Anchor:
    return Anchor(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_CHARS) : start],
        suffix=text[end : end + CONTEXT_CHARS],
    )


def anchor_quote(text: str, quote: str, *, near: int | None = None) -> Anchor:
    """Find `quote` in `text` and return its anchor.

    `near` is an offset used to choose between several occurrences (the previous
    anchor's start, when re-anchoring). Raises QuoteNotFound.
    """
    quote = quote.strip()
    if not quote:
        raise QuoteNotFound("The quote is empty.")
    exact_hits = _all_occurrences(text, quote)
    if exact_hits:
        start = _closest(exact_hits, near)
        return _make_anchor(text, start, start + len(quote))

    folded_text, origin = _normalise(text)
    folded_quote, _ = _normalise(quote)
    folded_quote = folded_quote.strip()
    hits = _all_occurrences(folded_text, folded_quote)
    if not hits:
        raise QuoteNotFound(
            "The quote does not occur in the source's archived text, even allowing for "
            "differences of whitespace, quote marks and dashes."
        )
    folded_near = None
    if near is not None:
        folded_near = next((k for k, at in enumerate(origin) if at >= near), len(origin))
    folded_start = _closest(hits, folded_near)
    folded_end = folded_start + len(folded_quote)
    start = origin[folded_start]
    # The end is where the character after the match begins in the original text,
    # less any whitespace a folded space swallowed at the boundary.
    end = origin[folded_end] if folded_end < len(origin) else len(text)
    while end > start and text[end - 1].isspace() and not folded_quote.endswith(" "):
        end -= 1
    return _make_anchor(text, start, end)


def reanchor(text: str, *, exact: str, prefix: str, start: int | None) -> Anchor:
    """Find a previously anchored passage in a changed text.

    Prefers the occurrence whose preceding context still matches, then the one
    nearest its old position. Raises QuoteNotFound when the passage is gone.
    """
    if prefix:
        with_context = _all_occurrences(text, prefix + exact)
        if with_context:
            at = _closest(with_context, start - len(prefix) if start is not None else None)
            return _make_anchor(text, at + len(prefix), at + len(prefix) + len(exact))
    return anchor_quote(text, exact, near=start)


# Re-anchoring in a changed text --------------------------------------------------------------
#
# Exact, then tolerant, then approximate: the order annotation clients use for W3C text quote
# selectors in documents that changed (the Hypothesis client's match-quote). An approximate
# match is scored on the quote (weight 50), its prefix (20), its suffix (20) and its former
# position (2), each between 0 and 1; the weighted mean is the score. Below APPROXIMATE_THRESHOLD
# the quote is orphaned: the best candidate is only proposed to a person, never taken.

APPROXIMATE_THRESHOLD = 0.8
_WEIGHTS = {"quote": 50, "prefix": 20, "suffix": 20, "position": 2}
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Reanchored:
    """Where a quote stands in a changed text, and how sure the match is.

    `method` is "exact", "tolerant" (whitespace, quote marks, dashes), "approximate"
    (scored at or above the threshold) or "orphaned" (`anchor` is then only the best
    candidate, or None when there is none at all)."""

    method: str
    score: float
    anchor: Anchor | None

    @property
    def orphaned(self) -> bool:
        return self.method == "orphaned"


def _similarity(a: str, b: str) -> float:
    from rapidfuzz.distance import Levenshtein

    if not a and not b:
        return 1.0
    return Levenshtein.normalized_similarity(a, b)


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a window to whole words and trim the spaces at its edges."""
    n = len(text)
    start, end = max(0, min(start, n)), max(0, min(end, n))
    while start > 0 and start < n and _WORD.match(text[start]) and _WORD.match(text[start - 1]):
        start -= 1
    while 0 < end < n and _WORD.match(text[end - 1]) and _WORD.match(text[end]):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _score(text: str, start: int, end: int, *, exact: str, prefix: str, suffix: str, hint: int | None) -> float:
    parts = {
        "quote": _similarity(exact, text[start:end]),
        "prefix": _similarity(prefix, text[max(0, start - len(prefix)) : start]) if prefix else 1.0,
        "suffix": _similarity(suffix, text[end : end + len(suffix)]) if suffix else 1.0,
        "position": 1.0 if hint is None else 1.0 - min(1.0, abs(start - hint) / max(1, len(text))),
    }
    return sum(_WEIGHTS[name] * value for name, value in parts.items()) / sum(_WEIGHTS.values())


def _refine(text: str, start: int, end: int, exact: str) -> tuple[int, int]:
    """Move each end of a candidate window to where the quote matches it best."""
    slack = max(4, len(exact) // 4)
    best = (_similarity(exact, text[start:end]), start, end)
    for new_end in range(max(start + 1, end - slack), min(len(text), end + slack) + 1):
        best = max(best, (_similarity(exact, text[start:new_end]), start, new_end), key=lambda b: b[0])
    _, start, end = best
    for new_start in range(max(0, start - slack), min(end - 1, start + slack) + 1):
        best = max(best, (_similarity(exact, text[new_start:end]), new_start, end), key=lambda b: b[0])
    return _snap(text, best[1], best[2])


def _candidates(text: str, exact: str, prefix: str, suffix: str, hint: int | None) -> set[tuple[int, int]]:
    from rapidfuzz import fuzz

    found: set[tuple[int, int]] = set()
    quote = fuzz.partial_ratio_alignment(exact, text)
    if quote is not None:
        found.add((quote.dest_start, quote.dest_end))
    after = fuzz.partial_ratio_alignment(prefix, text) if prefix else None
    before = fuzz.partial_ratio_alignment(suffix, text) if suffix else None
    if after is not None and after.score >= 60:
        found.add((after.dest_end, after.dest_end + len(exact)))
    if before is not None and before.score >= 60:
        found.add((max(0, before.dest_start - len(exact)), before.dest_start))
        if (
            after is not None
            and after.score >= 60
            and after.dest_end < before.dest_start <= after.dest_end + 2 * len(exact)
        ):
            found.add((after.dest_end, before.dest_start))
    if hint is not None:
        found.add((min(hint, len(text)), min(hint + len(exact), len(text))))
    return {(s, e) for s, e in found if e > s}


def reanchor_quote(
    text: str, *, exact: str, prefix: str = "", suffix: str = "", start: int | None = None,
    threshold: float = APPROXIMATE_THRESHOLD,
) -> Reanchored:  # fmt: skip
    """Find a previously anchored passage in a changed text: exactly, then tolerantly,
    then approximately (see above). Never raises: a passage that is gone is orphaned."""
    try:
        found = reanchor(text, exact=exact, prefix=prefix, start=start)
    except QuoteNotFound:
        pass
    else:
        return Reanchored("exact" if found.exact == exact else "tolerant", 1.0, found)
    if not exact.strip() or not text.strip():
        return Reanchored("orphaned", 0.0, None)
    scored = []
    for cand_start, cand_end in _candidates(text, exact, prefix, suffix, start):
        s, e = _refine(text, cand_start, cand_end, exact)
        if e > s:
            score = _score(text, s, e, exact=exact, prefix=prefix, suffix=suffix, hint=start)
            scored.append((round(score, 4), -s, s, e))
    if not scored:
        return Reanchored("orphaned", 0.0, None)
    score, _, s, e = max(scored)
    return Reanchored("approximate" if score >= threshold else "orphaned", score, _make_anchor(text, s, e))


# How much a re-anchored quote's words changed ------------------------------------------------
#
# A light change is one a reader would call a typo fix: the same words up to spacing, quote
# marks and dashes, or the same number of words with at most LIGHT_WORDS of them respelled by
# at most LIGHT_LETTERS letters each, and no word of negation or number added, dropped or
# changed. Anything else (a word added, dropped or replaced: "will not sign" -> "will sign")
# changes what the quote says.

LIGHT_WORDS = 2
LIGHT_LETTERS = 2
_WORDS = re.compile(r"\w+(?:['’]\w+)*")
_WEIGHTY = re.compile(r"^(?:no|not|never|none|nor|neither|without|n't|\d[\d.,]*)$", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.translate(_QUOTE_MARKS))


def is_light_change(old: str, new: str) -> bool:
    """Whether `new` is `old` with only a typo fixed (see above)."""
    from rapidfuzz.distance import Levenshtein

    if old == new or _normalise(old)[0].strip() == _normalise(new)[0].strip():
        return True
    before, after = _words(old), _words(new)
    if len(before) != len(after):
        return False
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    if len(changed) > LIGHT_WORDS:
        return False
    return all(
        Levenshtein.distance(a, b) <= LIGHT_LETTERS and not _WEIGHTY.match(a) and not _WEIGHTY.match(b)
        for a, b in changed
    )
