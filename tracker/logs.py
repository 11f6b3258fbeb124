"""Log lines nobody can forge, each with the request (or job) it belongs to.

Paths, search terms and error messages reach the log, and any of them may hold what a
visitor wrote: a path such as `/claims/x%0A2026-12-07 18:00:00,000 ERROR ...` would
otherwise write a second, convincing line. So every record is one line:

- `SafeFormatter` (LOG_FORMAT=plain, the default) escapes every control character of
  the message (`\\n` becomes `\\x0a`; a NUL `\\x00`; direction and line-separator marks
  too) and writes a traceback's lines indented under it, each escaped the same way,
  so no line of a record starts like a record;
- `JsonFormatter` (LOG_FORMAT=json) writes one JSON object per line, for a log shipper.

`RequestIdFilter` puts the current request's id on every record (`[-]` outside one):
RequestLogMiddleware (tracker/requestlog.py) gives each request one (or takes the one
the trusted proxy sent in X-Request-ID), answers it in the `X-Request-ID` header, and
the background worker names each job it runs.
"""

import contextvars
import json
import logging
import re

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("tracker_request_id", default="-")

# C0 and C1 controls, DEL, and the invisible characters that reorder or break a line
# on screen: zero-width, direction marks and overrides, line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """`text` with every control character written as an escape."""
    return _CONTROL.sub(_escaped, text)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        record.message = escape(record.getMessage())
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        extra = []
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            extra.append(record.exc_text)
        if record.stack_info:
            extra.append(self.formatStack(record.stack_info))
        for block in extra:
            line += "".join(f"\n    {escape(part)}" for part in block.splitlines())
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", request_id.get()),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=True)
