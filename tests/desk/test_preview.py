"""Preview: the public page of a draft as it will look once published, for the staff
who may see the record, and never for anyone else or any cache."""

import pickle

import pytest
from django.core.cache import cache

from tracker.caching import responses as caching
from tracker.desk import services
from tracker.desk.choices import Stance, State
from tracker.desk.models import Claim

STATEMENT = "Canada signed a naval agreement with Korea in October 2025."
DRAFT_QUOTE = "General Security of Information Agreement"
# Session, user, the claim (twice: the admin reads it, the preview with its source), permissions,
# evidence and its sources, corrections, links, related checks: none per evidence row.
PREVIEW_QUERIES = 15


@pytest.fixture
def in_review(make_claim, make_source, staff):
    """A claim in review whose evidence quotes a published source and a draft one."""
    draft_source = make_source(state=State.DRAFT, title="A draft readout nobody has published")
    claim = make_claim(
        statement=STATEMENT,
        evidence=[
            services.EvidenceAdd(source=make_source(title="The published readout"), quote="Security and Defence",
                                 stance=Stance.SUPPORTS),
            services.EvidenceAdd(source=draft_source, quote=DRAFT_QUOTE, stance=Stance.CONTRADICTS,
                                 note="The draft source's own words."),
        ],
    )  # fmt: skip
    return services.claim_submit(claim=claim, by=staff.reporter)


def test_staff_see_the_public_page_as_it_will_be_with_evidence_from_draft_sources(in_review, staff, login):
    response = login(staff.verifier).get(f"/admin/desk/claim/{in_review.pk}/preview/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Preview — not published" in html
    assert STATEMENT in html
    assert "The published readout" in html
    assert DRAFT_QUOTE in html and "A draft readout nobody has published" in html
    assert "The draft source&#x27;s own words." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control and "public" not in cache_control
    assert 'class="claim__statement"' in html  # the public template itself


def test_a_flagged_quote_is_left_out_as_it_would_be_on_the_page(in_review, staff, login):
    Claim.objects.get(pk=in_review.pk).evidence.filter(quote=DRAFT_QUOTE).update(anchor_broken=True)
    html = login(staff.verifier).get(f"/admin/desk/claim/{in_review.pk}/preview/").content.decode()
    assert DRAFT_QUOTE not in html and "Security and Defence" in html


def test_the_claim_page_links_to_its_preview(in_review, staff, login):
    html = login(staff.verifier).get(f"/admin/desk/claim/{in_review.pk}/change/").content.decode()
    assert f'href="/admin/desk/claim/{in_review.pk}/preview/"' in html


@pytest.mark.parametrize("who", ["anonymous", "a reader with an account", "staff in no role"])
def test_the_preview_is_refused_to_anyone_who_may_not_see_the_claim(who, in_review, make_user, make_staff, login):
    from django.test import Client

    client = {
        "anonymous": lambda: Client(),
        "a reader with an account": lambda: login(make_user()),
        "staff in no role": lambda: login(make_staff(None)),
    }[who]()
    response = client.get(f"/admin/desk/claim/{in_review.pk}/preview/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")
    assert STATEMENT not in response.content.decode()


def test_a_preview_leaves_nothing_in_the_public_cache(in_review, staff, login, client, monkeypatch):
    memory = caching._Memory(8 * 1024 * 1024)
    monkeypatch.setattr(caching, "memory", memory)
    cache.clear()
    desk = login(staff.verifier)
    for _ in range(2):
        assert desk.get(f"/admin/desk/claim/{in_review.pk}/preview/").status_code == 200
    # Readers then ask for the claim's address and the lists: nothing of the draft.
    assert client.get(in_review.get_absolute_url()).status_code == 404
    assert STATEMENT not in client.get("/claims/").content.decode()
    kept = b"".join(pickle.dumps(entry) for entry in memory.entries.values())
    kept += b"".join(value if isinstance(value, bytes) else pickle.dumps(value) for value in cache._cache.values())
    assert STATEMENT.encode() not in kept and DRAFT_QUOTE.encode() not in kept


def test_sources_agreements_and_meetings_have_a_preview(make_source, make_agreement, make_meeting, staff, login):
    client = login(staff.editor)
    for record, heading in [
        (make_source(state=State.DRAFT, title="An unpublished readout"), "An unpublished readout"),
        (make_agreement(state=State.DRAFT, title="A draft partnership"), "A draft partnership"),
        (make_meeting(state=State.DRAFT, title="A draft summit"), "A draft summit"),
    ]:
        url = f"/admin/desk/{record._meta.model_name}/{record.pk}/preview/"
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert "Preview — not published" in html and f"<h1>{heading}</h1>" in html
        change = client.get(f"/admin/desk/{record._meta.model_name}/{record.pk}/change/").content.decode()
        assert f'href="{url}"' in change


@pytest.mark.parametrize("rows", [2, 12])
def test_the_claim_preview_makes_a_fixed_number_of_queries(
    rows, make_claim, make_source, staff, login, django_assert_max_num_queries
):
    evidence = [
        services.EvidenceAdd(source=make_source(state=State.DRAFT if n % 2 else State.PUBLISHED),
                             quote="Security and Defence", stance=Stance.SUPPORTS)
        for n in range(rows)
    ]  # fmt: skip
    claim = services.claim_submit(claim=make_claim(evidence=evidence), by=staff.reporter)
    client = login(staff.verifier)
    with django_assert_max_num_queries(PREVIEW_QUERIES):
        response = client.get(f"/admin/desk/claim/{claim.pk}/preview/")
    assert response.status_code == 200
