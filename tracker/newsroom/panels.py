"""What the desk's pages show of the newsroom: the panel on a claim's or source's change
page (assignee, presence, comments), the hand-off offers on a refusal, the staff home's
lists. The desk's admin calls these; they read, and write only the presence heartbeat."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from tracker.desk.home import HomeList, Row, _bounded, _short, _when

from . import services
from .models import Assignment, Comment, Notification

if TYPE_CHECKING:
    from django.http import HttpRequest


def record_panel(request: HttpRequest, record) -> dict:
    """The change page's newsroom context. Opening or saving the page is the presence
    heartbeat."""
    user = request.user
    services.touch_presence(user, record)
    what = services.kind_of(record)
    assignment = Assignment.objects.filter(**services.on(record)).select_related("assignee").first()
    assignee = assignment.assignee if assignment else None
    comments = (
        Comment.objects.filter(**services.on(record))
        .select_related("author", "resolved_by", "evidence")
        .prefetch_related(Prefetch("mentions", queryset=get_user_model().objects.only("pk", "username")))
        .order_by("created_at", "pk")
    )
    in_pipeline = record.state in services.PIPELINE
    choices = services.hand_on_choices(record, user) if in_pipeline else []
    return {
        "newsroom": {
            "kind": what,
            "record": record,
            "assignment": assignment,
            "can_take": in_pipeline
            and (assignee is None or assignee.pk != user.pk)
            and not services.assign_refusal(record, user, user),
            "assign_choices": [u for u in choices if assignee is None or u.pk != assignee.pk],
            "comments": list(comments),
            "fields": services.COMMENT_FIELDS[what],
            "evidence": list(record.evidence.select_related("source").only("pk", "quote", "source__title"))
            if what == "claim"
            else [],
            "editing": [presence_text(p) for p in services.others_editing(user, record)],
            "next": request.get_full_path(),
        }
    }


def hand_off(request: HttpRequest, record, able) -> dict:
    """The one-click "Hand to <name>" buttons for a refusal: those of `able` (who can take
    the refused step) to whom this person may give the record."""
    if record is None or getattr(request.user, "pk", None) is None:
        return {"offers": []}
    return {
        "offers": services.handoff_offers(request.user, record, able),
        "kind": services.kind_of(record),
        "record": record,
        "next": request.get_full_path() if request.method == "GET" else _change_url(record),
    }


def _change_url(record) -> str:
    return reverse(f"admin:desk_{services.kind_of(record)}_change", args=[record.pk])


def home_lists(user) -> list[HomeList]:
    """The staff home's newsroom lists: notifications, and what is assigned to me."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    items, more = _bounded(unread.order_by("-created_at", "-pk"))
    count = unread.count()  # always: a page costs as many queries with many as with few
    rows = [Row(_record_url(n), _short(n.text, 30), f"{n.get_kind_display()} · {_when(n.created_at)}") for n in items]
    inbox = reverse("admin:newsroom_inbox")
    title = f"Notifications ({count} unread)" if count else "Notifications"
    lists = [HomeList("inbox", title, "Nothing new for you.", rows, inbox, more)]
    mine = (
        Assignment.objects.filter(assignee=user)
        .filter(claim__state__in=services.PIPELINE)
        .select_related("claim")
        .defer("claim__rationale")
        .order_by("-assigned_at", "-pk")
    )
    items, more = _bounded(mine)
    rows = [Row(_record_url(a), _short(a.claim.statement), f"{a.claim.get_state_display()} · {_when(a.assigned_at)}")
            for a in items]  # fmt: skip
    sources = (
        Assignment.objects.filter(assignee=user, source__state__in=services.PIPELINE)
        .select_related("source")
        .defer("source__text")
        .order_by("-assigned_at", "-pk")
    )
    items, more_sources = _bounded(sources)
    rows += [Row(_record_url(a), _short(a.source.title), f"Source · {a.source.get_state_display()}") for a in items]
    everything = reverse("admin:desk_claim_changelist") + "?assignee=me"
    lists.append(HomeList("assigned", "Assigned to me", "Nothing is assigned to you.", rows[:20], everything,
                          more or more_sources))  # fmt: skip
    return lists


def _record_url(row) -> str:
    if row.claim_id is not None:
        return reverse("admin:desk_claim_change", args=[row.claim_id])
    return reverse("admin:desk_source_change", args=[row.source_id])


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def presence_text(presence) -> str:
    from tracker.desk.services import checkers

    since = timezone.localtime(presence.started_at).strftime("%H:%M")
    what = "claim" if presence.claim_id is not None else "source"
    return f"{checkers.display_name(presence.user)} has been editing this {what} since {since}"
