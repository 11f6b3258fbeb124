"""Citing the record: APA, Chicago and BibTeX for a claim or agreement page, and
links into an original document at the quoted passage (a Text Fragment)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote, urldefrag

from django.conf import settings
from django.utils import timezone

from tracker.desk.models import Agreement, Claim

# A quote longer than this many words is matched by its first and last words
# (textStart,textEnd), which survive small differences in between.
FRAGMENT_WORDS = 10
EDGE_WORDS = 4


def _fragment_part(text: str) -> str:
    """Percent-encode a text directive value: everything but unreserved characters,
    and also `-` (which the syntax uses for prefix and suffix), per the WICG spec."""
    return quote(text, safe="").replace("-", "%2D")


def text_fragment_url(url: str, passage: str) -> str:
    """`url` pointing at `passage` with `#:~:text=` (any fragment `url` had is dropped)."""
    base, _fragment = urldefrag(url)
    words = passage.split()
    if not words:
        return base
    if len(words) > FRAGMENT_WORDS:
        start, end = " ".join(words[:EDGE_WORDS]), " ".join(words[-EDGE_WORDS:])
        return f"{base}#:~:text={_fragment_part(start)},{_fragment_part(end)}"
    return f"{base}#:~:text={_fragment_part(' '.join(words))}"


def _apa_date(day: dt.date) -> str:
    return f"{day.year}, {day:%B} {day.day}"


def _long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _bibtex_escape(text: str) -> str:
    text = re.sub(r"([\\{}])", r"\\\1", text)
    return re.sub(r"([&%$#_^~])", r"\\\1", text)


def citations(record: Claim | Agreement, url: str, *, day: dt.date | None = None) -> dict[str, str]:
    """The record cited as APA, Chicago and BibTeX, with `url` (its permanent link).
    `day`: the as-of day shown, else the day it was last updated."""
    site = settings.SITE_NAME
    today = timezone.localdate()
    if isinstance(record, Claim):
        title = f"{record.statement.rstrip('.')}"
        kind = f"Fact check: {record.get_verdict_display()}"
    else:
        title = record.title
        kind = "Agreement record"
    dated = day or timezone.localdate(record.updated_at)
    key = f"{record._meta.model_name}-{record.slug}".replace("_", "-")
    bibtex = "\n".join(
        [
            f"@misc{{{key},",
            f"  author = {{{{{_bibtex_escape(site)}}}}},",
            f"  title = {{{{{_bibtex_escape(title)}}}}},",
            f"  howpublished = {{{kind}}},",
            f"  year = {{{dated.year}}},",
            f"  month = {{{dated:%B}}},",
            f"  day = {{{dated.day}}},",
            f"  url = {{{url}}},",
            f"  urldate = {{{today.isoformat()}}}",
            "}",
        ]
    )
    return {
        "APA": f"{site}. ({_apa_date(dated)}). {title} [{kind}]. Retrieved {_long_date(today)}, from {url}",
        "Chicago": (
            f"{site}. “{title}.” {kind}. Last modified {_long_date(dated)}. Accessed {_long_date(today)}. {url}."
        ),
        "BibTeX": bibtex,
    }
