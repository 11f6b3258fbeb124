"""Partner API keys and request rates: anonymous reads are throttled modestly, a
valid key earns the partner rate, a bad key is refused rather than downgraded."""

import datetime as dt
import io
import time

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st
from rest_framework.settings import api_settings
from rest_framework_api_key.models import APIKey

from tracker.api.throttles import APIRateThrottle, seconds_to_wait, window_key


@pytest.fixture
def rates(settings):
    def set_rates(anon="3/min", partner="6/min", export="2/min"):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "partner": partner, "export": export},
        }

    return set_rates


def statuses(api, n: int, url: str = "/api/v1/topics/", **headers) -> list[int]:
    return [api.get(url, **headers).status_code for _ in range(n)]


def test_anonymous_reads_are_throttled_with_a_json_429_and_retry_after(api, rates):
    rates(anon="3/min")

    assert statuses(api, 3) == [200, 200, 200]
    response = api.get("/api/v1/topics/")

    assert response.status_code == 429
    # A sliding window: this minute's requests slide out over the next one.
    assert 0 < int(response["Retry-After"]) <= 120
    assert response.json()["error"]["code"] == "throttled"


def test_a_partner_key_gets_the_higher_rate_counted_per_key(api, rates, partner_key):
    rates(anon="3/min", partner="6/min")
    _, key = partner_key

    assert statuses(api, 6, HTTP_AUTHORIZATION=f"Api-Key {key}") == [200] * 6
    assert api.get("/api/v1/topics/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 429
    assert api.get("/api/v1/topics/").status_code == 200  # anonymous callers have their own count


def test_the_export_has_its_own_lower_rate(api, rates):
    rates(anon="100/min", export="2/min")

    assert statuses(api, 3, "/api/v1/export/") == [200, 200, 429]
    assert api.get("/api/v1/topics/").status_code == 200


@pytest.mark.parametrize(
    "header, code",
    [
        ("Api-Key abcdefgh.0123456789abcdefghijklmnopqrstuv", "invalid_key"),  # well formed, unknown
        ("Api-Key not-a-key", "invalid_key"),
        ("Api-Key ", "invalid_key"),
        ("Bearer abcdefgh.0123456789abcdefghijklmnopqrstuv", "invalid_authorization"),
        ("Api-Key abc\x00defg.0123456789abcdefghijklmnopqrstuv", "invalid_key"),
    ],
)
def test_a_bad_key_is_a_401_that_says_why(api, header, code):
    response = api.get("/api/v1/claims/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    assert response.json()["error"]["code"] == code


def test_a_revoked_key_stops_working_at_once(api, partner_key):
    record, key = partner_key
    assert api.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200

    record.revoked = True
    record.save()
    response = api.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "revoked_key"


def test_an_expired_key_is_refused(api, partner_key):
    record, key = partner_key
    record.expiry_date = timezone.now() - dt.timedelta(days=1)
    record.save()

    response = api.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Api-Key {key}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "expired_key"


def test_only_a_hash_of_the_key_is_stored(partner_key):
    record, key = partner_key

    assert key not in record.hashed_key and key not in record.id
    assert APIKey.objects.is_valid(key)


def test_the_command_prints_a_working_key_once(api):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_key", "Example Newsroom", stdout=out, stderr=err)
    key = out.getvalue().strip()

    assert "not shown again" in err.getvalue()
    assert APIKey.objects.get(name="Example Newsroom").prefix == key.split(".")[0]
    assert api.get("/api/v1/claims/", HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 200


def test_the_command_refuses_an_empty_name(db):
    with pytest.raises(CommandError):
        call_command("create_api_key", "  ", stdout=io.StringIO(), stderr=io.StringIO())
    assert not APIKey.objects.exists()


def test_the_counts_live_in_the_rate_counters_shared_by_every_server(api):
    # With CACHE_URL=redis://... this is Redis: every app server sees the same counts.
    away_from_a_window_edge()
    api.get("/api/v1/topics/")
    api.get("/api/v1/topics/")

    assert caches["rates"].get(this_window("anon", "127.0.0.1")) == 2


def away_from_a_window_edge() -> None:
    """The requests that follow fall in one minute's window."""
    if time.time() % 60 > 55:
        time.sleep(60 - time.time() % 60)


def this_window(scope: str, ident: str) -> str:
    _, duration = APIRateThrottle.parse_rate(None, api_settings.DEFAULT_THROTTLE_RATES[scope])
    return window_key(scope, ident, int(time.time() // duration))


def test_a_refused_request_is_not_counted_and_retry_after_is_when_one_fits(api, rates):
    rates(anon="2/min")
    away_from_a_window_edge()
    assert [api.get("/api/v1/topics/").status_code for _ in range(5)] == [200, 200, 429, 429, 429]
    assert caches["rates"].get(this_window("anon", "127.0.0.1")) == 2


def _fits(at: float, current: int, previous: int, limit: int, duration: int) -> bool:
    """Whether one more request fits `at` seconds after this window began."""
    if at < duration:
        return previous * (1 - at / duration) + current + 1 <= limit
    if at < 2 * duration:  # the next window: this one is its previous one
        return current * (1 - (at - duration) / duration) + 1 <= limit
    return True


@given(
    limit=st.integers(1, 50),
    duration=st.sampled_from([1, 60, 3600]),
    current=st.integers(0, 60),
    previous=st.integers(0, 60),
    share=st.floats(0, 0.999),
)
def test_retry_after_is_the_first_whole_second_a_request_fits(limit, duration, current, previous, share):
    elapsed = share * duration
    assume(not _fits(elapsed, current, previous, limit, duration))  # refused now
    wait = seconds_to_wait(current, previous, elapsed, limit, duration)
    assert wait >= 1
    assert _fits(elapsed + wait + 1e-9, current, previous, limit, duration)
    assert wait == 1 or not _fits(elapsed + wait - 1, current, previous, limit, duration)


def test_retry_after_is_not_a_second_late_by_rounding():
    # 20 requests last window, none in this one, limit 18: at 9 s 20 * (1 - 9/60) + 1 = 18 fits.
    assert seconds_to_wait(current=0, previous=20, elapsed=0.0, limit=18, duration=60) == 9
