"""A source's archived text with every quoted passage highlighted."""

from dataclasses import dataclass
from itertools import pairwise

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from ..models import Claim, Evidence, Source


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "claim", or the evidence stance
    label: str
    url: str
    broken: bool = False


def source_spans(source: Source) -> list[Span]:
    """The claim quotes and evidence quotes anchored in `source`."""
    spans = [
        Span(c.start, c.end, "claim", f"Claim: {c.statement}", reverse("admin:desk_claim_change", args=[c.pk]))
        for c in Claim.objects.filter(source=source).only("id", "start", "end", "statement", "anchor_broken")
        if c.end > c.start and not c.anchor_broken
    ]
    evidence = (
        Evidence.objects.filter(source=source)
        .select_related("claim")
        .only("start", "end", "stance", "anchor_broken", "claim__id", "claim__statement")
    )
    spans += [
        Span(
            e.start,
            e.end,
            e.stance,
            f"Evidence ({e.get_stance_display().lower()}) for: {e.claim.statement}",
            reverse("admin:desk_claim_change", args=[e.claim.pk]),
        )
        for e in evidence
        if e.end > e.start and not e.anchor_broken
    ]
    return sorted(spans, key=lambda s: (s.start, -s.end))


def highlighted_text(text: str, spans: list[Span]) -> SafeString:
    """`text`, escaped, with each span wrapped in <mark>. Overlapping spans nest as
    segments: each segment is marked with every span that covers it. The page's script
    counts offsets on the element's text, so nothing but the text itself is emitted
    between the tags."""
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    points = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    anchored: set[tuple[int, int]] = set()
    out: list[str] = []
    for a, b in pairwise(points):
        covering = [s for s in spans if s.start <= a and b <= s.end]
        piece = escape(text[a:b])
        if not covering:
            out.append(piece)
            continue
        ids = []
        for s in covering:
            if s.start == a and (s.start, s.end) not in anchored:
                anchored.add((s.start, s.end))
                ids.append(f"passage-{s.start}-{s.end}")
        kinds = " ".join(sorted({f"desk-mark-{s.kind}" for s in covering}))
        title = "\n".join(s.label for s in covering)
        out.append(
            format_html(
                '<mark class="desk-mark {}"{} title="{}" data-href="{}">{}</mark>',
                kinds,
                format_html(' id="{}"', ids[0]) if ids else "",
                title,
                covering[0].url,
                piece,
            )
        )
    return mark_safe("".join(out))
