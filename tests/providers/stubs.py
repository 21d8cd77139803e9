"""Local stub servers that speak fal's queue protocol and Gemini's ``generateContent``
(wire shapes from shared/PROVIDERS.md), for driving the real client libraries.

Both count what they receive and expose ``threading.Event``s so tests wait on
conditions instead of sleeping.
"""

from __future__ import annotations

import base64
import json
import re
import struct
import threading
import urllib.error
import urllib.request
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, urlsplit

FAL_KEY = "stub-fal-key"
GEMINI_KEY = "stub-gemini-key"


def png_bytes(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    """A small valid PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


FILES = {
    "image.png": ("image/png", png_bytes()),
    "video.mp4": ("video/mp4", b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64),
    "audio.wav": ("audio/wav", b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00"
                               b"\x80>\x00\x00\x02\x00\x10\x00data\x00\x00\x00\x00"),
    "lora_weights.safetensors": ("application/octet-stream", b"\x08\x00\x00\x00\x00\x00\x00\x00{}      "),
    "config.json": ("application/json", b'{"rank": 16}'),
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def _body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw

    def send(self, status: int, body: Any, headers: dict | None = None, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.server.stub.handle(self, "GET", None)

    def do_POST(self) -> None:
        self.server.stub.handle(self, "POST", self._body())

    def do_PUT(self) -> None:
        self.server.stub.handle(self, "PUT", self._body())


class _StubServer:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.stub = self
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def file_url(self, name: str) -> str:
        return f"{self.url}/files/{name}"

    def serve_file(self, handler: _Handler, name: str) -> None:
        if name not in FILES:
            handler.send(404, {"detail": "no such file"})
            return
        kind, data = FILES[name]
        handler.send(200, data, content_type=kind)


# -- fal ----------------------------------------------------------------------------------


@dataclass
class FalScenario:
    """How the stub answers for one app. Error lists are consumed one call at a time:
    each item is ``(status, body)`` or ``(status, body, headers)``."""

    steps: list[dict] = field(default_factory=lambda: [
        {"status": "IN_QUEUE", "queue_position": 1},
        {"status": "IN_PROGRESS", "logs": [{"message": "loading model", "level": "INFO"}]},
        {"status": "IN_PROGRESS", "logs": [{"message": "step 2/4", "level": "INFO"}]},
    ])
    never_finish: bool = False
    submit_errors: list[tuple] = field(default_factory=list)
    status_errors: list[tuple] = field(default_factory=list)
    error: tuple[str, str] | None = None
    """COMPLETED with this (error, error_type)."""
    result: dict | Callable[["FalStub", dict], dict] | None = None
    hold: threading.Event | None = None
    """While set and not yet released, a request past its steps stays IN_PROGRESS;
    ``FalStub.release`` ends them all (and calls their webhooks)."""


@dataclass
class FalRequest:
    id: str
    app: str
    body: Any
    polls: int = 0
    cancelled: bool = False
    logs: list = field(default_factory=list)
    webhook: str | None = None
    """The ``fal_webhook`` it was submitted with; called once, when it ends."""
    notified: bool = False


HELD_APP = "fal-ai/held"


def fal_jobs(count: int, app: str = HELD_APP) -> dict:
    """A graph of ``count`` independent ``fal.run`` nodes ``job<i>``, each with arguments ``{"n": i}``."""
    return {"version": 1, "nodes": [{"id": f"job{i}", "type": "fal.run",
                                     "params": {"app": app, "arguments": {"n": i}}} for i in range(count)],
            "edges": []}


class FalStub(_StubServer):
    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        """Forget scenarios, requests and counts (between tests sharing one stub)."""
        self.scenarios: dict[str, FalScenario] = {}
        self.requests: dict[str, FalRequest] = {}
        self.submissions: list[FalRequest] = []
        self.submit_attempts = 0
        self.status_calls = 0
        self.cancels: list[str] = []
        self.polled = threading.Event()
        """Set once a request has been polled while running."""
        self.cancelled = threading.Event()
        self.webhook_calls: list[tuple[str, int]] = []
        """(request id, status code the webhook answered) per webhook call made."""

    @property
    def queue_url(self) -> str:
        return self.url + "/"

    def scenario(self, app: str, **kwargs) -> FalScenario:
        self.scenarios[app] = FalScenario(**kwargs)
        return self.scenarios[app]

    def _scenario(self, app: str) -> FalScenario:
        return self.scenarios.setdefault(app, FalScenario())

    def default_result(self, request: FalRequest) -> dict:
        app, body = request.app, request.body or {}
        if "training" in app or "trainer" in app:
            return {"diffusers_lora_file": {"url": self.file_url("lora_weights.safetensors"),
                                            "content_type": "application/octet-stream",
                                            "file_name": "lora_weights.safetensors", "file_size": 24},
                    "config_file": {"url": self.file_url("config.json"), "content_type": "application/json",
                                    "file_name": "config.json", "file_size": 12}}
        if "video" in app:
            return {"video": {"url": self.file_url("video.mp4"), "content_type": "video/mp4",
                              "file_name": "output.mp4", "file_size": len(FILES["video.mp4"][1])}}
        if "kokoro" in app or "tts" in app:
            return {"audio": {"url": self.file_url("audio.wav"), "content_type": "audio/wav",
                              "file_name": "audio.wav"}}
        size = body.get("image_size") if isinstance(body.get("image_size"), dict) else {"width": 1024, "height": 768}
        return {"images": [{"url": self.file_url("image.png"), "width": size.get("width"),
                            "height": size.get("height"), "content_type": "image/png"}],
                "timings": {"inference": 0.1}, "seed": body.get("seed", 4242),
                "has_nsfw_concepts": [False], "prompt": body.get("prompt", "")}

    def _urls(self, request: FalRequest) -> dict:
        owner_alias = "/".join(request.app.split("/")[:2])
        base = f"{self.url}/{owner_alias}/requests/{request.id}"
        return {"request_id": request.id, "response_url": base, "status_url": base + "/status",
                "cancel_url": base + "/cancel"}

    @staticmethod
    def _error(handler: _Handler, item: tuple) -> None:
        status, body, *rest = item
        handler.send(status, body, rest[0] if rest else None)

    def handle(self, handler: _Handler, method: str, body: Any) -> None:
        path = urlsplit(handler.path).path
        if path.startswith("/files/"):
            self.serve_file(handler, path[len("/files/"):])
            return
        if handler.headers.get("authorization") != f"Key {FAL_KEY}":
            handler.send(401, {"detail": "Unauthorized"})
            return
        match = re.fullmatch(r"/([^/]+/[^/]+)/requests/([^/]+)(/status|/cancel)?", path)
        if match:
            self._request_call(handler, method, match.group(2), match.group(3) or "")
        elif method == "POST":
            self._submit(handler, path.strip("/"), body)
        else:
            handler.send(405, {"detail": "Method not allowed"})

    def _submit(self, handler: _Handler, app: str, body: Any) -> None:
        with self.lock:
            self.submit_attempts += 1
            scenario = self._scenario(app)
            error = scenario.submit_errors.pop(0) if scenario.submit_errors else None
            if error is None:
                webhook = parse_qs(urlsplit(handler.path).query).get("fal_webhook", [None])[0]
                request = FalRequest(uuid.uuid4().hex, app, body, webhook=webhook)
                self.requests[request.id] = request
                self.submissions.append(request)
        if error is not None:
            self._error(handler, error)
            return
        handler.send(200, {"status": "IN_QUEUE", "queue_position": 0, **self._urls(request)},
                     {"x-fal-request-id": request.id})

    def _state(self, request: FalRequest, scenario: FalScenario) -> dict:
        steps = scenario.steps
        if request.cancelled:
            return {"status": "COMPLETED", "logs": request.logs, "error": "Request was cancelled",
                    "error_type": "client_cancelled"}
        index = request.polls - 1
        held = scenario.hold is not None and not scenario.hold.is_set()
        if index >= len(steps) and held:
            return {"status": "IN_PROGRESS", "logs": request.logs or [{"message": "generating", "level": "INFO"}]}
        if index < len(steps) or (scenario.never_finish and steps):
            step = dict(steps[min(index, len(steps) - 1)])
            if step["status"] == "IN_PROGRESS":
                if index < len(steps):
                    request.logs = request.logs + list(step.get("logs") or [])
                step["logs"] = request.logs
            return step
        state = {"status": "COMPLETED", "logs": request.logs, "metrics": {"inference_time": 0.5}}
        if scenario.error:
            state["error"], state["error_type"] = scenario.error
        return state

    def hold(self, app: str = HELD_APP) -> FalScenario:
        """``app``'s requests queue, then run (a quarter done) until ``release(app)``."""
        return self.scenario(app, hold=threading.Event(), steps=[
            {"status": "IN_QUEUE", "queue_position": 1},
            {"status": "IN_PROGRESS", "logs": [{"message": "step 1/4", "level": "INFO"}]}])

    def release(self, app: str = HELD_APP) -> None:
        """End the held requests of ``app`` (see ``FalScenario.hold``) and call their webhooks."""
        with self.lock:
            scenario = self._scenario(app)
            if scenario.hold is not None:
                scenario.hold.set()
            for request in self.requests.values():
                if request.app == app:  # fal calls a webhook once the request has ended
                    request.polls = max(request.polls, len(scenario.steps))
            waiting = [r for r in self.requests.values() if r.app == app and r.webhook]
        for request in waiting:
            self._notify(request)

    def _notify(self, request: FalRequest) -> None:
        """Call the request's webhook once, as fal does when a request ends (from a thread)."""
        with self.lock:
            if request.webhook is None or request.notified:
                return
            request.notified = True
        body = json.dumps({"request_id": request.id, "gateway_request_id": request.id, "status": "OK",
                           "payload": self.default_result(request)}).encode()

        def call() -> None:
            try:
                with urllib.request.urlopen(urllib.request.Request(
                        request.webhook, data=body, headers={"content-type": "application/json"}), timeout=10) as r:
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                status = 0
            with self.lock:
                self.webhook_calls.append((request.id, status))

        threading.Thread(target=call, daemon=True).start()

    def _request_call(self, handler: _Handler, method: str, request_id: str, action: str) -> None:
        with self.lock:
            request = self.requests.get(request_id)
            scenario = self._scenario(request.app) if request else None
        if request is None:
            handler.send(404, {"detail": f"Request {request_id} not found"})
            return
        if action == "/cancel" and method == "PUT":
            with self.lock:
                request.cancelled = True
                self.cancels.append(request_id)
            self.cancelled.set()
            handler.send(202, {"status": "CANCELLATION_REQUESTED"})
            return
        if action == "/status":
            with self.lock:
                self.status_calls += 1
                error = scenario.status_errors.pop(0) if scenario.status_errors else None
                if error is None:
                    request.polls += 1
                    state = self._state(request, scenario)
            if error is not None:
                self._error(handler, error)
                return
            if state["status"] == "IN_PROGRESS":
                self.polled.set()
            elif state["status"] == "COMPLETED":
                self._notify(request)
            logs = parse_qs(urlsplit(handler.path).query).get("logs", ["0"])[0] in ("1", "true", "True")
            if "logs" in state and not logs:
                state = {**state, "logs": None}
            handler.send(200 if state["status"] == "COMPLETED" else 202, {**state, **self._urls(request)})
            return
        # the result
        with self.lock:
            state = self._state(request, scenario) if request.polls else {"status": "IN_QUEUE"}
        if state["status"] != "COMPLETED":
            handler.send(400, {"detail": "Request is still in progress"})
        elif state.get("error"):
            handler.send(500, {"detail": state["error"], "error_type": state["error_type"]})
        else:
            result = scenario.result
            handler.send(200, result(self, request.body) if callable(result) else
                         result if result is not None else self.default_result(request))


# -- Gemini -------------------------------------------------------------------------------


def _b64decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data.replace("+", "-").replace("/", "_") + "=" * (-len(data) % 4))


class GeminiStub(_StubServer):
    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self.calls: list[dict] = []
        self.errors: list[tuple] = []
        """Consumed one call at a time: ``(status, body)``."""
        self.call_started = threading.Event()
        self.release = threading.Event()
        self.release.set()
        """Clear it to hold calls until it is set again."""

    def handle(self, handler: _Handler, method: str, body: Any) -> None:
        path = urlsplit(handler.path).path
        match = re.fullmatch(r"/(v1|v1beta)/models/([^/:]+):generateContent", path)
        if method != "POST" or not match:
            handler.send(404, {"error": {"code": 404, "message": f"{path} not found", "status": "NOT_FOUND"}})
            return
        key = handler.headers.get("x-goog-api-key") or parse_qs(urlsplit(handler.path).query).get("key", [None])[0]
        if key != GEMINI_KEY:
            handler.send(400, {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                                         "status": "INVALID_ARGUMENT"}})
            return
        model = match.group(2)
        with self.lock:
            self.calls.append({"model": model, "body": body, "version": match.group(1)})
            error = self.errors.pop(0) if self.errors else None
        self.call_started.set()
        self.release.wait(30)
        if error is not None:
            handler.send(error[0], error[1])
            return
        handler.send(200, self.answer(model, body))

    @staticmethod
    def parts(body: dict) -> list[dict]:
        return [part for content in body.get("contents", []) for part in content.get("parts", [])]

    @classmethod
    def inline_images(cls, body: dict) -> list[tuple[str, bytes]]:
        found = []
        for part in cls.parts(body):
            inline = part.get("inlineData") or part.get("inline_data")
            if inline:
                found.append((inline.get("mimeType") or inline.get("mime_type"), _b64decode(inline["data"])))
        return found

    def answer(self, model: str, body: dict) -> dict:
        text = " ".join(part["text"] for part in self.parts(body) if "text" in part)
        if "BLOCKME" in text:
            return {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 5}}
        config = body.get("generationConfig") or {}
        modalities = config.get("responseModalities") or config.get("response_modalities") or ["TEXT"]
        if "IMAGE" in modalities:
            parts = [{"inlineData": {"mimeType": "image/png",
                                     "data": base64.b64encode(png_bytes(rgb=(10, 120, 200))).decode()}}]
            usage = {"promptTokenCount": 20, "candidatesTokenCount": 1290, "totalTokenCount": 1310}
        else:
            images = len(self.inline_images(body))
            answer = f"stub answer to: {text}" + (f" (with {images} image)" if images else "")
            parts = [{"text": answer}]
            usage = {"promptTokenCount": 8, "candidatesTokenCount": 9, "totalTokenCount": 17}
        return {"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP", "index": 0}],
                "usageMetadata": usage, "modelVersion": model, "responseId": uuid.uuid4().hex}


@contextmanager
def fal_stub() -> Iterator[FalStub]:
    stub = FalStub().start()
    try:
        yield stub
    finally:
        stub.stop()


@contextmanager
def gemini_stub() -> Iterator[GeminiStub]:
    stub = GeminiStub().start()
    try:
        yield stub
    finally:
        stub.release.set()
        stub.stop()
