"""Public pages. Every queryset starts from the model's published() rule."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.generic import DetailView, ListView

from tracker.desk.models import Agreement, Claim, Meeting, Party, Person, Source


def home(request: HttpRequest) -> HttpResponse:
    claims = Claim.objects.published().select_related("source")[:10]
    return render(request, "public/home.html", {"claims": claims})


class PublishedMixin:
    def get_queryset(self):
        return self.model.objects.published()


class ClaimList(PublishedMixin, ListView):
    model = Claim
    paginate_by = 25
    template_name = "public/claim_list.html"


class ClaimDetail(PublishedMixin, DetailView):
    model = Claim
    template_name = "public/claim_detail.html"


class SourceList(PublishedMixin, ListView):
    model = Source
    paginate_by = 25
    template_name = "public/source_list.html"


class SourceDetail(PublishedMixin, DetailView):
    model = Source
    template_name = "public/source_detail.html"


class AgreementList(PublishedMixin, ListView):
    model = Agreement
    paginate_by = 25
    template_name = "public/agreement_list.html"


class AgreementDetail(PublishedMixin, DetailView):
    model = Agreement
    template_name = "public/agreement_detail.html"


class MeetingList(PublishedMixin, ListView):
    model = Meeting
    paginate_by = 25
    template_name = "public/meeting_list.html"


class MeetingDetail(PublishedMixin, DetailView):
    model = Meeting
    template_name = "public/meeting_detail.html"


class PersonDetail(PublishedMixin, DetailView):
    model = Person
    template_name = "public/person_detail.html"


class PartyDetail(PublishedMixin, DetailView):
    model = Party
    slug_field = "code"
    slug_url_kwarg = "code"
    template_name = "public/party_detail.html"
