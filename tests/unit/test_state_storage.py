"""How the engine stores an instance's state: compressed with a preset dictionary, older states still readable."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from app.engine import Engine, parse_bundle, state_from_text, state_text

MODEL = Path(__file__).resolve().parents[2] / "bench" / "eight_tasks.bpmn"


@pytest.fixture(scope="module")
def bundle():
    return parse_bundle({MODEL.name: MODEL.read_bytes()})


def _finished(engine: Engine, bundle):
    inst = engine.start(bundle, {})
    while not inst.completed:
        inst.complete(inst.ready_tasks()[0].id, {"ok": True})
    return inst


def test_a_state_is_smaller_with_the_dictionary_and_restores_exactly(bundle):
    engine = Engine()
    inst = _finished(engine, bundle)
    state = inst.dump()
    plain = zlib.compress(state_text(state).encode("utf-8"), 6)
    assert len(state) < len(plain) * 0.9  # the dictionary is worth its keep
    again = engine.load(bundle, state)
    assert again.completed and again.data == inst.data
    assert again.dump() == state


def test_a_state_stored_before_the_dictionary_still_loads(bundle):
    engine = Engine()
    inst = engine.start(bundle, {"customer": "张三"})
    legacy = zlib.compress(state_text(inst.dump()).encode("utf-8"), 6)  # how states were stored before
    restored = engine.load(bundle, legacy)
    assert restored.data == {"customer": "张三"}
    assert [t.element_id for t in restored.ready_tasks()] == [t.element_id for t in inst.ready_tasks()]
    restored.complete(restored.ready_tasks()[0].id, {"ok": True})  # and runs on


def test_text_round_trip_keeps_a_state_loadable(bundle):
    engine = Engine()
    inst = engine.start(bundle, {})
    text = state_text(inst.dump())
    assert json.loads(text)["typename"] == "BpmnWorkflow"
    assert engine.load(bundle, state_from_text(text)).ready_tasks()[0].id == inst.ready_tasks()[0].id


def test_a_state_made_with_an_unknown_dictionary_is_refused_with_a_reason(bundle):
    engine = Engine()
    packer = zlib.compressobj(6, zdict=b"some dictionary this version never had")
    foreign = packer.compress(state_text(engine.start(bundle, {}).dump()).encode()) + packer.flush()
    with pytest.raises(ValueError, match="dictionary this version does not know"):
        engine.load(bundle, foreign)


def test_an_integer_orjson_cannot_write_is_saved_by_the_standard_library(bundle):
    engine = Engine()
    inst = engine.start(bundle, {"huge": 2**70})  # beyond 64 bits (NaN never gets here: the API refuses it)
    assert engine.load(bundle, inst.dump()).data["huge"] == 2**70


def test_the_fast_writer_and_the_stock_one_write_the_same_state(bundle):
    from app.engine import serializer

    engine = Engine()
    inst = _finished(engine, bundle)
    fast = json.loads(state_text(inst.dump()))
    stock = serializer._STOCK.to_dict(inst._wf)
    stock[serializer._STOCK.VERSION_KEY] = serializer._STOCK.VERSION
    assert fast == json.loads(json.dumps(stock))
