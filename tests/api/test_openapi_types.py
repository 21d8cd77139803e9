"""The canvas's TypeScript types are generated from the API's OpenAPI document
(``make types``); this fails when the committed document no longer matches the API,
and ``npm run types:check`` (in ``make web-test``) when the types do not match it."""

from __future__ import annotations

from pathlib import Path

from orchestrator.api.document import openapi_document

COMMITTED = Path(__file__).resolve().parents[2] / "web" / "openapi.json"


def test_the_committed_openapi_document_is_the_apis():
    assert COMMITTED.read_bytes() == openapi_document(), (
        "web/openapi.json is stale: run `make types` and commit web/openapi.json and web/src/api/schema.d.ts")
