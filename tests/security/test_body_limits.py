"""Finding 3 of the security review: every route but the uploads has a small body limit
(``FUSIONFLOW_MAX_JSON_BYTES``), so a big body is refused instead of being read into
memory, and a request without a valid key is refused before its body is read; uploads keep
their own limit and stream to disk."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests import servers
from tests.api.test_auth import create_user
from tests.providers.stubs import png_bytes

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    env = {"FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("limits")), "FUSIONFLOW_AUTH": "required",
           "FUSIONFLOW_MAX_JSON_BYTES": str(LIMIT), "FUSIONFLOW_MAX_UPLOAD_BYTES": str(4 * LIMIT)}
    key = create_user(env, "uploader")
    with servers.live_server(env) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        client.key = key
        yield client


def padded_run(size: int) -> bytes:
    body = b'{"graph": {"version": 1, "nodes": [], "edges": [], "ui": {"pad": "%s"}}}'
    return body % (b"x" * (size - len(body) + 2))


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_json_body_over_the_limit_is_413(small, chunked):
    body = padded_run(LIMIT + 1)
    content = iter([body[i:i + 8192] for i in range(0, len(body), 8192)]) if chunked else body
    response = small.post("/api/runs", content=content, headers={"content-type": "application/json",
                                                                 "Authorization": f"Bearer {small.key}"})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "too_large"


def test_uploads_keep_their_own_limit_after_the_key_is_checked(small):
    big = png_bytes() + b"\0" * (2 * LIMIT)
    png = {"content-type": "image/png"}
    assert small.post("/api/assets", content=big, headers=png).status_code == 401
    authed = {**png, "Authorization": f"Bearer {small.key}"}
    made = small.post("/api/assets", content=big, headers=authed)
    assert made.status_code == 201, made.text
    assert made.json()["size"] == len(big)
    too_big = small.post("/api/assets", content=big + b"\0" * (3 * LIMIT), headers=authed)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"


def test_a_wrong_key_is_refused_before_the_body_is_read(small):
    """The request declares a big body and sends only its first kilobyte: the 401 comes
    back at once, so nobody without a key makes the server read (or hold) a body."""
    url = httpx.URL(str(small.base_url))
    head = (f"POST /api/runs HTTP/1.1\r\nHost: {url.host}:{url.port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer wrong\r\nContent-Length: {LIMIT - 1}\r\n\r\n").encode()
    with socket.create_connection((url.host, url.port), timeout=10) as sock:
        sock.sendall(head + b'{"graph": ' + b" " * 1000)
        answer = sock.recv(4096)  # a timeout here means the server waited for the rest of the body
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
