"""Finding 4 of the security review: files are served so that no browser runs them.

Provider results keep no type their bytes do not show (HTML, SVG and the like are kept
as ``application/octet-stream``), and every file is served with ``nosniff``, a sandboxing
CSP (the local store's route) and ``attachment`` for anything that is not media."""

from __future__ import annotations

import base64

import httpx

from tests import servers

from tests.helpers import graph, node, submit, wait_run
from tests.providers.stubs import FILES, png_bytes

APP = "attacker/page"
HTML = b"<!doctype html><script>fetch('/api/runs').then(r => r.text()).then(alert)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


def test_provider_results_are_never_served_as_html_or_svg(users, fal, monkeypatch):
    monkeypatch.setitem(FILES, "page.html", ("text/html", HTML))
    fal.scenario(APP, result={
        "page": {"url": fal.file_url("page.html"), "content_type": "text/html", "file_name": "page.html"},
        "svg": {"url": "data:image/svg+xml;base64," + base64.b64encode(SVG).decode()},
        "image": {"url": fal.file_url("image.png"), "content_type": "text/html"},
    })
    run = wait_run(users.bob, submit(users.bob, graph([node("page", "fal.run", app=APP)]))["id"])
    assert run["status"] == "succeeded", run["nodes"]["page"]["error"]
    result = run["outputs"]["page"]["result"]
    assert result["page"]["content_type"] == result["svg"]["content_type"] == "application/octet-stream"
    assert result["image"]["content_type"] == "image/png"  # the bytes' word, not the provider's
    for name in ("page", "svg"):
        served = httpx.get(result[name]["url"])
        assert served.status_code == 200
        assert served.headers["content-type"] == "application/octet-stream"
        assert served.headers["content-disposition"].startswith("attachment")
    image = httpx.get(result["image"]["url"])
    assert image.headers["content-type"] == "image/png" and image.content == png_bytes()
    assert image.headers["content-disposition"].startswith("inline")


def test_the_content_route_sends_nosniff_and_a_sandbox(tmp_path):
    """The local store's own route (S3 serves presigned URLs itself, on its own origin)."""
    with servers.live_server({"FUSIONFLOW_HOME": str(tmp_path)}) as live:
        made = httpx.post(f"{live.url}/api/assets", files={"file": ("x.png", png_bytes(), "image/png")}).json()
        for method in ("GET", "HEAD"):
            served = httpx.request(method, made["url"])
            assert served.status_code == 200
            assert served.headers["x-content-type-options"] == "nosniff"
            assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
            assert served.headers["content-type"] == "image/png"
