"""Run process instances: start, ready tasks, complete, fire timers, snapshot.

The only place that drives SpiffWorkflow's workflow objects. Callers get TaskView,
TimerView and CompletedStep values; they never see a SpiffWorkflow class.

Example::

    engine = Engine(functions={"sla_due": ...}, now=clock.now)
    inst = engine.start(bundle, {"customer_name": "张三"})
    task = inst.ready_tasks()[0]
    inst.complete(task.id, {"category": "billing"})
    state = inst.dump()            # JSON without the spec
    again = engine.load(bundle, state)
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
from datetime import datetime
from typing import Any, Callable, Iterator, Mapping
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from . import clock, serializer
from .parsing import ProcessBundle
from .sandbox import SandboxedEnvironment, SandboxViolation
from .sandbox.dates import PRINT_SINK
from .sandbox.json_values import check_task_data
from .types import (
    CompletedStep,
    EngineError,
    FailedService,
    ServiceCallFailed,
    ServiceFailed,
    TaskNotReady,
    TaskView,
    TimerView,
    without_reprs,
)
from .work_limits import RunBudget, WorkLimitExceeded, WorkLimits, check_rounds, guard_bundle, guard_workflow

NowFn = Callable[[], datetime]

# The bundle whose instance is running: functions offered to its expressions (sla_due) read the
# deployed version's own settings from it.
_running: contextvars.ContextVar[ProcessBundle | None] = contextvars.ContextVar("running_bundle", default=None)


def running_bundle() -> ProcessBundle | None:
    """The bundle of the instance the engine is running or evaluating in, else None."""
    return _running.get()


@contextlib.contextmanager
def _running_bundle(bundle: ProcessBundle) -> Iterator[None]:
    token = _running.set(bundle)
    try:
        yield
    finally:
        _running.reset(token)


class Engine:
    """Runs bundles with one script environment and one clock."""

    def __init__(
        self,
        functions: Mapping[str, Callable] | None = None,
        context_functions: Mapping[str, Callable] | None = None,
        now: NowFn | None = None,
        limits: WorkLimits = WorkLimits(),
        services: Callable | None = None,
    ):
        clock.install()
        self.limits = limits
        self._guarded: set[int] = set()  # bundles whose multi-instance tasks are bounded
        env = SandboxedEnvironment(
            functions=dict(functions or {}), context_functions=dict(context_functions or {}), services=services
        )
        self.script_engine = _ScriptEngine(environment=env)
        self.now = now

    def start(self, bundle: ProcessBundle, data: Mapping[str, Any] | None = None) -> "Instance":
        """Start an instance with initial data and run it to its first wait."""
        wf = BpmnWorkflow(bundle.spec, dict(bundle.subprocess_specs), script_engine=self.script_engine)
        inst = Instance(self, bundle, self._guard(bundle, wf))
        start = wf.task_tree
        start.data.update(copy.deepcopy(dict(data or {})))
        try:
            inst._advance()
        except ServiceFailed as exc:  # started all the same: the caller keeps it and opens an incident
            exc.started = inst
            raise
        return inst

    def load(self, bundle: ProcessBundle, state: bytes | str) -> "Instance":
        """Rebuild an instance from dump()'s state and its bundle."""
        wf = serializer.load(state, bundle.spec, bundle.subprocess_specs)
        wf.script_engine = self.script_engine
        return Instance(self, bundle, self._guard(bundle, wf))

    def _guard(self, bundle: ProcessBundle, wf: BpmnWorkflow) -> BpmnWorkflow:
        if id(bundle.spec) not in self._guarded:  # a bundle is parsed once and cached: guard it once
            guard_bundle([bundle.spec, *bundle.subprocess_specs.values()], self.limits)
            self._guarded.add(id(bundle.spec))
        guard_workflow(wf, self.limits)
        return wf


class _ScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine, calling service tasks' connectors without its error wrapper.

    SpiffWorkflow 3.2's call_service wraps a failure with a name it never defined (a NameError
    on 'script' hides the real cause); the failure goes as it is to Instance._run, which names the element.
    """

    def call_service(self, task, **kwargs):
        return self.environment.call_service(task.data, **kwargs)


class Instance:
    """One running process instance."""

    def __init__(self, engine: Engine, bundle: ProcessBundle, wf: BpmnWorkflow):
        self.engine = engine
        self.bundle = bundle
        self._wf = wf
        self.steps: list[CompletedStep] = []  # engine-run elements since load, for the audit trail
        # Memos: the projection and the caller both ask, and SpiffWorkflow walks the task tree to answer.
        self._ready: list[TaskView] | None = None
        self._timers: list[TimerView] | None = None
        self._completed: bool | None = None
        self._running = None  # the task the engine is running, to name it when it fails
        self._printed: list[tuple[str, str]] = []  # (element id, line) print() wrote, until the write takes them

    # -- reading ---------------------------------------------------------------------------
    @property
    def completed(self) -> bool:
        if self._completed is None:
            self._completed = self._wf.is_completed()
        return self._completed

    @property
    def data(self) -> dict[str, Any]:
        """The instance's current data: the workflow's when finished, else the last task's."""
        if self.completed:
            return dict(self._wf.data)
        last = self._wf.last_task
        return dict(last.data) if last is not None else dict(self._wf.task_tree.data)

    def ready_tasks(self) -> list[TaskView]:
        """The user tasks waiting for a person (shared views: read them, do not change them)."""
        if self._ready is None:
            self._scan()
        return self._ready or []

    def waiting_timers(self) -> list[TimerView]:
        """Timers this instance waits on, with their due instants."""
        if self._timers is None:
            self._scan()
        return self._timers or []

    def _scan(self) -> None:
        """Ready user tasks and waiting timers in one walk of the task tree (each save asks for both)."""
        ready, timers = [], []
        wanted = TaskState.READY | TaskState.WAITING if self.bundle.has_timers else TaskState.READY
        for task in self._wf.get_tasks(state=wanted):
            if task.state == TaskState.READY:
                if task.task_spec.manual:
                    ready.append(self._ready_view(task))
            else:
                timer = self._timer_view(task)
                if timer is not None:
                    timers.append(timer)
        self._ready, self._timers = ready, timers

    def _ready_view(self, task) -> TaskView:
        spec = self.bundle.user_tasks.get(task.task_spec.name)
        return TaskView(
            id=str(task.id),
            element_id=task.task_spec.name,
            name=spec.name if spec else (task.task_spec.bpmn_name or task.task_spec.name),
            lane=task.task_spec.lane,
            form=spec.form if spec else None,
            ui_form=spec.ui_form if spec else None,
            instructions=spec.instructions if spec else None,
            candidate_group_expression=spec.candidate_group_expression if spec else None,
            properties=dict(spec.properties) if spec else {},
            data=copy.deepcopy(task.data),
        )

    def _timer_view(self, task) -> TimerView | None:
        event = getattr(task.task_spec, "event_definition", None)
        if not isinstance(event, TimerEventDefinition):
            return None
        value = task.internal_data.get("event_value")
        if isinstance(value, dict):  # cycle timers keep {"next": ...}
            value = value.get("next")
        due = clock.utc(datetime.fromisoformat(value)) if isinstance(value, str) else None
        element = self.bundle.elements.get(task.task_spec.name)
        props = (getattr(task.task_spec, "extensions", {}) or {}).get("properties", {}) or {}
        return TimerView(
            task_id=str(task.id),
            element_id=task.task_spec.name,
            name=task.task_spec.bpmn_name or task.task_spec.name,
            due_at=due,
            attached_to=element.attached_to if element else None,
            properties=dict(props),
        )

    def task_data(self, task_id: str) -> dict[str, Any]:
        """A copy of one task's data: a completed step's data as it left it, also inside a called process."""
        return copy.deepcopy(dict(self._task(task_id).data))

    def evaluate(self, task_id: str, expression: str) -> Any:
        """Evaluate an expression in a task's data (e.g. a candidateGroupExpression)."""
        task = self._task(task_id)
        try:
            with _running_bundle(self.bundle):
                return self.engine.script_engine.evaluate(task, expression)
        except (SpiffWorkflowException, SandboxViolation) as exc:
            raise EngineError(f"cannot evaluate '{expression}': {exc}", task.task_spec.name) from exc

    # -- changing --------------------------------------------------------------------------
    def complete(self, task_id: str, data: Mapping[str, Any]) -> list[CompletedStep]:
        """Complete a ready user task with data and run the engine to its next wait."""
        task = self._task(task_id)
        if task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotReady(f"task {task_id} is {TaskState.get_name(task.state)}")
        task.data.update(copy.deepcopy(dict(data)))
        self._changed()
        before = len(self.steps)
        self._running = task
        self._run(task.run)
        self._run(lambda: check_rounds(task, self.engine.limits))  # a loop through people's tasks
        self.steps.append(_step(task))
        self._advance()
        return self.steps[before:]

    def failed_services(self) -> list[FailedService]:
        """Service tasks whose call failed and that wait for a retry (retry_failed)."""
        return [
            FailedService(str(t.id), t.task_spec.name, t.task_spec.bpmn_name or t.task_spec.name)
            for t in self._wf.get_tasks(state=TaskState.ERROR)
            if hasattr(t.task_spec, "operation_name")
        ]

    def retry_failed(self, task_id: str | None = None) -> list[CompletedStep]:
        """Run the failed service tasks (or one of them) again and advance; ServiceFailed if one fails again."""
        failed = [t for t in self.failed_services() if task_id is None or t.task_id == task_id]
        if not failed:
            raise TaskNotReady("no service task of this instance waits for a retry")
        before = len(self.steps)
        self._changed()
        for each in failed:
            task = self._task(each.task_id)
            task._set_state(TaskState.READY)  # SpiffWorkflow runs READY tasks; ERROR is where the call left it
        self._advance()
        return self.steps[before:]

    def fire_timers(self) -> list[CompletedStep]:
        """Fire every timer whose due time has passed (by the engine's clock) and advance."""
        before = len(self.steps)
        self._changed()
        with clock.using(self.engine.now):
            self._run(self._wf.refresh_timers)
        self._advance()
        return self.steps[before:]

    def set_timer_due(self, task_id: str, due_at: datetime) -> None:
        """Move a waiting timer's due instant (suspend/resume, extension, calendar recompute).

        Example: ``inst.set_timer_due(timer.task_id, timer.due_at + timedelta(days=1))``
        """
        task = self._task(task_id)
        event = getattr(task.task_spec, "event_definition", None)
        if task.state != TaskState.WAITING or not isinstance(event, TimerEventDefinition):
            raise TaskNotReady(f"task {task_id} is not a waiting timer")
        self._changed()
        value = clock.utc(due_at).isoformat()
        current = task.internal_data.get("event_value")
        if isinstance(current, dict):  # a cycle timer: move its next firing only
            task.internal_data["event_value"] = {**current, "next": value}
        else:
            task.internal_data["event_value"] = value

    def rearm_sla_timers(
        self, element_id: str, sla_step: str | None, due: dict[str, datetime], skip: frozenset[str] = frozenset()
    ) -> dict[str, str]:
        """Set a ready task's boundary SLA timers of one step to new instants, re-arming fired ones.

        due maps an slaKind ("breach", "warning") to its new instant (sla_step None: every SLA step's
        timers on the task but those in skip). A timer still waiting moves;
        one that already fired (its escalation branch ran) gets a fresh waiting sibling, so a new
        breach at the new deadline escalates again; the task's completion cancels it as usual.
        Returns {boundary element id: "moved" | "rearmed"}.

        Example: ``inst.rearm_sla_timers("classify", "classify", {"breach": new_due})``
        """
        main = next((t for t in self._wf.get_tasks(state=TaskState.READY) if t.task_spec.name == element_id), None)
        if main is None:
            raise TaskNotReady(f"{element_id} is not ready")
        split = main.parent
        self._changed()
        done: dict[str, str] = {}
        for spec in split.task_spec.outputs:
            props = (getattr(spec, "extensions", {}) or {}).get("properties", {}) or {}
            kind = props.get("slaKind")
            if (
                (sla_step is not None and props.get("slaStep") != sla_step)
                or props.get("slaStep") in skip
                or kind not in due
                or spec.name in done
            ):
                continue
            if not isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
                continue
            value = clock.utc(due[kind]).isoformat()
            waiting = [c for c in split.children if c.task_spec is spec and c.state == TaskState.WAITING]
            if waiting:
                waiting[0].internal_data["event_value"] = value
                done[spec.name] = "moved"
            else:
                child = split._add_child(spec, TaskState.WAITING)
                child.internal_data["event_value"] = value
                # refresh_timers() only looks at the event manager's tasks: a load registers waiting
                # events, a task made here must be registered by hand.
                child.workflow.top_workflow.event_manager.add_task(child)
                # Its escalation path must exist below it (as SpiffWorkflow's cycle timers do) for the
                # completed event to run on into the 督办 task.
                spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
                done[spec.name] = "rearmed"
        return done

    def dump(self) -> bytes:
        """The instance's state (compressed JSON, without the spec); Engine.load takes it back."""
        return serializer.dump(self._wf)

    def forget_steps(self) -> None:
        """Start a new call on this object: steps then lists only what runs from now on."""
        self.steps = []

    # -- internals -------------------------------------------------------------------------
    def _changed(self) -> None:
        self._ready = self._timers = self._completed = None

    def _task(self, task_id: str):
        try:
            task = self._wf.get_task_from_id(UUID(task_id))
        except (ValueError, KeyError, SpiffWorkflowException):
            task = None
        if task is None:
            raise TaskNotReady(f"task {task_id} is not part of this instance")
        return task

    def _check_gathered(self, task) -> None:
        """Bound the data the engine gathers without a script: a multi-instance child's data is merged
        into its parent's as it completes, so 200 children each leaving a value just under a script's
        size limit would pile up a gigabyte before the parent finished; stop at the first child past it."""
        parent = task.parent
        if parent is not None and isinstance(parent.task_spec, MultiInstanceTask):
            self._check_data(parent, parent.data, json=False)

    def _check_data(self, task, data: dict, json: bool) -> None:
        try:
            check_task_data(data, self.engine.script_engine.environment.limits, json=json)
        except SandboxViolation as exc:
            spec = task.task_spec
            element_id = getattr(spec, "bpmn_id", None) or spec.name
            raise WorkLimitExceeded(f"{element_id}: {exc}", element_id, spec.bpmn_name or element_id) from exc

    def _advance(self) -> None:
        budget = RunBudget(self.engine.limits)

        def did_complete(task):
            budget.after(task)
            self._check_gathered(task)
            if task.task_spec.name in self.bundle.elements:  # skip Spiff's internal helper tasks
                step = _step(task)
                if step.kind in _DATA_FROM_EXPRESSIONS:  # scripts check their own data in the sandbox
                    self._check_data(task, task.data, json=True)
                self.steps.append(step)

        def will_complete(task):
            self._running = task
            budget.before(task)

        self._changed()
        with clock.using(self.engine.now):
            self._run(
                lambda: self._wf.do_engine_steps(will_complete_task=will_complete, did_complete_task=did_complete)
            )
        # An uncaught BPMN error lets SpiffWorkflow finish "successfully"; it only shows here.
        for event in self._wf.get_events():
            definition = event.event_definition
            if definition.__class__.__name__ == "ErrorEventDefinition":
                code = getattr(definition, "code", "") or definition.name
                raise EngineError(f"uncaught BPMN error '{code}'")

    def take_printed(self) -> list[tuple[str, str]]:
        """The lines the diagram's scripts printed since the last call: (element id, text)."""
        lines, self._printed = self._printed, []
        return lines

    def _print(self, text: str) -> None:
        spec = getattr(self._running, "task_spec", None)
        self._printed.append((getattr(spec, "name", "") or "", text))

    def _run(self, fn: Callable[[], Any]) -> None:
        token = PRINT_SINK.set(self._print)
        try:
            self._run_printing(fn)
        finally:
            PRINT_SINK.reset(token)

    def _run_printing(self, fn: Callable[[], Any]) -> None:
        with clock.using(self.engine.now), _running_bundle(self.bundle):
            try:
                fn()
            except WorkLimitExceeded as exc:
                raise EngineError(str(exc), exc.element_id, exc.element_name) from exc
            except SandboxViolation as exc:
                raise EngineError(f"refused by the sandbox: {exc}") from exc
            except SpiffWorkflowException as exc:
                spec = getattr(exc, "task_spec", None)
                element_id = getattr(spec, "name", "") or ""
                name = (getattr(spec, "bpmn_name", "") or "") if spec else ""
                # WorkflowTaskException wraps the original error only as its context.
                inner = exc.__cause__ or exc.__context__
                cause = f"{exc} ({inner.__class__.__name__}: {inner})" if inner is not None else str(exc)
                if isinstance(inner, SandboxViolation):
                    cause = f"refused by the sandbox: {inner}"
                raise EngineError(f"{element_id or 'engine'}: {without_reprs(cause)}", element_id, name) from exc
            except EngineError:
                raise
            except ServiceCallFailed as exc:
                # the task is in ERROR and everything before it done: the caller keeps that and opens an incident
                spec = getattr(getattr(self, "_running", None), "task_spec", None)
                element_id = getattr(spec, "name", "") or ""
                name = (getattr(spec, "bpmn_name", "") or "") if spec else ""
                operator = getattr(spec, "operation_name", "") or ""
                raise ServiceFailed(
                    f"{element_id or 'engine'}: {without_reprs(str(exc))}", element_id, name, operator
                ) from exc
            except Exception as exc:  # noqa: BLE001 - any other failure inside SpiffWorkflow names its element
                # SpiffWorkflow raises plain Python errors for diagrams it parsed but cannot run (a
                # multi-instance over data that is not there, a service task with no operator):
                # they are the diagram's problem at that element, not the server's.
                spec = getattr(getattr(self, "_running", None), "task_spec", None)
                element_id = getattr(spec, "name", "") or ""
                name = (getattr(spec, "bpmn_name", "") or "") if spec else ""
                cause = without_reprs(f"{exc.__class__.__name__}: {exc}")
                raise EngineError(f"{element_id or 'engine'}: {cause}", element_id, name) from exc


# Elements whose results come from expressions outside a script (a DMN row's outputs, collected
# multi-instance outputs): their data is checked to be JSON when they finish.
_DATA_FROM_EXPRESSIONS = {"Business Rule Task", "Call Activity", "Subprocess"}


def _step(task) -> CompletedStep:
    spec = task.task_spec
    return CompletedStep(
        task_id=str(task.id),
        element_id=spec.name,
        name=spec.bpmn_name or spec.name,
        kind=getattr(spec, "description", "") or spec.__class__.__name__,
    )
