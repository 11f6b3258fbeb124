"""The desk's records (DESIGN.md, "Records") and the rules the database can hold.

Visibility lives in one place per model: `Model.objects.published()`. Pages, the API,
feeds, the sitemap, search and exports all start from it.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from . import anchoring, clock
from .canonical import canonical_url
from .choices import (
    AgreementKind,
    AgreementStatus,
    AnchorMethod,
    CorrectionKind,
    DatePrecision,
    MeetingFormat,
    PartyKind,
    Reliability,
    SourceKind,
    Stance,
    State,
    Verdict,
)

# Lets constraints say `code__length=2`.
models.CharField.register_lookup(models.functions.Length)


def short_text(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(",;:–—-") + "…"


class PublishedRecordDeletion(ValidationError):
    """Published records are retracted, never deleted (DESIGN.md, rule 6)."""


class EditorialQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=State.PUBLISHED)

    def public_or_retracted(self):
        """Published records plus retraction tombstones, for partners' sync."""
        return self.filter(state__in=(State.PUBLISHED, State.RETRACTED))

    def delete(self):
        if self.exclude(first_published_at=None).exists():
            raise PublishedRecordDeletion("A record that has been published cannot be deleted; retract it instead.")
        return super().delete()


class Editorial(models.Model):
    """Fields every record with an editorial life shares."""

    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)
    first_published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Optimistic locking (rule 7): a form carries the version it was read at, and a
    # save from a stale form is refused.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = EditorialQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.state == State.PUBLISHED

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()  # when the row changed here: what partners sync on
        if self.state == State.PUBLISHED and self.first_published_at is None:
            self.first_published_at = clock.now()  # when readers first saw it
        if not self._state.adding:
            self.version = (self.version or 0) + 1
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.first_published_at is not None:
            raise PublishedRecordDeletion(f"{self} has been published and cannot be deleted; retract it instead.")
        return super().delete(*args, **kwargs)


class ReferenceQuerySet(models.QuerySet):
    def published(self):
        # Parties and topics are reference data: all of them are public.
        return self.all()


class Party(models.Model):
    """A country (ISO 3166-1 alpha-2 code) or an organisation (APEC, G7, ASEAN...)."""

    code = models.CharField(
        max_length=16,
        unique=True,
        help_text="ISO 3166 alpha-2 for a country; an acronym for an organisation.",
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=PartyKind.choices, default=PartyKind.COUNTRY)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "parties"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PartyKind.ORGANISATION) | Q(code__length=2),
                name="party_country_code_is_two_letters",
                violation_error_message=(
                    "A country's code is its two-letter ISO 3166 code; only an organisation's may be longer."
                ),
            ),
            models.CheckConstraint(
                condition=Q(code=models.functions.Upper("code")),
                name="party_code_upper",
                violation_error_message="Write the code in capital letters.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:party", args=[self.code])


class Topic(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    history = HistoricalRecords()

    objects = ReferenceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:topic", args=[self.slug])


def tombstone_index(model: str) -> models.Index:
    """The rows the API's tombstones list (tracker/api/sync.py): published once and no
    longer, in the order it pages them. A partial index, so it stays as small as that
    list is, and the list reads it instead of scanning the table."""
    return models.Index(
        fields=["updated_at", "slug"],
        condition=~Q(first_published_at=None) & ~Q(state=State.PUBLISHED),
        name=f"{model}_tombstones",
    )


class Person(Editorial):
    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        help_text="The country or organisation the person is affiliated with.",
    )
    summary = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        indexes = [tombstone_index("person")]
        verbose_name_plural = "people"
        permissions = [("publish_person", "Can publish or retract a person")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("public:person", args=[self.slug])

    def role_on(self, day):
        return (
            self.roles.filter(Q(start_date__lte=day) | Q(start_date=None))
            .filter(Q(end_date__gte=day) | Q(end_date=None))
            .first()
        )


class RoleQuerySet(models.QuerySet):
    def held_on(self, day):
        """Roles held on `day` ("President of the Republic of Korea on 2025-10-29"). On a
        hand-over day both the outgoing and the incoming holder held the title."""
        return self.filter(Q(start_date__lte=day) | Q(start_date=None)).filter(Q(end_date__gte=day) | Q(end_date=None))


class Role(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=200, help_text="e.g. President of the Republic of Korea")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="roles", null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Empty while the role is held.")
    history = HistoricalRecords()

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date=None) | Q(start_date=None) | Q(end_date__gte=F("start_date")),
                name="role_ends_after_it_starts",
                violation_error_message="A role ends on or after the day it starts.",
            ),
            models.UniqueConstraint(
                fields=["person", "title", "start_date"],
                name="role_unique_per_person_start",
                violation_error_message="This person already holds this title from that date.",
            ),
        ]
        indexes = [models.Index(fields=["title", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.title}: {self.person}"

    def clean(self):
        if not self.title:
            return
        # One holder at a time, but a title changes hands on a day: the predecessor's
        # end date may be the successor's start date (Trudeau to Carney, 14 March 2025).
        # Two terms clash when each starts before the other ends; an unknown start or
        # end is open-ended.
        clash = Role.objects.filter(title=self.title).exclude(pk=self.pk).exclude(person_id=self.person_id)
        if self.start_date:
            clash = clash.filter(Q(end_date__gt=self.start_date) | Q(end_date=None))
        if self.end_date:
            clash = clash.filter(Q(start_date__lt=self.end_date) | Q(start_date=None))
        if clash.exists():
            raise ValidationError(f"Another person holds “{self.title}” during these dates: {clash.first().person}.")


class Source(Editorial):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, db_index=True)
    reliability = models.CharField(max_length=24, choices=Reliability.choices, db_index=True)
    url = models.URLField(max_length=1000, unique=True, null=True, blank=True)
    published_on = models.DateField(
        null=True,
        blank=True,
        help_text="The first day of the period when only a month or year is known.",
    )
    published_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    retrieved_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=16, default="en")
    text = models.TextField(help_text="The archived full text. Evidence is anchored in it.")
    text_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # Duplicate detection: the same document reached by a slightly different address
    # (case, trailing slash, tracking parameters) or with different whitespace.
    canonical_url = models.CharField(max_length=1000, unique=True, null=True, blank=True, editable=False)
    text_fingerprint = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="sources_added",
        null=True,
        blank=True,
        editable=False,
    )
    # Whoever archived the document or changed its text: none of them publishes it
    # (rule 4, maker-checker per record).
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="sources_contributed", blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published_on", "title"]
        permissions = [
            ("publish_source", "Can publish a source"),
            ("retract_source", "Can retract a published source"),
            ("correct_source", "Can correct a published source's text"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_precision=DatePrecision.UNKNOWN, published_on=None)
                | (~Q(published_precision=DatePrecision.UNKNOWN) & ~Q(published_on=None)),
                name="source_date_matches_precision",
                violation_error_message=(
                    "Give the publication date together with how precisely it is known (day, month or year), "
                    "or leave both empty: the date is then unknown."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="source_text_not_empty",
                violation_error_message="Paste the document's text or upload it as a file.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-published_on", "title", "id"], name="source_list_newest"),
            tombstone_index("source"),
            # The admin's language filter lists the distinct languages: along this index,
            # not by reading every source (12 ms at 20,000 sources; 3 ms).
            models.Index(fields=["language"], name="source_language"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:source", args=[self.slug])

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @staticmethod
    def fingerprint_text(text: str) -> str:
        """The hash of the text with its whitespace folded: the same document pasted
        with other line breaks or spacing is the same source."""
        return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()

    @property
    def published_display(self) -> str:
        if self.published_on is None:
            return "Date unknown"
        return {
            DatePrecision.DAY: self.published_on.strftime("%-d %B %Y"),
            DatePrecision.MONTH: self.published_on.strftime("%B %Y"),
            DatePrecision.YEAR: self.published_on.strftime("%Y"),
        }.get(self.published_precision, "Date unknown")

    def save(self, *args, **kwargs):
        # Derived data only; the workflow of a text change (re-anchoring its quotes,
        # sending claims back to review) is services.source_edit.
        if self.url == "":
            self.url = None
        self.canonical_url = canonical_url(self.url) if self.url else None
        self.text_sha256 = self.hash_text(self.text)
        self.text_fingerprint = self.fingerprint_text(self.text)
        super().save(*args, **kwargs)


class AnchoredQuote(models.Model):
    """A passage of a source's archived text, anchored by offsets and context."""

    quote = models.TextField(help_text="The exact passage, as it stands in the source's archived text.")
    start = models.PositiveIntegerField(editable=False, default=0)
    end = models.PositiveIntegerField(editable=False, default=0)
    prefix = models.CharField(max_length=64, blank=True, editable=False)
    suffix = models.CharField(max_length=64, blank=True, editable=False)
    anchor_broken = models.BooleanField(
        default=False,
        editable=False,
        help_text="Set when the source's text changed and the quote no longer occurs in it.",
    )
    # How the last edit of the source's text found the quote again, and how sure that was
    # (1.0 exact; an approximate match's weighted score). A person confirming the passage
    # resets it to "placed". An orphaned quote keeps its old offsets; the best candidate
    # passage, if any, is only suggested.
    anchor_method = models.CharField(
        max_length=12, choices=AnchorMethod.choices, default=AnchorMethod.PLACED, editable=False, db_index=True
    )
    anchor_score = models.FloatField(null=True, blank=True, editable=False)
    suggested_start = models.PositiveIntegerField(null=True, blank=True, editable=False)
    suggested_end = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # Whose edit of the source moved or orphaned the quote: someone else confirms it
    # (rule 5). Cleared when a person places or confirms the passage.
    anchor_moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    # Why a person confirmed a passage the matcher scored below its threshold; shown to
    # whoever publishes the claim, and kept in history.
    anchor_confirm_note = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def anchor(self, near: int | None = None) -> None:
        """Resolve the quote against the source text; raise ValidationError if absent."""
        if not self.source_id:
            return
        try:
            found = anchoring.anchor_quote(self.source.text, self.quote, near=near)
        except anchoring.QuoteNotFound as exc:
            raise ValidationError({"quote": f"{exc} Source: “{self.source}”."}) from exc
        self.quote, self.start, self.end = found.exact, found.start, found.end
        self.prefix, self.suffix = found.prefix, found.suffix
        self.anchor_broken = False
        self.anchor_method, self.anchor_score = AnchorMethod.PLACED, None
        self.suggested_start = self.suggested_end = None
        self.anchor_moved_by = None
        self.anchor_confirm_note = ""

    @property
    def needs_a_look(self) -> bool:
        """Orphaned, or re-pointed to other words by an edit of the source, and not yet confirmed."""
        return self.anchor_broken or self.anchor_method in (AnchorMethod.TOLERANT, AnchorMethod.APPROXIMATE)

    def suggested_passage(self, text: str) -> str:
        if self.suggested_start is None or self.suggested_end is None:
            return ""
        return text[self.suggested_start : self.suggested_end]

    @property
    def fragment(self) -> str:
        """A link fragment that points at the passage on the source page."""
        return f"#passage-{self.start}-{self.end}"


class Claim(Editorial, AnchoredQuote):
    slug = models.SlugField(max_length=120, unique=True)
    statement = models.TextField(help_text="The checkable statement, in the desk's words.")
    claimant = models.CharField(max_length=200, help_text="Who made it: the outlet or the quoted person.")
    claimant_person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        related_name="claims_made",
        null=True,
        blank=True,
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="claims",
        help_text="Where the claim appears.",
    )
    claimed_on = models.DateField(null=True, blank=True)
    agreements = models.ManyToManyField("Agreement", related_name="claims", blank=True)
    meetings = models.ManyToManyField("Meeting", related_name="claims", blank=True)
    people = models.ManyToManyField(Person, related_name="claims", blank=True)
    parties = models.ManyToManyField(Party, related_name="claims", blank=True)
    topics = models.ManyToManyField(Topic, related_name="claims", blank=True)
    verdict = models.CharField(max_length=16, choices=Verdict.choices, default=Verdict.NOT_RATED, db_index=True)
    rationale = models.TextField(blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="claims_drafted",
        null=True,
        blank=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="claims_reviewed",
        null=True,
        blank=True,
    )
    verdict_published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the claim last went into review."
    )
    # Everyone who wrote any of the claim's content: its drafter, whoever edited its
    # statement, quote or source, and whoever attached or changed its evidence. None
    # of them may publish or correct its verdict (rule 4, maker-checker).
    contributors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="claims_contributed", blank=True, editable=False
    )
    # This claim repeats one the desk checked before (services.claim_link_earlier): readers
    # of either see the other, once it is published.
    earlier_check = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="repeats", editable=False
    )
    history = HistoricalRecords(m2m_fields=[agreements, meetings, people, parties, topics])

    class Meta:
        ordering = ["-verdict_published_at", "-updated_at"]
        # One permission per workflow transition (granted to the roles in roles.py).
        permissions = [
            ("submit_claim", "Can submit a claim for review"),
            ("review_claim", "Can review claims and send them back"),
            ("publish_claim", "Can publish a claim's verdict"),
            ("retract_claim", "Can retract a published claim"),
            ("correct_claim", "Can correct a published claim"),
            ("withdraw_claim", "Can withdraw a published claim to review"),
        ]
        constraints = [
            # Maker-checker (rule 4), held by the database as well as the workflow.
            models.CheckConstraint(
                condition=Q(reviewed_by=None) | Q(drafted_by=None) | ~Q(reviewed_by=F("drafted_by")),
                name="claim_reviewer_is_not_drafter",
                violation_error_message="Whoever drafted a claim does not review or publish it (maker-checker).",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.PUBLISHED) | Q(verdict=Verdict.NOT_RATED) | ~Q(rationale=""),
                name="claim_published_verdict_has_rationale",
                violation_error_message="A published verdict needs a rationale saying why.",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="claim_quote_offsets_ordered",
                violation_error_message="The passage where the claim is made must end after it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-verdict_published_at"]),
            models.Index(fields=["state", "updated_at"]),
            # The public list's sorts (tracker/public/lists.py) and the home page's
            # verdict counts, read along an index rather than sorted or counted in full.
            models.Index(
                fields=["state", "verdict_published_at", "updated_at", "id"], name="claim_list_by_verdict_date"
            ),
            models.Index(fields=["state", "claimed_on", "updated_at", "id"], name="claim_list_by_claim_date"),
            models.Index(fields=["state", "verdict"], name="claim_state_verdict"),
            tombstone_index("claim"),
            # The API's default keyset order has its own index, made per database by
            # migration 0011 (SQLite cannot declare NULLS LAST, which it does anyway).
        ]

    def __str__(self) -> str:
        return short_text(self.statement, 100)

    def get_absolute_url(self) -> str:
        return reverse("public:claim", args=[self.slug])


class EvidenceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            claim__state=State.PUBLISHED,
            source__state=State.PUBLISHED,
            anchor_broken=False,
        )


class Evidence(AnchoredQuote):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="evidence")
    stance = models.CharField(max_length=16, choices=Stance.choices, db_index=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["claim", "start"]
        indexes = [
            # The few quotes needing a look and their claims (tracker/desk/home.py), read
            # from the index alone: SQLite scanned 200,000 rows rather than look up each.
            # (A partial index would be smaller, but SQLite cannot match it to a query
            # whose values are parameters.)
            models.Index(fields=["anchor_method", "claim"], name="evidence_needs_a_look"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")),
                name="evidence_offsets_ordered",
                violation_error_message="An evidence passage must end after it starts.",
            ),
            models.UniqueConstraint(
                fields=["claim", "source", "start", "end"],
                name="evidence_unique_passage_per_claim",
                violation_error_message="This passage is already evidence for this claim.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_stance_display()}: “{short_text(self.quote, 60)}”"


class Agreement(Editorial):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=24, choices=AgreementKind.choices, db_index=True)
    binding = models.BooleanField(
        default=False,
        help_text="Legally binding (a treaty) rather than a political commitment.",
    )
    parties = models.ManyToManyField(Party, related_name="agreements")
    topics = models.ManyToManyField(Topic, related_name="agreements", blank=True)
    summary = models.TextField(blank=True)
    # Derived from the status history by refresh_status(); stored so lists can
    # filter and sort by it. Never edited by hand.
    current_status = models.CharField(
        max_length=24,
        choices=AgreementStatus.choices,
        blank=True,
        editable=False,
        db_index=True,
    )
    status_since = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords(m2m_fields=[parties, topics])

    class Meta:
        ordering = ["title"]
        permissions = [
            ("publish_agreement", "Can publish an agreement"),
            ("retract_agreement", "Can retract a published agreement"),
        ]
        indexes = [tombstone_index("agreement")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:agreement", args=[self.slug])

    def refresh_status(self) -> None:
        latest = self.status_history.order_by("-date", "-id").first()
        status = latest.status if latest else ""
        since = latest.date if latest else None
        if (status, since) != (self.current_status, self.status_since):
            Agreement.objects.filter(pk=self.pk).update(current_status=status, status_since=since)
            self.current_status, self.status_since = status, since


class AgreementStatusChange(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(max_length=24, choices=AgreementStatus.choices)
    date = models.DateField()
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="status_changes",
        help_text="The source that backs this step.",
    )
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "status", "date"],
                name="status_step_unique",
                violation_error_message="This agreement already has this status on this date.",
            ),
            models.CheckConstraint(
                condition=~Q(date_precision=DatePrecision.UNKNOWN),
                name="status_step_is_dated",
                violation_error_message="A status step needs a date: a day, a month or a year.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.date}"


class Meeting(Editorial):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    start_date = models.DateField(db_index=True)
    end_date = models.DateField(null=True, blank=True)
    place = models.CharField(max_length=200, blank=True, help_text="City, country")
    host = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="hosted_meetings",
        null=True,
        blank=True,
    )
    occasion = models.CharField(max_length=200, blank=True, help_text="The summit or visit it took place at.")
    format = models.CharField(max_length=16, choices=MeetingFormat.choices, db_index=True)
    counterparts = models.ManyToManyField(
        Party,
        related_name="meetings",
        blank=True,
        help_text="The countries or organisations Canada met.",
    )
    outcome_agreements = models.ManyToManyField(Agreement, related_name="meetings", blank=True)
    outcomes = models.TextField(blank=True, help_text="Announcements and other outcomes.")
    significance = models.TextField(blank=True)
    topics = models.ManyToManyField(Topic, related_name="meetings", blank=True)
    sources = models.ManyToManyField(Source, related_name="meetings", blank=True)
    history = HistoricalRecords(m2m_fields=[counterparts, outcome_agreements, topics, sources])

    class Meta:
        ordering = ["-start_date", "title"]
        permissions = [
            ("publish_meeting", "Can publish a meeting"),
            ("retract_meeting", "Can retract a published meeting"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date=None) | Q(end_date__gte=F("start_date")),
                name="meeting_ends_after_it_starts",
                violation_error_message="A meeting ends on or after the day it starts.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-start_date", "title", "id"], name="meeting_list_newest"),
            tombstone_index("meeting"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("public:meeting", args=[self.slug])


class Participation(models.Model):
    """A person at a meeting, in the role they held on its date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    role = models.ForeignKey(
        Role,
        on_delete=models.PROTECT,
        related_name="participations",
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"],
                name="participant_once_per_meeting",
                violation_error_message="This person is already listed at this meeting.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"

    def clean(self):
        if self.role_id and self.person_id and self.role.person_id != self.person_id:
            raise ValidationError({"role": "That role belongs to someone else."})
        if self.role_id and self.meeting_id:
            day = self.meeting.start_date
            if not Role.objects.filter(pk=self.role_id).held_on(day).exists():
                raise ValidationError({"role": f"{self.person} did not hold “{self.role.title}” on {day}."})


class CorrectionQuerySet(models.QuerySet):
    def published(self):
        visible = (State.PUBLISHED, State.RETRACTED)
        return self.filter(
            Q(claim__state__in=visible)
            | Q(agreement__state__in=visible)
            | Q(meeting__state__in=visible)
            | Q(source__state__in=visible)
        )


class Correction(models.Model):
    """A dated public note on a published record: what changed and why (rule 5)."""

    kind = models.CharField(max_length=16, choices=CorrectionKind.choices, default=CorrectionKind.CORRECTION)
    claim = models.ForeignKey(
        Claim,
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
    )
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
    )
    note = models.TextField(help_text="Shown publicly: what changed and why.")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    history = HistoricalRecords()

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(claim__isnull=False, agreement=None, meeting=None, source=None)
                    | Q(claim=None, agreement__isnull=False, meeting=None, source=None)
                    | Q(claim=None, agreement=None, meeting__isnull=False, source=None)
                    | Q(claim=None, agreement=None, meeting=None, source__isnull=False)
                ),
                name="correction_has_exactly_one_record",
                violation_error_message="A correction is about exactly one record.",
            ),
            models.CheckConstraint(
                condition=~Q(note=""),
                name="correction_note_not_empty",
                violation_error_message="A correction needs a note saying what changed and why.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.record} on {self.created_at:%Y-%m-%d}"

    @property
    def record(self):
        return self.claim or self.agreement or self.meeting or self.source


class ClaimForReview(Claim):
    """The verifiers' review queue: a second admin view of claims."""

    class Meta:
        proxy = True
        verbose_name = "claim awaiting review"
        verbose_name_plural = "claims awaiting review"


class ClaimEvent(models.Model):
    """One step of a claim's workflow: who moved it, when, and what they said."""

    class Action(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        SUBMITTED = "submitted", "Submitted for review"
        SENT_BACK = "sent_back", "Sent back"
        PUBLISHED = "published", "Published"
        RETURNED = "returned", "Returned to review"
        EDITED = "edited", "Edited"
        CORRECTED = "corrected", "Corrected"
        WITHDRAWN = "withdrawn", "Withdrawn to review"
        RETRACTED = "retracted", "Retracted"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.created_at:%Y-%m-%d %H:%M}"


class Passage(models.Model):
    """A paragraph or sentence of a source's archived text: the unit of candidate evidence.

    Rebuilt whenever the text changes (tracker/desk/candidates.py); never edited by hand.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="passages")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["source", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="passage_offsets_ordered",
                violation_error_message="A passage must end after it starts.",
            )
        ]

    def __str__(self) -> str:
        return short_text(self.text, 80)


class RecordVersion(models.Model):
    """One row: a number that every change of the desk's records moves, and one that
    only a change readers can see moves.

    The services move `number` at the start of the transaction of every change
    (tracker/desk/versioning.py): the desk's writers queue on this row. A change that
    readers can see (one that writes an event: tracker/events/log.py) also moves
    `public_number` and writes a PublicChange naming what it touched, in the same
    transaction, so a reader that sees the change sees the new number with it. Cached
    pages and API answers check `public_number`: one primary-key read per request."""

    number = models.BigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    public_number = models.BigIntegerField(default=0)
    public_changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"record version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class PublicChange(models.Model):
    """One change readers can see, numbered by RecordVersion.public_number, with the
    keys of what it touched (records, the lists whose membership or order it may
    move: tracker/events/touched.py). Cached responses that show any of them are stale
    from this change on, on every server; the edge cache is purged of them after
    commit (`edge_purged_at` says when it acknowledged)."""

    number = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    keys = models.JSONField(default=list)
    edge_purged_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"public change {self.number} ({len(self.keys)} keys)"
