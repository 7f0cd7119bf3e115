"""The OpenAPI document is valid, covers every API route, and the answers match it."""

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from booking.api.openapi import openapi_document


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_document_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_api_route_is_described(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") or rule.rule == "/healthz":
            routes.add(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    assert routes == set(spec["paths"])


def _response_validator(path: str, method: str = "get", status: str = "200"):
    document = openapi_document()
    schema = document["paths"][path][method]["responses"][status]["content"][
        "application/json"]["schema"]
    return Draft202012Validator({**schema, "components": document["components"]})


@pytest.mark.parametrize("url, path", [
    ("/api/v1/locations", "/api/v1/locations"),
    ("/api/v1/services", "/api/v1/services"),
    ("/api/v1/languages", "/api/v1/languages"),
    ("/api/v1/slots?service=first-consultation&language=ps&start=2027-02-02&end=2027-02-09",
     "/api/v1/slots"),
    ("/api/v1/days?service=follow-up&month=2027-02", "/api/v1/days"),
    ("/healthz", "/healthz"),
])
def test_answers_match_the_document(client, demo, url, path):
    response = client.get(url)
    assert response.status_code == 200
    body = response.get_json()
    assert body  # something to check
    _response_validator(path).validate(body)


def test_error_answers_match_the_document(client, demo):
    body = client.get("/api/v1/slots?service=nope").get_json()
    _response_validator("/api/v1/slots", status="400").validate(body)
