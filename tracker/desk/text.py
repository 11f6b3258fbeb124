"""Text as the desk stores it: no control characters.

A form feed or a vertical tab pasted into a rationale is invisible on screen, yet it
cannot be written into an Atom feed (XML 1.0 has no place for it) and confuses the
partners' parsers. Every text the services store passes through here first.
"""

import re

# C0 controls except tab and line feed (carriage returns are folded first), DEL and C1
# controls, lone surrogates, and the two noncharacters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_control_chars(value: str) -> str:
    """`value` with line ends as \\n and every control character removed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)
