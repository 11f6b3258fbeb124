"""A source's archived text as HTML, with the quoted passages marked.

Each passage becomes <mark id="passage-<start>-<end>">, the target of the links on
claim pages (AnchoredQuote.fragment). Passages can overlap; where one crosses the
end of another the inner mark is closed and reopened (without the id), so the HTML
stays well formed. Everything else is escaped.
"""

from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Passage:
    start: int
    end: int
    number: int
    # What cites it: (label, stance, claim) triples, shown in the notes below the text.
    citations: list = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"passage-{self.start}-{self.end}"


def collect_passages(text: str, quoted) -> list[Passage]:
    """Group quoted items by passage, in reading order, numbered from 1. `quoted`
    holds (item with start and end, label, stance, claim) tuples. Items whose offsets
    fall outside the text are skipped rather than trusted."""
    by_span: dict[tuple[int, int], Passage] = {}
    for item, label, stance, claim in quoted:
        if not (0 <= item.start < item.end <= len(text)):
            continue
        span = (item.start, item.end)
        if span not in by_span:
            by_span[span] = Passage(start=item.start, end=item.end, number=0)
        by_span[span].citations.append((label, stance, claim))
    passages = sorted(by_span.values(), key=lambda p: (p.start, -p.end))
    for number, passage in enumerate(passages, 1):
        passage.number = number
    return passages


def _open(passage: Passage, first: bool) -> str:
    if first:
        return format_html('<mark id="{}" class="passage">', passage.anchor)
    return '<mark class="passage">'


def _close(passage: Passage) -> str:
    return "</mark>"


def _note_link(passage: Passage) -> str:
    return format_html(
        '<a class="passage-note" href="#note-{}" aria-label="Passage {}: see what cites it">[{}]</a>',
        passage.number,
        passage.number,
        passage.number,
    )


def render_text(text: str, passages: list[Passage]) -> SafeString:
    """The escaped text with every passage marked. Each passage's numbered link to its
    note waits until no mark is open, so nested quotes do not break up the sentence."""
    starts: dict[int, list[Passage]] = {}
    ends: dict[int, list[Passage]] = {}
    for passage in passages:
        starts.setdefault(passage.start, []).append(passage)
        ends.setdefault(passage.end, []).append(passage)
    cuts = sorted({0, len(text), *starts, *ends})
    out: list[str] = []
    open_marks: list[Passage] = []
    pending_notes: list[Passage] = []
    for index, position in enumerate(cuts):
        ending = ends.get(position, [])
        if ending:
            # Close down to the deepest ending mark, then reopen the ones still running.
            depth = min(open_marks.index(p) for p in ending)
            reopen = [p for p in open_marks[depth:] if p not in ending]
            out.extend(_close(p) for p in reversed(open_marks[depth:]))
            del open_marks[depth:]
            pending_notes.extend(ending)
            if not reopen and not open_marks:
                out.extend(_note_link(p) for p in sorted(pending_notes, key=lambda p: p.number))
                pending_notes.clear()
            for passage in reopen:
                out.append(_open(passage, first=False))
                open_marks.append(passage)
        for passage in sorted(starts.get(position, []), key=lambda p: -p.end):
            out.append(_open(passage, first=True))
            open_marks.append(passage)
        if index + 1 < len(cuts):
            out.append(escape(text[position : cuts[index + 1]]))
    return mark_safe("".join(out))  # noqa: S308 - the text is escaped; only our marks and links are added
