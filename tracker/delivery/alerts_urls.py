"""Absolute public addresses of records, for mails and webhook payloads."""

from django.conf import settings
from django.urls import reverse

PAGES = {
    "claim": "public:claim",
    "agreement": "public:agreement",
    "meeting": "public:meeting",
    "person": "public:person",
    "party": "public:party",
    "source": "public:source",
    "topic": "public:topic",
}


def record_url(record_type: str, slug: str) -> str | None:
    if record_type in PAGES:
        return settings.SITE_URL + reverse(PAGES[record_type], args=[slug])
    return None
