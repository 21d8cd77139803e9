"""A stub of fal's model search API (``GET /v1/models``), paged, with OpenAPI documents
whose input schemas use ``$ref``s, as fal's do. Answers 401 without ``Key <key>``."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

KEY = "stub-key"


def openapi(endpoint_id: str, properties: dict, required: list[str]) -> dict:
    return {
        "openapi": "3.0.4",
        "paths": {
            f"/{endpoint_id}": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Input"}}}}}},
            f"/{endpoint_id}/requests/{{request_id}}": {"get": {}},
        },
        "components": {"schemas": {
            "Input": {"type": "object", "properties": properties, "required": required},
            "ImageSize": {"type": "object", "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}}},
        }},
    }


PAGES = [
    [{"endpoint_id": "stub-ai/alpha", "metadata": {"display_name": "Alpha", "category": "text-to-image",
                                                   "description": "Draws alphas"},
      "openapi": openapi("stub-ai/alpha", {"prompt": {"type": "string"},
                                           "image_size": {"$ref": "#/components/schemas/ImageSize"}}, ["prompt"])}],
    [{"endpoint_id": "stub-ai/beta", "metadata": {"display_name": "Beta", "category": "image-to-video"},
      "openapi": openapi("stub-ai/beta", {"image_url": {"type": "string"}}, ["image_url"])}],
]


class _Handler(BaseHTTPRequestHandler):
    requests: list[dict]

    def do_GET(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.requests.append({"path": url.path, "query": query, "auth": self.headers.get("Authorization")})
        if url.path != "/v1/models":
            return self._answer(404, {"detail": "not found"})
        if self.headers.get("Authorization") != f"Key {KEY}":
            return self._answer(401, {"detail": "bad key"})
        page = int(query.get("cursor", ["0"])[0])
        more = page + 1 < len(PAGES)
        self._answer(200, {"models": PAGES[page], "next_cursor": str(page + 1) if more else None, "has_more": more})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


def start_stub() -> tuple[str, list[dict], ThreadingHTTPServer]:
    requests: list[dict] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"requests": requests}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/v1", requests, server
