"""Validation: every error code of contract section 2, all errors at once."""

from __future__ import annotations

import msgspec
import pytest

from nodes.catalog import load_catalog
from orchestrator.graph.spec import decode_graph
from orchestrator.graph.validate import Limits, check_run_inputs, declared_inputs, validate

CATALOG = load_catalog()


def graph(nodes, edges=()):
    return decode_graph(msgspec.json.encode({"version": 1, "nodes": nodes, "edges": list(edges)}))


def edge(a, b):
    return {"from": a, "to": b}


def codes(checked):
    return [e["code"] for e in checked.errors]


TEXT = {"id": "t", "type": "input.text"}
JOIN = {"id": "j", "type": "text.join"}


def test_a_valid_graph_has_no_errors_and_params_take_defaults():
    checked = validate(graph([TEXT, JOIN], [edge("t.text", "j.parts")]), CATALOG)
    assert checked.ok
    assert checked.params["j"].separator == ""
    assert checked.order.index("t") < checked.order.index("j")


@pytest.mark.parametrize("body", [
    b"{not json",
    b'{"version": 2, "nodes": []}',
    b'{"version": 1, "nodes": {}}',
    b'{"version": 1, "nodes": [{"id": 1, "type": "input.text"}]}',
    b'{"version": 1, "nodes": [], "edges": [{"from": "a", "to": "b.c"}]}',
])
def test_malformed_documents_fail_decoding(body):
    with pytest.raises((msgspec.ValidationError, msgspec.DecodeError)):
        decode_graph(body)


def test_unknown_node_type_names_the_node():
    checked = validate(graph([{"id": "x", "type": "image.nope"}]), CATALOG)
    assert checked.errors == [{"code": "unknown_node_type", "node": "x", "message": checked.errors[0]["message"]}]
    assert "image.nope" in checked.errors[0]["message"]


def test_duplicate_and_invalid_ids():
    checked = validate(graph([TEXT, dict(TEXT), {"id": "bad id!", "type": "input.text"},
                              {"id": "x" * 65, "type": "input.text"}]), CATALOG)
    assert sorted(codes(checked)) == ["duplicate_node_id", "invalid_node_id", "invalid_node_id"]
    assert {e["node"] for e in checked.errors} == {"t", "bad id!", "x" * 65}


def test_unknown_node_in_edge_gives_edge_index():
    checked = validate(graph([TEXT, JOIN], [edge("t.text", "j.parts"), edge("ghost.text", "j.parts")]), CATALOG)
    assert codes(checked) == ["unknown_node"]
    assert checked.errors[0]["edge"] == 1 and checked.errors[0]["node"] == "ghost"


def test_unknown_port_names_node_port_and_edge():
    checked = validate(graph([TEXT, JOIN], [edge("t.txt", "j.parts"), edge("t.text", "j.pieces")]), CATALOG)
    assert [(e["code"], e["node"], e["port"], e["edge"]) for e in checked.errors] == [
        ("unknown_port", "t", "txt", 0), ("unknown_port", "j", "pieces", 1)]
    assert "its outputs: text" in checked.errors[0]["message"]


def test_type_mismatch_names_the_input_end():
    nodes = [{"id": "n", "type": "input.number"}, JOIN]
    checked = validate(graph(nodes, [edge("n.number", "j.parts")]), CATALOG)
    assert codes(checked) == ["type_mismatch"]
    err = checked.errors[0]
    assert (err["node"], err["port"], err["edge"]) == ("j", "parts", 0)
    assert err["message"] == "j.parts takes text; n.number gives number"


def test_any_ports_accept_every_type():
    nodes = [{"id": "n", "type": "input.number"}, {"id": "w", "type": "flow.wait", "params": {"seconds": 0}}]
    assert validate(graph(nodes, [edge("n.number", "w.value")]), CATALOG).ok


def test_second_edge_into_single_input():
    nodes = [TEXT, {"id": "u", "type": "input.text"}, {"id": "w", "type": "flow.wait"}]
    checked = validate(graph(nodes, [edge("t.text", "w.value"), edge("u.text", "w.value")]), CATALOG)
    assert codes(checked) == ["input_already_connected"]
    assert (checked.errors[0]["node"], checked.errors[0]["port"], checked.errors[0]["edge"]) == ("w", "value", 1)


def test_multiple_inputs_take_many_edges():
    nodes = [TEXT, {"id": "u", "type": "input.text"}, JOIN]
    assert validate(graph(nodes, [edge("t.text", "j.parts"), edge("u.text", "j.parts")]), CATALOG).ok


def test_missing_required_input():
    checked = validate(graph([JOIN]), CATALOG)
    assert checked.errors[0]["code"] == "missing_input"
    assert (checked.errors[0]["node"], checked.errors[0]["port"]) == ("j", "parts")


@pytest.mark.parametrize("params, param", [
    ({"seconds": -1}, "seconds"),
    ({"seconds": "soon"}, "seconds"),
    ({"steps": 0}, "steps"),
    ({"color": "red"}, "color"),
])
def test_invalid_params_name_the_param(params, param):
    checked = validate(graph([{"id": "w", "type": "flow.wait", "params": params}]), CATALOG)
    assert codes(checked) == ["invalid_param"]
    assert checked.errors[0]["node"] == "w" and checked.errors[0]["param"] == param


def test_every_bad_param_is_reported():
    checked = validate(graph([{"id": "w", "type": "flow.wait", "params": {"seconds": -1, "steps": 0, "x": 1}}]), CATALOG)
    assert sorted(e["param"] for e in checked.errors) == ["seconds", "steps", "x"]


def test_cycle_lists_the_nodes_along_it():
    nodes = [TEXT, JOIN, {"id": "w", "type": "flow.wait"}, {"id": "v", "type": "flow.wait"}]
    edges = [edge("t.text", "j.parts"), edge("j.text", "w.value"), edge("w.value", "v.value"), edge("v.value", "j.parts")]
    checked = validate(graph(nodes, edges), CATALOG)
    assert codes(checked) == ["cycle"]
    cycle = checked.errors[0]["nodes"]
    assert sorted(cycle) == ["j", "v", "w"]
    assert checked.order is None


def test_self_loop_is_a_cycle():
    checked = validate(graph([{"id": "w", "type": "flow.wait"}], [edge("w.value", "w.value")]), CATALOG)
    assert codes(checked) == ["cycle"] and checked.errors[0]["nodes"] == ["w"]


def test_all_errors_at_once():
    nodes = [TEXT, JOIN, {"id": "x", "type": "nope"}, {"id": "w", "type": "flow.wait", "params": {"steps": 0}}]
    edges = [edge("t.text", "j.parts"), edge("t.text", "ghost.in"), edge("j.text", "w.value"), edge("t.text", "w.value")]
    assert sorted(codes(validate(graph(nodes, edges), CATALOG))) == [
        "input_already_connected", "invalid_param", "unknown_node", "unknown_node_type"]


def test_too_large():
    nodes = [{"id": f"n{i}", "type": "input.text"} for i in range(11)]
    checked = validate(graph(nodes), CATALOG, Limits(max_nodes=10, max_edges=10))
    assert codes(checked) == ["too_large"]


def test_default_limits_take_ten_thousand_nodes():
    assert Limits().max_nodes >= 10_000 and Limits().max_edges >= 50_000


def test_overrides_are_validated_like_params():
    checked = validate(graph([{"id": "w", "type": "flow.wait"}]), CATALOG,
                       overrides={"w": {"seconds": -5}, "ghost": {"a": 1}})
    assert sorted((e["code"], e.get("node"), e.get("param")) for e in checked.errors) == [
        ("invalid_param", "w", "seconds"), ("unknown_node", "ghost", None)]


def test_run_inputs_by_declared_name():
    g = graph([{"id": "t", "type": "input.text", "params": {"name": "subject", "default": "a"}},
               {"id": "n", "type": "input.number"}])
    declared = declared_inputs(g, validate(g, CATALOG).params)
    assert set(declared) == {"subject", "n"}
    assert check_run_inputs(declared, {"subject": "fox", "n": 3}) == []
    errors = check_run_inputs(declared, {"subject": 5, "colour": "red", "n": "three"})
    assert sorted((e["code"], e["input"]) for e in errors) == [
        ("invalid_input", "n"), ("invalid_input", "subject"), ("unknown_input", "colour")]
