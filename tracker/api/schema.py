"""OpenAPI details drf-spectacular cannot infer: the error responses every operation
can return, CSV bodies, the API-key scheme and conditional requests."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

from tracker import request_limits as limits

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
    "400": "A query parameter is not valid (`fields` names it): a filter value not of the declared type, "
    "pattern or enumeration, an ordering not in the list, a value that is not a cursor, a page size out of "
    "range, a search over 200 characters, a NUL character anywhere, or a parameter given empty (`?topic=`: "
    "leave it out instead).",
    "401": "The Authorization header is malformed, or the API key is unknown, revoked or expired.",
    "404": "Nothing answers to this: no published record has this identifier; a filter names a record that "
    "is not published (code `unknown_record`, `fields` names it); the cursor names no page of this list "
    "(`invalid_cursor`); `as_of` is a day with no record (in the future, or before it was published); or "
    "the format asked for does not exist.",
    "406": "None of the media types in the Accept header can be served.",
    "414": f"The address is too long (code `uri_too_long`): over {limits.MAX_REQUEST_LINE:,} bytes in the "
    "request line.",
    "429": "Too many requests: wait the number of seconds in Retry-After.",
    "431": f"The request's headers are too large (code `headers_too_large`): over {limits.MAX_HEADER_FIELD:,} "
    f"bytes in one, {limits.MAX_HEADERS_TOTAL:,} in all, or more than {limits.MAX_HEADER_FIELDS} of them.",
    "503": "The database or the shared cache is briefly unreachable (code `database_unavailable` or "
    "`cache_unavailable`): try again after the number of seconds in Retry-After.",
}
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
