"""One history (DESIGN.md rule 10; issue 28): a claim changed through each service —
published, corrected, withdrawn to review, republished with changes — and every
public surface tells the same story of it: the change feed, the webhook bodies, the
claim's own Atom feed, the alert mail, /corrections/, its versions and `as_of`."""

import feedparser
import pytest
from django.core import mail

from tracker.delivery import alerts
from tracker.delivery.models import Frequency, Subscription
from tracker.desk import services
from tracker.desk.choices import State, Verdict
from tracker.desk.models import Claim

from .conftest import run_worker_until_idle

pytestmark = pytest.mark.django_db(transaction=True)

CORRECTED = "We misread the readout: it says announced, not signed."
WITHDRAWN = "A second document came in; we are checking the claim against it."
REPUBLISHED = "We reworded the claim and now rate it unsupported."


def test_every_surface_tells_the_same_story_of_a_claim(make_claim, make_endpoint, receiver, staff, client):
    make_endpoint(receiver.url, event_types=["claim.*"])
    claim = make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="The pact was signed.")
    alerts.subscribe(email="reader@example.org", target=alerts.record_target("claim", claim.slug),
                     frequency=Frequency.IMMEDIATE)  # fmt: skip
    alerts.confirm(Subscription.objects.get(email="reader@example.org"))
    run_worker_until_idle()
    mail.outbox.clear()

    services.claim_correct(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, note=CORRECTED,
                           verdict=Verdict.MISLEADING, rationale="Announced, not signed.")  # fmt: skip
    run_worker_until_idle()
    services.claim_withdraw(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, reason=WITHDRAWN)
    run_worker_until_idle()
    services.claim_edit(claim=Claim.objects.get(pk=claim.pk), by=staff.verifier,
                        fields={"statement": "The pact was announced."})  # fmt: skip
    services.claim_publish(claim=Claim.objects.get(pk=claim.pk), by=staff.editor, verdict=Verdict.UNSUPPORTED,
                           rationale="Neither text settles it.", note=REPUBLISHED)  # fmt: skip
    run_worker_until_idle()

    # The change feed: the story, in order.
    feed = [e for e in client.get("/api/v1/events/", {"type": "claim"}).json()["results"] if e["slug"] == claim.slug]
    story = [(e["kind"], e["note"]) for e in feed]
    assert story == [
        ("published", None),
        ("verdict_corrected", CORRECTED),
        ("withdrawn", WITHDRAWN),
        ("republished", REPUBLISHED),
    ]
    ids = [e["id"] for e in feed]

    # The webhooks: the same events, the same words, one delivery each.
    hooks = [p for p in receiver.payloads if p["data"]["slug"] == claim.slug]
    assert [(p["type"], p["data"]["id"], p["data"]["note"]) for p in hooks] == [
        (f"claim.{kind}", pk, note) for (kind, note), pk in zip(story, ids, strict=True)
    ]

    # The claim's own feed: the same events, newest first, each linked to its place in
    # the claim's versions (#event-N), where that id is on the page.
    atom = feedparser.parse(client.get(f"/claims/{claim.slug}/feed/").content)
    assert not atom.bozo
    assert [e.id for e in atom.entries] == [f"tag:policy-desk-tracker,2025:event-{pk}" for pk in reversed(ids)]
    versions_page = client.get(f"/claims/{claim.slug}/versions/").content.decode()
    for entry, (_, note) in zip(atom.entries, reversed(story), strict=True):
        assert entry.link.split("#")[0].endswith(f"/claims/{claim.slug}/versions/")
        assert f'id="{entry.link.split("#")[1]}"' in versions_page
        assert (note or "") in entry.summary

    # The alert mail: one message per change after the reader confirmed, with its note.
    bodies = [m.body for m in mail.outbox if m.to == ["reader@example.org"]]
    assert len(bodies) == 3
    for body, (_, note) in zip(bodies, story[1:], strict=True):
        assert note in body

    # /corrections/: the notes of the changes readers were told of, each at its own page.
    corrections = list(Claim.objects.get(pk=claim.pk).corrections.order_by("created_at"))
    assert [c.note for c in corrections] == [CORRECTED, REPUBLISHED]
    listing = client.get("/corrections/").content.decode()
    for correction in corrections:
        assert correction.note in listing
        assert correction.note in client.get(f"/corrections/{correction.pk}/").content.decode()

    # The versions readers saw, as of each event: never the withdrawal, never later words.
    expected = {ids[0]: ("Accurate", "The pact was signed."), ids[1]: ("Misleading", "The pact was signed."),
                ids[3]: ("Unsupported", "The pact was announced.")}  # fmt: skip
    for pk, (verdict, statement) in expected.items():
        page = client.get(f"/claims/{claim.slug}/versions/{pk}/").content.decode()
        assert f"<strong>{verdict}</strong> means" in page and statement in page
    assert client.get(f"/claims/{claim.slug}/versions/{ids[2]}/").status_code == 404
    first = client.get(f"/claims/{claim.slug}/versions/{ids[0]}/").content.decode()
    assert CORRECTED not in first and REPUBLISHED not in first
    second = client.get(f"/claims/{claim.slug}/versions/{ids[1]}/").content.decode()
    assert CORRECTED in second and REPUBLISHED not in second
    today = client.get(f"/api/v1/claims/{claim.slug}/", {"as_of": feed[-1]["at"][:10]}).json()
    assert today["verdict"]["value"] == "unsupported" and today["statement"] == "The pact was announced."
    assert [c["note"] for c in today["corrections"]] == [CORRECTED, REPUBLISHED]
