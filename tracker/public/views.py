"""Public pages. Every queryset starts from the model's published() rule."""

from itertools import groupby

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from tracker.caching import tags
from tracker.caching.parts import part
from tracker.desk.choices import (
    RELIABILITY_DEFINITIONS,
    VERDICT_SCALE,
    AgreementStatus,
    Reliability,
    SourceKind,
    Stance,
    Verdict,
)
from tracker.desk.models import Agreement, Claim, Evidence, Meeting, Participation, Party, Person, Source, Topic
from tracker.desk.similar import related_checks
from tracker.events.as_of import BadDate, NotPublishedThen, agreement_as_of, parse_as_of
from tracker.parameters import reads

from . import jsonld, memento, passages, versions
from .caching import public_page, set_public_cache_headers
from .citations import citations, text_fragment_url
from .lists import agreement_list, claim_list, correction_list, meeting_list, source_list  # noqa: F401
from .record_feeds import feed_link
from .records import (
    SOURCE_WITHOUT_TEXT,
    corrections_with_records,
    public_corrections,
    published_or_gone,
    under_review,
)
from .search_view import search  # noqa: F401

RELATED_LIMIT = 50
STANCE_ORDER = {Stance.SUPPORTS: 0, Stance.CONTRADICTS: 1, Stance.CONTEXT: 2}


def _as_of_day(request: HttpRequest):
    """The `as_of` day asked for, or None; BadDate if it is not one."""
    raw = request.GET.get("as_of")
    return None if raw is None else parse_as_of(raw)


def _bad_date(request: HttpRequest, error: BadDate) -> HttpResponse:
    return render(request, "400.html", {"message": str(error)}, status=400)


def _citing(request: HttpRequest, record, as_of) -> dict:
    """The permanent link (to the as-of view when one is shown) and the citations."""
    permalink = request.build_absolute_uri(record.get_absolute_url())
    day = getattr(as_of, "day", None)
    if day:
        permalink += f"?as_of={day.isoformat()}"
    elif as_of is not None and hasattr(as_of, "event_id"):  # a memento: its own address
        permalink = request.build_absolute_uri(versions.memento_url(record, as_of.event_id))
    return {"permalink": permalink, "citations": citations(record, permalink, day=day)}


def verdict_info(verdict: str) -> dict:
    return {"value": verdict, "label": Verdict(verdict).label, **VERDICT_SCALE[verdict]}


@require_safe
@reads()
@public_page(lists=[])
def home(request: HttpRequest) -> HttpResponse:
    """Assembled from parts kept under their own keys (tracker/caching/parts.py): a new
    correction rebuilds the corrections box, not the verdict counts."""
    context = {
        "latest_claims": part("home:latest-claims", _latest_claims, lists=["claim"]),
        "agreements_by_status": part("home:agreements", _agreements_by_status, lists=["agreement"]),
        **part("home:meetings", _meetings_around_today, lists=["meeting"]),
        "corrections": part("home:corrections", _recent_corrections, lists=["correction"]),
        "verdict_counts": part("home:verdict-counts", _verdict_counts, lists=["claim"]),
    }
    return render(request, "public/home.html", context)


def _latest_claims() -> list[Claim]:
    claims = Claim.objects.published().exclude(verdict=Verdict.NOT_RATED).prefetch_related(SOURCE_WITHOUT_TEXT)
    return list(claims.order_by("-verdict_published_at", "-updated_at")[:8])


def _agreements_by_status() -> list:
    agreements = Agreement.objects.published().exclude(current_status="").prefetch_related("parties")
    status_order = {value: index for index, value in enumerate(AgreementStatus.values)}
    by_status = sorted(agreements[:RELATED_LIMIT], key=lambda a: (status_order[a.current_status], a.title))
    return [
        (AgreementStatus(status).label, status, list(group))
        for status, group in groupby(by_status, key=lambda a: a.current_status)
    ]


def _meetings_around_today() -> dict:
    today = timezone.localdate()  # the part is kept for the day (its key holds the date)
    meetings = Meeting.objects.published()
    return {
        "upcoming_meetings": list(meetings.filter(start_date__gte=today).order_by("start_date")[:5]),
        "recent_meetings": list(meetings.filter(start_date__lt=today).order_by("-start_date")[:5]),
    }


def _recent_corrections() -> list:
    return public_corrections(corrections_with_records()[:5])


def _verdict_counts() -> list:
    # COUNT(*), not COUNT(id): answered from the (state, verdict) index alone, where
    # counting ids read every published claim's row (69 -> 18 ms on PostgreSQL).
    counts = Claim.objects.published().values("verdict").annotate(n=Count("*")).order_by("-n")
    return [(verdict_info(row["verdict"]), row["n"]) for row in counts]


@require_safe
@reads("as_of")
@public_page
def claim_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        claim = published_or_gone(
            Claim.objects.select_related("source", "claimant_person").defer("source__text"), slug=slug
        )
    except Http404:
        notice = under_review(slug)
        if notice is None:
            raise
        response = render(request, "public/under_review.html", {"notice": notice})
        response["X-Robots-Tag"] = "noindex"
        return response
    try:
        day = _as_of_day(request)
        as_of = versions.version_on(claim, day) if day else None
    except BadDate as error:
        return _bad_date(request, error)
    except NotPublishedThen as error:
        raise Http404(str(error)) from None
    if as_of:
        response = render(request, "public/claim_detail.html", claim_version_context(request, claim, as_of))
        response["X-Robots-Tag"] = "noindex"
        return response
    evidence = Evidence.objects.published().filter(claim=claim).prefetch_related(SOURCE_WITHOUT_TEXT)
    context = claim_context(request, claim, evidence=evidence)
    response = render(request, "public/claim_detail.html", context)
    response["Link"] = memento.original_links(request, "claim", claim.slug)
    return response


def claim_version_context(request: HttpRequest, claim: Claim, version: versions.Version) -> dict:
    """The claim page as readers saw it in `version` (an `as_of` day or a memento):
    everything about the claim from the version's state alone, labelled, canonical to
    the claim's own address and kept out of search engines."""
    then = versions.claim_then(claim, version)
    context = claim_context(
        request,
        then.claim,
        evidence=then.evidence,
        as_of=version,
        corrections=versions.public_corrections_then(version.state, then.claim),
        about=then.about,
    )
    return context | version_page(request, claim, version)


def version_page(request: HttpRequest, record, version: versions.Version) -> dict:
    return {
        "canonical_url": request.build_absolute_uri(record.get_absolute_url()),
        "noindex": True,
        "versions_url": reverse(f"{versions.PAGES[type(record)]}-versions", args=[record.slug]),
    }


def _passage_url(source_url: str, item, *, then: bool) -> str:
    """Where a quote sits on its source's page: at the passage the page marks now, or,
    in an earlier version, at the words themselves (`#:~:text=`), since the source's
    page marks the passages quoted now, which may since have moved or gone."""
    if then:
        return text_fragment_url(source_url, item.quote) if item.quote else source_url
    return source_url + ("" if item.anchor_broken else item.fragment)


def claim_context(request: HttpRequest, claim: Claim, *, evidence, as_of=None, corrections=None, about=None) -> dict:
    """What the claim page shows of `claim` with `evidence` (the desk's preview builds
    it from a draft: tracker/desk/admin/preview.py; an earlier version from its state)."""
    evidence = sorted(evidence, key=lambda item: (STANCE_ORDER[item.stance], item.source.title, item.start))
    for item in evidence:
        item.original_url = text_fragment_url(item.source.url, item.quote) if item.source.url else None
        item.passage_url = _passage_url(item.source.get_absolute_url(), item, then=as_of is not None)
    review = None if as_of else jsonld.claim_review(claim, request)
    if corrections is None:
        corrections = public_corrections(corrections_with_records().filter(claim=claim))
    if about is None:
        about = {
            "agreements": claim.agreements.published(),
            "meetings": claim.meetings.published(),
            "people": claim.people.published(),
            "parties": claim.parties.all(),
            "topics": claim.topics.all(),
        }
    return {
        "claim": claim,
        "as_of": as_of,
        "record_feed": feed_link(claim),
        "verdict": verdict_info(claim.verdict),
        "source_is_public": claim.source.is_public,
        "where_url": _passage_url(claim.source.get_absolute_url(), claim, then=as_of is not None)
        if claim.source.is_public
        else None,
        "evidence": evidence,
        "corrections": corrections,
        **about,
        "related_checks": [] if as_of else related_checks(claim),
        "claim_review": jsonld.script_json(review) if review else None,
        "versions_url": reverse("public:claim-versions", args=[claim.slug]) if claim.is_public and claim.pk else None,
        **_citing(request, claim, as_of),
    }


@require_safe
@reads()
@public_page
def source_detail(request: HttpRequest, slug: str) -> HttpResponse:
    source = published_or_gone(Source.objects.all(), slug=slug)
    evidence = Evidence.objects.published().filter(source=source).select_related("claim")
    appearances = Claim.objects.published().filter(source=source, anchor_broken=False)
    context = source_context(source, evidence=evidence, appearances=appearances)
    response = render(request, "public/source_detail.html", context)
    response["Link"] = memento.original_links(request, "source", source.slug)
    return response


def source_context(source: Source, *, evidence, appearances) -> dict:
    """What the source page shows: its text with the passages `evidence` quotes and the
    claims `appearances` (claims made in it) marked."""
    quoted = [(item, item.get_stance_display(), item.stance, item.claim) for item in evidence]
    quoted += [(claim, "Where the claim appears", "appearance", claim) for claim in appearances]
    marked = passages.collect_passages(source.text, quoted)
    return {
        "source": source,
        "record_feed": feed_link(source),
        "reliability_definition": RELIABILITY_DEFINITIONS[source.reliability],
        "passages": marked,
        "text_html": passages.render_text(source.text, marked),
        "corrections": public_corrections(corrections_with_records().filter(source=source)),
        "versions_url": reverse("public:source-versions", args=[source.slug]) if source.is_public else None,
    }


@require_safe
@reads("as_of")
@public_page
def agreement_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agreement = published_or_gone(Agreement.objects.all(), slug=slug)
    try:
        day = _as_of_day(request)
    except BadDate as error:
        return _bad_date(request, error)
    except NotPublishedThen as error:
        raise Http404(str(error)) from None
    as_of = agreement_as_of(agreement, day) if day else None
    context = agreement_context(request, agreement, as_of=as_of)
    response = render(request, "public/agreement_detail.html", context)
    if as_of:
        response["X-Robots-Tag"] = "noindex"
    else:
        response["Link"] = memento.original_links(request, "agreement", agreement.slug)
    return response


def agreement_version_context(request: HttpRequest, agreement: Agreement, version: versions.Version) -> dict:
    """The agreement page as readers saw it in `version` (a memento), from its state alone."""
    then, steps = versions.agreement_then(agreement, version)
    context = agreement_context(request, then, timeline=steps)
    parties, topics = version.state["parties"], version.state["topics"]
    context |= {
        "memento": version,
        "parties": [Party(code=code, name=name) for code, name in parties],
        "topics": [Topic(slug=slug, name=name) for slug, name in topics],
        "meetings": [],
        "claims": [],
        "corrections": versions.public_corrections_then(version.state, then),
        **version_page(request, agreement, version),
    }
    return context


def agreement_context(request: HttpRequest, agreement: Agreement, *, as_of=None, timeline=None) -> dict:
    today = timezone.localdate()
    if timeline is None:
        timeline = list(agreement.status_history.select_related("source").defer("source__text").order_by("date", "id"))
    for step in timeline:
        step.later = bool(as_of and step.date > as_of.day)
        step.linkable = step.date <= today
    return {
        "agreement": agreement,
        "as_of": as_of,
        "record_feed": feed_link(agreement),
        "parties": agreement.parties.all(),
        "topics": agreement.topics.all(),
        "timeline": timeline,
        "meetings": agreement.meetings.published().order_by("-start_date")[:RELATED_LIMIT],
        "claims": agreement.claims.published().prefetch_related(SOURCE_WITHOUT_TEXT)[:RELATED_LIMIT],
        "corrections": public_corrections(corrections_with_records().filter(agreement=agreement)),
        "versions_url": reverse("public:agreement-versions", args=[agreement.slug]) if agreement.is_public else None,
        **_citing(request, agreement, as_of),
    }


@require_safe
@reads()
@public_page
def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = published_or_gone(Meeting.objects.select_related("host"), slug=slug)
    context = meeting_context(meeting)
    return render(request, "public/meeting_detail.html", context)


def meeting_context(meeting: Meeting) -> dict:
    participants = (
        Participation.objects.filter(meeting=meeting, person__in=Person.objects.published())
        .select_related("person", "role", "person__party")
        .order_by("id")
    )
    return {
        "meeting": meeting,
        "record_feed": feed_link(meeting),
        "participants": participants,
        "counterparts": meeting.counterparts.all(),
        "agreements": meeting.outcome_agreements.published(),
        "sources": meeting.sources.published().defer("text"),
        "topics": meeting.topics.all(),
        "claims": meeting.claims.published().prefetch_related(SOURCE_WITHOUT_TEXT)[:RELATED_LIMIT],
        "corrections": public_corrections(corrections_with_records().filter(meeting=meeting)),
    }


@require_safe
@reads()
@public_page
def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person = published_or_gone(Person.objects.select_related("party"), slug=slug)
    tags.lists(["agreement"])  # the agreements of the meetings they took part in
    # Subqueries on the link tables rather than joins and DISTINCT, which made the
    # database sort every published claim or meeting (120 ms at 100,000 claims).
    meeting_ids = person.participations.values("meeting_id")
    meetings = Meeting.objects.published().filter(pk__in=meeting_ids)
    outcomes = Meeting.outcome_agreements.through.objects.filter(meeting__in=meetings).values("agreement_id")
    # One list of ids (a UNION): with an OR, PostgreSQL walked every published claim.
    named = Claim.people.through.objects.filter(person=person).values("claim_id")
    about = named.union(Claim.objects.filter(claimant_person=person).order_by().values("pk"))
    context = {
        "person": person,
        "record_feed": feed_link(person),
        "roles": person.roles.select_related("party").order_by("-start_date"),
        "meetings": meetings.order_by("-start_date")[:RELATED_LIMIT],
        "agreements": Agreement.objects.published().filter(pk__in=outcomes).order_by("title")[:RELATED_LIMIT],
        "claims": Claim.objects.published().filter(pk__in=about).prefetch_related(SOURCE_WITHOUT_TEXT)[:RELATED_LIMIT],
    }
    return render(request, "public/person_detail.html", context)


@require_safe
@reads()
@public_page
def party_detail(request: HttpRequest, code: str) -> HttpResponse:
    if code != code.upper():
        return HttpResponsePermanentRedirect(reverse("public:party", args=[code.upper()]))
    party = Party.objects.published().filter(code=code).first()
    if party is None:
        raise Http404(f"There is no country or organisation with the code “{code[:16]}”.")
    tags.about(party)
    counterpart = Meeting.counterparts.through.objects.filter(party=party).values("meeting_id")
    counterpart_or_host = counterpart.union(Meeting.objects.filter(host=party).order_by().values("pk"))
    context = {
        "party": party,
        "record_feed": feed_link(party),
        "people": Person.objects.published().filter(party=party).order_by("name")[:RELATED_LIMIT],
        "meetings": Meeting.objects.published()
        .filter(pk__in=counterpart_or_host)
        .order_by("-start_date")[:RELATED_LIMIT],
        "agreements": Agreement.objects.published().filter(parties=party).order_by("title")[:RELATED_LIMIT],
        "claims": Claim.objects.published().filter(parties=party).prefetch_related(SOURCE_WITHOUT_TEXT)[:RELATED_LIMIT],
    }
    return render(request, "public/party_detail.html", context)


@require_safe
@reads()
@public_page
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = Topic.objects.published().filter(slug=slug).first()
    if topic is None:
        raise Http404("There is no topic at this address.")
    tags.about(topic)
    context = {
        "topic": topic,
        "record_feed": feed_link(topic),
        "agreements": Agreement.objects.published().filter(topics=topic).order_by("title")[:RELATED_LIMIT],
        "meetings": Meeting.objects.published().filter(topics=topic).order_by("-start_date")[:RELATED_LIMIT],
        "claims": Claim.objects.published().filter(topics=topic).select_related("source")[:RELATED_LIMIT],
    }
    return render(request, "public/topic_detail.html", context)


@require_safe
@reads()
@public_page(lists=["correction"])
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One correction or retraction at its own address, where feeds and mail link it
    (a list's fragment moves to page 2 as newer notes arrive). A retracted record is
    named by its kind alone, as on the list."""
    correction = corrections_with_records().filter(pk=pk).first()
    if correction is None:
        raise Http404("There is no published correction at this address.")
    shown = public_corrections([correction])[0]
    return render(request, "public/correction_detail.html", {"correction": shown})


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    """Shows no record, so it reads nothing from the database: it is served at once even
    while the database hangs. Revalidated by its ETag (ConditionalGetMiddleware)."""
    context = {
        "verdicts": [verdict_info(value) for value in VERDICT_SCALE],
        "reliabilities": [(Reliability(value).label, text) for value, text in RELIABILITY_DEFINITIONS.items()],
        "source_kinds": SourceKind.choices,
    }
    return set_public_cache_headers(render(request, "public/methodology.html", context))


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('public:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
