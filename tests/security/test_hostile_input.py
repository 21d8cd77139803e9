"""Findings 9, 10 and 11 of the security review: hostile input is a 400 (or the 416 the
contract names) that says what is wrong, never a 500, and writes nothing."""

from __future__ import annotations

import httpx

from tests.helpers import graph, node, submit, wait_run
from tests.providers.stubs import png_bytes


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def run_body(ui: str) -> str:
    return '{"graph": {"version": 1, "nodes": [{"id": "t", "type": "input.text"}], "edges": [], "ui": %s}}' % ui


def test_deep_json_is_400_and_writes_nothing(users):
    before = users.bob.get("/api/runs").json()["runs"]
    for depth in (65, 500, 100_000):
        for path, body in (("/api/runs", run_body(nested(depth))),
                           ("/api/graphs", '{"name": "deep", "graph": %s}' % run_body(nested(depth))[9:-1])):
            response = users.bob.post(path, content=body, headers={"content-type": "application/json"})
            assert response.status_code == 400, (path, depth, response.text)
            assert response.json()["error"]["code"] == "too_deep"
    assert users.bob.get("/api/runs").json()["runs"] == before
    assert users.bob.get("/api/graphs").json()["graphs"] == []
    fine = users.bob.post("/api/runs", content=run_body(nested(30)), headers={"content-type": "application/json"})
    assert fine.status_code == 201, fine.text


def test_integers_past_2_63_are_400(users):
    template = users.bob.post("/api/graphs", json={"name": "t", "graph": graph([node("t", "input.text")])}).json()
    run = wait_run(users.bob, submit(users.bob, graph([node("t", "input.text")]))["id"])
    assert users.bob.get(f"/api/graphs/{template['id']}", params={"version": 2**63 - 1}).status_code == 404
    too_big = [users.bob.get(f"/api/graphs/{template['id']}", params={"version": 2**63}),
               users.bob.get(f"/api/runs/{run['id']}/events", headers={"Last-Event-ID": str(10**30)}),
               users.bob.get(f"/api/runs/{run['id']}/events", headers={"Last-Event-ID": "-1"}),
               users.bob.get(f"/api/runs/{run['id']}/events", params={"after": 10**30}),
               users.bob.get("/api/events", params={"after": 2**63})]
    for response in too_big:
        assert response.status_code == 400, (response.request.url, response.text)
        assert "0 to 9223372036854775807" in response.json()["error"]["message"]


def test_ranges_and_multipart_bodies(users):
    data = png_bytes()
    made = users.bob.post("/api/assets", files={"file": ("x.png", data, "image/png")}).json()
    if made["url"].startswith(users.url):  # the API's own content route (S3 serves its own)
        huge = httpx.get(made["url"], headers={"Range": "bytes=" + "9" * 5000 + "-"})
        assert huge.status_code == 400 and "Range" in huge.json()["error"]["message"]
        past = httpx.get(made["url"], headers={"Range": f"bytes={len(data) + 10}-"})
        assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(data)}"
        part = httpx.get(made["url"], headers={"Range": "bytes=0-3"})
        assert part.status_code == 206 and part.content == data[:4]
    no_end = users.bob.post("/api/assets", content=b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
                            + data, headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert no_end.status_code == 400 and no_end.json()["error"]["code"] == "invalid_body"
    no_boundary = users.bob.post("/api/assets", content=data, headers={"content-type": "multipart/form-data"})
    assert no_boundary.status_code == 400


def test_a_provider_result_nested_too_deep_fails_the_node_only(users, fal):
    deep: dict = {}
    for _ in range(200):
        deep = {"a": deep}
    fal.scenario("attacker/deep", result=deep)
    run = wait_run(users.bob, submit(users.bob, graph([node("deep", "fal.run", app="attacker/deep")]))["id"])
    assert run["status"] == "failed"
    assert "deeper than 64 levels" in run["nodes"]["deep"]["error"]["message"]
