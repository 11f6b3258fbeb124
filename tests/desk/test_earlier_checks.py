"""Earlier checks: claims that say much the same thing, linked as repeats."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tracker.desk import services
from tracker.desk.choices import State
from tracker.desk.similar import rarest_first, related_checks, similar_claims

SAID = "Canada and China agreed to reset bilateral ties at the APEC summit in Gyeongju."


@pytest.fixture
def earlier(make_claim):
    return make_claim(state=State.PUBLISHED, statement=SAID)


def test_published_and_in_progress_claims_that_say_the_same_rank_first(make_claim, earlier, staff):
    in_review = make_claim(state=State.IN_REVIEW, statement="China and Canada agreed at APEC to reset their ties.")
    make_claim(state=State.PUBLISHED, statement="Korea and Canada signed a defence partnership.")
    retracted = make_claim(state=State.RETRACTED, statement=SAID + " Again.")
    new = make_claim(statement="At the APEC summit, Canada and China agreed to reset bilateral ties.")
    found = [item.claim.pk for item in similar_claims(new)]
    assert found[:2] == [earlier.pk, in_review.pk]
    assert new.pk not in found and retracted.pk not in found


def test_similar_claims_take_the_same_queries_for_many_claims_as_for_few(
    make_claim, earlier, django_assert_max_num_queries
):
    new = make_claim(statement="Canada and China agreed to reset ties in Gyeongju.")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        similar_claims(new)
    for n in range(6):
        make_claim(state=State.PUBLISHED if n % 2 else State.DRAFT, statement=f"Canada and China agreed on item {n}.")
    with django_assert_max_num_queries(len(few)):
        assert len(similar_claims(new)) >= 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's statistics")
def test_the_words_looked_up_first_are_the_rarest_by_the_index_statistics(make_claim):
    # "according" is longer than "gyeongju" but in every document, "gyeongju" in one.
    for n in range(25):
        make_claim(state=State.PUBLISHED, statement=f"According to the ministry, item {n} was agreed.")
    make_claim(state=State.PUBLISHED, statement="According to officials, talks went on in Gyeongju.")
    terms = ["according", "ministry", "gyeongju", "agreed"]
    assert rarest_first(terms) == terms  # no statistics yet: longest first, in order among equals

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE public_searchdocument")

    assert rarest_first(terms)[0] == "gyeongju"
    assert rarest_first(terms)[-1] == "according"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stop words")
def test_a_stop_word_of_the_index_is_not_looked_up_as_the_rarest(make_claim):
    # "out" and "same" pass the statement's own stop list, but the index keeps no lexeme
    # for them: with no share in the statistics they came first, the search dropped them,
    # and the in-progress tier matched "%out%" in every "about".
    make_claim(state=State.PUBLISHED, statement="Talks about Gyeongju ruled out the same quota.")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE public_searchdocument")
    assert rarest_first(["out", "gyeongju", "same", "quota"]) == ["gyeongju", "quota"]
    assert rarest_first(["out", "same"]) == []


def test_without_statistics_the_longest_words_are_looked_up_first():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL reads its statistics")
    assert rarest_first(["said", "gyeongju", "according"]) == ["according", "gyeongju", "said"]


def test_linking_a_repeat_shows_both_to_readers_once_published(client, make_claim, earlier, staff):
    repeat = make_claim(statement="Canada and China reset bilateral ties at APEC.")
    services.claim_link_earlier(claim=repeat, by=staff.reporter, earlier=earlier)
    assert related_checks(earlier) == []  # the repeat is a draft: readers do not see it
    assert "Related checks" not in client.get(earlier.get_absolute_url()).content.decode()
    services.claim_submit(claim=repeat, by=staff.reporter)
    services.evidence_attach(claim=repeat, by=staff.verifier, source=earlier.evidence.get().source,
                             quote="Security and Defence", stance="supports")  # fmt: skip
    services.claim_publish(claim=repeat, by=staff.editor, verdict="accurate", rationale="As before.")
    page = client.get(earlier.get_absolute_url()).content.decode()
    assert "Related checks" in page and "a later repeat of this claim" in page
    assert "the earlier check this claim repeats" in client.get(repeat.get_absolute_url()).content.decode()


def test_someone_who_may_not_edit_the_claim_cannot_link_it(make_claim, earlier, make_staff):
    repeat = make_claim(statement="Canada and China reset ties.")
    with pytest.raises(services.NotAllowed):
        services.claim_link_earlier(claim=repeat, by=make_staff("Reporter"), earlier=earlier)


def test_links_never_go_round_in_a_circle(make_claim, staff):
    a = make_claim(statement="A said something about ties.")
    b = make_claim(statement="B said something about ties.")
    services.claim_link_earlier(claim=b, by=staff.reporter, earlier=a)
    with pytest.raises(ValidationError, match="other way round"):
        services.claim_link_earlier(claim=a, by=staff.reporter, earlier=b)
    with pytest.raises(ValidationError):
        services.claim_link_earlier(claim=a, by=staff.reporter, earlier=a)


def test_one_click_on_the_claim_page_links_the_repeat(login, make_claim, earlier, staff):
    repeat = make_claim(statement="Canada and China agreed to reset bilateral ties at APEC.")
    client = login(staff.reporter)
    page = client.get(f"/admin/desk/claim/{repeat.pk}/change/").content.decode()
    assert "Link as a repeat of this check" in page and SAID[:40] in page
    response = client.post(f"/admin/desk/claim/{repeat.pk}/earlier/", {"earlier": earlier.pk})
    assert response.status_code == 302
    repeat.refresh_from_db()
    assert repeat.earlier_check == earlier
    assert client.post(f"/admin/desk/claim/{repeat.pk}/earlier/", {"earlier": "x1"}).status_code == 404
