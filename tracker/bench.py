"""The bare view `make bench` compares every page with (scripts/bench.py).

It answers `size` bytes through the same middleware, settings and server as the real
pages, doing no other work: the framework's own limit for a response of that size.
tracker/urls.py routes to it only when BENCH_BARE_VIEW=1 is set in the environment
the server starts with, which only the benchmark does; in production it does not exist.
"""

from django.http import HttpRequest, HttpResponse

MAX_SIZE = 16 * 1024 * 1024


def bare(request: HttpRequest, size: int) -> HttpResponse:
    return HttpResponse(b"x" * min(size, MAX_SIZE), content_type="text/html; charset=utf-8")
