"""Plain text as the desk keeps it: no control characters.

Staff paste from PDFs, word processors and web pages, which bring form feeds,
vertical tabs and other control characters along. XML 1.0 cannot hold most of
them (a feed carrying one fails to render), and none of them means anything to a
reader. The services clean text on the way in; the feeds clean it again on the
way out, for records saved before.
"""

import re

# C0 controls but tab and newline (a carriage return is made a newline first), DEL,
# C1 controls, lone surrogates (not UTF-8), and the non-characters U+FFFE and U+FFFF.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_control_chars(value: str) -> str:
    """`value` without control characters, keeping tabs and line breaks; \\r\\n and a
    lone \\r become \\n."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
