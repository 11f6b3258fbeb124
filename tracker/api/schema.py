"""OpenAPI details drf-spectacular cannot infer: the error responses every operation
can return, CSV bodies, the API-key scheme and conditional requests."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from .renderers import CSVRenderer


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="Stable and machine-readable, e.g. invalid_filter, invalid_key, throttled.")
    detail = serializers.CharField(help_text="What was wrong, in words.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="The query parameters at fault, each with its problems.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERRORS = {
    "400": "A query parameter is not valid: a filter value, the ordering, the cursor, the page size.",
    "401": "The Authorization header is malformed, or the API key is unknown, revoked or expired.",
    "404": "No published record has this identifier, or the format asked for does not exist.",
    "406": "None of the media types in the Accept header can be served.",
    "429": "Too many requests: wait the number of seconds in Retry-After.",
    "503": "The database or the shared cache is briefly unreachable (code `database_unavailable` or "
    "`cache_unavailable`): try again after the number of seconds in Retry-After.",
}
# gunicorn refuses a request line over 4,094 bytes before the API sees it (not JSON).
URI_TOO_LONG = {"description": "The address is too long (over about 4,000 bytes): shorten the search string."}
HEADERS_429 = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."},
}
HEADERS_200 = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "Send it back as If-None-Match to get a 304 when nothing changed.",
    },
}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        ok = responses.get("200")
        if ok and "content" in ok:
            if CSVRenderer.media_type in ok["content"]:
                ok["content"][CSVRenderer.media_type] = {"schema": {"type": "string"}}
            if "application/json" in ok["content"]:
                ok.setdefault("headers", {}).update(HEADERS_200)
                responses["304"] = {"description": "Not modified since the ETag sent in If-None-Match."}
        for status, description in ERRORS.items():
            if status == "404" and self.method != "GET":
                continue
            response = self._get_response_for_code(ErrorSerializer, status, ["application/json"], direction)
            response["description"] = description
            if status in ("429", "503"):
                response["headers"] = HEADERS_429
            responses.setdefault(status, response)
        if self.method == "GET":
            responses.setdefault("414", URI_TOO_LONG)
        return responses


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.APIKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Optional. `Api-Key <your key>` for the partner rate; without it, the anonymous rate.",
        }
