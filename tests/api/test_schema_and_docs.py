"""The OpenAPI schema validates without a warning and documents every error; the
docs page works offline (every asset is ours) under the site's CSP."""

import re

import pytest
import yaml
from django.core.management import call_command

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

    for status in ("400", "401", "404", "406", "429", "503"):
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in responses["429"]["headers"]
    assert "Retry-After" in responses["503"]["headers"]
    assert "414" in responses


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
