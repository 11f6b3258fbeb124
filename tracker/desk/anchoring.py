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
