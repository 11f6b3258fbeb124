"""Fixtures for the desk's admin tests."""

import pytest
from django.test import Client


@pytest.fixture
def login(db):
    """A test client signed in as `user` (by session, as after a real sign-in)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
