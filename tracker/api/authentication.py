"""Partner API keys: `Authorization: Api-Key <key>`.

Keys are made and revoked by editors in the admin (or `manage.py create_api_key`);
only a hash is stored (djangorestframework-api-key). No header means an anonymous
read at the anonymous rate. A header that is present but wrong (malformed, unknown,
revoked, expired) is refused with a 401: a partner must learn that its key is bad,
not be silently downgraded to the anonymous rate.

A key is looked up once per request: a cached answer checks it before DRF does
(hits.py), and when the cache cannot answer, DRF's check takes the same result.
"""

import re

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_api_key.models import APIKey

KEYWORD = "Api-Key"
# What KeyGenerator makes: an 8-character prefix, a dot, a 32-character secret.
KEY_FORMAT = re.compile(r"^[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}$")
# Where a request keeps the key it was found to carry (on the Django request).
FOUND = "_api_key_found"


class APIKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[None, APIKey] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        found = getattr(request._request, FOUND, None)
        if found is not None:
            return found
        keyword, _, key = header.partition(" ")
        if keyword.lower() != KEYWORD.lower():
            raise AuthenticationFailed(
                f"The Authorization header must read “{KEYWORD} <your key>”.", code="invalid_authorization"
            )
        key = key.strip()
        if not KEY_FORMAT.match(key):
            raise AuthenticationFailed("This is not an API key: check that you copied all of it.", code="invalid_key")
        api_key = APIKey.objects.filter(prefix=key.partition(".")[0]).first()
        if api_key is None or not api_key.is_valid(key):
            raise AuthenticationFailed("This API key is not known.", code="invalid_key")
        if api_key.revoked:
            raise AuthenticationFailed("This API key has been revoked.", code="revoked_key")
        if api_key.has_expired:
            raise AuthenticationFailed("This API key has expired.", code="expired_key")
        # No Django user stands behind a partner: the key itself is the credential.
        found = (None, api_key)
        setattr(request._request, FOUND, found)
        return found

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
