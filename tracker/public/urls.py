from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.ClaimList.as_view(), name="claims"),
    path("claims/<slug:slug>/", views.ClaimDetail.as_view(), name="claim"),
    path("sources/", views.SourceList.as_view(), name="sources"),
    path("sources/<slug:slug>/", views.SourceDetail.as_view(), name="source"),
    path("agreements/", views.AgreementList.as_view(), name="agreements"),
    path("agreements/<slug:slug>/", views.AgreementDetail.as_view(), name="agreement"),
    path("meetings/", views.MeetingList.as_view(), name="meetings"),
    path("meetings/<slug:slug>/", views.MeetingDetail.as_view(), name="meeting"),
    path("people/<slug:slug>/", views.PersonDetail.as_view(), name="person"),
    path("parties/<str:code>/", views.PartyDetail.as_view(), name="party"),
]
