"""fal's model search API (``GET https://api.fal.ai/v1/models``) turned into catalog entries.

``entry`` and ``input_schema`` are pure; ``fetch`` pages through the API. Run as a
module with ``FAL_KEY`` set to rewrite the shipped snapshot:
``python -m orchestrator.model_catalog.fal > orchestrator/model_catalog/fal_snapshot.json``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import httpx

DEFAULT_API_URL = "https://api.fal.ai/v1"
PAGE = 50
MAX_PAGES = 200
MAX_REF_DEPTH = 8


def entry(model: dict) -> dict | None:
    """A catalog entry from one item of fal's ``models`` list (None without an endpoint id)."""
    endpoint_id = model.get("endpoint_id")
    if not isinstance(endpoint_id, str) or not endpoint_id:
        return None
    meta = model.get("metadata") or {}
    return {"id": endpoint_id, "provider": "fal", "title": meta.get("display_name") or endpoint_id,
            "category": meta.get("category") or "other", "description": meta.get("description") or "",
            "input_schema": input_schema(model.get("openapi"), endpoint_id)}


def input_schema(openapi: Any, endpoint_id: str) -> dict:
    """The JSON Schema of the endpoint's input, ``$ref``s resolved, from its OpenAPI document."""
    if not isinstance(openapi, dict):
        return {"type": "object", "properties": {}}
    paths = openapi.get("paths") or {}
    operation = (paths.get(f"/{endpoint_id}") or {}).get("post")
    if operation is None:  # else the first POST that is not the queue's own routes
        operation = next((item["post"] for path, item in paths.items()
                          if isinstance(item, dict) and "post" in item and "/requests/" not in path), None)
    try:
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
    except (KeyError, TypeError):
        return {"type": "object", "properties": {}}
    return _resolve(schema, (openapi.get("components") or {}).get("schemas") or {}, 0)


def _resolve(value: Any, schemas: dict, depth: int) -> Any:
    if isinstance(value, list):
        return [_resolve(item, schemas, depth) for item in value]
    if not isinstance(value, dict):
        return value
    ref = value.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        target = schemas.get(ref.rsplit("/", 1)[-1])
        if target is None or depth >= MAX_REF_DEPTH:
            return {}
        rest = {k: v for k, v in value.items() if k != "$ref"}
        return {**_resolve(target, schemas, depth + 1), **_resolve(rest, schemas, depth)}
    return {key: _resolve(item, schemas, depth) for key, item in value.items()}


def fetch(api_url: str, key: str, http: httpx.Client) -> list[dict]:
    """Every active model endpoint, with its input schema (raises ``httpx.HTTPError``)."""
    entries: list[dict] = []
    cursor = None
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {"limit": PAGE, "expand": "openapi-3.0", "status": "active"}
        if cursor:
            params["cursor"] = cursor
        response = http.get(f"{api_url.rstrip('/')}/models", params=params, headers={"Authorization": f"Key {key}"})
        response.raise_for_status()
        page = response.json()
        entries.extend(e for e in map(entry, page.get("models") or []) if e is not None)
        cursor = page.get("next_cursor")
        if not cursor or page.get("has_more") is False:
            break
    return entries


def main() -> int:
    with httpx.Client(timeout=60) as http:
        models = fetch(os.environ.get("FAL_API_URL", DEFAULT_API_URL), os.environ["FAL_KEY"], http)
    json.dump({"source": DEFAULT_API_URL + "/models", "models": models}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
