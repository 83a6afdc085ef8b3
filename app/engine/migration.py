"""Move a running instance onto another version of its diagram, when SpiffWorkflow's diff says it is safe.

SpiffWorkflow 3.2 aligns the old and the new spec (``SpecDiff``: by element id, then by
structure), lists the instance's tasks whose element was removed or changed (``WorkflowDiff``),
and re-points the tasks at the new spec, resetting the ready and waiting ones
(``migrate_workflow``). We refuse when an element the instance has passed through or is waiting
on was removed, or when an active task's element changed its type; otherwise the migration is run
on a copy, checked (every task on the new spec, the same user tasks ready, a save/load round
trip) and only then handed back. SLA timers keep the due instants they had, unless their
expression changed: a migration must not quietly move a deadline.

Example::

    check = check_migration(inst, new_bundle)   # a dry run: nothing changes
    if check.safe:
        inst, check = migrate(inst, new_bundle)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from . import clock, serializer
from .parsing import ProcessBundle
from .workflow import Instance

_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
_PASSED = TaskState.COMPLETED | TaskState.CANCELLED | _ACTIVE


class MigrationRefused(Exception):
    """The instance cannot move to that version; ``reasons`` say why."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("; ".join(reasons))


@dataclass(frozen=True)
class MigrationCheck:
    """What a migration would do: whether it is safe, and which active tasks it touches."""

    safe: bool
    reasons: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # active elements whose definition changed
    ready_before: list[str] = field(default_factory=list)  # element ids of ready user tasks
    ready_after: list[str] = field(default_factory=list)
    timers_kept: list[str] = field(default_factory=list)  # waiting timers whose due instant stays

    def as_dict(self) -> dict:
        return {
            "safe": self.safe,
            "reasons": self.reasons,
            "changed": self.changed,
            "ready_before": self.ready_before,
            "ready_after": self.ready_after,
            "timers_kept": self.timers_kept,
        }


def _element(task) -> str:
    return task.task_spec.name


def _refusals(wf, bundle: ProcessBundle):
    registry = serializer._SERIALIZER.registry
    spec_diff = SpecDiff(registry, wf.spec, bundle.spec)
    top = WorkflowDiff(wf, spec_diff)
    subs = {}
    for sp_id, sp in wf.subprocesses.items():
        new = bundle.subprocess_specs.get(sp.spec.name)
        subs[sp_id] = WorkflowDiff(sp, SpecDiff(registry, sp.spec, new)) if new is not None else None
    reasons = []
    for task in top.removed:
        if task.state & _PASSED and getattr(task.task_spec, "bpmn_id", None):
            state = TaskState.get_name(task.state).lower()
            reasons.append(
                f"element '{_element(task)}' ({task.task_spec.bpmn_name or ''}) is {state} in this "
                "instance and does not exist in the new version"
            )
    for task in top.changed:
        if task.state & _ACTIVE and "typename" in spec_diff.changed.get(task.task_spec, []):
            reasons.append(f"active element '{_element(task)}' changed its type")
    for sp_id, sub in subs.items():
        if sub is None:
            reasons.append(f"the called process of sub-workflow {sp_id} is not in the new version")
        elif sub.removed:
            names = sorted({_element(t) for t in sub.removed})
            reasons.append(f"elements {', '.join(names)} of a running sub-process were removed")
    return top, subs, reasons


def _timer_values(wf) -> dict:
    out = {}
    for task in wf.get_tasks(state=TaskState.WAITING):
        event = getattr(task.task_spec, "event_definition", None)
        if isinstance(event, TimerEventDefinition) and "event_value" in task.internal_data:
            out[task.id] = (event.expression, task.internal_data["event_value"])
    return out


def _ready_user_tasks(inst: Instance) -> list[tuple[str, str]]:
    return sorted((t.id, t.element_id) for t in inst.ready_tasks())


def _run(inst: Instance, bundle: ProcessBundle) -> tuple[Instance, MigrationCheck]:
    """Migrate a copy of the instance; return it with what happened (nothing is saved)."""
    engine = inst.engine
    copy = engine.load(inst.bundle, inst.dump())
    wf = copy._wf
    top, _subs, reasons = _refusals(wf, bundle)
    changed = sorted({_element(t) for t in top.changed if t.state & _ACTIVE})
    before = _ready_user_tasks(copy)
    if reasons:
        return copy, MigrationCheck(False, reasons, changed, [e for _, e in before])
    timers = _timer_values(wf)
    with clock.using(engine.now):
        migrate_workflow(top, wf, bundle.spec)
        for sp_id, sub in _subs.items():
            sp = wf.subprocesses.get(sp_id)
            if sp is not None and sub is not None:
                migrate_workflow(sub, sp, bundle.subprocess_specs[sp.spec.name])
    kept = _restore_timers(wf, timers)
    moved = Instance(engine, bundle, wf)
    moved._advance()
    after = _ready_user_tasks(moved)
    reasons = _verify(moved, bundle, before, after)
    check = MigrationCheck(not reasons, reasons, changed, [e for _, e in before], [e for _, e in after], kept)
    return moved, check


def _restore_timers(wf, timers: dict) -> list[str]:
    kept = []
    for task in wf.get_tasks(state=TaskState.WAITING):
        event = getattr(task.task_spec, "event_definition", None)
        old = timers.get(task.id)
        if old is None or not isinstance(event, TimerEventDefinition) or event.expression != old[0]:
            continue
        task.internal_data["event_value"] = old[1]
        task.internal_data.pop("event_fired", None)
        kept.append(_element(task))
    return sorted(kept)


def _verify(moved: Instance, bundle: ProcessBundle, before, after) -> list[str]:
    reasons = []
    specs = {id(s) for s in bundle.spec.task_specs.values()}
    for sub in bundle.subprocess_specs.values():
        specs |= {id(s) for s in sub.task_specs.values()}
    strays = sorted({_element(t) for t in moved._wf.get_tasks(skip_subprocesses=True) if id(t.task_spec) not in specs})
    if strays:
        reasons.append(f"tasks still point at the old version: {', '.join(strays)}")
    lost = sorted({e for tid, e in before} - {e for tid, e in after})
    if lost or {tid for tid, _ in before} - {tid for tid, _ in after}:
        reasons.append(f"work in progress would be lost: ready tasks {', '.join(lost) or 'changed identity'}")
    try:
        moved.engine.load(bundle, moved.dump())
    except Exception as exc:  # noqa: BLE001 - any failure to reload means the migration is unsafe
        reasons.append(f"the migrated state cannot be reloaded: {exc.__class__.__name__}: {exc}")
    return reasons


def check_migration(inst: Instance, bundle: ProcessBundle) -> MigrationCheck:
    """Tell whether the instance can move to bundle's version, and what would change; changes nothing."""
    return _run(inst, bundle)[1]


def migrate(inst: Instance, bundle: ProcessBundle) -> tuple[Instance, MigrationCheck]:
    """The instance moved onto bundle's version (and what changed), or MigrationRefused naming why not."""
    moved, check = _run(inst, bundle)
    if not check.safe:
        raise MigrationRefused(check.reasons)
    return moved, check
