"""What a run returns, as pure functions over the plan."""

from orchestrator.graph.outputs import duplicate_names, output_spec, output_types, run_outputs
from orchestrator.graph.plan import build_plan
from orchestrator.graph.spec import graph_from_builtins

NODES = [("a", "input.text", {}), ("o1", "output.text", {"name": "title"}), ("o2", "output.image", {}),
         ("s/o3", "output.text", {"name": "inner"})]


def test_output_nodes_are_named_by_their_param_else_their_id_and_inner_ones_are_not_the_runs():
    assert output_spec(NODES) == {"o1": "title", "o2": "o2"}
    assert output_types(NODES) == [{"name": "title", "type": "text"}, {"name": "o2", "type": "image"}]


def test_duplicate_output_names_name_both_nodes():
    assert duplicate_names([*NODES, ("o4", "output.any", {"name": "title"})]) == [("o4", "title", "o1")]


def test_run_outputs_by_name_when_the_plan_has_output_nodes_else_by_end_node():
    plan = build_plan(graph_from_builtins({"version": 1, "nodes": [
        {"id": "a", "type": "input.text"}, {"id": "o", "type": "output.text", "params": {"name": "x"}},
        {"id": "w", "type": "flow.wait"}], "edges": [{"from": "a.text", "to": "o.value"}, {"from": "a.text", "to": "w.value"}]}))
    assert plan.outputs == {"o": "x"}
    done = {"a": {"text": "hi"}, "o": {"value": "hi"}, "w": {"value": "hi"}}
    assert run_outputs(plan.outputs, plan.sinks, done) == {"x": "hi"}
    assert run_outputs({}, plan.sinks, done) == {"o": {"value": "hi"}, "w": {"value": "hi"}}
    assert run_outputs(plan.outputs, plan.sinks, {"a": {"text": "hi"}}) == {}
