"""Turning an uploaded file into a source's archived text.

Accepted: .txt and .md as they are, .html reduced to clean text (scripts and styles
dropped, block elements turned into line breaks). Anything else, or anything that
is not UTF-8 text, is refused with a message that says what to do instead.
"""

import re
from html.parser import HTMLParser
from pathlib import PurePath

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class UploadRefused(ValueError):
    """The file cannot become a source's text; the message says why."""


_SKIPPED = {"script", "style", "noscript", "template", "head", "svg", "iframe", "object"}
_BLOCKS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
    "pre", "section", "table", "tr", "ul",
}  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return clean_text("".join(parser.parts))


def clean_text(text: str) -> str:
    """One form for every archived text: \\n line ends, no runs of spaces, at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def text_from_upload(name: str, data: bytes) -> str:
    """The archived text of an uploaded file, or UploadRefused."""
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise UploadRefused(
            f"“{name}” is not a .txt, .md or .html file. Save the document's text in one of those formats, "
            "or paste the text instead."
        )
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(f"“{name}” is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    if b"\x00" in data:
        raise UploadRefused(f"“{name}” is not a text file (it holds binary data). Upload its text instead.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            f"“{name}” is not UTF-8 text. Save it as UTF-8 (or paste its text) and try again."
        ) from None
    text = html_to_text(text) if suffix in HTML_SUFFIXES else clean_text(text)
    if not text:
        raise UploadRefused(f"“{name}” holds no text.")
    return text
