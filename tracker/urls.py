import os

from django.contrib import admin
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views import defaults
from django.views.decorators.cache import never_cache

from tracker.api import errors as api_errors


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": str(exc.__class__.__name__)}, status=503)
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception):
    """400 handler, for what Django refuses itself (more than 1,000 parameters, say):
    JSON under /api/, the site's own page everywhere else."""
    if request.path.startswith("/api/"):
        return api_errors.bad_request(request, exception)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest):
    """500 handler: JSON under /api/, the site's own page everywhere else."""
    if request.path.startswith("/api/"):
        return api_errors.server_error(request)
    return defaults.server_error(request)


handler400 = bad_request
handler500 = server_error

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("tracker.api.urls")),
    path("", include("tracker.public.urls")),
]

if os.environ.get("BENCH_BARE_VIEW") == "1":
    # Only while `make bench` runs the server (tracker/bench.py); never in production.
    from tracker import bench

    urlpatterns.insert(0, path("_bench/bare/<int:size>", bench.bare, name="bench-bare"))
