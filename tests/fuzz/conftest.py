"""The fuzz tests drive the small published record the public pages' tests use."""

from tests.public.conftest import desk  # noqa: F401
