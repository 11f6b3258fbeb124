"""Request rates: anonymous clients by address, partners by key.

Rates are read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at request time (DRF's
own throttles read them once at import), so tests and deployments can change them.
Counts live in the default cache: Redis when CACHE_URL says so, shared by every worker
and every server. An anonymous client is counted by `client_address()`: the address
our trusted proxies saw, never a forwarding header the client wrote itself.
"""

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle
from rest_framework_api_key.models import APIKey

from tracker.proxies import client_address


class APIRateThrottle(SimpleRateThrottle):
    """`anon` for requests without a key, `partner` for requests with a valid one."""

    scope = "anon"

    def __init__(self):
        pass  # the rate depends on the request: chosen in allow_request

    def scope_for(self, request: Request) -> str:
        return "partner" if isinstance(request.auth, APIKey) else "anon"

    def allow_request(self, request: Request, view) -> bool:
        self.scope = self.scope_for(request)
        self.rate = api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request: Request) -> str:
        return client_address(request._request)

    def get_cache_key(self, request: Request, view) -> str:
        ident = request.auth.prefix if isinstance(request.auth, APIKey) else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ExportRateThrottle(APIRateThrottle):
    """The bulk export is heavy: its own, lower rate, on top of the general one."""

    def scope_for(self, request: Request) -> str:
        return "export"
