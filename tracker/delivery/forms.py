"""The subscribe form: a plain address, or a clear refusal at the form.

The address goes into a header of mail the site sends, so only what every mail system
reads the same way is taken: a dot-atom local part of letters, digits and `. _ % + -`,
and a domain name (an internationalised one is kept in its ASCII form). Anything else,
quoted local parts, encoded words (`=?utf-8?q?...?=`), control characters, comments,
is refused here with a message, instead of failing later in the worker.
"""

import re

from django import forms

from .models import Frequency

LOCAL_PART = re.compile(r"[A-Za-z0-9_%+-]+(\.[A-Za-z0-9_%+-]+)*")
LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
PLAIN = "Use a plain address such as name@example.org (letters, digits and . _ % + - before the @)."

# Providers that deliver name+anything@ to name@, and those that also ignore dots.
IGNORE_DOTS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def plain_address(value: str) -> str:
    """The address in the one form the form accepts, or ValidationError."""
    value = value.strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or len(value) > 254 or len(local) > 64:
        raise forms.ValidationError(PLAIN, code="invalid")
    if not LOCAL_PART.fullmatch(local):
        raise forms.ValidationError(PLAIN, code="invalid")
    try:
        domain = domain.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise forms.ValidationError("This address's domain is not a valid domain name.", code="invalid") from exc
    labels = domain.split(".")
    if len(labels) < 2 or not all(LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise forms.ValidationError("This address's domain is not a valid domain name.", code="invalid")
    return f"{local}@{domain}"


def mailbox(address: str) -> str:
    """The mailbox an address reaches, for limits per mailbox: case folded, a `+tag`
    dropped (Gmail, Outlook, iCloud, Fastmail, Proton...), and dots ignored where the
    provider ignores them (Gmail)."""
    local, _, domain = address.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in IGNORE_DOTS:
        domain = IGNORE_DOTS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


class SubscribeForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, initial=Frequency.IMMEDIATE, widget=forms.RadioSelect
    )
    record = forms.CharField(required=False, widget=forms.HiddenInput, max_length=140)
    search = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def clean_email(self) -> str:
        return plain_address(self.cleaned_data["email"])
