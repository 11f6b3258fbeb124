"""Staff notifications: in the desk's inbox, and by mail through the worker, at once or in
a daily digest, as each person chooses."""

import datetime as dt

from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.delivery.conftest import run_worker_until_idle
from tracker.delivery import schedule
from tracker.delivery.models import ScheduledJob
from tracker.desk import services as desk_services
from tracker.desk.choices import Stance, State, Verdict
from tracker.newsroom import services
from tracker.newsroom.models import Kind, MailMode, Notification

READOUT = (
    "Prime Minister Mark Carney met President Xi Jinping in Gyeongju. The two leaders agreed to reset "
    "bilateral ties and to resume regular dialogue between their ministers."
)


def _published_claim_quoting(desk, make_source, make_claim):
    source = make_source(READOUT)
    claim = make_claim(
        state=State.PUBLISHED,
        drafted_by=desk.rita,
        evidence=[
            desk_services.EvidenceAdd(source=source, quote="agreed to reset bilateral ties", stance=Stance.SUPPORTS)
        ],  # fmt: skip
        verdict=Verdict.ACCURATE,
    )
    return source, claim


def test_a_source_edit_that_moves_a_quote_tells_its_author_and_the_claims_reporter(desk, make_source, make_claim):
    source, claim = _published_claim_quoting(desk, make_source, make_claim)
    evidence = claim.evidence.get(source=source)
    text = source.text.replace("agreed to reset", "agreed to restore")
    desk_services.source_edit(source=source, by=desk.ed, fields={"text": text}, note="The publisher revised it.")
    kinds = {(n.recipient.username, n.kind) for n in Notification.objects.select_related("recipient")}
    owner = evidence.created_by.username
    assert (owner, Kind.QUOTE_FLAGGED) in kinds
    assert ("rita", Kind.WITHDRAWN) in kinds  # her published claim went back to review
    note = Notification.objects.get(kind=Kind.WITHDRAWN)
    assert "Ed Eno edited the source" in note.text and note.claim == claim


def test_submitting_tells_the_assignee_it_waits_for_their_review(desk, make_claim):
    claim = make_claim(drafted_by=desk.rita)
    services.assign(record=claim, to=desk.vera, by=desk.ed)
    Notification.objects.all().delete()
    desk_services.claim_submit(claim=claim, by=desk.rita)
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (desk.vera, Kind.REVIEW)


def test_the_inbox_lists_them_marks_them_read_and_keeps_its_query_count(
    desk, make_claim, login, django_assert_max_num_queries
):
    claim = make_claim(drafted_by=desk.rita)
    services.comment_add(record=claim, by=desk.rita, body="@vera first")
    client = login(desk.vera)
    client.get(reverse("admin:newsroom_inbox"))
    with django_assert_max_num_queries(12):
        few = client.get(reverse("admin:newsroom_inbox"))
    for n in range(6):
        services.comment_add(record=claim, by=desk.rita, body=f"@vera number {n}")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:newsroom_inbox"))
    assert few.status_code == page.status_code == 200
    html = page.content.decode()
    assert "7 unread." in html and "number 5" in html
    first = Notification.objects.filter(recipient=desk.vera).order_by("pk").first()
    client.post(reverse("admin:newsroom_inbox"), {"read": [first.pk]})
    assert Notification.objects.filter(recipient=desk.vera, read_at__isnull=True).count() == 6
    client.post(reverse("admin:newsroom_inbox"), {"read": ["abc", "\x00"], "all": "1"})
    assert not Notification.objects.filter(recipient=desk.vera, read_at__isnull=True).exists()
    # Nobody reads or marks another person's notifications.
    services.comment_add(record=claim, by=desk.vera, body="@rita yours")
    theirs = Notification.objects.get(recipient=desk.rita)
    client.post(reverse("admin:newsroom_inbox"), {"read": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "yours" not in client.get(reverse("admin:newsroom_inbox")).content.decode()


def test_a_daily_digest_person_gets_one_mail_a_day_from_the_scheduled_job(desk, make_claim, login):
    login(desk.vera).post(reverse("admin:newsroom_inbox"), {"mode": MailMode.DAILY})
    assert services.mail_mode(desk.vera) == MailMode.DAILY
    claim = make_claim(drafted_by=desk.rita)
    services.comment_add(record=claim, by=desk.rita, body="@vera one")
    services.comment_add(record=claim, by=desk.ed, body="@vera two")
    run_worker_until_idle()
    assert mail.outbox == []  # nothing at once
    # The digest's hour comes: the schedule starts the job, the worker sends it.
    ScheduledJob.objects.update_or_create(name="staff-digest", defaults={"next_run_at": timezone.now()})
    assert "staff-digest" in schedule.run_due(timezone.now() + dt.timedelta(seconds=1))
    run_worker_until_idle()
    [digest] = mail.outbox
    assert digest.to == ["vera@desk.example"] and "2 notifications" in digest.subject
    assert "one" in digest.body and "two" in digest.body
    call_command("send_staff_digests", verbosity=0)
    run_worker_until_idle()
    assert len(mail.outbox) == 1  # nothing new: no second digest


def test_a_bad_mail_choice_is_refused_and_changes_nothing(desk, login):
    response = login(desk.vera).post(reverse("admin:newsroom_inbox"), {"mode": "hourly\x00"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert services.mail_mode(desk.vera) == MailMode.IMMEDIATE


def test_nobody_is_told_of_what_they_did_themselves(desk, make_claim):
    claim = make_claim(drafted_by=desk.rita, state=State.IN_REVIEW)
    services.assign(record=claim, to=desk.vera, by=desk.vera)
    services.comment_add(record=claim, by=desk.vera, body="@vera note to self")
    assert not Notification.objects.exists()
