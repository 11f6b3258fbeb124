"""The alert form cannot be turned against anyone: mail from the site never carries a
visitor's text, one mailbox gets at most three mails an hour whatever spelling of its
address is used, an address mail systems read differently is refused at the form, and
the visitor limit counts the client's address behind the trusted proxy."""

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client

from tracker.delivery import alerts
from tracker.delivery.forms import mailbox
from tracker.delivery.models import Subscription
from tracker.desk.choices import State

from .conftest import run_worker_until_idle

pytestmark = pytest.mark.django_db
SUBSCRIBE = "/alerts/subscribe/"
INJECTED = "Reuters\n\nURGENT: your account is locked. Sign in at https://evil.example/login"


def test_a_saved_search_with_a_visitors_text_is_refused_and_nothing_is_mailed(client, make_source):
    make_source(state=State.PUBLISHED, publisher="Reuters")
    search = "/sources/?" + urlencode({"publisher": INJECTED})

    page = client.get(SUBSCRIBE, {"search": search})
    posted = client.post(SUBSCRIBE, {"search": search, "email": "victim@example.org", "frequency": "immediate"})
    run_worker_until_idle()

    assert page.status_code == posted.status_code == 404
    assert "only for one on the list" in page.content.decode()
    assert mail.outbox == []
    assert not Subscription.objects.exists()


def test_a_saved_search_is_described_from_the_desks_own_values(client, make_source, make_claim, make_topic):
    make_source(state=State.PUBLISHED, publisher="Reuters")
    topic = make_topic(name="Defence")
    target = alerts.search_target("/sources/?publisher=REUTERS&kind=news&published_after=2025-10-01")
    assert target.label == "Sources: kind News report; publisher “Reuters”; published after 2025-10-01"
    # What is kept is rebuilt from the validated values too.
    assert target.search == "/sources/?kind=news&publisher=Reuters&published_after=2025-10-01"
    claims = alerts.search_target(f"/claims/?verdict=inaccurate&topic={topic.slug}")
    assert claims.label == "Claims: verdict Inaccurate; topic “Defence”"


def test_the_confirmation_mail_holds_only_the_desks_words(client, make_source):
    make_source(state=State.PUBLISHED, publisher="Reuters")
    client.post(
        SUBSCRIBE, {"search": "/sources/?publisher=reuters", "email": "reader@example.org", "frequency": "daily"}
    )
    run_worker_until_idle()
    [message] = mail.outbox
    assert "“Reuters”" in message.body
    assert "publisher=Reuters" in message.body
    assert "reuters" not in message.body  # the visitor's spelling is not repeated


@pytest.mark.parametrize(
    "spelling",
    ["victim@example.org", "Victim@Example.org", "victim+1@example.org", "victim+news@example.org"],
)
def test_spellings_of_one_address_reach_one_mailbox(spelling):
    assert mailbox(spelling) == "victim@example.org"


def test_gmail_ignores_dots_and_googlemail_is_gmail():
    assert mailbox("v.i.c.t.i.m+x@gmail.com") == mailbox("victim@googlemail.com") == "victim@gmail.com"
    assert mailbox("v.ictim@example.org") != mailbox("victim@example.org")  # elsewhere a dot matters


def test_one_mailbox_gets_at_most_three_mails_an_hour_whatever_its_spelling(client, make_claim, settings):
    settings.ALERTS_SUBSCRIBE_RATE = 100
    claim = make_claim(state=State.PUBLISHED)
    for n in range(6):
        response = client.post(
            SUBSCRIBE, {"record": f"claim:{claim.slug}", "email": f"victim+{n}@example.org", "frequency": "daily"}
        )
        assert response.status_code == 200  # told the same each time
    run_worker_until_idle()
    assert len(mail.outbox) == 3


@pytest.mark.parametrize(
    "address",
    [
        "=?utf-8?q?victim?=@example.org",  # an encoded word
        '"quoted name"@example.org',
        "victim@example.org\nBcc: other@example.org",
        "victim(comment)@example.org",
        "vict\u00efm@example.org",  # non-ASCII local part
        "victim@localhost",
        "victim@[127.0.0.1]",
    ],
)
def test_an_address_mail_systems_read_differently_is_refused_at_the_form(client, make_claim, address):
    claim = make_claim(state=State.PUBLISHED)
    response = client.post(SUBSCRIBE, {"record": f"claim:{claim.slug}", "email": address, "frequency": "daily"})
    assert response.status_code == 400
    assert "address" in response.content.decode()
    assert not Subscription.objects.exists()


def test_an_internationalised_domain_is_kept_in_its_ascii_form(client, make_claim):
    claim = make_claim(state=State.PUBLISHED)
    client.post(SUBSCRIBE, {"record": f"claim:{claim.slug}", "email": "reader@bücher.example", "frequency": "daily"})
    run_worker_until_idle()
    assert Subscription.objects.get().email == "reader@xn--bcher-kva.example"
    assert mail.outbox[0].to == ["reader@xn--bcher-kva.example"]


def test_the_visitor_limit_counts_the_client_behind_the_proxy_not_the_proxy(make_claim, settings):
    settings.TRUSTED_PROXY_HOPS = 1
    settings.ALERTS_SUBSCRIBE_RATE = 2
    claim = make_claim(state=State.PUBLISHED)
    proxy = Client(REMOTE_ADDR="10.0.0.1")  # every request arrives from the proxy

    def subscribe(client_address: str, n: int) -> int:
        return proxy.post(
            SUBSCRIBE,
            {"record": f"claim:{claim.slug}", "email": f"reader{n}@example.org", "frequency": "daily"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.99, {client_address}",
        ).status_code

    # Ten clients behind one proxy each have their own bucket...
    assert [subscribe(f"203.0.113.{n}", n) for n in range(10)] == [200] * 10
    # ...and one client that rotates what it writes in the header is still one client.
    assert [subscribe("203.0.113.50", 100 + n) for n in range(3)] == [200, 200, 429]
