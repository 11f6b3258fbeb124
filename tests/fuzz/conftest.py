"""The fuzz tests drive the small published record the public pages' tests use."""

from tests.public.conftest import _desk_records, desk  # noqa: F401
