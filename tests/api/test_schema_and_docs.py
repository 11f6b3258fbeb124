"""The OpenAPI schema validates without a warning and documents every error; the
docs page works offline (every asset is ours) under the site's CSP."""

import re

import pytest
import yaml
from django.core.management import call_command

from tracker.api.pagination import CURSOR_PATTERN
from tracker.filters import CODE_PATTERN, SLUG_PATTERN

OPERATIONS = [
    "/api/v1/claims/",
    "/api/v1/claims/{slug}/",
    "/api/v1/tombstones/",
    "/api/v1/export/",
    "/api/v1/parties/{code}/",
    "/api/v1/corrections/{id}/",
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    # --fail-on-warn: any drf-spectacular warning fails the test (and CI).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


@pytest.mark.parametrize("path", OPERATIONS)
def test_every_operation_documents_its_errors_with_the_error_body(schema, path):
    responses = schema["paths"][path]["get"]["responses"]

    for status in ("400", "401", "404", "406", "414", "429", "431", "503"):
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in responses["429"]["headers"]
    assert "Retry-After" in responses["503"]["headers"]


def parameters(schema: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p["schema"] for p in schema["paths"][path]["get"]["parameters"]}


def test_binding_is_declared_a_boolean_not_a_boolean_with_string_values(schema):
    assert parameters(schema, "/api/v1/agreements/")["binding"] == {"type": "boolean"}


@pytest.mark.parametrize(
    "path, name, pattern",
    [
        ("/api/v1/claims/", "topic", SLUG_PATTERN),
        ("/api/v1/claims/", "source", SLUG_PATTERN),
        ("/api/v1/claims/", "party", CODE_PATTERN),
        ("/api/v1/agreements/", "meeting", SLUG_PATTERN),
        ("/api/v1/meetings/", "party", CODE_PATTERN),
        ("/api/v1/meetings/", "person", SLUG_PATTERN),
        ("/api/v1/people/", "party", CODE_PATTERN),
        ("/api/v1/claims/", "cursor", CURSOR_PATTERN),
        ("/api/v1/tombstones/", "cursor", CURSOR_PATTERN),
    ],
)
def test_references_and_cursors_declare_their_shape(schema, path, name, pattern):
    assert parameters(schema, path)[name]["pattern"] == pattern


@pytest.mark.parametrize("path, name", [("/api/v1/claims/", "search"), ("/api/v1/sources/", "publisher")])
def test_free_text_parameters_declare_their_bounds_and_no_nul(schema, path, name):
    declared = parameters(schema, path)[name]

    assert (declared["minLength"], declared["maxLength"]) == (1, 200)
    assert re.search(declared["pattern"], "a\x00b") is None
    assert re.search(declared["pattern"], "Trade talks") is not None


def test_the_schema_offers_an_optional_api_key(schema):
    assert schema["components"]["securitySchemes"]["ApiKey"]["in"] == "header"
    assert {} in schema["paths"]["/api/v1/claims/"]["get"]["security"]


def test_the_schema_is_served_as_json(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_docs_page_loads_only_our_own_assets_with_the_csp_nonce(client):
    response = client.get("/api/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/static/") or url.startswith("/api/") for url in assets)
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert html.count(f'nonce="{nonce}"') == 2  # the inline <style> and <script>


def test_an_agreement_without_a_status_step_says_null_as_its_schema_allows(schema, api, make_agreement, add_status):
    # A published agreement whose only report is not enough to back a step (the seeded
    # Canada–Indonesia agreement) has no status: "" in the database, null in the API.
    make_agreement(slug="no-step")
    add_status(make_agreement(slug="one-step"))
    statuses = {a["slug"]: a["current_status"] for a in api.get("/api/v1/agreements/").json()["results"]}
    assert statuses == {"no-step": None, "one-step": "announced"}
    field = schema["components"]["schemas"]["Agreement"]["properties"]["current_status"]
    assert {"$ref": "#/components/schemas/NullEnum"} in field["oneOf"]
