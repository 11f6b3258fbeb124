"""The record as of a date (`?as_of=YYYY-MM-DD` on claim and agreement pages and API
details).

- A claim: the version readers saw at the end of that day (site time), read from the
  event log's states by tracker/public/versions.py. Only a published state is ever
  shown: on a day when the claim was a draft, in review or withdrawn, there is nothing.
- An agreement: its status on that day by its dated status history (the steps as the
  desk publishes them now): the latest step dated on or before the day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from tracker.desk.choices import AgreementStatus
from tracker.desk.models import Agreement, AgreementStatusChange

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadDate(ValueError):
    """An `as_of` that is not a real past or present day: a 400."""


class NotPublishedThen(LookupError):
    """The claim was not on the public record that day: a 404 saying so."""


def parse_as_of(raw: str) -> dt.date:
    if not DATE.fullmatch(raw or ""):
        raise BadDate("as_of must be a date written YYYY-MM-DD, for example 2025-11-03.")
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadDate(f"{raw} is not a date in the calendar.") from None
    if day > timezone.localdate():
        # A well-formed day with no record yet: a 404, as in the API (a 400 is for what is not a day).
        raise NotPublishedThen(f"as_of is {raw}, a day in the future: there is no record of it yet.")
    return day


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after `day` (site time): an as-of view shows that day's last version."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@dataclass(frozen=True)
class AgreementAsOf:
    day: dt.date
    step: AgreementStatusChange | None

    @property
    def status(self) -> str:
        return self.step.status if self.step else ""

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.step.status).label if self.step else ""

    @property
    def since(self) -> dt.date | None:
        return self.step.date if self.step else None


def agreement_as_of(agreement: Agreement, day: dt.date) -> AgreementAsOf:
    """The agreement's status on `day`: its latest step dated on or before it (None
    when the first recorded step is later)."""
    step = agreement.status_history.filter(date__lte=day).order_by("-date", "-id").first()
    return AgreementAsOf(day=day, step=step)
