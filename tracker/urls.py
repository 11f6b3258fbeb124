import os

from django.contrib import admin
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views import defaults
from django.views.decorators.cache import never_cache

from tracker import health, outage
from tracker.api import errors as api_errors


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency's state (tracker/health.py), for the load balancer and on-call."""
    healthy, checks = health.run_checks()
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def bad_request(request: HttpRequest, exception: Exception):
    """400 handler, for what Django refuses itself (more than 1,000 parameters, say):
    JSON under /api/, the site's own page everywhere else."""
    if request.path.startswith("/api/"):
        return api_errors.bad_request(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception):
    """403 handler: under /admin/, a desk page saying what was refused and why (the
    refusals say who can do it instead); JSON under /api/; the site's page elsewhere."""
    if request.path.startswith("/api/"):
        body = api_errors.error_body(403, "permission_denied", "You are not allowed to do this.")
        return JsonResponse(body, status=403)
    if request.path.startswith("/admin/") and getattr(request, "user", None) and request.user.is_staff:
        from django.contrib import admin as admin_site
        from django.template.response import TemplateResponse

        message = str(exception) if exception and str(exception) else ""
        context = {**admin_site.site.each_context(request), "title": "Not allowed", "message": message}
        if getattr(exception, "record", None) is not None:  # the desk's Refused: offer the hand-off
            from tracker.newsroom.panels import hand_off

            context["hand_off"] = hand_off(request, exception.record, exception.able)
        response = TemplateResponse(request, "admin/403.html", context, status=403)
        return response.render()
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest):
    """500 handler: JSON under /api/, the site's own page everywhere else; a 503 when
    a middleware (not the view) found the database or the cache unreachable."""
    unavailable = outage.handle_current(request)
    if unavailable is not None:
        return unavailable
    if request.path.startswith("/api/"):
        return api_errors.server_error(request)
    return defaults.server_error(request)


handler400 = bad_request
handler403 = permission_denied
handler500 = server_error

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the pages link to.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("", include("tracker.api.urls")),
    path("", include("tracker.delivery.urls")),
    path("", include("tracker.public.urls")),
]

if os.environ.get("BENCH_BARE_VIEW") == "1":
    # Only while `make bench` runs the server (tracker/bench.py); never in production.
    from tracker import bench

    urlpatterns.insert(0, path("_bench/bare/<int:size>", bench.bare, name="bench-bare"))
