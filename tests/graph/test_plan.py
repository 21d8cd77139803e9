"""The plan: order, neighbours, wiring in edge order, descendants."""

from __future__ import annotations

import msgspec

from orchestrator.graph.plan import build_plan, find_cycle
from orchestrator.graph.spec import decode_graph


def test_plan_of_a_diamond():
    g = decode_graph(msgspec.json.encode({"version": 1, "nodes": [
        {"id": "a", "type": "input.text"}, {"id": "b", "type": "text.join"}, {"id": "c", "type": "text.join"},
        {"id": "d", "type": "text.join"}], "edges": [
        {"from": "a.text", "to": "b.parts"}, {"from": "a.text", "to": "c.parts"},
        {"from": "c.text", "to": "d.parts"}, {"from": "b.text", "to": "d.parts"}, {"from": "a.text", "to": "d.parts"}]}))
    plan = build_plan(g)
    position = {n: i for i, n in enumerate(plan.order)}
    assert position["a"] < position["b"] < position["d"] and position["c"] < position["d"]
    assert plan.roots == ("a",) and plan.sinks == ("d",)
    assert set(plan.predecessors["d"]) == {"a", "b", "c"}
    assert plan.wiring["d"]["parts"] == (("c", "text"), ("b", "text"), ("a", "text"))
    assert plan.descendants("a") == [n for n in plan.order if n != "a"]
    assert plan.descendants("c") == ["d"]


def test_find_cycle():
    assert find_cycle(["a", "b", "c"], [("a", "b"), ("b", "c")]) == []
    assert sorted(find_cycle(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "b")])) == ["b", "c"]
