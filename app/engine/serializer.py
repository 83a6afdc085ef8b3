"""Instance state as JSON without the spec: the spec is stored once per deployed version.

SpiffWorkflow's default serializer embeds the whole spec in every instance (about 58% of
the JSON) and rebuilds a private copy on each load. This converter writes only the task
tree and data, and takes the cached spec back in on load.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Mapping

import orjson
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task


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


class UuidTaskConverter(TaskConverter):
    """TaskConverter.to_dict with the task ids left as UUIDs, for orjson to write.

    A save converts every task of the tree, and str(UUID) four times per task was a third of it;
    orjson writes UUIDs (values and keys) in C. The JSON is the same; loading is unchanged.
    """

    def to_dict(self, task):
        return _task_to_dict(task, self.registry)


def _task_to_dict(task, registry) -> dict:
    """TaskConverter.to_dict's dictionary (with its typename), ids as UUIDs, DeepMerge's two loops inlined."""
    parent = task.parent
    if parent is None:
        data, delta = task.data, {}
    else:
        data, theirs, mine = {}, parent.data, task.data
        delta = {
            "updates": {k: v for k, v in mine.items() if k not in theirs or v != theirs[k]},
            "deletions": [k for k in theirs if k not in mine],
        }
    internal = task.internal_data
    return {
        "id": task.id,
        "parent": task._parent if parent is not None else None,
        "children": list(task._children),
        "last_state_change": task.last_state_change,
        "state": task.state,
        "task_spec": task.task_spec.name,
        "triggered": task.triggered,
        "internal_data": registry.convert(internal) if internal else {},
        "data": data,
        "delta": delta,
        "typename": "Task",
    }


class UuidKeysWorkflowConverter(SpeclessWorkflowConverter):
    """The task mapping keyed by UUID objects too (see UuidTaskConverter), its tasks converted directly.

    The registry's dispatch (clean, look the type name up, a partial, add the typename) cost as much
    as converting a task; a workflow's task mapping holds only Tasks.
    """

    def mapping_to_dict(self, mapping, **kwargs):
        if all(type(v) is Task for v in mapping.values()):
            registry = self.registry
            return {k: _task_to_dict(v, registry) for k, v in mapping.items()}
        return {k: self.registry.convert(v, **kwargs) for k, v in mapping.items()}


def _uuid(value):
    from uuid import UUID

    return UUID(value)


def _make_serializer(fast: bool) -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = UuidKeysWorkflowConverter if fast else SpeclessWorkflowConverter
    if fast:
        config[Task] = UuidTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


# Pure configuration: no I/O, no threads. The stock one writes what orjson refuses (an integer
# beyond 64 bits in task data) with the standard library.
_SERIALIZER = _make_serializer(fast=True)
_STOCK = _make_serializer(fast=False)

# A preset dictionary of SpiffWorkflow's own vocabulary (the keys and values every task repeats).
# Deflate cannot back-reference what it has not seen yet, and a state is only a few KB: primed
# with these strings, a finished instance of eight tasks stores 720 bytes instead of 914, a
# complaint about 5% less. A stream names its dictionary by Adler-32 in its header, so a
# dictionary once used must stay here unchanged: add a new one and make it _CURRENT, never edit.
_DICTIONARY_1 = (
    b'"bpmn_events":[],"subprocesses":{},"serializer_version":"1.4","typename":"BpmnWorkflow"}'
    b'"event_value":"2026-11-22T09:00:00+00:00","event_fired":true,"internal_data":{"event_fired":true}'
    b'"correlations":{},"last_task":"","success":true,"completed":false,"data":{'
    b'"children":[],"state":8,"task_spec":"","triggered":false,"internal_data":{},"data":{},"delta":{},"typename":"Task"},'
    b'"state":4,"task_spec":"","triggered":false,"internal_data":{},"data":{},"delta":{},"typename":"Task"},'
    b'"state":1,"task_spec":"","triggered":false,"internal_data":{},"data":{},"delta":{},"typename":"Task"},'
    b'"state":2,"task_spec":"","triggered":false,"internal_data":{},"data":{},"delta":{},"typename":"Task"},'
    b'"state":16,"task_spec":"","triggered":false,"internal_data":{},"data":{},"delta":{},"typename":"Task"},'
    b'"delta":{"updates":{},"deletions":[]},"typename":"Task"},'
    b'{"id":"","parent":"","children":[""],"last_state_change":17'
    b'"state":64,"task_spec":"","triggered":false,"internal_data":{},"data":{},'
    b'"delta":{"updates":{},"deletions":[]},"typename":"Task"},"":{"id":"","parent":"","children":[""],'
    b'"last_state_change":17'
)
_DICTIONARIES = {zlib.adler32(d): d for d in (_DICTIONARY_1,)}
_CURRENT = _DICTIONARY_1
_FDICT = 0x20  # the zlib header's flag for "made with a preset dictionary" (RFC 1950)


def dump(workflow: BpmnWorkflow) -> bytes:
    """Serialize a workflow's state (not its spec) to compact, zlib-compressed JSON."""
    # Plain conversion, not the registry's "encoder mode": that mode is a flag on the
    # shared registry and would race between threads.
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    try:
        text = orjson.dumps(dct, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        dct = _STOCK.to_dict(workflow)
        dct[_STOCK.VERSION_KEY] = _STOCK.VERSION
        text = json.dumps(dct, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # Compressed: a finished instance's JSON shrinks about 5x, which decides the bytes
    # stored per instance; zlib costs about 0.05 ms here.
    return compress(text)


def load(state: bytes | str, spec: Any, subprocess_specs: Mapping[str, Any]) -> BpmnWorkflow:
    """Rebuild a workflow from dump()'s output (or plain JSON text) and its (cached) spec."""
    text = decompress(bytes(state)) if isinstance(state, (bytes, memoryview)) else state
    try:
        dct = orjson.loads(text)
    except orjson.JSONDecodeError:  # what only the standard library writes: NaN, integers beyond 64 bits
        dct = json.loads(text)
    _SERIALIZER.migrate(dct)
    return _SERIALIZER.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)


def state_text(state: bytes) -> str:
    """A stored state's JSON text (for tools that copy states, e.g. demo replays)."""
    return decompress(bytes(state)).decode("utf-8")


def state_from_text(text: str, level: int = 6) -> bytes:
    """The stored form of a state's JSON text (state_text's inverse); a lower zlib level trades size for CPU."""
    return compress(text.encode("utf-8"), level)


def compress(raw: bytes, level: int = 6) -> bytes:
    packer = zlib.compressobj(level, zdict=_CURRENT)
    return packer.compress(raw) + packer.flush()


def decompress(state: bytes) -> bytes:
    """Inflate a state, with the preset dictionary its header names (older states have none)."""
    if len(state) < 6 or not state[1] & _FDICT:
        return zlib.decompress(state)
    dictionary = _DICTIONARIES.get(int.from_bytes(state[2:6], "big"))
    if dictionary is None:
        raise ValueError("the state was compressed with a dictionary this version does not know")
    unpacker = zlib.decompressobj(zdict=dictionary)
    return unpacker.decompress(state) + unpacker.flush()
