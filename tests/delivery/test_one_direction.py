"""Delivery's code runs one way: events -> dispatch -> channels, the jobs and the worker
calling in, nothing calling back (STYLE.md); and an event's payload is the event log's
own, which the API's change feed uses, never the other way round. Read from the
imports themselves."""

import ast
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from tracker.api import changes
from tracker.events import payload
from tracker.events.models import Event

PACKAGE = Path(settings.BASE_DIR) / "tracker" / "delivery"


def imports_of(path: Path) -> set[str]:
    """The tracker modules a file imports, at any depth of the file (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from .x import y
                base = "tracker.delivery" if node.level == 1 else "tracker"
                module = f"{base}.{node.module}" if node.module else base
                found |= {f"{module}.{alias.name}" if not node.module else module for alias in node.names}
            elif node.module and node.module.startswith("tracker"):
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("tracker")}
    return found


def graph() -> dict[str, set[str]]:
    modules = {f"tracker.delivery.{path.stem}": path for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    return {
        name: {other for other in imports_of(path) if other in modules and other != name}
        for name, path in modules.items()
    }


def test_the_delivery_modules_import_each_other_in_one_direction():
    edges = graph()
    seen, stack = set(), []

    def visit(node):
        if node in stack:
            raise AssertionError(f"an import cycle: {' -> '.join([*stack[stack.index(node) :], node])}")
        if node in seen:
            return
        stack.append(node)
        for other in edges[node]:
            visit(other)
        stack.pop()
        seen.add(node)

    for module in edges:
        visit(module)


def test_only_the_runners_import_the_jobs():
    importers = {name for name, others in graph().items() if "tracker.delivery.tasks" in others}
    assert importers <= {"tracker.delivery.apps", "tracker.delivery.schedule"}, importers


def test_delivery_and_the_event_log_never_import_the_api():
    for folder in ("delivery", "events"):
        for path in (Path(settings.BASE_DIR) / "tracker" / folder).rglob("*.py"):
            assert not any(name.startswith("tracker.api") for name in imports_of(path)), path


def test_the_change_feed_lists_events_as_the_event_log_writes_them():
    assert "tracker.events.payload" in imports_of(Path(changes.__file__))
    event = Event(id=1, at=timezone.now(), record_type="claim", record_slug="x", title="T", kind="published")
    # The schema's fields are the payload's, in its order.
    assert changes.EventSerializer.Meta.fields == list(payload.payload(event))
    assert changes.EventSerializer().to_representation(event) == payload.payload(event)
