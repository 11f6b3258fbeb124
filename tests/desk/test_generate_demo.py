"""generate_demo writes, in bulk, the rows the services would write (tracker/desk/demo.py):
a small run keeps every rule the property test checks, and the same seed gives the
same record."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction

from tracker.desk import services
from tracker.desk.candidates import split_passages
from tracker.desk.canonical import canonical_url
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Agreement, Claim, ClaimEvent, Evidence, Meeting, Participation, Passage, Source
from tracker.search.index import MODELS, document_text
from tracker.search.models import SearchDocument

from ..properties import invariants

SMALL = {"claims": 200, "sources": 40, "evidence": 400, "agreements": 12, "meetings": 30, "people": 20}
UNTIL = dt.date(2026, 1, 31)


def generate(seed: int = 7, **shape) -> None:
    call_command("generate_demo", **{**SMALL, **shape}, seed=seed, until=UNTIL, verbosity=0)


def snapshot() -> tuple:
    """The record as readers and partners see it, without database ids."""
    return (
        list(Claim.objects.order_by("slug").values_list(
            "slug", "statement", "quote", "start", "end", "state", "verdict", "rationale", "updated_at",
            "source__slug", "drafted_by__username", "reviewed_by__username",
        )),
        list(Evidence.objects.order_by("claim__slug", "source__slug").values_list(
            "claim__slug", "source__slug", "start", "end", "stance", "note",
        )),
        list(Source.objects.order_by("slug").values_list("slug", "text_sha256", "url", "published_on")),
        list(Agreement.objects.order_by("slug").values_list("slug", "title", "current_status", "status_since")),
        list(Participation.objects.order_by("meeting__slug", "person__slug").values_list(
            "meeting__slug", "person__slug", "role__title",
        )),
        Claim.history.count(), ClaimEvent.objects.count(), SearchDocument.objects.count(),
    )  # fmt: skip


@pytest.mark.django_db
def test_a_small_demo_record_keeps_every_rule_the_property_test_checks():
    generate()
    assert Claim.objects.count() == SMALL["claims"]
    assert Claim.objects.published().count() > 150
    assert Claim.objects.filter(state=State.IN_REVIEW).exists() and Claim.objects.filter(state=State.DRAFT).exists()
    assert Evidence.objects.count() == pytest.approx(SMALL["evidence"], rel=0.15)
    invariants.published_verdicts_rest_on_published_evidence()
    invariants.a_claim_is_never_its_own_evidence()
    invariants.the_publisher_wrote_none_of_it()
    invariants.every_anchored_quote_is_where_its_offsets_say()
    invariants.nothing_unpublished_is_public()


@pytest.mark.django_db
def test_derived_rows_are_what_the_models_and_services_derive():
    generate()
    for source in Source.objects.all():
        assert source.text_sha256 == Source.hash_text(source.text)
        assert source.text_fingerprint == Source.fingerprint_text(source.text)
        assert source.canonical_url == (canonical_url(source.url) if source.url else None)
        passages = set(Passage.objects.filter(source=source).values_list("start", "end"))
        assert passages == set(split_passages(source.text))
    # The search index holds exactly the published records, each as index_record writes it.
    for kind, model in MODELS.items():
        indexed = {row.object_id: row for row in SearchDocument.objects.filter(kind=kind)}
        records = model.objects.published()
        assert set(indexed) == set(records.values_list("pk", flat=True)), kind
        for record in records:
            assert (indexed[record.pk].title, indexed[record.pk].body) == document_text(kind, record)
            assert indexed[record.pk].updated_at == record.updated_at
    for agreement in Agreement.objects.all():
        derived = (agreement.current_status, agreement.status_since)
        agreement.refresh_status()
        assert (agreement.current_status, agreement.status_since) == derived
    for participation in Participation.objects.select_related("meeting", "role"):
        participation.full_clean()  # the role is the person's, held on the meeting's date
    # Each record's latest history row is the record as it stands, as simple-history leaves it.
    for model in (Claim, Source, Agreement, Meeting):
        for record in model.objects.all():
            latest = record.history.latest("history_date", "history_id")
            assert (latest.version, latest.state, latest.updated_at) == (record.version, record.state,
                                                                          record.updated_at), record  # fmt: skip
    assert Claim.objects.filter(first_published_at=None, state=State.PUBLISHED).count() == 0
    # The services take it from here: an editor who wrote none of a claim corrects it.
    claim = Claim.objects.published().filter(corrections=None).first()
    editor = get_user_model().objects.get(username="demo-editor-1")
    if claim.reviewed_by_id == editor.pk:
        editor = get_user_model().objects.get(username="demo-editor-2")
    services.claim_correct(claim=claim, by=editor, note="A clearer rationale.", verdict=claim.verdict,
                           rationale=f"{claim.rationale} Restated.")  # fmt: skip
    assert Claim.objects.get(pk=claim.pk).version == claim.version + 1


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_record_and_another_seed_another():
    records = []
    for seed in (7, 7, 8):
        with transaction.atomic():
            generate(seed, claims=60, evidence=120, sources=15, meetings=10)
            records.append(snapshot())
            transaction.set_rollback(True)
    assert records[0] == records[1]
    assert records[0][0] != records[2][0]


@pytest.mark.django_db
def test_it_refuses_a_database_that_already_holds_demo_records():
    call_command("generate_demo", claims=5, sources=3, evidence=5, agreements=1, meetings=2, people=5, verbosity=0)
    with pytest.raises(CommandError, match="already holds demo records"):
        call_command("generate_demo", claims=5, sources=3, verbosity=0)
    assert Claim.objects.filter(verdict=Verdict.NOT_RATED, state=State.PUBLISHED).count() == 0


@pytest.mark.django_db
def test_the_demo_record_has_its_public_history_in_the_event_log(client):
    """Every published record's publication, every correction and retraction is an
    event dated when it happened, in id order, with what readers saw (issue 28)."""
    from tracker.events.models import Event

    generate()
    events = Event.objects.filter(record_slug__startswith="demo-").order_by("id")  # not the reference data's
    ats = list(events.values_list("at", flat=True))
    assert ats == sorted(ats)
    published = Claim.objects.public_or_retracted()
    assert events.filter(record_type="claim", kind="published").count() == published.count()
    corrected = Claim.objects.filter(corrections__kind="correction").distinct()
    assert events.filter(record_type="claim", kind="corrected").count() == corrected.count()
    retracted = Claim.objects.filter(state="retracted").count()
    assert events.filter(record_type="claim", kind="retracted").count() == retracted
    assert events.filter(record_type="source").count() == Source.objects.published().count()
    assert events.filter(record_type="agreement").count() == Agreement.objects.published().count()
    # A claim's versions and as-of view read the demo's states like any other.
    claim = Claim.objects.published().order_by("slug").first()
    event = events.filter(record_type="claim", record_id=claim.pk).last()
    page = client.get(f"/claims/{claim.slug}/versions/{event.pk}/")
    assert page.status_code == 200 and claim.statement in page.content.decode()
    day = event.at.date().isoformat()
    body = client.get(f"/api/v1/claims/{claim.slug}/", {"as_of": day}).json()
    assert body["verdict"]["value"] == claim.verdict and body["statement"] == claim.statement
    # The change feed and the record's feed list them.
    assert client.get("/api/v1/events/").json()["results"]
    assert f"event-{event.pk}" in client.get(f"/claims/{claim.slug}/feed/").content.decode()
