"""Findings 2 and 14 of the security review: direct uploads.

- The bytes stored under a hash are the bytes with that hash, whatever the uploader PUTs
  while its upload is being completed (else a later upload of the same file by another
  user would be served the attacker's bytes).
- An upload past its ``expires_at`` cannot be completed, abandoned ones are swept (by the
  retention sweep), and S3's presigned PUT (which carries no size limit) is checked at completion.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from orchestrator.assets import local, s3
from tests import servers
from tests.helpers import wait_until
from tests.providers.stubs import png_bytes

WANTED = png_bytes(rgb=(0, 128, 0))
EVIL = png_bytes(rgb=(255, 0, 0))
EXPIRY = 3


def start(request, tmp_path, store: str, **extra):
    env = {"FUSIONFLOW_HOME": str(tmp_path / "home"), "FUSIONFLOW_MAX_UPLOAD_BYTES": "100000", **extra}
    if store == "s3":
        server = request.getfixturevalue("s3")
        env.update({"FUSIONFLOW_S3_ENDPOINT": server.endpoint, "FUSIONFLOW_S3_ACCESS_KEY": server.access_key,
                    "FUSIONFLOW_S3_SECRET_KEY": server.secret_key, "FUSIONFLOW_S3_BUCKET": f"t{uuid.uuid4().hex[:10]}"})
    return servers.live_server(env)


@pytest.fixture(params=["local", "s3"])
def api(request, tmp_path):
    with start(request, tmp_path, request.param) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        client.store = live.runtime.assets
        yield client


def begin(client: httpx.Client, data: bytes) -> dict:
    upload = client.post("/api/assets/uploads", json={"content_type": "image/png", "filename": "f.png"}).json()
    assert httpx.put(upload["url"], content=data, headers=upload["headers"]).status_code == 200
    return upload


def test_bytes_put_during_completion_never_land_under_the_hash(api, monkeypatch):
    upload = begin(api, WANTED)

    def put_while_hashing(original):
        def hashing(*args, **kwargs):
            result = original(*args, **kwargs)
            httpx.put(upload["url"], content=EVIL, headers=upload["headers"])  # the attacker's swap
            return result
        return hashing

    if api.store.__class__ is s3.S3AssetStore:
        monkeypatch.setattr(s3.S3AssetStore, "_hash_object", put_while_hashing(s3.S3AssetStore._hash_object))
    else:
        monkeypatch.setattr(local, "hash_file", put_while_hashing(local.hash_file))
    done = api.post(f"/api/assets/uploads/{upload['upload_id']}/complete")
    monkeypatch.undo()
    assert done.status_code == 201, done.text
    assert httpx.get(done.json()["url"]).content == WANTED
    # Someone else uploads the same file later: stored once, and it is that file.
    victim = api.post("/api/assets", content=WANTED, headers={"content-type": "image/png"}).json()
    assert victim["sha256"] == done.json()["sha256"]
    assert httpx.get(victim["url"]).content == WANTED


@pytest.mark.parametrize("store", ["local", "s3"])
def test_an_expired_upload_cannot_be_completed(request, tmp_path, store):
    with start(request, tmp_path, store, FUSIONFLOW_URL_EXPIRY_SECONDS=str(EXPIRY)) as live, \
            httpx.Client(base_url=live.url, timeout=30) as client:
        upload = begin(client, WANTED)
        wait_until(lambda: time.time() > upload["expires_at"] + 1, timeout=EXPIRY + 5)
        late = client.post(f"/api/assets/uploads/{upload['upload_id']}/complete")
        assert late.status_code == 410 and late.json()["error"]["code"] == "upload_expired"
        assert client.post(f"/api/assets/uploads/{upload['upload_id']}/complete").status_code == 404


def test_abandoned_uploads_are_swept(api):
    """What the retention sweep does with uploads started before its cut-off."""
    upload = begin(api, WANTED)
    assert api.store.sweep_uploads(before=time.time() - 60) == 0  # started since
    assert api.store.sweep_uploads(before=time.time() + 60) == 1
    assert api.post(f"/api/assets/uploads/{upload['upload_id']}/complete").status_code == 404


def test_an_upload_over_the_limit_is_refused_and_removed(api):
    """The local store's PUT route refuses it as it streams; S3 takes any size through a
    presigned PUT, so completion checks it."""
    upload = api.post("/api/assets/uploads", json={"content_type": "image/png"}).json()
    put = httpx.put(upload["url"], content=WANTED + b"\0" * 100_001, headers=upload["headers"])
    refused = put if put.status_code == 413 else api.post(f"/api/assets/uploads/{upload['upload_id']}/complete")
    assert refused.status_code == 413 and refused.json()["error"]["code"] == "too_large"
    if put.status_code != 413:
        assert api.store.sweep_uploads(before=time.time() + 60) == 0  # nothing left behind
