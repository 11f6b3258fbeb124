"""The word diff of the compare page: what it marks always adds up to the two texts."""

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.desk.diffing import mark_words, segments

WORDS = st.sampled_from(["Canada", "will", "not", "sign", "the", "naval", "agreement", "<b>", "&", "\n\n", " ", "  "])
TEXTS = st.lists(WORDS, max_size=60).map(" ".join)


def _plain(marked: str) -> str:
    return html.unescape(re.sub(r'<span class="desk-sr">[^<]*</span>|<[^>]+>', "", marked))


@settings(max_examples=200, deadline=None)
@given(old=TEXTS, new=TEXTS)
def test_the_marked_stretches_rebuild_both_texts(old, new):
    parts = segments(old, new)
    assert "".join(p.text for p in parts if p.op != "ins") == old
    assert "".join(p.text for p in parts if p.op != "del") == new
    marked = mark_words(old, new)
    assert _plain(marked.old) == old and _plain(marked.new) == new
    assert marked.changed == (old != new)


def test_markup_in_a_text_is_escaped():
    marked = mark_words("<script>alert(1)</script> said", "<script>alert(2)</script> said")
    assert "<script>" not in marked.old + marked.new + marked.both


def test_one_removed_word_in_a_long_text_is_marked_and_the_rest_folded():
    body = " ".join(f"w{n}" for n in range(500))
    marked = mark_words(f"{body}\n\nCanada will not sign.\n\n{body}", f"{body}\n\nCanada will sign.\n\n{body}")
    assert (marked.words_added, marked.words_removed) == (0, 1)
    assert marked.both.count("unchanged words") == 2 and len(marked.both) < 2000
