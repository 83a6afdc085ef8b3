"""Tell whether requirements.lock still matches pyproject.toml: every pinned dependency there
(extras included) must be in the lock at the same version. Exit 1 naming the ones that are not."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*==\s*([^\s;,\\]+)")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def disagreements(pyproject: str, lock: str) -> list[str]:
    project = tomllib.loads(pyproject)["project"]
    wanted = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        wanted += extra
    locked = {normalized(m[1]): m[2] for m in map(PIN.match, lock.splitlines()) if m}
    out = []
    for requirement in wanted:
        pin = PIN.match(requirement)
        if pin is None:
            out.append(f"{requirement}: not pinned with == in pyproject.toml")
        elif locked.get(normalized(pin[1])) != pin[2]:
            out.append(f"{requirement}: the lock has {locked.get(normalized(pin[1]), 'nothing')}")
    return out


def main() -> int:
    lock = ROOT / "requirements.lock"
    if not lock.exists():
        print("requirements.lock is missing: run bash scripts/lock.sh", file=sys.stderr)
        return 1
    problems = disagreements((ROOT / "pyproject.toml").read_text(), lock.read_text())
    for problem in problems:
        print(f"requirements.lock is out of date: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
