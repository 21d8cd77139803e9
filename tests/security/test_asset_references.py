"""Findings 1 and 6 of the security review: a reference to an asset is its id among the
caller's own assets. Another user's id, or a hash copied into a reference, gets no signed
URL in any response and opens no bytes in any node."""

from __future__ import annotations

import httpx

from tests.helpers import events, graph, node, submit, wait_run
from tests.providers.stubs import png_bytes

APP = "attacker/app"


def upload(client: httpx.Client, data: bytes) -> dict:
    response = client.post("/api/assets", content=data, headers={"content-type": "image/png"})
    assert response.status_code == 201, response.text
    return response.json()


def unsigned(ref: dict) -> dict:
    return {key: value for key, value in ref.items() if key != "url"}


def test_another_users_asset_in_a_run_gets_no_signed_url(users, fal):
    secret = upload(users.alice, png_bytes(rgb=(1, 2, 3)))
    own = upload(users.bob, png_bytes(rgb=(9, 9, 9)))
    stolen, forged = unsigned(secret), {**unsigned(own), "sha256": secret["sha256"], "size": secret["size"]}
    fal.scenario(APP, result={"stolen": stolen, "forged": forged})
    ui = {"pinned": [stolen]}
    g = graph([node("evil", "fal.run", app=APP)], ui=ui)
    run = submit(users.bob, g)
    seen = events(users.bob, run["id"])
    run = users.bob.get(f"/api/runs/{run['id']}").json()
    assert run["status"] == "succeeded", run["nodes"]["evil"]["error"]

    assert run["graph"]["ui"] == ui  # comes back as sent, signed nothing
    succeeded = next(data for _, kind, data in seen if kind == "node.succeeded")
    for result in (run["nodes"]["evil"]["outputs"]["result"], run["outputs"]["evil"]["result"],
                   succeeded["outputs"]["result"]):
        assert "url" not in result["stolen"]
        # The forged hash is replaced by what Bob's asset really holds, and only that is signed.
        assert result["forged"]["sha256"] == own["sha256"]
        assert httpx.get(result["forged"]["url"]).content == png_bytes(rgb=(9, 9, 9))
    listed = users.bob.get("/api/runs").json()["runs"][0]
    assert "url" not in listed["nodes"]["evil"]["outputs"]["result"]["stolen"]
    assert users.bob.get(f"/api/assets/{secret['asset_id']}").status_code == 404


def test_a_node_cannot_open_another_users_asset_by_reference(users, fal):
    secret = upload(users.alice, png_bytes(rgb=(4, 5, 6)))
    fal.scenario(APP, result={"files": [unsigned(secret)]})
    g = graph([node("evil", "fal.run", app=APP), node("zip", "archive.zip")],
              [{"from": "evil.result", "to": "zip.list"}])
    run = wait_run(users.bob, submit(users.bob, g)["id"])
    assert run["status"] == "failed"
    assert run["nodes"]["zip"]["status"] == "failed" and run["nodes"]["zip"]["outputs"] is None
    assert f"asset {secret['asset_id']} does not exist" in run["nodes"]["zip"]["error"]["message"]
