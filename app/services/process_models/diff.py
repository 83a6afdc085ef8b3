"""What changed between two versions of a process model (or a draft and the current version)."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import select

from ...engine import DiagramError, diff_facts, element_facts, read_models
from ...errors import Invalid, NotFound
from ...models import ProcessVersion
from ..runtime import Runtime

_FORM_KEYS = ("property.formJsonSchemaFilename", "property.formUiSchemaFilename")


def _facts(files: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    bpmn = {n: t.encode("utf-8") for n, t in files.items() if n.endswith((".bpmn", ".bpmn20.xml"))}
    try:
        return element_facts(read_models(bpmn))
    except DiagramError as exc:
        raise Invalid(
            "the diagram cannot be read",
            [
                {
                    "field": p.file_name or "file",
                    "message": p.message,
                    "line": p.line,
                    "code": p.code,
                    "params": dict(p.params),
                }
                for p in exc.problems
            ],
        ) from exc


def diff_files(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, Any]:
    """Elements added, removed and changed, and the form files added, removed and changed.

    A user task whose form file changed content shows as changed too (field ``form content``):
    the form is part of what the task does.
    """
    result = diff_facts(_facts(old), _facts(new))
    old_forms = {n: t for n, t in old.items() if n.endswith(".json")}
    new_forms = {n: t for n, t in new.items() if n.endswith(".json")}
    edited = sorted(n for n in old_forms.keys() & new_forms.keys() if old_forms[n] != new_forms[n])
    result["forms"] = {
        "added": sorted(new_forms.keys() - old_forms.keys()),
        "removed": sorted(old_forms.keys() - new_forms.keys()),
        "changed": edited,
    }
    if edited:
        added = {item["id"] for item in result["added"]}
        by_id = {item["id"]: item for item in result["changed"]}
        for element_id, facts in _facts(new).items():
            names = [facts.get(k) for k in _FORM_KEYS if facts.get(k) in edited]
            if not names or element_id in added:
                continue
            entry = by_id.setdefault(
                element_id, {"id": element_id, "tag": facts.get("tag", ""), "name": facts.get("name", ""), "fields": []}
            )
            entry["fields"].extend({"field": "form content", "old": n, "new": n} for n in names)
        result["changed"] = sorted(by_id.values(), key=lambda item: item["id"])
    return result


def version_files(rt: Runtime, process_id: str, version: int) -> dict[str, str]:
    """The files of one deployed version."""
    with rt.db.read() as s:
        files = s.scalar(
            select(ProcessVersion.files).where(
                ProcessVersion.process_id == process_id, ProcessVersion.version == version
            )
        )
    if files is None:
        raise NotFound(
            f"process '{process_id}' has no version {version}",
            code="process.version_not_found",
            params={"process": process_id, "version": version},
        )
    return dict(files)


def diff_versions(rt: Runtime, process_id: str, from_version: int, to_version: int) -> dict[str, Any]:
    """What changed from one deployed version to another."""
    body = diff_files(version_files(rt, process_id, from_version), version_files(rt, process_id, to_version))
    return {"process_id": process_id, "from": from_version, "to": to_version, **body}
