"""Attacks on the engine's memory: steps that each stay under a script's limits but add up."""

from __future__ import annotations

import time

from tests.diagrams import Node, linear, script

from .test_bounded_engine import assert_incident, deploy, fill, start_and_complete


def gathering(cardinality: int, each: str) -> Node:
    # Each instance leaves a value under a script's own size limit; the engine gathers them all.
    return Node(
        "scriptTask",
        "blow",
        "放大",
        "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>"
        f"{cardinality}</bpmn:loopCardinality><bpmn:loopDataOutputRef>out</bpmn:loopDataOutputRef>"
        '<bpmn:outputDataItem id="blob" name="blob"/></bpmn:multiInstanceLoopCharacteristics>'
        + script(f"blob = {each}"),
    )


def test_a_multi_instance_gathering_large_values_stops_at_the_size_limit_naming_it(api):
    deploy(api, "grow", linear("grow", [fill(), gathering(150, "'x' * 900000")]))
    began = time.perf_counter()
    instance, r = start_and_complete(api, "grow")
    # Before: 135 MB of task data saved, 10 s and 775 MB of memory for one request.
    assert time.perf_counter() - began < 5
    assert r.status_code == 422 and "blow" in r.get_json()["detail"] and "exceeds" in r.get_json()["detail"]
    assert_incident(api, instance["id"], "blow", "exceeds")


def test_a_multi_instance_gathering_small_values_still_runs(api):
    deploy(api, "gather", linear("gather", [fill(), gathering(5, "'x' * 10")]))
    instance, r = start_and_complete(api, "gather")
    assert r.status_code == 200 and r.get_json()["status"] == "completed"
