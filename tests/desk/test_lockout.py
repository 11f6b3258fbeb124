"""Repeated failed staff logins lock the account out, even with the right password after."""

from django.test import Client


def _attempt(client: Client, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": "rita", "password": password})


def test_the_sixth_attempt_is_refused_even_with_the_right_password(make_staff, settings):
    make_staff("Reporter", username="rita")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _attempt(client, "wrong")
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.content.decode()
    response = _attempt(client, "wrong")  # the fifth failure locks
    assert response.status_code == 429
    response = _attempt(client, "pw-for-tests-only")
    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_before_the_limit_resets_the_count(make_staff, settings):
    make_staff("Reporter", username="rita")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _attempt(client, "wrong")
    assert _attempt(client, "pw-for-tests-only").status_code == 302
    client.logout()
    assert _attempt(client, "wrong").status_code == 200
