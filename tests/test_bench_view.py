"""The benchmark's bare view exists only when the benchmark turns it on."""

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve

import tracker.urls


def _reload_urls():
    importlib.reload(tracker.urls)
    clear_url_caches()


@pytest.fixture
def bare_view_enabled(monkeypatch):
    monkeypatch.setenv("BENCH_BARE_VIEW", "1")
    _reload_urls()
    yield
    monkeypatch.delenv("BENCH_BARE_VIEW")
    _reload_urls()


def test_the_bare_view_is_absent_unless_the_benchmark_enables_it(client, db):
    with pytest.raises(Resolver404):
        resolve("/_bench/bare/100")
    assert client.get("/_bench/bare/100").status_code == 404


@pytest.mark.parametrize("value", ["0", "", "true", "yes"])
def test_only_the_exact_switch_enables_it(client, db, monkeypatch, value):
    monkeypatch.setenv("BENCH_BARE_VIEW", value)
    _reload_urls()
    try:
        assert client.get("/_bench/bare/100").status_code == 404
    finally:
        monkeypatch.delenv("BENCH_BARE_VIEW")
        _reload_urls()


def test_when_enabled_it_answers_exactly_the_bytes_asked_for(client, db, bare_view_enabled):
    response = client.get("/_bench/bare/1234")
    assert response.status_code == 200
    assert len(response.content) == 1234
    assert response["Content-Type"] == "text/html; charset=utf-8"
