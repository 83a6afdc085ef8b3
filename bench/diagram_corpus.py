"""Measure how many diagrams of a corpus pass the deploy check, and whether those that deploy start.

    python bench/diagram_corpus.py PATH [--start] [--verbose]

PATH is a folder searched recursively for *.bpmn (SpiffWorkflow's tests/, a Camunda project...).
Each diagram is checked through POST /api/v1/process-models/check with the files it references
beside it: the called diagrams (calledElement), the DMN tables (decision ids) and the JSON forms
it names, found in its own folder or below it. With --start each diagram that passes is deployed and started
through the start service; an exception that is not one of the service's own errors (which the
API answers with a 4xx) is what a user would see as a 500, and is counted and printed.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REFERENCE = re.compile(
    rb"(?:calledElement|calledDecisionId|decisionRef|formJsonSchemaFilename|"
    rb'formUiSchemaFilename)"?\s*(?:=\s*"|value="|>)([^"<]+)'
)
DEFINES = re.compile(rb'<(?:\w+:)?(?:process|decision)\b[^>]*\bid="([^"]+)"')


def _defined_in(folder: Path) -> dict[str, Path]:
    out: dict[str, Path] = {}
    # the diagram's own folder first, then its sub-folders (DMN tables often sit in dmn/)
    for path in sorted(folder.rglob("*"), key=lambda p: (len(p.relative_to(folder).parts), str(p))):
        if path.suffix in (".bpmn", ".dmn") or path.name.endswith(".bpmn20.xml"):
            for ident in DEFINES.findall(path.read_bytes()):
                out.setdefault(ident.decode(), path)
    return out


def referenced_files(diagram: Path) -> dict[str, bytes]:
    """The files beside a diagram that it (or what it calls) references, transitively."""
    defined = _defined_in(diagram.parent)
    found: dict[str, bytes] = {}
    todo = [diagram]
    while todo:
        for ref in REFERENCE.findall(todo.pop().read_bytes()):
            name = ref.decode().strip()
            path = defined.get(name) or (diagram.parent / name if (diagram.parent / name).is_file() else None)
            if path is None or path == diagram or path.name in found:
                continue
            found[path.name] = path.read_bytes()
            if path.suffix == ".bpmn":
                todo.append(path)
    return found


def make_app(workdir: Path):
    from app import create_app
    from app.db import Database
    from app.demo.users import seed_demo_users
    from app.domain.clock import FixedClock
    from app.migrate import upgrade
    from app.services.accounts.users import ensure_groups
    from datetime import datetime, timezone

    url = f"sqlite:///{workdir / 'corpus.db'}"
    db = Database(url)
    upgrade(db)
    db.dispose()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "UPLOAD_DIR": str(workdir),
            "SLA_POLICY": str(ROOT / "config" / "sla.toml"),
        },
        clock=FixedClock(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)),
    )
    rt = app.extensions["complaintflow"]
    ensure_groups(rt)
    seed_demo_users(rt)
    return app, rt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--start", action="store_true", help="deploy and start each diagram that passes")
    parser.add_argument("--verbose", action="store_true", help="print every blocking problem")
    args = parser.parse_args()
    diagrams = sorted(args.path.rglob("*.bpmn"))
    workdir = Path(tempfile.mkdtemp(prefix="corpus-"))
    try:
        return run(args, diagrams, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, diagrams: list[Path], workdir: Path) -> int:
    from app.errors import ServiceError
    from app.domain.actors import SYSTEM
    from app.services.instances.store import start_instance

    app, rt = make_app(workdir)
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "owner", "password": "demo1234"}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    passed, blockers, crashes, started = [], Counter(), [], 0
    for diagram in diagrams:
        files = {"file": (io.BytesIO(diagram.read_bytes()), diagram.name)}
        for i, (name, data) in enumerate(referenced_files(diagram).items()):
            files[f"f{i}"] = (io.BytesIO(data), name)
        r = client.post(
            "/api/v1/process-models/check", data=dict(files), headers=headers, content_type="multipart/form-data"
        )
        if r.status_code != 200:
            blockers[f"HTTP {r.status_code}"] += 1
            print(f"FAIL {diagram.relative_to(args.path)}: HTTP {r.status_code} {r.get_data(as_text=True)[:200]}")
            continue
        body = r.get_json()
        errors = [p for p in body["problems"] if p["severity"] == "error"]
        if errors:
            for rule in {p.get("rule") or "?" for p in errors}:
                blockers[rule] += 1
            if args.verbose:
                for p in errors:
                    print(f"  {diagram.name}: [{p.get('rule')}] {p.get('element_id')}: {p['message'][:160]}")
            continue
        passed.append(diagram)
        if not args.start:
            continue
        files = {"file": (io.BytesIO(diagram.read_bytes()), diagram.name)}
        for i, (name, data) in enumerate(referenced_files(diagram).items()):
            files[f"f{i}"] = (io.BytesIO(data), name)
        d = client.post("/api/v1/process-models", data=files, headers=headers, content_type="multipart/form-data")
        if d.status_code not in (200, 201):
            crashes.append((diagram, f"deploy answered {d.status_code}: {d.get_data(as_text=True)[:200]}"))
            continue
        try:
            with app.app_context():
                start_instance(rt, d.get_json()["process_id"], {}, SYSTEM)
            started += 1
        except ServiceError:
            started += 1  # a clear 4xx (or an incident) is an answer, not a crash
        except Exception as exc:  # noqa: BLE001 - this is what the measurement looks for
            crashes.append((diagram, f"{type(exc).__name__}: {exc}"[:300]))
    print(f"\n{len(passed)} of {len(diagrams)} diagrams pass the deploy check")
    print("blocking rules (diagrams blocked by each):", dict(blockers.most_common()))
    if args.start:
        print(f"{started} of {len(passed)} started without a crash; crashes: {len(crashes)}")
        for diagram, what in crashes:
            print(f"  CRASH {diagram.name}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
