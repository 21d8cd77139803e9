"""Findings 5 and 15 of the security review: what signed URLs start with, and the key
that signs them.

- A URL made outside a request (a node handing a provider an input) starts with
  ``FUSIONFLOW_PUBLIC_URL``, never with a Host header someone sent earlier.
- The signing key is derived per purpose from the master key; the key file, the assets
  and the database are the owner's alone.
"""

from __future__ import annotations

import hashlib
import hmac
import stat
from urllib.parse import parse_qs

import httpx

from orchestrator.assets.signing import Signer, derive_key
from tests import servers
from tests.helpers import graph, node, submit, wait_run
from tests.providers.stubs import png_bytes


def test_a_forged_host_header_never_reaches_a_provider(users, fal):
    assert httpx.get(f"{users.url}/health", headers={"Host": "evil.example"}).status_code == 200
    image = users.bob.post("/api/assets", content=png_bytes(), headers={"content-type": "image/png"}).json()
    g = graph([node("photo", "input.image", default=image["asset_id"]), node("app", "fal.run", app="some/app")],
              [{"from": "photo.image", "to": "app.image"}])
    run = wait_run(users.bob, submit(users.bob, g)["id"])
    assert run["status"] == "succeeded", run["nodes"]["app"]["error"]
    handed = fal.submissions[0].body["image_url"]
    assert "evil.example" not in handed
    if not users.env.get("FUSIONFLOW_S3_ENDPOINT"):
        assert handed.startswith(users.url + "/api/assets/")  # FUSIONFLOW_PUBLIC_URL
    assert httpx.get(handed).content == png_bytes()


def test_the_key_file_the_database_and_the_store_are_private(tmp_path):
    home = tmp_path / "home"
    with servers.live_server({"FUSIONFLOW_HOME": str(home)}) as live:
        made = httpx.post(f"{live.url}/api/assets", content=png_bytes(), headers={"content-type": "image/png"})
        assert made.status_code == 201
    mode = lambda path: stat.S_IMODE(path.stat().st_mode)  # noqa: E731
    assert mode(home) == 0o700 and mode(home / "assets") == 0o700
    assert mode(home / "url-signing.key") == 0o600 and mode(home / "fusionflow.db") == 0o600
    assert [p.name for p in home.iterdir() if p.name.startswith("url-signing")] == ["url-signing.key"]
    stored = [p for p in (home / "assets" / "objects").rglob("*") if p.is_file()]
    assert stored and all(mode(p) == 0o600 for p in stored)


def test_signatures_use_a_key_derived_for_their_purpose_only():
    master = b"the FUSIONFLOW_SECRET_KEY"
    query = parse_qs(Signer(master).query("content", "a_1", 60))
    expires, signature = query["expires"][0], query["signature"][0]
    assert Signer(master).verify("content", "a_1", expires, signature) is None
    assert Signer(master).verify("upload", "a_1", expires, signature) is not None
    for raw in (master, hashlib.sha256(master).digest()):  # the secret itself never signs
        assert hmac.new(raw, f"content\na_1\n{expires}".encode(), hashlib.sha256).hexdigest() != signature
    assert derive_key(master, "content") != derive_key(master, "upload")
