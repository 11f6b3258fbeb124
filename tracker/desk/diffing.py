"""Word-level differences between two texts, marked up for the desk's compare pages.

A statement or rationale is compared word by word. A source's archived text (tens of
kilobytes) is compared paragraph by paragraph first, then word by word inside the
paragraphs that changed, and long unchanged stretches are folded to a count of words,
so the page shows what changed rather than the whole document twice.

Every piece of text is escaped here; the markup is only <del>, <ins> and the folds.
"""

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TOKENS = re.compile(r"\s+|[^\s]+")
# Past this many words on either side, a changed stretch is shown as removed and added
# whole: matching word by word costs the square of its length.
WORD_MATCH_LIMIT = 4000
CONTEXT_WORDS = 15  # kept either side of a change when unchanged text is folded


@dataclass(frozen=True)
class Segment:
    op: str  # "same", "del" or "ins"
    text: str


def _matched(old: list[str], new: list[str]) -> list[Segment]:
    segments = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            segments.append(Segment("del", "".join(old[a1:a2])))
        if b2 > b1:
            segments.append(Segment("ins", "".join(new[b1:b2])))
    return segments


def _words(old: str, new: str) -> list[Segment]:
    old_tokens, new_tokens = TOKENS.findall(old), TOKENS.findall(new)
    if max(len(old_tokens), len(new_tokens)) > 2 * WORD_MATCH_LIMIT:
        return [segment for segment in (Segment("del", old), Segment("ins", new)) if segment.text]
    return _matched(old_tokens, new_tokens)


def segments(old: str, new: str) -> list[Segment]:
    """The two texts as unchanged, removed and added stretches, in reading order."""
    old, new = old or "", new or ""
    if "\n" not in old and "\n" not in new:
        return _merge(_words(old, new))
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    result: list[Segment] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            result.append(Segment("same", "".join(old_lines[a1:a2])))
        else:
            result += _words("".join(old_lines[a1:a2]), "".join(new_lines[b1:b2]))
    return _merge(result)


def _merge(items: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for item in items:
        if not item.text:
            continue
        if merged and merged[-1].op == item.op:
            merged[-1] = Segment(item.op, merged[-1].text + item.text)
        else:
            merged.append(item)
    return merged


def _mark(segment: Segment) -> str:
    if segment.op == "del":
        return f'<del><span class="desk-sr">removed: </span>{escape(segment.text)}</del>'
    if segment.op == "ins":
        return f'<ins><span class="desk-sr">added: </span>{escape(segment.text)}</ins>'
    return escape(segment.text)


def _fold(text: str, *, first: bool, last: bool) -> str:
    """An unchanged stretch, its middle folded to a count when it is long."""
    words = TOKENS.findall(text)
    count = sum(1 for token in words if not token.isspace())
    keep = 2 * CONTEXT_WORDS
    if count <= keep + 10:
        return escape(text)
    head = [] if first else words[:keep]  # tokens: a word and a space each
    tail = [] if last else words[-keep:]
    hidden = count - sum(1 for token in head + tail if not token.isspace())
    fold = f'<span class="desk-diff-fold">[… {hidden} unchanged words …]</span>'
    return escape("".join(head)) + fold + escape("".join(tail))


@dataclass(frozen=True)
class Marked:
    old: SafeString  # the old text, with what was removed marked
    new: SafeString  # the new text, with what was added marked
    both: SafeString  # one text with both marked, long unchanged stretches folded
    changed: bool
    words_removed: int = 0
    words_added: int = 0


def mark_words(old: str, new: str) -> Marked:
    parts = segments(old, new)
    old_html = "".join(_mark(s) for s in parts if s.op != "ins")
    new_html = "".join(_mark(s) for s in parts if s.op != "del")
    both = []
    for index, segment in enumerate(parts):
        if segment.op == "same":
            both.append(_fold(segment.text, first=index == 0, last=index == len(parts) - 1))
        else:
            both.append(_mark(segment))
    changed = any(segment.op != "same" for segment in parts)
    removed = sum(len(s.text.split()) for s in parts if s.op == "del")
    added = sum(len(s.text.split()) for s in parts if s.op == "ins")
    return Marked(mark_safe(old_html), mark_safe(new_html), mark_safe("".join(both)), changed, removed, added)
