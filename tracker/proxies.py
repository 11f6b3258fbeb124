"""The client's address behind the reverse proxies we trust.

Every address-keyed limit (the API's anonymous and export rates, the sign-in lock-out)
and the request log ask `client_address()`, never the raw header: anyone can send
`X-Forwarded-For: 1.2.3.4`, so only the entries our own proxies appended count.

- TRUSTED_PROXY_HOPS = 0 (the default): nothing in front of the app server is trusted,
  the address is the socket's peer (REMOTE_ADDR) and forwarding headers are ignored.
- TRUSTED_PROXY_HOPS = N: N proxies we run (nginx = 1; a CDN then nginx = 2) each
  append the address they received the request from to TRUSTED_PROXY_HEADER
  (X-Forwarded-For). The client is the N-th entry from the right; whatever the
  client wrote itself sits to the left of it and is ignored.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address that address-keyed limits count against (see the module's doc)."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    hops = settings.TRUSTED_PROXY_HOPS
    address = remote
    if hops > 0:
        header = request.META.get(_meta_key(settings.TRUSTED_PROXY_HEADER), "")
        entries = [entry for entry in header.split(",") if entry.strip()]
        if entries:
            # Fewer entries than hops: a proxy was bypassed or misconfigured; the
            # leftmost is then the furthest address any of them saw.
            address = _address(entries[-min(hops, len(entries))]) or remote
    return address
