"""Issue 12's "done when": a claim is published, corrected and retracted through the
services; its own Atom feed lists them, and the real worker hands the three events to a
webhook receiver on a loopback port, which verifies each signature with the
`standardwebhooks` library, and to a reader's daily digest. A draft's changes reach neither. A receiver that fails gets
retries with backoff, and the delivery log shows them."""

from xml.etree import ElementTree

import pytest
from django.core import mail
from standardwebhooks.webhooks import Webhook

from tracker.delivery import alerts, tasks
from tracker.delivery.models import Delivery, DeliveryStatus, Frequency, Subscription
from tracker.desk import services
from tracker.desk.choices import CorrectionKind, State

from .conftest import run_worker_until_idle

pytestmark = pytest.mark.django_db(transaction=True)
ATOM = "{http://www.w3.org/2005/Atom}"


def confirmed_subscription(email: str, target: alerts.Target, frequency: str) -> Subscription:
    alerts.subscribe(email=email, target=target, frequency=frequency)
    subscription = Subscription.objects.get(email=email)
    alerts.confirm(subscription)
    return subscription


def test_published_corrected_retracted_claim_reaches_webhook_and_digest_and_a_draft_never_does(
    make_claim, make_endpoint, receiver, correct, staff, fast_retries, client
):
    endpoint = make_endpoint(receiver.url, event_types=["claim.*"])
    claim = make_claim(state=State.PUBLISHED, statement="Canada and Korea signed a security partnership")
    run_worker_until_idle()  # the publication is delivered
    confirmed_subscription("reader@example.org", alerts.record_target("claim", claim.slug), Frequency.DAILY)
    run_worker_until_idle()  # the confirmation mail goes out
    mail.outbox.clear()

    correct(claim, note="The rationale now cites the joint statement.")
    # The claim's own Atom feed lists the same events, newest first, while it is public.
    feed_url = f"{claim.get_absolute_url()}feed/"
    atom = ElementTree.fromstring(client.get(feed_url).content)
    guids = [entry.findtext(f"{ATOM}id") for entry in atom.iter(f"{ATOM}entry")]
    correct(claim, note="The readout was misquoted.", kind=CorrectionKind.RETRACTION)
    draft = make_claim(state=State.DRAFT, statement="A secret draft about a summit")
    services.claim_edit(claim=draft, by=staff.reporter, fields={"statement": "A secret draft, edited"})
    run_worker_until_idle()

    verifier = Webhook(endpoint.secret)
    for request in receiver.requests:
        verifier.verify(request["body"], request["headers"])  # raises if the signature is wrong
    assert [(p["type"], p["data"]["slug"]) for p in receiver.payloads] == [
        ("claim.published", claim.slug),
        ("claim.corrected", claim.slug),
        ("claim.retracted", claim.slug),
    ]
    assert receiver.payloads[2]["data"]["note"] == "The readout was misquoted."
    ids = [p["data"]["id"] for p in receiver.payloads]
    assert ids == sorted(ids)
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 3
    # Each webhook carries the event as the change feed listed it when it was sent.
    feed = client.get("/api/v1/events/", {"type": "claim"}).json()["results"]
    same = ("id", "type", "slug", "kind", "note")
    assert [{k: p["data"][k] for k in same} for p in receiver.payloads] == [
        {k: item[k] for k in same} for item in feed if item["slug"] == claim.slug
    ]
    assert guids == [f"tag:policy-desk-tracker,2025:event-{i}" for i in reversed(ids[:2])]
    assert client.get(feed_url).status_code == 410  # retracted: the feed is gone with the page
    # Sent after the retraction, the last one no longer repeats the claim's words.
    assert receiver.payloads[0]["data"]["title"] == claim.statement
    assert receiver.payloads[2]["data"]["title"] is None
    assert claim.statement not in receiver.requests[2]["body"]

    assert mail.outbox == []  # a digest waits for its hour
    tasks.send_daily_digests.enqueue()
    run_worker_until_idle()
    [digest] = mail.outbox
    assert digest.to == ["reader@example.org"]
    assert "Daily digest: 2 changes" in digest.subject
    assert "Corrected" in digest.body and "Retracted" in digest.body
    assert "The readout was misquoted." in digest.body
    # The claim is retracted: the digest names it by its kind only.
    assert claim.statement not in digest.subject + digest.body
    assert "a claim you followed, no longer published" in digest.subject
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    everything = "".join(r["body"] for r in receiver.requests) + "".join(m.body for m in mail.outbox)
    assert "secret draft" not in everything
    assert draft.slug not in everything


def test_a_failing_receiver_gets_retries_with_backoff_shown_in_the_delivery_log(
    make_claim, make_endpoint, receiver, fast_retries
):
    receiver.statuses = [500, 503, 204]
    endpoint = make_endpoint(receiver.url, event_types=["claim.*"])
    claim = make_claim(state=State.PUBLISHED)
    run_worker_until_idle()

    delivery = Delivery.objects.get(endpoint=endpoint, event__record_slug=claim.slug, event_type="claim.published")
    assert delivery.status == DeliveryStatus.SUCCEEDED
    log = list(delivery.attempt_log.values_list("number", "status_code", "succeeded"))
    assert log == [(1, 500, False), (2, 503, False), (3, 204, True)]
    times = list(delivery.attempt_log.values_list("at", flat=True))
    # Waits of one base and then two bases (0.02 s, 0.04 s here; 30 s and 60 s by default).
    assert (times[1] - times[0]).total_seconds() >= 0.02
    assert (times[2] - times[1]).total_seconds() >= 0.04
    # Every attempt carried the same message id and body, each signed anew.
    claim_requests = [r for r in receiver.requests if '"claim.published"' in r["body"]]
    assert len({r["headers"]["webhook-id"] for r in claim_requests}) == 1
    for request in claim_requests:
        Webhook(endpoint.secret).verify(request["body"], request["headers"])
