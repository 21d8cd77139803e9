"""A property-based fuzz of the whole API from its OpenAPI document (schemathesis),
authenticated, with valid and invalid input: no answer is a 5xx, and every answer
with a documented status matches its documented schema.

Time-boxed: a fixed number of examples per operation (``FUSIONFLOW_FUZZ_EXAMPLES``,
default 25), no deadline; the endless event streams are left out (their contract has
its own tests). Runs in the normal suite, so ``.ci/run`` runs it.
"""

from __future__ import annotations

import os
import re

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests import servers
from tests.api.test_auth import create_user

EXAMPLES = int(os.environ.get("FUSIONFLOW_FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory):
    env = {"FUSIONFLOW_HOME": str(tmp_path_factory.mktemp("fuzz")), "FUSIONFLOW_AUTH": "required",
           "FUSIONFLOW_MAX_UPLOAD_BYTES": "1000000"}
    key = create_user(env, "fuzzer")
    with servers.live_server(env) as live:
        with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {key}"}) as client:
            # Something to find: a run, a template and an asset of the caller's.
            client.post("/api/graphs", json={"name": "t", "graph": {"version": 1, "nodes": [], "edges": []}})
            client.post("/api/assets", content=b"\x89PNG\r\n\x1a\n" + b"\0" * 64, headers={"content-type": "image/png"})
        live.key = key
        yield live


def operations(url: str) -> list:
    schema = schemathesis.openapi.from_url(f"{url}/schema/openapi.json").exclude(path_regex=r"/events$")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_5xx_and_answers_as_documented(fuzzed, mode):
    """Every operation, ``EXAMPLES`` generated requests each (schemathesis' pytest plugin
    does not run on pytest 9's nodes, so the operations are walked here)."""
    failures: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {fuzzed.key}"}

    for operation in operations(fuzzed.url):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), derandomize=True, database=None)
        def one(case) -> None:
            response = case.call(base_url=fuzzed.url, headers=headers, timeout=30)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            one()
        except Unsatisfiable:
            pass  # nothing about this operation can be made invalid (no body, string params only)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())


def documented_operations(url: str):
    """``(method, path, operation)`` for every documented operation but the event streams."""
    document = httpx.get(f"{url}/schema/openapi.json").json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete", "head") and not path.endswith("/events"):
                yield method.upper(), path, operation


def concrete(path: str, value: str = "x") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_deep_huge_json_and_out_of_range_integers_are_4xx_everywhere(fuzzed):
    """What the generated cases rarely reach: every JSON body 100,000 levels deep or over the
    body limit, every integer parameter at 2^63 and at 10^30."""
    headers = {"Authorization": f"Bearer {fuzzed.key}"}
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    huge = b'{"pad": "' + b"x" * (4 * 1024 * 1024) + b'"}'
    seen: list[tuple[str, str, int]] = []
    with httpx.Client(base_url=fuzzed.url, headers=headers, timeout=30) as client:
        for method, path, operation in documented_operations(fuzzed.url):
            if "application/json" in (operation.get("requestBody") or {}).get("content", {}):
                for body in (deep, huge):
                    response = client.request(method, concrete(path), content=body,
                                              headers={"content-type": "application/json"})
                    seen.append((method, path, response.status_code))
            for parameter in operation.get("parameters", []):
                if (parameter.get("schema") or {}).get("type") != "integer":
                    continue
                for number in (2**63, 10**30):
                    where = parameter["in"]
                    response = client.request(
                        method, concrete(path, str(number) if where == "path" else "x"),
                        params={parameter["name"]: number} if where == "query" else None,
                        headers={parameter["name"]: str(number)} if where == "header" else None)
                    seen.append((method, f"{path} {parameter['name']}={number}", response.status_code))
    assert seen
    assert [entry for entry in seen if not 400 <= entry[2] < 500] == []
