"""Links between a record's desk page and its public page.

Public pages are cached (ETag, revalidated on every use), so they must not differ for
staff. They carry no desk link in their HTML: a small script asks the desk, only when a
marker cookie says the browser belongs to signed-in staff, for the address of the
record's desk page (`edit_link`, never cached), and shows it. Readers' browsers have no
marker and make no request. The marker says nothing secret: the desk checks the session.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.cache import never_cache

from .models import Agreement, Claim, Meeting, Party, Person, Source

MARKER = "desk_staff"
PAGES = {
    "public:claim": (Claim, "slug"),
    "public:source": (Source, "slug"),
    "public:agreement": (Agreement, "slug"),
    "public:meeting": (Meeting, "slug"),
    "public:person": (Person, "slug"),
    "public:party": (Party, "code"),
}


class StaffMarkerMiddleware:
    """Sets the marker cookie for signed-in staff on desk pages, and drops it otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            return response
        user = getattr(request, "user", None)
        staff = bool(user and user.is_authenticated and user.is_staff)
        if staff and MARKER not in request.COOKIES:
            response.set_cookie(MARKER, "1", samesite="Lax", secure=request.is_secure())
        elif not staff and MARKER in request.COOKIES:
            response.delete_cookie(MARKER, samesite="Lax")
        return response


@never_cache
def edit_link(request: HttpRequest) -> HttpResponse:
    """{"url": <desk page>} for the public page at ?path=, for staff who may see it; else 204."""
    path = request.GET.get("path", "")[:300]
    try:
        match = resolve(path) if path.startswith("/") else None
    except Resolver404:
        match = None
    if match is None or match.view_name not in PAGES:
        return HttpResponse(status=204)
    model, field = PAGES[match.view_name]
    key = match.kwargs.get(field, "")
    record = model._default_manager.filter(**{field: key.upper() if field == "code" else key}).first()
    opts = model._meta
    if record is None or not request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
        return HttpResponse(status=204)
    return JsonResponse({"url": reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])})
