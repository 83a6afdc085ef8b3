"""Deploy process models as new versions; running instances stay on theirs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from sqlalchemy import func, select, update

from ...engine import DiagramProblem, model_hash, xml_text
from ...errors import Forbidden, Invalid, NotFound
from ...models import ProcessVersion
from .checks import review_model
from ..runtime import Runtime

log = logging.getLogger(__name__)
FILES, OWNER = "files", "owner"  # process_version.source
FOLDER_NOTE = "deployed from processes/"  # the migration that added the source backfilled from it


@dataclass(frozen=True)
class Deployed:
    process_id: str
    version: int
    version_id: int
    created: bool  # False when the same files were already the current version
    warnings: list[DiagramProblem] = field(default_factory=list)
    # A folder deploy that found an owner's version current: the file version is stored, not current.
    held_for: int | None = None  # the owner's current version it did not replace


def problems_as_errors(problems: list[DiagramProblem]) -> list[dict]:
    # the code is a check's (check.*): the pages say it as the editor does (web/diagram_problems.py)
    return [p.as_dict() | {"field": p.element_id, "message": _describe(p), "code": p.code} for p in problems]


def _describe(p: DiagramProblem) -> str:
    where = []
    if p.element_id:
        where.append(f"element '{p.element_id}'" + (f" ({p.element_name})" if p.element_name else ""))
    if p.line:
        where.append(f"line {p.line}")
    if p.file_name:
        where.append(p.file_name)
    return f"{p.message} [{', '.join(where)}]" if where else p.message


def _decode(files: Mapping[str, bytes]) -> dict[str, str]:
    out = {}
    for name, data in files.items():
        try:
            out[name] = data.decode("utf-8") if name.endswith(".json") else xml_text(data)
        except (UnicodeDecodeError, LookupError) as exc:
            raise Invalid(
                "a file is not text in the encoding it declares",
                [
                    {
                        "field": name,
                        "message": f"not text in its declared encoding (UTF-8 if none): {exc}",
                        "code": "import.encoding",
                        "params": {"file": name, "detail": str(exc)},
                    }
                ],
            ) from exc
    return out


def deploy_model(
    rt: Runtime,
    bpmn_files: Mapping[str, bytes],
    other_files: Mapping[str, bytes] | None = None,
    user_id: int | None = None,
    note: str = "",
    process_id: str | None = None,
    strict: bool = False,
    source: str = OWNER,
    force: bool = False,
) -> Deployed:
    """Check and deploy BPMN files (+ forms, DMN) as the next version of their process.

    A diagram that fails never replaces the deployed one. ``strict`` (what the API, the editor and
    ``deploy`` of processes/ use) blocks on every error of the deploy review (schema, parser, forms,
    lanes, expressions, paths, lint); without it, fixtures deployed from code are held to the
    parser and their forms only.

    ``source=FILES`` (the processes/ folder, deployed at every start) deploys nothing when the files
    are those it last deployed from files, whatever was deployed since; and when a process owner's
    version is current, the file version is stored but not made current (``held_for``), unless
    ``force``. So a restart never undoes an owner's deployment.
    """
    if not bpmn_files:
        raise Invalid("no BPMN file", [{"field": "file", "message": "upload a .bpmn file", "code": "model.no_bpmn"}])
    other = dict(other_files or {})
    texts = _decode({**bpmn_files, **other})
    review = review_model(rt, bpmn_files, other, process_id)
    blocking = review.errors if strict else [p for p in review.errors if p.rule in ("parser", "form")]
    if blocking or review.bundle is None:
        raise Invalid(
            "the diagram cannot be deployed", problems_as_errors(blocking or review.errors), code="model.cannot_deploy"
        )
    bundle, forms = review.bundle, review.forms
    texts.update(forms)

    digest = model_hash({n: t.encode() for n, t in texts.items()})
    main = next(iter(sorted(bpmn_files)))
    now = rt.clock.now()
    with rt.db.write() as s:
        versions = select(ProcessVersion).where(ProcessVersion.process_id == bundle.process_id)
        current = s.scalars(versions.where(ProcessVersion.is_current.is_(True))).first()
        if source == FILES:
            last_from_files = s.scalars(
                versions.where(ProcessVersion.source == FILES).order_by(ProcessVersion.version.desc()).limit(1)
            ).first()
            if last_from_files is not None and last_from_files.hash == digest:
                held = current.version if current is not None and current.id != last_from_files.id else None
                if force and held is not None:  # the files are stored already: make that version current
                    s.execute(
                        update(ProcessVersion)
                        .where(ProcessVersion.process_id == bundle.process_id)
                        .values(is_current=False)
                    )
                    last_from_files.is_current, held = True, None
                return Deployed(
                    bundle.process_id, last_from_files.version, last_from_files.id, False, review.warnings, held
                )
        if current is not None and current.hash == digest:
            return Deployed(bundle.process_id, current.version, current.id, False, review.warnings)
        hold = source == FILES and not force and current is not None and current.source != FILES
        last = (
            s.scalar(select(func.max(ProcessVersion.version)).where(ProcessVersion.process_id == bundle.process_id))
            or 0
        )
        if not hold:
            s.execute(
                update(ProcessVersion).where(ProcessVersion.process_id == bundle.process_id).values(is_current=False)
            )
        row = ProcessVersion(
            process_id=bundle.process_id,
            version=last + 1,
            name=bundle.name,
            bpmn_file=main,
            files=texts,
            hash=digest,
            note=note,
            deployed_by_id=user_id,
            deployed_at=now,
            is_current=not hold,
            source=source,
        )
        s.add(row)
        s.flush()
        return Deployed(
            bundle.process_id, row.version, row.id, True, review.warnings, current.version if hold else None
        )


def make_current(rt: Runtime, viewer, process_id: str, version: int) -> dict:
    """Make a stored version the one new instances start on (process owners); running ones keep theirs."""
    if not viewer.can("model.edit"):
        raise Forbidden("only process owners choose the current version", code="model.not_owner")
    with rt.db.write() as s:
        row = s.scalars(
            select(ProcessVersion).where(ProcessVersion.process_id == process_id, ProcessVersion.version == version)
        ).first()
        if row is None:
            raise NotFound(
                f"process '{process_id}' has no version {version}",
                code="process.version_not_found",
                params={"process": process_id, "version": version},
            )
        if not row.is_current:
            s.execute(update(ProcessVersion).where(ProcessVersion.process_id == process_id).values(is_current=False))
            row.is_current = True
        return {"process_id": process_id, "version": version, "is_current": True}


def deploy_directory(
    rt: Runtime, processes_dir: Path, user_id: int | None = None, force: bool = False
) -> list[Deployed]:
    """Deploy every top-level diagram of a folder with the diagrams it calls and its forms.

    Only a diagram whose files changed since they were last deployed from files becomes a new
    version, and never current over a process owner's version (see deploy_model); ``force`` makes
    changed files current anyway. Each held version is logged.
    """
    folder = Path(processes_dir)
    bpmn = {p.name: p.read_bytes() for p in sorted(folder.glob("*.bpmn"))}
    dmn = {p.name: p.read_bytes() for p in sorted(folder.glob("*.dmn"))}
    declared = {name: _processes_in(data) for name, data in bpmn.items()}
    called = {c for _, calls in declared.values() for c in calls}
    results = []
    for name, (processes, _calls) in declared.items():
        main = [pid for pid in processes if pid not in called]
        if not main:
            continue  # a called diagram: deployed with each caller
        needed = {name} | {other for other, (procs, _) in declared.items() if set(procs) & _calls_of(name, declared)}
        files = {n: bpmn[n] for n in sorted(needed)}
        deployed = deploy_model(
            rt, files, dmn, user_id, FOLDER_NOTE, process_id=main[0], strict=True, source=FILES, force=force
        )
        if deployed.created and deployed.held_for is not None:
            log.warning(
                "%s: %s changed; stored as version %d but NOT made current: version %d, deployed by a "
                "process owner, stays current (make it current in the model library, or "
                "`complaintflow deploy --force`)",
                deployed.process_id,
                name,
                deployed.version,
                deployed.held_for,
            )
        results.append(deployed)
    return results


def _processes_in(data: bytes) -> tuple[list[str], set[str]]:
    from ...engine.parsing import BPMN_NS, read_xml

    root = read_xml(data, "")
    processes = [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("isExecutable", "true") == "true"]
    calls = {c.get("calledElement") for c in root.iter(f"{{{BPMN_NS}}}callActivity")}
    return processes, calls


def _calls_of(name: str, declared: dict[str, tuple[list[str], set[str]]]) -> set[str]:
    """Processes a diagram calls, directly or through the diagrams it calls."""
    seen: set[str] = set()
    todo = set(declared[name][1])
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        for procs, calls in declared.values():
            if pid in procs:
                todo |= calls
    return seen
