from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import changes, docs, sync, views
from .errors import not_found

router = DefaultRouter()
router.include_format_suffixes = False
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("sources", views.SourceViewSet, basename="source")
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("people", views.PersonViewSet, basename="person")
router.register("parties", views.PartyViewSet, basename="party")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("corrections", views.CorrectionViewSet, basename="correction")

v1 = [
    path("tombstones/", sync.TombstoneView.as_view(), name="tombstones"),
    path("events/", changes.EventFeedView.as_view(), name="events"),
    path("export/", sync.ExportView.as_view(), name="export"),
    *router.urls,
]

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", docs.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include((v1, "api"))),
    # Anything else under /api/ is a JSON 404, like every other API error.
    re_path(r"^api/", not_found),
]
