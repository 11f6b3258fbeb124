"""Fixtures for the newsroom's tests: a desk of three named people with mail addresses."""

import pytest

from tests.desk.conftest import messages_of  # noqa: F401 - for the tests here


@pytest.fixture
def desk(make_staff):
    """Rita (reporter), Vera (verifier) and Ed (editor)."""

    class Desk:
        rita = make_staff("Reporter", "rita", first_name="Rita", last_name="Reyes", email="rita@desk.example")
        vera = make_staff("Verifier", "vera", first_name="Vera", last_name="Vance", email="vera@desk.example")
        ed = make_staff("Editor", "ed", first_name="Ed", last_name="Eno", email="ed@desk.example")

    return Desk
