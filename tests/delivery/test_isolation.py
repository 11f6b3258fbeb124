"""One partner's trouble stays its own: an attempt has one overall deadline however its
receiver trickles, at most two attempts to one endpoint run at once, a slow endpoint
holds neither the other endpoints' deliveries nor the mail; and the worker connects
only to the public address it checked, resolved once."""

import select
import socket
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tracker.delivery import dispatch, webhooks
from tracker.delivery import mail as outbox
from tracker.delivery.models import Delivery, DeliveryStatus, MailKind
from tracker.delivery.worker import Runner
from tracker.desk.choices import State

from .conftest import PORTS


class SlowReceiver:
    """Accepts every connection, reads the request, then trickles its answer one byte
    every `every` seconds, for ever; counts the connections open at once."""

    def __init__(self, every: float = 0.3):
        self.every = every
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for port in reversed(PORTS):
            try:
                self.listener.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
        self.listener.listen(32)
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.lock = threading.Lock()
        self.open = self.most_open = self.requests = 0
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with self.lock:
            self.open += 1
            self.requests += 1
            self.most_open = max(self.most_open, self.open)
        try:
            read_request(conn)
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
                readable, _, _ = select.select([conn], [], [], self.every)
                if self.stopped.is_set() or (readable and not conn.recv(1)):
                    return  # the client hung up: no longer open
                conn.sendall(bytes([byte]))
        except OSError:
            pass
        finally:
            conn.close()
            with self.lock:
                self.open -= 1

    def close(self):
        self.stopped.set()
        self.listener.close()


def read_request(conn: socket.socket) -> bytes:
    """The whole request: headers, then as many bytes as Content-Length says."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


@pytest.fixture
def slow():
    receiver = SlowReceiver()
    yield receiver
    receiver.close()


def test_an_attempt_ends_at_its_deadline_however_the_receiver_trickles(db, slow, make_endpoint, make_claim, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    endpoint = make_endpoint(slow.url)
    make_claim(state=State.PUBLISHED)
    dispatch.dispatch()
    delivery = Delivery.objects.get(endpoint=endpoint, event_type="claim.published")

    started = time.monotonic()
    attempted = webhooks.attempt(delivery.pk)
    took = time.monotonic() - started

    # One deadline for the whole attempt, not one per read (the answer's 38 bytes, one
    # every 0.3 s, would take 11 s).
    assert took < 2.5, took
    assert attempted.status == DeliveryStatus.RETRYING
    assert "no answer within 1 s" in attempted.last_error
    assert "same webhook-id" in attempted.last_error  # it may have arrived: sent again, same id
    endpoint.refresh_from_db()
    assert endpoint.resting_until is not None  # and its endpoint rests before the next


def test_a_refused_connection_is_a_failure_known_not_to_have_arrived(db, make_endpoint, make_claim):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    endpoint = make_endpoint(f"http://127.0.0.1:{port}/hooks")
    make_claim(state=State.PUBLISHED)
    dispatch.dispatch()
    attempted = webhooks.attempt(Delivery.objects.get(endpoint=endpoint, event_type="claim.published").pk)
    assert "ConnectionRefusedError" in attempted.last_error
    assert "may have arrived" not in attempted.last_error


def test_a_slow_endpoint_holds_neither_the_others_nor_the_mail(
    transactional_db, slow, receiver, make_endpoint, make_claim, settings
):
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.5
    settings.WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT = 2
    slow_endpoint = make_endpoint(slow.url, name="Slow partner")
    fast_endpoint = make_endpoint(receiver.url, name="Fast partner")
    for n in range(6):
        make_claim(state=State.PUBLISHED, statement=f"Claim number {n}")
    dispatch.dispatch()
    wanted = Delivery.objects.filter(endpoint=fast_endpoint).count()  # the claims' and their sources' events
    assert wanted >= 6 and Delivery.objects.filter(endpoint=slow_endpoint).count() == wanted
    outbox.queue(key="notice:test", kind=MailKind.NOTICE, recipients=["ops@example.org"], subject="Hello", body="x")

    runner = Runner(webhook_loops=3, interval=0.05, verbosity=0)
    thread = threading.Thread(target=runner.run_forever, daemon=True)
    started = time.monotonic()
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (len(receiver.requests) < wanted or not mail.outbox):
            time.sleep(0.05)
        took = time.monotonic() - started
        time.sleep(1)  # the slow endpoint's attempts go on meanwhile
    finally:
        runner.stopping.set()
        thread.join(30)

    # Behind the slow endpoint (2 s an attempt, two at a time) they would take 2 s for
    # every two of its deliveries.
    assert len(receiver.requests) == wanted
    assert took < wanted, took
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert slow.requests >= 1
    assert slow.most_open <= 2  # never more than its share of the loops
    assert Delivery.objects.filter(endpoint=fast_endpoint, status=DeliveryStatus.SUCCEEDED).count() == wanted
    assert not Delivery.objects.filter(endpoint=slow_endpoint, status=DeliveryStatus.SUCCEEDED).exists()


# --- Addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "https://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
        "https://[64:ff9b:1::7f00:1]/hook",  # local-use NAT64
        "https://[::127.0.0.1]/hook",  # IPv4-compatible
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
        "https://[::ffff:8.8.8.8]/hook",  # mapped, even of a public address
        "https://[::ffff:0:7f00:1]/hook",  # IPv4-translated
        "https://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook",  # Teredo
        "https://[fe80::1]/hook",  # link-local
        "https://[fc00::1]/hook",  # unique local
        "https://100.64.0.1/hook",  # shared (carrier-grade NAT)
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",  # multicast
    ],
)
def test_every_form_of_a_non_public_address_is_refused(settings, url):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_a_public_address_passes(settings):
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    webhooks.check_url("https://[2606:4700:4700::1111]/hook")
    webhooks.check_url("https://8.8.8.8/hook")


def test_the_worker_connects_to_the_address_it_checked_never_resolving_again(settings, receiver, monkeypatch):
    """DNS rebinding: a name that answers a public address when checked and the
    loopback address a moment later. The name is resolved once, and the connection
    goes to the address that was checked; the receiver on the loopback never hears."""
    settings.WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    answers = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        answers.append(host)
        address = "2001:4860:4860::8888" if len(answers) == 1 else "127.0.0.1"  # public, then not
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    outcome = webhooks.post(f"https://rebind.example:{receiver.port}/hooks", {}, "{}", timeout=1)

    assert answers == ["rebind.example"]  # resolved once
    assert not outcome.ok
    assert receiver.requests == []  # never reached the loopback address


def test_a_connection_goes_to_the_pinned_address_whatever_the_name(receiver):
    connection = webhooks._PinnedConnection("no-such-name.invalid", receiver.port, "127.0.0.1", 2, tls=False)
    connection.request("POST", "/hooks", body=b"{}", headers={"Content-Type": "application/json"})
    assert connection.getresponse().status == 204
    connection.close()
    assert receiver.requests[0]["headers"]["host"] == f"no-such-name.invalid:{receiver.port}"
