"""Atom feeds: new and updated verdicts, corrections, agreement status changes."""

from datetime import UTC, datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import feedgenerator

from tracker.desk.choices import Verdict
from tracker.desk.models import Agreement, AgreementStatusChange, Claim, Correction
from tracker.desk.text import strip_control_chars

from .records import SOURCE_WITHOUT_TEXT, public_corrections

ITEMS = 50
# Entry ids: tag URIs (RFC 4151) that stay the same whatever is edited.
TAG = "tag:policy-desk-tracker,2025"
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)


def _xml_safe(fields: dict) -> dict:
    def clean(value):
        if isinstance(value, str):
            return strip_control_chars(value)
        if isinstance(value, list | tuple):  # categories
            return [clean(item) for item in value]
        return value  # dates, numbers, None

    return {name: clean(value) for name, value in fields.items()}


class Atom1Feed(feedgenerator.Atom1Feed):
    """Atom without the characters XML 1.0 cannot hold. Django's writer raises on a
    form feed or a vertical tab, so one record holding one (text pasted from a PDF,
    saved before input was cleaned) would make the whole feed a 500."""

    def write(self, outfile, encoding):
        self.feed = _xml_safe(self.feed)
        self.items = [_xml_safe(item) for item in self.items]
        super().write(outfile, encoding)

    def latest_post_date(self):
        """The newest item's date; with no items, a fixed date (Django's writer says
        "now", so an empty feed differed on every request and no kept copy of it was
        ever the same as a fresh one). An item's arrival dates the feed again."""
        if any(item.get("updateddate") or item.get("pubdate") for item in self.items):
            return super().latest_post_date()
        return EMPTY_FEED_DATE


class SiteFeed(Feed):
    """RFC 4287: every feed names its author; every entry has an `updated` date and an
    id that stays the same when the entry is edited (a tag URI of the record, never
    its title or its position)."""

    feed_type = Atom1Feed
    author_name = settings.SITE_NAME

    def author_link(self) -> str:
        return settings.SITE_URL.rstrip("/") + "/"


class VerdictFeed(SiteFeed):
    title = f"{settings.SITE_NAME}: verdicts"
    subtitle = "Claims the desk has rated, newest or most recently updated first."

    def link(self) -> str:
        return reverse("public:claims")

    def items(self):
        return (
            Claim.objects.published()
            .exclude(verdict=Verdict.NOT_RATED)
            .prefetch_related(SOURCE_WITHOUT_TEXT)
            .order_by("-updated_at", "-pk")[:ITEMS]
        )

    def item_title(self, claim: Claim) -> str:
        return f"{claim.get_verdict_display()}: {claim.statement}"

    def item_description(self, claim: Claim) -> str:
        return claim.rationale

    def item_pubdate(self, claim: Claim):
        return claim.verdict_published_at or claim.first_published_at

    def item_updateddate(self, claim: Claim):
        return claim.updated_at

    def item_categories(self, claim: Claim) -> list[str]:
        return [claim.get_verdict_display()]

    def item_guid(self, claim: Claim) -> str:
        return f"{TAG}:claim-{claim.pk}"

    item_guid_is_permalink = False


class CorrectionFeed(SiteFeed):
    """Corrections and retractions. A retracted record is named by its kind alone and
    the entry links to the correction's own page, never to the retracted record."""

    title = f"{settings.SITE_NAME}: corrections"
    subtitle = "Corrections and retractions to the published record."

    def link(self) -> str:
        return reverse("public:corrections")

    def items(self):
        rows = Correction.objects.published().select_related("claim", "agreement", "meeting", "source")[:ITEMS]
        return public_corrections(rows)

    def item_title(self, correction) -> str:
        if correction.record is None:
            return f"{correction.kind_label} of a {correction.record_kind}"
        return f"{correction.kind_label}: {correction.record}"

    def item_description(self, correction) -> str:
        return correction.note

    def item_link(self, correction) -> str:
        return reverse("public:correction", args=[correction.id])

    def item_guid(self, correction) -> str:
        return f"{TAG}:correction-{correction.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction):
        return correction.created_at

    def item_updateddate(self, correction):
        return correction.created_at  # a note is never edited once published


class AgreementStatusFeed(SiteFeed):
    title = f"{settings.SITE_NAME}: agreement status changes"
    subtitle = "Each dated step in the agreements the desk follows, newest first."

    def link(self) -> str:
        return reverse("public:agreements")

    def items(self):
        return (
            AgreementStatusChange.objects.filter(agreement__in=Agreement.objects.published())
            .select_related("agreement")
            .order_by("-date", "-id")[:ITEMS]
        )

    def item_title(self, step: AgreementStatusChange) -> str:
        return f"{step.agreement.title}: {step.get_status_display().lower()}"

    def item_description(self, step: AgreementStatusChange) -> str:
        return step.note or f"{step.agreement.title} was {step.get_status_display().lower()} on {step.date:%-d %B %Y}."

    def item_link(self, step: AgreementStatusChange) -> str:
        return f"{step.agreement.get_absolute_url()}#step-{step.pk}"

    def item_pubdate(self, step: AgreementStatusChange):
        from datetime import datetime, time

        return datetime.combine(step.date, time(0, 0), tzinfo=UTC)

    def item_updateddate(self, step: AgreementStatusChange):
        return step.agreement.updated_at

    def item_guid(self, step: AgreementStatusChange) -> str:
        return f"{TAG}:status-step-{step.pk}"

    item_guid_is_permalink = False
