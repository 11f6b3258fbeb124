"""Webhook deliveries: addresses refused against request forgery, redirects not
followed, the backoff schedule, pausing an endpoint that keeps failing, resuming it,
replaying a delivery, and the editor's admin pages."""

import datetime as dt
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from tracker.delivery import dispatch, webhooks
from tracker.delivery.models import Delivery, DeliveryStatus, Endpoint, new_secret
from tracker.desk.choices import CorrectionKind, State
from tracker.desk.models import Claim
from tracker.desk.roles import EDITOR

from .conftest import run_worker_until_idle

pytestmark = pytest.mark.django_db
# In the past, so that jobs the real worker runs are due whatever the clock says.
T0 = dt.datetime(2025, 11, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def claim_delivery(make_claim, make_endpoint, receiver, fast_retries):
    """An endpoint at the receiver and the delivery of one claim's publication."""

    def make(**endpoint_fields) -> Delivery:
        endpoint = make_endpoint(receiver.url, event_types=["claim.published"], **endpoint_fields)
        make_claim(state=State.PUBLISHED)
        dispatch.dispatch(now=T0)
        return Delivery.objects.filter(endpoint=endpoint).latest("pk")

    return make


@pytest.mark.parametrize(
    "url",
    [
        "http://partner.example/hook",  # plain http
        "https://10.1.2.3/hook",  # private
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[::1]/hook",  # loopback, outside development
        "https://user:pw@partner.example/hook",  # credentials in the address
        "ftp://partner.example/hook",
    ],
)
def test_an_address_the_worker_must_not_call_is_refused(settings, url):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_http_to_the_loopback_address_is_allowed_only_in_development(settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    webhooks.check_url("http://127.0.0.1:8700/hooks")
    with pytest.raises(ValidationError):
        webhooks.check_url("http://192.168.1.10/hooks")
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError):
        webhooks.check_url("http://127.0.0.1:8700/hooks")
    webhooks.check_url("https://partner.example/hooks")


def test_a_host_name_that_resolves_to_a_private_address_is_refused_at_send_time(settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    outcome = webhooks.post("https://localhost/hooks", {}, "{}")
    assert outcome.status_code is None and not outcome.ok
    assert "resolves to a private, loopback" in outcome.error


def test_each_attempt_is_signed_for_the_standard_webhooks_library(claim_delivery, receiver):
    delivery = claim_delivery()
    webhooks.attempt(delivery.pk, now=dt.datetime.now(dt.UTC))
    [request] = receiver.requests
    payload = Webhook(delivery.endpoint.secret).verify(request["body"], request["headers"])
    assert payload["type"] == "claim.published"
    assert request["headers"]["webhook-id"] == delivery.message_id
    with pytest.raises(Exception, match="signature"):
        Webhook(new_secret()).verify(request["body"], request["headers"])


def test_a_redirect_is_not_followed_and_counts_as_a_failure(claim_delivery, receiver):
    receiver.statuses = [302]
    delivery = webhooks.attempt(claim_delivery().pk, now=T0)
    assert [r["path"] for r in receiver.requests] == ["/hooks"]  # never /elsewhere
    assert delivery.status == DeliveryStatus.RETRYING
    assert delivery.last_status_code == 302
    assert "redirects are not followed" in delivery.last_error


def test_failed_attempts_wait_twice_as_long_each_time_then_give_up(claim_delivery, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver.statuses = [500]
    delivery = claim_delivery()
    now, waits = T0, []
    for _ in range(4):
        assert webhooks.attempt(delivery.pk, now=now - dt.timedelta(seconds=1)) is None  # not due yet
        delivery = webhooks.attempt(delivery.pk, now=now)
        if delivery.next_attempt_at:
            waits.append((delivery.next_attempt_at - now).total_seconds())
            now = delivery.next_attempt_at
    assert waits == [30, 60, 120]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert list(delivery.attempt_log.values_list("number", "status_code")) == [(1, 500), (2, 500), (3, 500), (4, 500)]


def test_an_endpoint_that_keeps_failing_is_paused_its_deliveries_held_and_its_owner_mailed(
    claim_delivery, receiver, settings, make_claim
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    receiver.statuses = [503]
    first = claim_delivery(contact_email="ops@partner.example")
    endpoint = first.endpoint
    make_claim(state=State.PUBLISHED)
    make_claim(state=State.PUBLISHED)
    dispatch.dispatch(now=T0)
    deliveries = list(Delivery.objects.filter(endpoint=endpoint).order_by("pk"))
    assert len(deliveries) == 3
    for delivery in deliveries:
        webhooks.attempt(delivery.pk, now=T0)
    endpoint.refresh_from_db()
    assert endpoint.paused_at == T0
    assert "3 failed attempts in a row" in endpoint.paused_reason
    assert set(Delivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)) == {DeliveryStatus.HELD}
    run_worker_until_idle()
    [notice] = [m for m in mail.outbox if "paused" in m.subject]
    assert set(notice.to) == {"ops@partner.example"} | ({endpoint.created_by.email} - {""})
    assert endpoint.url in notice.body

    # A new event for a paused endpoint is held too, not sent.
    make_claim(state=State.PUBLISHED)
    dispatch.dispatch(now=T0)
    assert Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.HELD).count() == 4
    sent_before = len(receiver.requests)

    # Resumed once the receiver works: everything held goes out.
    receiver.statuses = [204]
    assert webhooks.resume(endpoint, by=None) == 4
    run_worker_until_idle()
    assert len(receiver.requests) == sent_before + 4
    assert set(Delivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)) == {
        DeliveryStatus.SUCCEEDED
    }


def test_a_replayed_delivery_is_sent_again_with_the_same_id_and_its_log_goes_on(claim_delivery, receiver):
    delivery = webhooks.attempt(claim_delivery().pk, now=dt.datetime.now(dt.UTC))
    assert delivery.status == DeliveryStatus.SUCCEEDED
    webhooks.replay(delivery, by=None)
    assert len(receiver.requests) == 1  # queued, not sent by the caller
    run_worker_until_idle()
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["headers"]["webhook-id"] == receiver.requests[1]["headers"]["webhook-id"]
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    assert list(delivery.attempt_log.values_list("number", flat=True)) == [1, 2]


def test_a_revoked_keys_endpoint_gets_nothing(claim_delivery, receiver):
    delivery = claim_delivery()
    delivery.endpoint.api_key.revoked = True
    delivery.endpoint.api_key.save()
    assert webhooks.attempt(delivery.pk, now=T0) is None
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.HELD


# --- The editor's admin -----------------------------------------------------------------


@pytest.fixture
def editor_client(client, make_staff):
    client.force_login(make_staff(EDITOR))
    return client


def test_an_editor_registers_an_endpoint_and_sees_its_secret_once(editor_client, make_endpoint, receiver):
    api_key = make_endpoint(receiver.url).api_key  # a partner's key
    form = editor_client.get(reverse("admin:delivery_endpoint_add")).content.decode()
    assert 'value="claim.*"' in form and 'value="*.retracted"' in form  # event types to choose
    response = editor_client.post(
        reverse("admin:delivery_endpoint_add"),
        {
            "api_key": api_key.pk,
            "url": "https://partner.example/hooks",
            "event_types": ["claim.*", "*.retracted"],
            "contact_email": "ops@partner.example",
            "is_active": "on",
        },  # fmt: skip
        follow=True,
    )
    endpoint = Endpoint.objects.get(url="https://partner.example/hooks")
    assert endpoint.event_types == ["claim.*", "*.retracted"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    page = editor_client.get(reverse("admin:delivery_endpoint_change", args=[endpoint.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()


def test_the_admin_refuses_a_plain_http_endpoint_in_production(editor_client, make_endpoint, receiver, settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    api_key = make_endpoint(receiver.url).api_key
    response = editor_client.post(
        reverse("admin:delivery_endpoint_add"), {"api_key": api_key.pk, "url": "http://partner.example/hooks"}
    )
    assert response.status_code == 200
    assert "must start with https://" in response.content.decode()
    assert not Endpoint.objects.filter(url="http://partner.example/hooks").exists()


def test_the_delivery_log_shows_attempts_and_an_editor_replays_from_it(editor_client, claim_delivery, receiver):
    receiver.statuses = [500, 204]
    delivery = webhooks.attempt(claim_delivery().pk, now=T0)
    listing = editor_client.get(reverse("admin:delivery_delivery_changelist")).content.decode()
    assert "failed, will retry" in listing
    detail = editor_client.get(reverse("admin:delivery_delivery_change", args=[delivery.pk])).content.decode()
    assert "HTTP 500" in detail
    response = editor_client.post(
        reverse("admin:delivery_delivery_changelist"),
        {"action": "replay_deliveries", "_selected_action": [delivery.pk]},
        follow=True,
    )
    assert "1 deliveries queued" in response.content.decode()
    assert len(receiver.requests) == 1  # the page only queued it
    run_worker_until_idle()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [500, 204]


def test_the_admin_tells_editors_an_endpoint_is_paused(editor_client, claim_delivery):
    endpoint = claim_delivery().endpoint
    webhooks.pause(endpoint, now=T0, reason="10 failed attempts in a row (HTTP 503)")
    page = editor_client.get(reverse("admin:delivery_endpoint_changelist")).content.decode()
    assert "is paused since" in page
    assert "HTTP 503" in page


def test_a_retry_after_the_record_was_retracted_no_longer_repeats_its_words(claim_delivery, receiver, correct):
    receiver.statuses = [500, 204]
    delivery = webhooks.attempt(claim_delivery().pk, now=T0)
    claim = Claim.objects.get(slug=delivery.event.record_slug)
    assert claim.statement in receiver.requests[0]["body"]
    correct(claim, note="Misread.", kind=CorrectionKind.RETRACTION)
    webhooks.attempt(delivery.pk, now=delivery.next_attempt_at)
    retry = receiver.requests[1]
    assert retry["headers"]["webhook-id"] == receiver.requests[0]["headers"]["webhook-id"]
    assert claim.statement not in retry["body"]
    data = json.loads(retry["body"])["data"]
    assert (data["kind"], data["slug"], data["title"]) == ("published", claim.slug, None)
