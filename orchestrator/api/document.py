"""The API's OpenAPI document as a file (``fusionflow openapi``, ``make types``): the
canvas generates its TypeScript types from it."""

from __future__ import annotations

import tempfile

import msgspec

from orchestrator import settings as settings_module
from orchestrator.api.app import create_app
from orchestrator.engine.runtime import Runtime


def openapi_document() -> bytes:
    """The OpenAPI document of the whole API, as ``/schema/openapi.json`` serves it
    (keys sorted), built from an app on a throwaway embedded runtime: no server needed."""
    with tempfile.TemporaryDirectory(prefix="ff-openapi-") as home:
        runtime = Runtime.build(settings_module.load({"FUSIONFLOW_HOME": home}), executes=False)
        try:
            schema = create_app(runtime).openapi_schema.to_schema()
        finally:
            runtime.close()
    return msgspec.json.format(msgspec.json.encode(schema, order="sorted"), indent=2) + b"\n"
