"""Helpers for the desk's admin tests (the `login` fixture is in tests/conftest.py)."""


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
