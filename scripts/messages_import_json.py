"""Move messages from JSON files (the old ``app/web/messages/<locale>/*.json``) into the gettext catalogues.

    bash scripts/messages.sh import-json app/web/messages        # every <locale>/*.json below it
    bash scripts/messages.sh import-json path/to/en/inbox.json    # the locale is the file's folder

A key already in a catalogue takes the JSON's text (a branch that reworded it meant it); each change is
printed. English names of diagram steps (``step.<id>``) get their Chinese from the diagrams in
``processes/``. Delete the JSON files afterwards (``git rm``): the app refuses to start beside them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "web" / "translations"
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}  # the JSON folders' names -> gettext's


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load(locale: str) -> Catalog:
    path = po_path(locale)
    if path.exists():
        with path.open("rb") as f:
            return read_po(f, locale=locale)
    return Catalog(locale=locale, project="complaintflow", charset="utf-8")


def save(catalog: Catalog, locale: str) -> None:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        # Sorted, no header, file locations or wrapping: keys added on two branches merge as separate lines.
        write_po(f, catalog, width=0, no_location=True, omit_header=True, sort_output=True, ignore_obsolete=True)


def json_files(paths: list[str]) -> list[tuple[str, Path]]:
    """(gettext locale, file) for each JSON file named or found below a folder named."""
    out = []
    for arg in paths:
        path = Path(arg)
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        for file in files:
            folder = next((p.name for p in file.parents if p.name in LOCALES), None)
            if folder is None:
                raise SystemExit(f"{file}: not inside a zh-CN/ or en/ folder; cannot tell its language")
            out.append((LOCALES[folder], file))
    return out


def diagram_step_names() -> dict[str, str]:
    """element id -> the diagrams' (Chinese) name, for steps whose names only had English messages."""
    names: dict[str, str] = {}
    for file in sorted((ROOT / "processes").glob("*.bpmn")):
        for el in etree.parse(str(file)).iter():
            if isinstance(el.tag, str) and el.get("id") and el.get("name"):
                names.setdefault(el.get("id"), " ".join(el.get("name").split()))
    return names


def main(paths: list[str]) -> None:
    if not paths:
        raise SystemExit("usage: bash scripts/messages.sh import-json <file.json or folder>...")
    catalogues = {locale: load(locale) for locale in LOCALES.values()}
    imported = 0
    for locale, file in json_files(paths):
        catalogue = catalogues[locale]
        for key, text in json.loads(file.read_text(encoding="utf-8")).items():
            old = catalogue.get(key)
            if old is not None and old.string and old.string != text:
                print(f"{locale} {key}: {old.string!r} -> {text!r}")
            if old is None:
                catalogue.add(key, text)
            else:
                old.string = text  # Catalog.add keeps an existing entry's text
            imported += 1
    zh, names = catalogues["zh_Hans_CN"], diagram_step_names()
    for message in catalogues["en"]:
        key = message.id
        if key and key.startswith("step.") and not (zh.get(key) and zh.get(key).string):
            name = names.get(key.removeprefix("step."))
            if name:
                zh.add(key, name)
    for locale, catalogue in catalogues.items():
        save(catalogue, locale)
    print(f"{imported} messages imported; now: git rm the JSON files, bash scripts/messages.sh compile")


if __name__ == "__main__":
    main(sys.argv[1:])
