"""The staff home (/admin/): what each person has to do next.

Every list is one bounded query (LIMIT, on indexed columns), so the page costs the same
at 100 claims as at 100,000; each has an "all" link to a filtered admin list. Lists a
person's role cannot act on are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from tracker.events.recheck import to_recheck as flagged_to_recheck

from .choices import NEEDS_A_LOOK, AnchorMethod, State
from .models import Claim, ClaimEvent, Evidence

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser as User

LIMIT = 10


@dataclass
class HomeList:
    key: str
    title: str
    empty: str
    items: list = field(default_factory=list)
    all_url: str = ""
    more: bool = False


@dataclass
class Row:
    """One line of a list: a link to the record and what to know about it."""

    url: str
    text: str
    meta: str = ""
    comment: str = ""


def _bounded(queryset: QuerySet) -> tuple[list, bool]:
    rows = list(queryset[: LIMIT + 1])
    return rows[:LIMIT], len(rows) > LIMIT


def _claim_url(claim_id: int) -> str:
    return reverse("admin:desk_claim_change", args=[claim_id])


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M") if moment else ""


def _short(text: str, words: int = 24) -> str:
    return Truncator(text).words(words)


def _claim_row(claim: Claim, meta: str = "", comment: str = "") -> Row:
    return Row(_claim_url(claim.pk), _short(claim.statement), meta, comment)


def _quote_row(item) -> Row:
    claim = item.claim if isinstance(item, Evidence) else item
    what = "Evidence" if isinstance(item, Evidence) else "The claim's own quote"
    how = AnchorMethod(item.anchor_method).label
    score = f", score {item.anchor_score:.2f}" if item.anchor_score is not None else ""
    anchor = f"#quote-{'e' if isinstance(item, Evidence) else 'c'}{item.pk}"
    meta = f"{what} in “{_short(item.source.title, 10)}” · {how}{score} · claim: {_short(claim.statement, 12)}"
    return Row(reverse("admin:desk_orphaned_quotes") + anchor, f"“{_short(item.quote, 14)}”", meta)


def _changelist(name: str, **params) -> str:
    url = reverse(f"admin:desk_{name}_changelist")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _last_event(field_name: str) -> Subquery:
    return Subquery(
        ClaimEvent.objects.filter(claim=OuterRef("pk")).order_by("-created_at", "-id").values(field_name)[:1]
    )


def _flagged(model, field: str) -> QuerySet:
    """`field` of the quotes needing a look, read from the anchor_method index: a subquery
    (an IN list), so that the planner does not walk every claim in date order looking
    for the few, or none, there are."""
    return model.objects.filter(anchor_method__in=NEEDS_A_LOOK).order_by().values(field)


def my_drafts(user: User) -> QuerySet:
    """The person's drafts, sent back ones included (annotated with the last event)."""
    return (
        Claim.objects.filter(state=State.DRAFT, drafted_by=user)
        .annotate(last_action=_last_event("action"), last_comment=_last_event("comment"))
        .select_related("source")
        .defer("source__text")  # an archived document: large, and not shown
        .order_by("-updated_at", "-pk")
    )


def awaiting_review(user: User) -> QuerySet:
    """In review, drafted and written by someone else, oldest first (the review queue)."""
    return (
        Claim.objects.filter(state=State.IN_REVIEW)
        .exclude(drafted_by=user)
        .exclude(Exists(Claim.contributors.through.objects.filter(claim=OuterRef("pk"), user=user)))
        .select_related("drafted_by")
        .order_by("submitted_at", "pk")
    )


def quotes_to_look_at(user: User) -> QuerySet:
    """Evidence quotes orphaned or re-pointed by an edit of their source; a reporter
    sees those on their own drafts, a verifier or editor all of them."""
    evidence = (
        Evidence.objects.filter(pk__in=_flagged(Evidence, "pk")).select_related("claim", "source").defer("source__text")
    )
    if not user.has_perm("desk.review_claim"):
        evidence = evidence.filter(claim__drafted_by=user, claim__state=State.DRAFT)
    return evidence.order_by("-pk")


def claim_quotes_to_look_at(user: User) -> QuerySet:
    claims = Claim.objects.filter(pk__in=_flagged(Claim, "pk")).select_related("source").defer("source__text")
    if not user.has_perm("desk.review_claim"):
        claims = claims.filter(drafted_by=user, state=State.DRAFT)
    return claims.order_by("-updated_at", "-pk")


def to_recheck(user: User) -> QuerySet:
    """Published claims to re-check. For now: those resting on a quote that an edit of
    its source orphaned or re-pointed. This is the hook for an event-driven flag
    (a new source contradicting a published verdict, say): add its condition here."""
    flagged = _flagged(Claim, "pk").union(_flagged(Evidence, "claim_id"))
    return (
        Claim.objects.filter(state=State.PUBLISHED, pk__in=flagged)
        .select_related("source")
        .defer("source__text")  # an archived document: large, and not shown
        .order_by("-updated_at", "-pk")
    )


def recently_published(user: User) -> QuerySet:
    """Publications and corrections of claims, newest first."""
    return (
        ClaimEvent.objects.filter(action__in=(ClaimEvent.Action.PUBLISHED, ClaimEvent.Action.CORRECTED))
        .select_related("claim", "by")
        .order_by("-created_at", "-id")
    )


def home_lists(user: User) -> list[HomeList]:
    lists: list[HomeList] = []
    reviews = user.has_perm("desk.review_claim")
    if user.has_perm("desk.add_claim"):
        mine = _changelist("claim", state__exact=State.DRAFT, drafted_by__exact=user.pk)
        sent_back = my_drafts(user).filter(last_action=ClaimEvent.Action.SENT_BACK)
        items, more = _bounded(sent_back)
        rows = [_claim_row(c, f"Sent back {_when(c.updated_at)}", c.last_comment) for c in items]
        lists.append(HomeList("sent_back", "Sent back to me", "Nothing sent back to you.", rows, mine, more))
        plain = my_drafts(user).exclude(last_action=ClaimEvent.Action.SENT_BACK)
        items, more = _bounded(plain)
        rows = [_claim_row(c, f"From “{_short(c.source.title, 10)}” · edited {_when(c.updated_at)}") for c in items]
        lists.append(HomeList("drafts", "My drafts", "No drafts: mark a claim on a source's reading page.",
                              rows, mine, more))  # fmt: skip
    if reviews:
        items, more = _bounded(awaiting_review(user))
        rows = [_claim_row(c, f"Drafted by {c.drafted_by or 'the desk'} · submitted {_when(c.submitted_at)}")
                for c in items]  # fmt: skip
        lists.append(HomeList("review", "Awaiting my review", "No claim is waiting for you.", rows,
                              reverse("admin:desk_claimforreview_changelist"), more))  # fmt: skip
    if user.has_perm("desk.add_claim") or reviews:
        quotes, more = _bounded(quotes_to_look_at(user))
        own, more_own = _bounded(claim_quotes_to_look_at(user))
        rows = [_quote_row(item) for item in [*own, *quotes][:LIMIT]]
        more = more or more_own or len(own) + len(quotes) > LIMIT
        lists.append(HomeList("quotes", "Quotes flagged or orphaned after a source edit", "Every quote is anchored.",
                              rows, reverse("admin:desk_orphaned_quotes"), more))  # fmt: skip
    if user.has_perm("desk.correct_claim") or reviews:
        # A record a published claim cites changed in public (tracker.events), then
        # claims whose quotes an edit of their source moved.
        flags, more_flags = _bounded(flagged_to_recheck(user))
        items, more = _bounded(to_recheck(user))
        rows = [_claim_row(f.claim, f"{f.claim.get_verdict_display()} · {f.why}") for f in flags]
        rows += [_claim_row(c, f"{c.get_verdict_display()} · a quote it rests on moved in its source") for c in items]
        everything = (reverse("admin:events_recheckflag_changelist") if flags
                      else _changelist("claim", state__exact=State.PUBLISHED, flagged="yes"))  # fmt: skip
        lists.append(HomeList("recheck", "Published claims to re-check", "Nothing to re-check.", rows[:LIMIT],
                              everything, more or more_flags or len(rows) > LIMIT))  # fmt: skip
    # One line per claim, its latest step: a claim published then corrected is listed once.
    window = list(recently_published(user)[: LIMIT * 4])
    latest: dict[int, ClaimEvent] = {}
    for event in window:
        latest.setdefault(event.claim_id, event)
    items, more = list(latest.values())[:LIMIT], len(latest) > LIMIT or len(window) == LIMIT * 4
    rows = [_claim_row(e.claim, f"{e.get_action_display()} {_when(e.created_at)} by {e.by or 'the desk'}")
            for e in items]  # fmt: skip
    lists.append(HomeList("recent", "Recently published and corrected", "Nothing published yet.", rows,
                          _changelist("claim", state__exact=State.PUBLISHED), more))  # fmt: skip
    return lists
