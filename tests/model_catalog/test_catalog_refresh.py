"""With FAL_KEY set, the catalog is refreshed from fal's model search API (a stub speaking it)."""

from __future__ import annotations

import pytest

from orchestrator.model_catalog.fal import entry, input_schema
from tests.helpers import wait_until
from tests.model_catalog.fal_models_stub import KEY, PAGES, start_stub


@pytest.fixture(scope="module")
def fal_stub():
    url, requests, server = start_stub()
    yield url, requests
    server.shutdown()


@pytest.fixture(scope="module")
def embedded_env(embedded_env, fal_stub):
    return {**embedded_env, "FAL_KEY": KEY, "FAL_API_URL": fal_stub[0]}


@pytest.fixture(scope="module")
def distributed_env(distributed_env, fal_stub):
    return {**distributed_env, "FAL_KEY": KEY, "FAL_API_URL": fal_stub[0]}


def test_the_catalog_is_refreshed_from_fal_when_a_key_is_set(client, fal_stub):
    _, requests = fal_stub
    body = wait_until(lambda: (b := client.get("/api/catalog/models").json())["source"] == "fal" and b, timeout=15)
    assert [m["id"] for m in body["models"]] == ["stub-ai/alpha", "stub-ai/beta"]  # every page, fal's list only
    alpha = body["models"][0]
    assert (alpha["title"], alpha["category"], alpha["description"]) == ("Alpha", "text-to-image", "Draws alphas")
    assert alpha["input_schema"]["required"] == ["prompt"]
    assert alpha["input_schema"]["properties"]["image_size"]["properties"]["width"] == {"type": "integer"}
    asked = [r for r in requests if r["path"] == "/v1/models"]
    assert all(r["auth"] == f"Key {KEY}" and r["query"]["expand"] == ["openapi-3.0"] for r in asked)
    assert client.get("/api/catalog/models", params={"q": "beta"}).json()["models"][0]["id"] == "stub-ai/beta"


def test_entries_from_fal_resolve_refs_and_tolerate_missing_parts():
    model = PAGES[0][0]
    assert entry(model)["input_schema"]["properties"]["prompt"] == {"type": "string"}
    assert entry({"metadata": {}}) is None
    bare = entry({"endpoint_id": "x/y"})
    assert (bare["title"], bare["category"], bare["input_schema"]) == ("x/y", "other", {"type": "object", "properties": {}})
    loop = {"paths": {"/a/b": {"post": {"requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Self"}}}}}}},
            "components": {"schemas": {"Self": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Self"}}}}}}
    assert input_schema(loop, "a/b")["type"] == "object"  # a recursive schema is cut, not followed forever
