"""The asset stores (local files and S3 on moto's server) and the asset routes, over HTTP."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from orchestrator.assets import AssetNotFound
from orchestrator.assets.base import object_key
from orchestrator.store.models import assets
from orchestrator.store.users import create_user
from tests import servers

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108020000009077"
                    "53de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082")


def objects_in(store) -> list[str]:
    if hasattr(store, "client"):
        store.ensure_bucket()
        return [o.object_name for o in store.client.list_objects(store.bucket, prefix="objects/", recursive=True)]
    return [str(p.relative_to(store.root)) for p in (store.root / "objects").rglob("*") if p.is_file()]


def test_same_bytes_are_stored_once(store, tmp_path):
    data = PNG + b"\0" * 3_000_000  # several chunks
    path = tmp_path / "big.png"
    path.write_bytes(data)
    first = store.put_file("u_local", path, "image/png", filename="big.png")
    second = store.put_stream("u_local", io.BytesIO(data), "image/png")
    assert first["sha256"] == second["sha256"] and first["size"] == len(data)
    assert objects_in(store) == [object_key(first["sha256"])]
    with store.open("u_local", second) as handle:
        assert handle.read() == data
    with store.local_path("u_local", first) as local:
        assert local.read_bytes() == data
    assert store.get("u_local", first["asset_id"])["sha256"] == first["sha256"]
    assert store.get("u_other", first["asset_id"]) is None


def test_s3_presigned_get_and_put_work_over_http(s3_store):
    ref = s3_store.put_stream("u_local", io.BytesIO(PNG), "image/png")
    fetched = httpx.get(ref["url"])
    assert fetched.status_code == 200 and fetched.content == PNG
    upload = s3_store.create_upload("u_local", "image/png", filename="direct.png")
    put = httpx.put(upload["url"], content=PNG + b"direct", headers=upload["headers"])
    assert put.status_code == 200, put.text
    done = s3_store.complete_upload("u_local", upload["upload_id"], max_bytes=10_000)
    assert done["content_type"] == "image/png" and done["filename"] == "direct.png"
    assert httpx.get(done["url"]).content == PNG + b"direct"
    with pytest.raises(LookupError):
        s3_store.complete_upload("u_other", upload["upload_id"], max_bytes=10_000)


def test_fresh_urls_are_signed_for_every_reference_inside(store):
    ref = store.put_stream("u_local", io.BytesIO(PNG), "image/png")
    stale = {**ref, "url": "http://old"}
    fresh = store.with_fresh_urls("u_local", {"nodes": {"a": {"outputs": {"image": stale, "list": [stale, 3]}}}})
    assert fresh["nodes"]["a"]["outputs"]["image"]["url"] != "http://old"
    assert fresh["nodes"]["a"]["outputs"]["list"][0]["url"] != "http://old"
    assert fresh["nodes"]["a"]["outputs"]["list"][1] == 3


def test_only_the_callers_own_assets_are_signed_and_only_by_their_id(store):
    """A reference is its asset id among the caller's assets: another user's id, or a
    hash copied into a reference, is no permission (review findings 1 and 6)."""
    other, _ = create_user(store.db, "other")
    mine = store.put_stream("u_local", io.BytesIO(PNG), "image/png")
    theirs = store.put_stream(other, io.BytesIO(PNG + b"secret"), "image/png")
    forged = {**mine, "sha256": theirs["sha256"], "size": theirs["size"]}
    fresh = store.with_fresh_urls("u_local", {"a": theirs, "b": forged})
    assert "url" not in fresh["a"]
    assert fresh["b"]["sha256"] == mine["sha256"] and theirs["sha256"] not in fresh["b"]["url"]
    assert mine["asset_id"] in fresh["b"]["url"] or mine["sha256"] in fresh["b"]["url"]  # local or S3
    with store.open("u_local", forged) as handle:
        assert handle.read() == PNG
    for read in (store.open, store.local_path, store.url):
        with pytest.raises(AssetNotFound):
            read("u_local", theirs)


# -- the routes, on a live server -----------------------------------------------------------------


@pytest.fixture(params=["local", "s3"])
def api(request, tmp_path):
    env = {"FUSIONFLOW_HOME": str(tmp_path / "home"), "FUSIONFLOW_MAX_UPLOAD_BYTES": "200000"}
    if request.param == "s3":
        s3 = request.getfixturevalue("s3")
        env.update({"FUSIONFLOW_S3_ENDPOINT": s3.endpoint, "FUSIONFLOW_S3_ACCESS_KEY": s3.access_key,
                    "FUSIONFLOW_S3_SECRET_KEY": s3.secret_key, "FUSIONFLOW_S3_BUCKET": f"t{uuid.uuid4().hex[:10]}"})
    with servers.live_server(env) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        client.runtime = live.runtime
        yield client


def asset_rows(client) -> int:
    with client.runtime.db.read() as conn:
        return conn.execute(select(func.count()).select_from(assets)).scalar()


def test_upload_multipart_and_raw_then_fetch(api):
    made = api.post("/api/assets", files={"file": ("dot.png", PNG, "image/png")})
    assert made.status_code == 201, made.text
    ref = made.json()
    assert set(ref) >= {"asset_id", "url", "content_type", "size", "sha256"}
    assert (ref["content_type"], ref["size"], ref["filename"]) == ("image/png", len(PNG), "dot.png")
    raw = api.post("/api/assets", content=PNG, headers={"content-type": "application/octet-stream"})
    assert raw.status_code == 201 and raw.json()["content_type"] == "image/png"  # sniffed
    again = api.get(f"/api/assets/{ref['asset_id']}")
    assert again.status_code == 200 and again.json()["sha256"] == ref["sha256"]
    assert httpx.get(again.json()["url"]).content == PNG
    assert api.get("/api/assets/a_000000000000nothere0").status_code == 404


def test_wrong_or_unknown_types_are_refused(api):
    lying = api.post("/api/assets", files={"file": ("x.mp4", PNG, "video/mp4")})
    assert lying.status_code == 415 and "video/mp4" in lying.json()["error"]["message"]
    unknown = api.post("/api/assets", content=b"just some text", headers={"content-type": "text/plain"})
    assert unknown.status_code == 415
    assert api.post("/api/assets", files={"other": ("x.png", PNG, "image/png")}).status_code == 400
    assert asset_rows(api) == 0


@pytest.mark.parametrize("how", ["raw", "multipart", "chunked"])
def test_oversized_upload_is_413_and_nothing_is_stored(api, how):
    body = PNG + b"\0" * 300_000
    if how == "raw":
        response = api.post("/api/assets", content=body, headers={"content-type": "image/png"})
    elif how == "multipart":
        response = api.post("/api/assets", files={"file": ("big.png", body, "image/png")})
    else:  # no Content-Length: the limit is enforced on the bytes received
        response = api.post("/api/assets", content=iter([body[:100_000], body[100_000:]]),
                            headers={"content-type": "image/png"})
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "too_large"
    assert asset_rows(api) == 0
    store = api.runtime.assets
    assert objects_in(store) == []
    assert not [p for p in store.scratch_dir().iterdir() if p.name.startswith(("upload-", "spool-"))]


def test_direct_upload_put_then_complete(api):
    started = api.post("/api/assets/uploads", json={"content_type": "image/png", "filename": "d.png"})
    assert started.status_code == 201, started.text
    upload = started.json()
    assert api.post(f"/api/assets/uploads/{upload['upload_id']}/complete").status_code == 409  # nothing PUT yet
    put = httpx.put(upload["url"], content=PNG, headers=upload["headers"])
    assert put.status_code == 200, put.text
    done = api.post(f"/api/assets/uploads/{upload['upload_id']}/complete")
    assert done.status_code == 201, done.text
    ref = done.json()
    assert (ref["content_type"], ref["filename"], ref["size"]) == ("image/png", "d.png", len(PNG))
    assert httpx.get(ref["url"]).content == PNG
    assert api.post(f"/api/assets/uploads/{upload['upload_id']}/complete").status_code == 404  # used up


def test_direct_upload_of_the_wrong_type_is_refused(api):
    upload = api.post("/api/assets/uploads", json={"content_type": "video/mp4"}).json()
    httpx.put(upload["url"], content=PNG, headers=upload["headers"])
    refused = api.post(f"/api/assets/uploads/{upload['upload_id']}/complete")
    assert refused.status_code == 415
    assert asset_rows(api) == 0


@pytest.fixture
def local_api(tmp_path):
    env = {"FUSIONFLOW_HOME": str(tmp_path / "home"), "FUSIONFLOW_AUTH": "required"}
    with servers.live_server(env) as live, httpx.Client(base_url=live.url, timeout=30) as client:
        from orchestrator.store.users import create_user

        key = create_user(live.runtime.db, "alice")[1]
        client.headers["authorization"] = f"Bearer {key}"
        yield client


def test_local_content_route_signs_and_serves_ranges(local_api):
    body = PNG + bytes(range(256)) * 40
    ref = local_api.post("/api/assets", content=body, headers={"content-type": "image/png"}).json()
    url = ref["url"]
    plain = httpx.get(url)  # no bearer key: the signature is the permission
    assert plain.status_code == 200 and plain.content == body
    assert plain.headers["accept-ranges"] == "bytes" and plain.headers["content-type"] == "image/png"
    head = httpx.head(url)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(body)) and head.content == b""
    part = httpx.get(url, headers={"Range": "bytes=8-15"})
    assert part.status_code == 206 and part.content == body[8:16]
    assert part.headers["content-range"] == f"bytes 8-15/{len(body)}"
    tail = httpx.get(url, headers={"Range": "bytes=-4"})
    assert tail.status_code == 206 and tail.content == body[-4:]
    assert httpx.get(url, headers={"Range": f"bytes={len(body)}-"}).status_code == 416
    tampered = url.replace("signature=", "signature=0")
    assert httpx.get(tampered).status_code == 403
    expired = url.split("?")[0] + "?expires=1&signature=" + "0" * 64
    assert httpx.get(expired).status_code == 403
    assert local_api.get(f"/api/assets/{ref['asset_id']}").status_code == 200
    assert httpx.get(f"{local_api.base_url}/api/assets/{ref['asset_id']}").status_code == 401


def test_s3_urls_are_signed_for_the_public_endpoint(tmp_path, s3):
    """In docker-compose the API reaches MinIO as minio:9000, browsers as localhost:9000."""
    from tests.media.conftest import make_store

    public = f"localhost:{s3.port}"
    store, db = make_store({"FUSIONFLOW_HOME": str(tmp_path / "home"), "FUSIONFLOW_S3_ENDPOINT": s3.endpoint,
                            "FUSIONFLOW_S3_PUBLIC_ENDPOINT": public, "FUSIONFLOW_S3_ACCESS_KEY": s3.access_key,
                            "FUSIONFLOW_S3_SECRET_KEY": s3.secret_key, "FUSIONFLOW_S3_BUCKET": f"p{uuid.uuid4().hex[:10]}"})
    try:
        ref = store.put_stream("u_local", io.BytesIO(PNG), "image/png")
        assert ref["url"].startswith(f"http://{public}/")
        assert httpx.get(ref["url"]).content == PNG
        upload = store.create_upload("u_local", "image/png")
        assert upload["url"].startswith(f"http://{public}/")
    finally:
        db.dispose()
