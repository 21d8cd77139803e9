"""Findings 8, 13 and 16 of the security review: what providers answer is untrusted.

- The SSRF check connects to the address it vetted (a name answering the check with a
  public address and the connection with a private one gets nowhere), and IPv6
  addresses that carry an IPv4 address (NAT64, 6to4, IPv4-compatible) are judged by it.
- ``data:`` URIs in results are size-limited before they are decoded.
- fal app ids cannot climb out of the queue's paths; node errors name no server path.
"""

from __future__ import annotations

import base64
import socket
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nodes.media import ffmpeg as runner
from nodes.providers import download
from nodes.sdk import NodeError
from tests.helpers import graph, node
from tests.providers.fakes import FakeContext
from tests.providers.stubs import png_bytes

PUBLIC, PRIVATE = "127.0.0.2", "127.0.0.1"
"""Two loopback listeners; the test's resolver and policy call the first one public."""


def listener(address: str, port: int, body: bytes, hosts: list | None = None) -> ThreadingHTTPServer:
    """Serves ``body`` as a PNG, after a redirect from ``/start`` (noting each Host header)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if hosts is not None:
                hosts.append(self.headers["host"])
            if self.path == "/start":
                self.send_response(302)
                self.send_header("location", "/image.png")
                self.send_header("content-length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("content-type", "image/png")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


@pytest.fixture
def ctx():
    context = FakeContext({"allow_private_urls": False, "max_upload_bytes": 10_000})
    yield context
    context.close()


def test_a_rebinding_name_is_fetched_from_the_address_that_was_vetted(ctx, monkeypatch):
    private = listener(PRIVATE, 0, b"private bytes")
    port = private.server_address[1]
    hosts: list[str] = []
    public = listener(PUBLIC, port, png_bytes(), hosts)
    answers = iter([PUBLIC])  # the first lookup says public, every later one private
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "rebind.test":
            return real(next(answers, PRIVATE), *args, **kwargs)
        return real(PUBLIC if host == "stable.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(download, "is_public", lambda address: str(address) == PUBLIC)
    try:
        ref = download.save_url(ctx, f"http://rebind.test:{port}/image.png")
        assert ctx.assets[ref["asset_id"]][1] == png_bytes()
        # A redirect is vetted again, and both requests carry the name, not the address.
        ref = download.save_url(ctx, f"http://stable.test:{port}/start")
        assert ctx.assets[ref["asset_id"]][1] == png_bytes()
        assert hosts == [f"rebind.test:{port}", f"stable.test:{port}", f"stable.test:{port}"]
    finally:
        private.shutdown()
        public.shutdown()


@pytest.mark.parametrize("address", ["64:ff9b::7f00:1", "2002:7f00:1::", "::127.0.0.1", "::ffff:10.0.0.1",
                                     "64:ff9b::a9fe:a9fe"])
def test_ipv6_forms_of_private_ipv4_addresses_are_refused(ctx, address):
    with pytest.raises(NodeError, match="non-public"):
        download.save_url(ctx, f"http://[{address}]/x.png")


def test_a_huge_data_uri_is_refused_before_it_is_decoded(ctx):
    big = base64.b64encode(png_bytes() + b"\0" * 20_000).decode()
    with pytest.raises(NodeError, match="larger than the limit of 10000 bytes"):
        download.save_url(ctx, "data:image/png;base64," + big)
    with pytest.raises(NodeError, match="not valid base64"):
        download.save_url(ctx, "data:image/png;base64,abc")


def test_fal_app_ids_cannot_climb_out_of_the_queue(users, fal):
    for app in ("fal-ai/../../admin", "../x/y", "owner/.."):
        response = users.bob.post("/api/runs", json={"graph": graph([node("x", "fal.run", app=app)])})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["param"] == "app"
    assert fal.submissions == []


def test_ffmpeg_errors_name_no_server_path(ctx, tmp_path):
    clip = tmp_path / "tone.wav"
    subprocess.run([runner.ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "sine=duration=0.2",
                    str(clip)], check=True, timeout=60)
    with pytest.raises(NodeError) as failure:
        runner.run(ctx, ["-i", str(clip), str(tmp_path / "missing" / "dir" / "out.wav")], duration=0.2,
                   message="convert")
    assert str(tmp_path) not in str(failure.value) and "out.wav" in str(failure.value)


