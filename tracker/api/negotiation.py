"""Choosing the response format: DRF's negotiation, with a 404 that says what to ask for."""

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation

from tracker.desk.models import MeetingFormat


class ContentNegotiation(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if matching:
            return matching
        offered = ", ".join(sorted({renderer.format for renderer in renderers}))
        detail = f"There is no response format {format[:40]!r}: ?format= takes {offered}."
        if format in MeetingFormat.values:
            # The public meetings page filters with ?format=bilateral; in the API,
            # ?format= is the response format.
            detail += " To filter meetings by their format, use ?meeting_format=."
        raise Http404(detail)
