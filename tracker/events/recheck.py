"""Claims that flag themselves: what the staff home shows as "to re-check"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .models import RecheckFlag

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

# Who re-checks a published claim: whoever may correct it or review it.
PERMISSIONS = ("desk.correct_claim", "desk.review_claim")


def may_recheck(user: User | None) -> bool:
    return bool(user and user.is_active and any(user.has_perm(name) for name in PERMISSIONS))


def to_recheck(user: User | None) -> QuerySet[RecheckFlag]:
    """The open flags `user` may act on, newest first, each with its claim and the
    event that raised it (`flag.claim`, `flag.why`, `flag.event.at`). Empty for
    staff who may not correct or review claims."""
    if not may_recheck(user):
        return RecheckFlag.objects.none()
    return RecheckFlag.objects.open().select_related("claim", "event").order_by("-created_at", "-id")
