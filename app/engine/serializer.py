"""Instance state as JSON without the spec: the spec is stored once per deployed version.

SpiffWorkflow's default serializer embeds the whole spec in every instance (about 58% of
the JSON) and rebuilds a private copy on each load. This converter writes only the task
tree and data, and takes the cached spec back in on load.
"""
from __future__ import annotations

import json
import zlib
from typing import Any, Mapping

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Convert a workflow leaving its spec out; restore it with the spec passed in."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, dict(subprocess_specs or {}), deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value):
    from uuid import UUID

    return UUID(value)


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()  # pure configuration: no I/O, no threads


def dump(workflow: BpmnWorkflow) -> bytes:
    """Serialize a workflow's state (not its spec) to compact, zlib-compressed JSON."""
    # Plain conversion, not the registry's "encoder mode": that mode is a flag on the
    # shared registry and would race between threads.
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    # Compressed: a finished instance's JSON shrinks about 3x, which decides the bytes
    # stored per instance; zlib costs about 0.1 ms here.
    return zlib.compress(json.dumps(dct, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 6)


def load(state: bytes | str, spec: Any, subprocess_specs: Mapping[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from dump()'s output (or plain JSON text) and its (cached) spec."""
    dct = json.loads(zlib.decompress(state) if isinstance(state, (bytes, memoryview)) else state)
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
