"""The desk's admin: one module per group of records, registered on import."""

from . import claims, records, sources  # noqa: F401
