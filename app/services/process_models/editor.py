"""The diagram editor's use cases: drafts kept per user, check, diff and deploy of what is being edited.

A draft is the diagram XML plus the forms the owner created or changed; the other forms come
from the current version, then from forms/, as a deploy resolves them. Deploying a draft runs
the same strict review as the API and, when it succeeds, discards the draft.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import delete, select

from ...domain.groups import GROUPS
from ...domain.connectors import CONNECTORS
from ...domain.sla import SEVERITIES, STEPS
from ...domain.sla_override import limit_text
from ...engine import DiagramError, read_models, xml_text
from ...errors import Forbidden, Invalid, NotFound
from ...models import ModelDraft, ProcessVersion
from . import catalog
from .deployment import Deployed, deploy_model
from .checks import review_model
from .diff import diff_files
from ..runtime import Runtime
from ...domain.actors import Viewer

NEW = "_new"  # the process id of a draft for a process not deployed yet
FORM_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.json$")
MAX_DIAGRAM = 5 * 1024 * 1024
MAX_FORM = 512 * 1024

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="definitions_new_process" \
targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="new_process" name="新流程" isExecutable="true">
    <bpmn:startEvent id="start" name="开始" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_new_process">
    <bpmndi:BPMNPlane id="plane_new_process" bpmnElement="new_process">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def require_editor(viewer: Viewer) -> None:
    if not viewer.can("model.edit"):
        raise Forbidden("only process owners edit and deploy diagrams", code="model.not_owner")


def _clean(bpmn: Any, forms: Any) -> tuple[str, dict[str, str]]:
    errors = []
    if not isinstance(bpmn, str) or not bpmn.strip():
        errors.append({"field": "bpmn", "message": "the diagram XML is required", "code": "model.diagram_required"})
    elif len(bpmn.encode("utf-8")) > MAX_DIAGRAM:
        errors.append(
            {
                "field": "bpmn",
                "message": "the diagram is larger than 5 MB",
                "code": "model.diagram_too_large",
                "params": {"mb": MAX_DIAGRAM // 1024 // 1024},
            }
        )
    forms = forms if forms is not None else {}
    if not isinstance(forms, dict):
        errors.append(
            {
                "field": "forms",
                "message": "forms must be an object of file name to JSON text",
                "code": "model.forms_object",
            }
        )
        forms = {}
    for name, text in forms.items():
        if not isinstance(name, str) or not FORM_NAME.match(name):
            errors.append(
                {
                    "field": f"forms.{name}",
                    "message": "a form file name is letters, digits, _ . - and ends with .json",
                    "code": "model.form_name",
                    "params": {"name": str(name)},
                }
            )
        elif not isinstance(text, str) or len(text) > MAX_FORM:
            errors.append(
                {
                    "field": f"forms.{name}",
                    "message": "a form is JSON text of at most 512 KB",
                    "code": "model.form_too_large",
                    "params": {"name": name, "kb": MAX_FORM // 1024},
                }
            )
    if errors:
        raise Invalid("the draft is not valid", errors, code="model.draft_invalid")
    return bpmn, dict(forms)


def _draft(s, viewer: Viewer, process_id: str) -> ModelDraft | None:
    return s.scalars(
        select(ModelDraft).where(ModelDraft.user_id == viewer.id, ModelDraft.process_id == process_id)
    ).first()


def editor_state(rt: Runtime, viewer: Viewer, process_id: str) -> dict[str, Any]:
    """What the editor opens with: the user's draft if any, else the current version's diagram."""
    require_editor(viewer)
    current_version, file_name, bpmn, current_forms = None, None, None, set()
    if process_id != NEW:
        current_version, file_name, bpmn = catalog.main_file(rt, process_id)
        current_forms = {n for n in catalog_files(rt, process_id, current_version) if n.endswith(".json")}
    with rt.db.read() as s:
        draft = _draft(s, viewer, process_id)
        state = {
            "process_id": process_id,
            "current_version": current_version,
            "file_name": file_name,
            "bpmn": draft.bpmn if draft else (bpmn or BLANK),
            "forms": dict(draft.forms) if draft else {},
            "draft": draft is not None,
            "base_version": draft.base_version if draft else current_version,
            "draft_saved_at": draft.updated_at.isoformat() if draft else None,
        }
    library = {p.name for p in Path(rt.forms_dir).glob("*.json")}
    state["available_forms"] = sorted(current_forms | library | set(state["forms"]))
    state["groups"] = [{"code": g.code, "name": g.name_zh, "name_en": g.name_en} for g in GROUPS]
    state["sla_steps"] = list(STEPS)
    # each step's limit in config/sla.toml: what a timer without its own slaLimit counts
    state["sla_policy"] = {
        step: {severity: limit_text(rt.policy.limit(step, severity)) for severity in SEVERITIES} for step in STEPS
    }
    state["connectors"] = [
        {"name": c.name, "parameters": [{"name": p.name, "required": p.required} for p in c.parameters]}
        for c in CONNECTORS.values()
    ]
    return state


def catalog_files(rt: Runtime, process_id: str, version: int) -> dict[str, str]:
    with rt.db.read() as s:
        files = s.scalar(
            select(ProcessVersion.files).where(
                ProcessVersion.process_id == process_id, ProcessVersion.version == version
            )
        )
    return dict(files or {})


def save_draft(
    rt: Runtime, viewer: Viewer, process_id: str, bpmn: Any, forms: Any = None, base_version: int | None = None
) -> dict[str, Any]:
    """Keep the user's edit of a process (one draft per user and process), replacing the previous one."""
    require_editor(viewer)
    bpmn, forms = _clean(bpmn, forms)
    now = rt.clock.now()
    with rt.db.write() as s:
        draft = _draft(s, viewer, process_id)
        if draft is None:
            draft = ModelDraft(
                user_id=viewer.id,
                process_id=process_id,
                bpmn=bpmn,
                forms=forms,
                base_version=base_version,
                updated_at=now,
            )
            s.add(draft)
        else:
            draft.bpmn, draft.forms, draft.updated_at = bpmn, forms, now
            if base_version is not None:
                draft.base_version = base_version
    return {"process_id": process_id, "saved_at": now.isoformat()}


IMPORTABLE = (".bpmn", ".bpmn20.xml", ".xml")


def import_draft(rt: Runtime, viewer: Viewer, file_name: str, data: bytes) -> str:
    """Open any BPMN file (executable or not) as the user's draft of the process it draws; return its id.

    The file is decoded by its XML declaration (a Latin-1 diagram is stored as UTF-8) and need only
    be well-formed BPMN: its problems are for the editor to mark and the owner to fix before deploying.
    """
    require_editor(viewer)
    if not file_name.lower().endswith(IMPORTABLE):
        raise Invalid(
            "not a BPMN file",
            [{"field": "file", "message": "choose a .bpmn or .bpmn20.xml file", "code": "import.not_bpmn"}],
        )
    try:
        text = xml_text(data)
    except (UnicodeDecodeError, LookupError) as exc:
        raise Invalid(
            "the file is not text in the encoding it declares",
            [
                {
                    "field": "file",
                    "message": f"{file_name}: {exc}",
                    "code": "import.encoding",
                    "params": {"file": file_name, "detail": str(exc)},
                }
            ],
        ) from exc
    try:
        models = read_models({file_name: text.encode("utf-8")})
    except DiagramError as exc:
        raise Invalid(
            "the file is not a readable diagram",
            [
                {"field": "file", "message": p.message, "line": p.line, "code": p.code, "params": dict(p.params)}
                for p in exc.problems
            ],
        ) from exc
    processes = [c for m in models for c in m.containers.values() if c.tag == "process"]
    if not processes:
        raise Invalid(
            "the file draws no process",
            [
                {
                    "field": "file",
                    "message": f"{file_name} has no bpmn:process",
                    "code": "import.no_process",
                    "params": {"file": file_name},
                }
            ],
        )
    chosen = next((c for c in processes if c.executable), processes[0]).id
    try:
        catalog.main_file(rt, chosen)
    except NotFound:
        chosen = NEW  # not deployed yet: the editor's draft of a new process, deployed under the diagram's id
    save_draft(rt, viewer, chosen, text)
    return chosen


def discard_draft(rt: Runtime, viewer: Viewer, process_id: str) -> None:
    """Forget the user's draft of a process."""
    require_editor(viewer)
    with rt.db.write() as s:
        s.execute(delete(ModelDraft).where(ModelDraft.user_id == viewer.id, ModelDraft.process_id == process_id))


def form_text(rt: Runtime, viewer: Viewer, process_id: str, name: str) -> str:
    """A form as the editor should show it: the draft's, else the current version's, else forms/."""
    require_editor(viewer)
    if not FORM_NAME.match(name):
        raise NotFound(f"no form '{name}'", code="model.form_not_found", params={"name": name})
    with rt.db.read() as s:
        draft = _draft(s, viewer, process_id)
    if draft is not None and name in draft.forms:
        return draft.forms[name]
    if process_id != NEW:
        try:
            version, _file, _bpmn = catalog.main_file(rt, process_id)
            files = catalog_files(rt, process_id, version)
            if name in files:
                return files[name]
        except NotFound:
            pass
    path = Path(rt.forms_dir) / name
    if path.is_file():
        return path.read_text(encoding="utf-8")
    raise NotFound(f"no form '{name}'", code="model.form_not_found", params={"name": name})


def _file_name(rt: Runtime, process_id: str) -> str:
    if process_id != NEW:
        try:
            return catalog.main_file(rt, process_id)[1]
        except NotFound:
            pass
    return f"{process_id if process_id != NEW else 'process'}.bpmn"


def _files(rt: Runtime, process_id: str, bpmn: str, forms: Mapping[str, str]):
    """The upload a deploy of the edit makes: the edited diagram, the diagrams it calls and the DMN
    tables of the current version (the editor changes only the main diagram), the draft's forms."""
    main = _file_name(rt, process_id)
    bpmn_files, other = {main: bpmn.encode("utf-8")}, {}
    if process_id != NEW:
        try:
            version = catalog.main_file(rt, process_id)[0]
        except NotFound:
            version = None
        for name, text in (catalog_files(rt, process_id, version) if version else {}).items():
            if name.endswith(".bpmn") and name != main:
                bpmn_files[name] = text.encode("utf-8")
            elif name.endswith(".dmn"):
                other[name] = text.encode("utf-8")
    other.update({n: t.encode("utf-8") for n, t in forms.items()})
    return bpmn_files, other


def check_draft(rt: Runtime, viewer: Viewer, process_id: str, bpmn: Any, forms: Any = None) -> list[dict]:
    """Every problem of the edited diagram, as the deploy would find them."""
    require_editor(viewer)
    bpmn, forms = _clean(bpmn, forms)
    bpmn_files, other = _files(rt, process_id, bpmn, forms)
    review = review_model(rt, bpmn_files, other, None if process_id == NEW else process_id)
    return [p.as_dict() for p in review.problems]


def diff_draft(rt: Runtime, viewer: Viewer, process_id: str, bpmn: Any, forms: Any = None) -> dict[str, Any]:
    """What deploying the edit would change against the current version."""
    require_editor(viewer)
    bpmn, forms = _clean(bpmn, forms)
    bpmn_files, other = _files(rt, process_id, bpmn, forms)
    review = review_model(rt, bpmn_files, other, None if process_id == NEW else process_id)
    new = {**{n: d.decode("utf-8") for n, d in bpmn_files.items()}, **forms, **review.forms}
    old: dict[str, str] = {}
    version = None
    if process_id != NEW:
        version = catalog.main_file(rt, process_id)[0]
        old = catalog_files(rt, process_id, version)
    return {"process_id": process_id, "from": version, "to": "draft", **diff_files(old, new)}


def deploy_draft(
    rt: Runtime, viewer: Viewer, process_id: str, bpmn: Any, forms: Any = None, note: str = ""
) -> Deployed:
    """Deploy the edit as the next version (every check enforced) and discard the draft."""
    require_editor(viewer)
    bpmn, forms = _clean(bpmn, forms)
    bpmn_files, other = _files(rt, process_id, bpmn, forms)
    deployed = deploy_model(
        rt, bpmn_files, other, viewer.id, str(note or "")[:500], None if process_id == NEW else process_id, strict=True
    )
    with rt.db.write() as s:
        s.execute(
            delete(ModelDraft).where(
                ModelDraft.user_id == viewer.id, ModelDraft.process_id.in_((process_id, deployed.process_id))
            )
        )
    return deployed
