"""Webhook URLs follow the same SSRF rules as every outbound request: private addresses
are refused at submission (this server does not allow them), and nothing is written."""

from __future__ import annotations

import pytest

from tests.helpers import graph, node

HELLO = graph([node("who", "input.text")])


@pytest.mark.parametrize("url, words", [
    ("http://127.0.0.1:8080/hook", "non-public address 127.0.0.1"),
    ("http://10.1.2.3/hook", "non-public address 10.1.2.3"),
    ("http://localhost/hook", "non-public address"),
    ("ftp://example.com/hook", "only http and https"),
])
def test_a_webhook_to_a_private_address_or_not_http_is_refused(client, url, words):
    before = len(client.get("/api/runs", params={"limit": 200}).json()["runs"])
    response = client.post("/api/runs", json={"graph": HELLO, "webhook": url})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["param"]) == ("invalid_param", "webhook") and words in error["message"]
    assert len(client.get("/api/runs", params={"limit": 200}).json()["runs"]) == before
    template = client.post("/api/graphs", json={"name": "t", "graph": HELLO, "webhook": url})
    assert template.status_code == 422 and template.json()["errors"][0]["param"] == "webhook"
