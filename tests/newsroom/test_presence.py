"""Editing presence: a second person opening a record's change page is told who has been
editing it since when; a page left alone for minutes is forgotten."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tracker.desk.choices import State
from tracker.newsroom import services
from tracker.newsroom.models import Presence


def test_the_second_person_sees_who_has_been_editing_the_claim_since_when(desk, make_claim, login):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    url = reverse("admin:desk_claim_change", args=[claim.pk])
    first = login(desk.vera).get(url).content.decode()
    assert "has been editing" not in first
    since = timezone.localtime(Presence.objects.get(user=desk.vera).started_at).strftime("%H:%M")
    second = login(desk.ed).get(url).content.decode()
    assert f"Vera Vance has been editing this claim since {since}" in second
    # Opening it again keeps the start time; the heartbeat moves on.
    login(desk.vera).get(url)
    assert timezone.localtime(Presence.objects.get(user=desk.vera).started_at).strftime("%H:%M") == since


def test_a_stale_presence_is_forgotten_and_a_return_starts_afresh(desk, make_source, login):
    source = make_source(state=State.DRAFT, by=desk.rita)
    url = reverse("admin:desk_source_change", args=[source.pk])
    login(desk.rita).get(url)
    long_ago = timezone.now() - dt.timedelta(minutes=services.PRESENCE_MINUTES + 1)
    Presence.objects.update(started_at=long_ago, seen_at=long_ago)
    assert "has been editing" not in login(desk.vera).get(url).content.decode()
    login(desk.rita).get(url)
    assert Presence.objects.get(user=desk.rita).started_at > long_ago + dt.timedelta(minutes=1)
    assert "Rita Reyes has been editing this source since" in login(desk.vera).get(url).content.decode()


def test_the_change_page_with_comments_and_presence_keeps_its_query_count(
    desk, make_claim, make_staff, login, django_assert_max_num_queries
):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    url = reverse("admin:desk_claim_change", args=[claim.pk])
    services.comment_add(record=claim, by=desk.ed, body="@rita first")
    login(desk.rita).get(url)
    clients = {person.username: login(person) for person in (desk.vera, desk.ed)}
    limits = {}
    for name, client in clients.items():
        client.get(url)
        with django_assert_max_num_queries(70) as few:
            client.get(url)
        limits[name] = len(few.captured_queries)
    for n in range(5):
        services.comment_add(record=claim, by=desk.ed, body=f"@rita @vera point {n}", field="statement")
        make_staff("Verifier")  # a bigger desk: more people to assign it to, no more queries
    for name, client in clients.items():
        with django_assert_max_num_queries(limits[name]):
            page = client.get(url).content.decode()
        assert "point 4" in page
