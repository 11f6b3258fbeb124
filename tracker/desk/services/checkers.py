"""Maker-checker per record (DESIGN.md rule 4), and who on the desk can take a step.

- A claim's verdict is published or corrected by someone who drafted or edited none of
  its statement, quote or evidence (its contributors).
- A source is published by someone who neither archived it nor changed its text.
- A quote that an edit of its source moved or orphaned is confirmed by someone other
  than the person who made that edit.

The desk never deadlocks: a change that would leave nobody on the desk able to publish
a claim or a source is refused, and every refusal names who can take the step instead
(`names`), so the page can hand it to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet

from ..choices import State
from ..models import Claim, Evidence, Source
from .common import NotAllowed, can

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

NAMES_SHOWN = 4


def staff_with(codename: str) -> QuerySet:
    """Active staff holding the desk permission `codename` (through a role, their own
    permissions, or as superusers), by name."""
    permission = Permission.objects.filter(content_type__app_label="desk", codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def display_name(user: User) -> str:
    return (user.get_full_name() or user.get_username()).strip()


def names(users) -> str:
    """“Ana, Ben and 3 others”: who can take a step, for a refusal."""
    users = list(users)
    shown = [display_name(user) for user in users[:NAMES_SHOWN]]
    if len(users) > NAMES_SHOWN:
        shown.append(f"{len(users) - NAMES_SHOWN} others")
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


# Claims ------------------------------------------------------------------------------------


def claim_contributor_ids(claim: Claim) -> set[int]:
    """Who drafted the claim or wrote some of its statement, quote or evidence."""
    ids = set(claim.contributors.values_list("pk", flat=True))
    if claim.drafted_by_id is not None:
        ids.add(claim.drafted_by_id)
    return ids


def claim_publishers(claim: Claim, *, without: User | None = None, doing: str = "publish") -> list[User]:
    """Everyone who may publish (or correct) the claim's verdict as it stands; `without`:
    as it would stand if that person also wrote some of it."""
    excluded = claim_contributor_ids(claim)
    if without is not None:
        excluded.add(without.pk)
    codename = "publish_claim" if doing == "publish" else "correct_claim"
    return list(staff_with(codename).exclude(pk__in=excluded))


def guard_claim_contribution(claim: Claim, by: User) -> None:
    """Refuse a change of the claim's content by `by` that would leave nobody able to
    publish it (a desk where everyone has written some of it deadlocks)."""
    if by.pk in claim_contributor_ids(claim):
        return
    before = claim_publishers(claim)
    if before and not claim_publishers(claim, without=by):
        raise NotAllowed(
            f"If you change this claim's content or evidence, nobody left on the desk could publish it: "
            f"{names(before)} is the only one who wrote none of it. Ask them to make the change, or leave "
            "a comment for whoever will."
        )


# Sources -----------------------------------------------------------------------------------


def source_contributor_ids(source: Source) -> set[int]:
    """Who archived the source or changed its text."""
    ids = set(source.contributors.values_list("pk", flat=True))
    if source.created_by_id is not None:
        ids.add(source.created_by_id)
    return ids


def source_publishers(source: Source, *, without: User | None = None) -> list[User]:
    excluded = source_contributor_ids(source)
    if without is not None:
        excluded.add(without.pk)
    return list(staff_with("publish_source").exclude(pk__in=excluded))


def source_publish_refusal(source: Source, by: User | None) -> str:
    """Why `by` may not publish `source`, or "" if they may, with who can instead."""
    if not can(by, "publish_source"):
        who = source_publishers(source)
        return "You are not allowed to publish sources." + (f" {names(who)} can." if who else "")
    if by.pk in source_contributor_ids(source):
        who = source_publishers(source)
        then = f" {names(who)} can publish it." if who else ""
        return f"You archived “{source}” or changed its text, so someone else must publish it (maker-checker).{then}"
    return ""


def guard_source_contribution(source: Source, by: User) -> None:
    """Refuse a change of a draft source's text that would leave nobody able to publish it."""
    if source.state == State.PUBLISHED or by.pk in source_contributor_ids(source):
        return
    before = source_publishers(source)
    if before and not source_publishers(source, without=by):
        raise NotAllowed(
            {
                "text": f"If you change this source's text, nobody left on the desk could publish it: "
                f"{names(before)} is the only one who neither archived it nor changed its text. Ask them "
                "to make the change, or leave a comment for whoever will."
            }
        )


# Quotes moved by an edit of their source ----------------------------------------------------


def quote_confirm_refusal(claim: Claim, item: Claim | Evidence, by: User | None) -> str:
    """Why `by` may not confirm a moved or orphaned quote of `claim`, or "".

    Whoever may change the claim now may; on a published claim (whose quote only a typo
    fix moved: the words stay as readers see them) a verifier may too, since only editors
    correct published sources and one of them must not confirm their own edit."""
    from .claims import edit_refusal

    refusal = edit_refusal(claim, by)
    if refusal and not (claim.state == State.PUBLISHED and can(by, "review_claim")):
        return refusal
    if isinstance(item, Evidence) and not can(by, "change_evidence"):
        return "You are not allowed to change evidence."
    if item.anchor_moved_by_id is not None and by is not None and item.anchor_moved_by_id == by.pk:
        return "Your edit of the source moved this quote, so someone else confirms where it now stands (maker-checker)."
    return ""
