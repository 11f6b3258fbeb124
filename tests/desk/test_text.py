"""strip_control_chars(): what the desk keeps of pasted text."""

import io

import pytest
from django.utils.xmlutils import SimplerXMLGenerator

from tracker.desk.text import strip_control_chars


def test_it_keeps_ordinary_text_tabs_and_newlines():
    text = "Carney and Lee — “announced” the partnership.\n\tIn Gyeongju: 경주, 慶州. 🇨🇦"

    assert strip_control_chars(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("page one\x0cpage two", "page onepage two"),
        ("a\x0bb", "ab"),
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 escape\x1b[0m", "bell escape[0m"),
        ("del\x7f", "del"),
        ("c1\x85\x9f", "c1"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("non\ufffecharacters\uffff", "noncharacters"),
    ],
)
def test_it_removes_control_characters(value, expected):
    assert strip_control_chars(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("one\r\ntwo", "one\ntwo"), ("one\rtwo", "one\ntwo"), ("one\r\n\r\ntwo\r", "one\n\ntwo\n")],
)
def test_it_makes_every_line_break_a_newline(value, expected):
    assert strip_control_chars(value) == expected


def test_every_character_it_keeps_is_one_xml_can_hold():
    everything = "".join(map(chr, range(0x10000)))

    kept = strip_control_chars(everything)

    SimplerXMLGenerator(io.StringIO()).characters(kept)  # raises UnserializableContentError otherwise
    assert "\t" in kept and "\n" in kept and "\x7e" in kept and "\xa0" in kept and "\ufffd" in kept
