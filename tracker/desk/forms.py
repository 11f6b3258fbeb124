"""Forms of the desk's admin: optimistic locking, sources, and the workflow steps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html

from .choices import DatePrecision, Stance, Verdict
from .models import Source
from .services import find_duplicate, source_edit_impact, stale_edit_message
from .uploads import UploadRefused, clean_text, text_from_upload


class VersionedForm(forms.ModelForm):
    """Carries the version the record was read at; a save from a stale form is refused."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
            if connection.in_atomic_block:
                rows = rows.select_for_update()  # held until the admin's transaction commits the save
            current = rows.values_list("version", flat=True).first()
            seen = cleaned.get("seen_version")
            if seen != current:
                raise ValidationError(stale_edit_message(self.instance, seen), code="stale")
        return cleaned


class SourceForm(VersionedForm):
    correction_note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
        help_text="This source is published: a change of its text needs a note saying what changed and why. "
        "It is published as a correction, and every quote is found again in the new text.",
    )
    upload = forms.FileField(
        required=False,
        help_text="A .txt, .md or .html file (HTML is reduced to its text). Or paste the text below.",
    )
    # The hash of the new text whose effect on the quotes in it the person has seen: an
    # edit that moves quotes is shown first (`impact`) and saved on the second press.
    impact_seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Source
        fields = [
            "title", "publisher", "kind", "reliability", "url", "slug",
            "published_on", "published_precision", "retrieved_on", "language", "text",
        ]  # fmt: skip

    impact: list = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("text", "slug"):
            if name in self.fields:
                self.fields[name].required = False
        if "slug" in self.fields:
            self.fields["slug"].help_text = "Made from the title when left empty."
        if "url" in self.fields:
            self.fields["url"].label = "URL"

    @staticmethod
    def duplicate_error(duplicate) -> ValidationError:
        url = reverse("admin:desk_source_change", args=[duplicate.existing.pk])
        return ValidationError(
            format_html(
                '{} is already archived as <a href="{}">{}</a>: use that source.',
                duplicate.why,
                url,
                duplicate.existing.title,
            ),
            code="duplicate",
        )

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        upload.seek(0)  # read again when the form is validated a second time
        try:
            return text_from_upload(upload.name, upload.read())
        except UploadRefused as exc:
            raise ValidationError(str(exc), code="bad_upload") from None

    def clean_url(self):
        url = self.cleaned_data.get("url") or None
        if url:
            duplicate = find_duplicate(url=url, text=None, exclude=self.instance)
            if duplicate:
                raise self.duplicate_error(duplicate)
        return url

    def clean(self):
        cleaned = super().clean()
        self._match_date_and_precision(cleaned)
        uploaded, pasted = cleaned.get("upload"), clean_text(cleaned.get("text") or "")
        if "upload" in self.errors:
            return cleaned
        if uploaded and pasted and pasted != clean_text(self.instance.text or ""):
            raise ValidationError("Either upload a file or paste the text, not both.")
        text = uploaded or pasted
        if not text:
            self.add_error("text", "Paste the document's text or upload it as a file.")
            return cleaned
        if text != (self.instance.text or ""):
            duplicate = find_duplicate(url=None, text=text, exclude=self.instance)
            if duplicate:
                raise self.duplicate_error(duplicate)
            self._check_impact(text, cleaned.get("impact_seen") or "")
        cleaned["text"] = text
        self.instance.text = text
        if uploaded and self.errors:
            self._keep_upload(text)
        return cleaned

    def _match_date_and_precision(self, cleaned: dict) -> None:
        """A date with an unknown precision is a day; a precision with no date is an error
        on the date (never the database's constraint, by name)."""
        if "published_precision" not in self.fields:
            return
        day, precision = cleaned.get("published_on"), cleaned.get("published_precision")
        if day is not None and precision in (None, "", DatePrecision.UNKNOWN):
            cleaned["published_precision"] = DatePrecision.DAY
        elif day is None and precision not in (None, "", DatePrecision.UNKNOWN) and "published_on" not in self.errors:
            self.add_error(
                "published_on",
                f"Give the date this document was published (the first day of the {precision} if only the "
                f"{precision} is known), or set its precision to “Unknown”.",
            )

    def _check_impact(self, text: str, seen: str) -> None:
        """Before a new text is saved over quotes, show what it does to each of them."""
        if not self.instance.pk:
            return
        self.impact = source_edit_impact(source=self.instance, text=text)
        digest = Source.hash_text(text)
        if self.impact and seen != digest:
            self._set_data("impact_seen", digest)
            self.add_error(
                None,
                "This change of the text moves or loses quotes (listed below). Check what happens to each claim, "
                "then save again to apply it.",
            )

    def _keep_upload(self, text: str) -> None:
        """A refused form shows the uploaded file's text in the text box: a browser never
        sends a file twice, so the upload would otherwise be lost."""
        self._set_data("text", text)

    def _set_data(self, name: str, value: str) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix(name)] = value

    def _post_clean(self):
        super()._post_clean()
        if self.errors and self.cleaned_data.get("upload"):
            self._keep_upload(self.cleaned_data["text"])


class QuoteForm(forms.Form):
    """A passage of the source on screen: selected (offsets from the page's script) or pasted."""

    quote = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField desk-quote"}),
        help_text="Select a passage in the text on the left (above, on a phone), or paste it here exactly as it "
        "stands.",
    )
    near = forms.IntegerField(widget=forms.HiddenInput(attrs={"class": "desk-near"}), required=False, min_value=0)


class EarlierCheckInput(forms.HiddenInput):
    """`repeats`: the earlier check a new claim repeats, chosen while its statement is typed: the
    script (static/desk/earlier-checks.js) lists the likely repeats beside the statement
    and sets this. Without the script it stays empty, and the claim's page offers the
    same repeats once the draft is saved."""

    def __init__(self, attrs=None):
        super().__init__({"data-earlier-checks": reverse_lazy("admin:desk_claim_earlier_checks"), **(attrs or {})})

    class Media:
        js = ["desk/earlier-checks.js"]


def repeats_field() -> forms.ModelChoiceField:
    from .choices import State
    from .models import Claim

    return forms.ModelChoiceField(
        queryset=Claim.objects.exclude(state=State.RETRACTED).only("pk"),
        required=False,
        widget=EarlierCheckInput(),
        error_messages={"invalid_choice": "That earlier check was retracted or no longer exists: choose another."},
    )


class ChoosesRepeat:
    """A form with the hidden `repeats` field: its error is shown at the top of the form,
    since the field itself is not on screen."""

    def clean(self):
        cleaned = super().clean()
        errors = self._errors.pop("repeats", None) if self._errors else None
        if errors:
            self.add_error(None, errors)
        return cleaned


class MarkClaimForm(ChoosesRepeat, QuoteForm):
    field_order = ["statement", "claimant", "quote"]
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        help_text="The checkable statement, in the desk's words.",
    )
    claimant = forms.CharField(max_length=200, required=False, help_text="Who made it. The publisher if empty.")
    repeats = repeats_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quote"].label = "Passage where the claim is made"


class AttachEvidenceForm(QuoteForm):
    claim = forms.ModelChoiceField(queryset=None, help_text="Type to search your claims in draft or in review.")
    stance = forms.ChoiceField(choices=Stance.choices)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, claims, fixed_claim=None, **kwargs):
        from django.contrib import admin
        from django.contrib.admin.widgets import AutocompleteSelect

        from .models import Evidence

        super().__init__(*args, **kwargs)
        self.fields["quote"].label = "Evidence passage"
        if fixed_claim is not None:
            # Arrived from the claim's page ("Quote from another source"): the claim is kept.
            self.fields["claim"].widget = forms.HiddenInput()
            self.fields["claim"].initial = fixed_claim.pk
        else:
            self.fields["claim"].widget = AutocompleteSelect(Evidence._meta.get_field("claim"), admin.site)
        self.fields["claim"].queryset = claims  # after the widget: it gives the widget its choices


class CommentForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="What the reporter should fix.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="Shown publicly on the claim's page while it is under review: why the desk is checking it "
        "again. Write it for readers.",
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"}),
        help_text="Shown publicly: what changed and why.",
    )


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(
        choices=[("", "Choose a verdict…"), *(c for c in Verdict.choices if c[0] != Verdict.NOT_RATED)]
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        help_text="Why the evidence leads to this verdict. Shown publicly.",
    )


class CorrectionForm(VerdictForm, NoteForm):
    pass


class RepublishForm(VerdictForm):
    """Publishing a claim readers saw before it was withdrawn: a public note of what changed."""

    note = forms.CharField(
        required=False,
        label="What changed since readers last saw it",
        widget=forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
        help_text="Shown publicly as a correction. Drafted from the differences with the version readers saw; "
        "edit it into plain words. Not needed if nothing readers see has changed.",
    )
    # The note as the desk drafted it for this page: a note left as drafted is drafted
    # again from the verdict and rationale the publisher settles on, and shown first.
    drafted = forms.CharField(required=False, widget=forms.HiddenInput)

    def redraft(self, fresh: str) -> bool:
        """Put in a fresh draft if the note was left as drafted and the draft no longer
        says everything (the verdict or rationale changed on this form); True if it did."""
        note, drafted = self.cleaned_data.get("note", ""), self.cleaned_data.get("drafted", "")
        if " ".join(note.split()) != " ".join(drafted.split()) or " ".join(fresh.split()) == " ".join(note.split()):
            return False
        data = self.data.copy()
        data[self.add_prefix("note")] = data[self.add_prefix("drafted")] = fresh
        self.data = data
        self.add_error(
            "note",
            "You changed the verdict or the rationale, so the note now says that too. Read it, edit it if "
            "needed, then publish.",
        )
        return True
