"""Email alerts for readers: a plain form with double opt-in, the same answer
whatever the address, rate limits, one-click unsubscribe (RFC 8058) that deletes the
address, expiry of unconfirmed addresses, and alerts for records and saved searches."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tracker.delivery import alerts, dispatch
from tracker.delivery import mail as mail_outbox
from tracker.delivery.models import Frequency, MailKind, MailStatus, OutgoingMail, PendingAlert, Subscription
from tracker.desk.choices import State, Verdict

from .conftest import run_worker_until_idle

pytestmark = pytest.mark.django_db
SUBSCRIBE = "/alerts/subscribe/"


def alerts_sent() -> list:
    """The alert mails sent (not the confirmations)."""
    return [m for m in mail.outbox if " change" in m.subject]


def links(message) -> list[str]:
    return re.findall(r"http://\S+", message.body)


def path_of(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


@pytest.fixture
def published_claim(make_claim):
    return make_claim(state=State.PUBLISHED, statement="Canada signed a defence pact with Korea")


def subscribe(client, claim, email="reader@example.org", frequency=Frequency.IMMEDIATE):
    return client.post(SUBSCRIBE, {"record": f"claim:{claim.slug}", "email": email, "frequency": frequency})


def confirmed(email: str, target: alerts.Target, frequency=Frequency.IMMEDIATE) -> Subscription:
    alerts.subscribe(email=email, target=target, frequency=frequency)
    subscription = Subscription.objects.get(email=email, search=target.search, record_slug=target.record_slug)
    alerts.confirm(subscription)
    return subscription


def test_a_claim_page_links_to_a_labelled_subscribe_form_that_works_without_javascript(client, published_claim):
    page = client.get(reverse("public:claim", args=[published_claim.slug])).content.decode()
    assert f'href="{SUBSCRIBE}?record=claim%3A{published_claim.slug}"' in page
    form = client.get(SUBSCRIBE, {"record": f"claim:{published_claim.slug}"})
    html = form.content.decode()
    assert form.status_code == 200
    assert "Canada signed a defence pact with Korea" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_email">' in html
    assert 'method="post"' in html
    assert "<script" not in html.split("<main", 1)[1]


@pytest.mark.parametrize("record", ["claim:nope", "nothing:x", "claim:", "", "claim:" + "x" * 500])
def test_nothing_published_to_follow_is_a_404(client, record):
    assert client.get(SUBSCRIBE, {"record": record}).status_code == 404


def test_a_nul_in_the_followed_record_is_a_404_before_any_query(client, published_claim):
    # Found by tests/fuzz/test_alerts_fuzz.py: PostgreSQL refuses a NUL in a query (a 500).
    response = client.post(SUBSCRIBE, {"record": f"claim:{published_claim.slug}\x00", "email": "a@example.org"})
    assert response.status_code == 404
    assert client.get(SUBSCRIBE, {"record": "claim:\x00"}).status_code == 404


def test_a_draft_cannot_be_followed(client, make_claim):
    draft = make_claim(state=State.DRAFT)
    response = client.get(SUBSCRIBE, {"record": f"claim:{draft.slug}"})
    assert response.status_code == 404
    assert draft.statement not in response.content.decode()


def test_subscribing_asks_to_confirm_by_mail_and_only_a_confirmed_address_gets_alerts(client, published_claim):
    response = subscribe(client, published_claim)
    assert "Check your inbox" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is None
    assert mail.outbox == []  # mail is the worker's job, never the request's
    run_worker_until_idle()
    [message] = mail.outbox
    assert message.to == ["reader@example.org"]
    confirm = next(link for link in links(message) if "/alerts/confirm/" in link)

    page = client.get(path_of(confirm))  # a link scanner's GET confirms nothing
    assert page.status_code == 200
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    client.post(path_of(confirm))
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None


def test_the_page_says_the_same_whether_or_not_the_address_already_follows(client, published_claim):
    first = subscribe(client, published_claim, email="new@example.org")
    confirmed("known@example.org", alerts.record_target("claim", published_claim.slug))
    second = subscribe(client, published_claim, email="known@example.org")
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.content.decode())  # noqa: E731 (CSRF tokens differ)
    assert first.status_code == second.status_code == 200
    assert strip(first) == strip(second)
    run_worker_until_idle()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Confirm" in by_address["new@example.org"].subject
    assert "already" in by_address["known@example.org"].subject


def test_the_form_refuses_a_bad_address_with_a_400_and_says_why(client, published_claim):
    response = subscribe(client, published_claim, email="not an address")
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_form_needs_its_csrf_token(published_claim):
    client = Client(enforce_csrf_checks=True)
    assert subscribe(client, published_claim).status_code == 403


def test_too_many_requests_from_one_visitor_get_a_429(client, published_claim, settings):
    settings.ALERTS_SUBSCRIBE_RATE = 2
    assert subscribe(client, published_claim, email="a@example.org").status_code == 200
    assert subscribe(client, published_claim, email="b@example.org").status_code == 200
    response = subscribe(client, published_claim, email="c@example.org")
    assert response.status_code == 429
    assert response["Retry-After"]


def test_one_address_gets_at_most_three_mails_an_hour_from_the_form(client, published_claim, settings):
    settings.ALERTS_SUBSCRIBE_RATE = 100
    for _ in range(5):
        assert subscribe(client, published_claim, email="victim@example.org").status_code == 200
    run_worker_until_idle()
    assert len(mail.outbox) == 3


def test_an_unconfirmed_address_is_deleted_after_the_confirmation_window(published_claim, settings):
    settings.ALERTS_CONFIRM_HOURS = 48
    target = alerts.record_target("claim", published_claim.slug)
    now = timezone.now()
    alerts.subscribe(email="late@example.org", target=target, frequency=Frequency.DAILY, now=now)
    kept = confirmed("kept@example.org", target)
    assert alerts.expire_unconfirmed(now + dt.timedelta(hours=47)) == 0
    assert alerts.expire_unconfirmed(now + dt.timedelta(hours=49)) == 1
    assert list(Subscription.objects.values_list("email", flat=True)) == [kept.email]


def test_an_expired_or_forged_confirmation_link_is_refused(client, published_claim, settings):
    subscription = Subscription.objects.create(
        email="x@example.org", record_type="claim", record_slug=published_claim.slug, label="x",
        created_at=timezone.now(),
    )  # fmt: skip
    token = alerts.token(subscription, alerts.CONFIRM_SALT)
    assert client.get(f"/alerts/confirm/{token[:-2]}xx/").status_code == 404
    unsubscribe_token = alerts.token(subscription, alerts.UNSUBSCRIBE_SALT)
    assert client.get(f"/alerts/confirm/{unsubscribe_token}/").status_code == 404  # wrong purpose
    settings.ALERTS_CONFIRM_HOURS = 0
    assert client.get(f"/alerts/confirm/{token}/").status_code == 404


def test_an_immediate_alert_has_one_click_unsubscribe_that_deletes_the_address(make_claim, published_claim, correct):
    confirmed("reader@example.org", alerts.record_target("claim", published_claim.slug))
    dispatch.dispatch()
    correct(published_claim, note="We fixed the date of the pact.")
    dispatch.dispatch()
    run_worker_until_idle()
    [alert] = alerts_sent()
    assert "1 change to Claim “Canada signed a defence pact with Korea”" in alert.subject
    assert "We fixed the date of the pact." in alert.body
    header = alert.extra_headers["List-Unsubscribe"]
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = path_of(header.strip("<>"))
    assert url in alert.body
    # On the wire it is still one <URL>, not folded into encoded words.
    assert f"List-Unsubscribe: {header}\n" in alert.message().as_string()

    # RFC 8058: the mail program POSTs this body, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.filter(email="reader@example.org").exists()
    assert not PendingAlert.objects.exists()


def test_following_an_agreement_brings_the_claims_about_it(make_agreement, make_claim):
    agreement = make_agreement()
    confirmed("reader@example.org", alerts.record_target("agreement", agreement.slug))
    dispatch.dispatch()
    claim = make_claim(state=State.PUBLISHED, agreements=[agreement], statement="The pact was signed in Gyeongju")
    dispatch.dispatch()
    run_worker_until_idle()
    [alert] = alerts_sent()
    assert "The pact was signed in Gyeongju" in alert.body
    assert claim.slug in alert.body


def test_a_saved_search_alerts_for_matching_records_only(client, make_claim):
    page = client.get("/claims/", {"verdict": "inaccurate", "sort": "newest"}).content.decode()
    # The page's address in its canonical order (tracker/parameters.py).
    assert f"{SUBSCRIBE}?search=%2Fclaims%2F%3Fsort%3Dnewest%26verdict%3Dinaccurate" in page
    target = alerts.search_target("/claims/?verdict=inaccurate&sort=newest&page=2")
    assert target.search == "/claims/?verdict=inaccurate"
    confirmed("reader@example.org", target)
    dispatch.dispatch()
    make_claim(state=State.PUBLISHED, verdict=Verdict.ACCURATE, statement="An accurate one")
    make_claim(state=State.PUBLISHED, verdict=Verdict.INACCURATE, statement="An inaccurate one")
    dispatch.dispatch()
    run_worker_until_idle()
    [alert] = alerts_sent()
    assert "An inaccurate one" in alert.body
    assert "An accurate one" not in alert.body


@pytest.mark.parametrize("search", ["/admin/", "https://evil.example/claims/", "/claims/?verdict=nonsense"])
def test_a_saved_search_must_be_a_valid_public_list(client, search):
    assert client.get(SUBSCRIBE, {"search": search}).status_code == 404


def test_an_alert_the_mail_server_refused_is_sent_again_later(published_claim, correct, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.delivery.test_alerts.RefusingBackend"}}
    confirmed("reader@example.org", alerts.record_target("claim", published_claim.slug))
    dispatch.dispatch()
    correct(published_claim, note="We fixed the date of the pact.")
    dispatch.dispatch()
    run_worker_until_idle()
    [kept] = OutgoingMail.objects.filter(kind=MailKind.ALERT)  # kept: the mail did not go
    assert kept.status == MailStatus.PENDING and "the mail server is down" in kept.last_error
    assert kept.next_attempt_at > timezone.now()  # tried again after a wait, not at once
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    later = timezone.now() + dt.timedelta(minutes=3)  # the worker, once the wait is over
    while mail_outbox.send_due(alerts.compose, now=later):
        pass
    run_worker_until_idle()
    [alert] = alerts_sent()
    assert "We fixed the date of the pact." in alert.body
    assert OutgoingMail.objects.get(pk=kept.pk).status == MailStatus.SENT


class RefusingBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")
