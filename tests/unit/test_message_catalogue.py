"""The catalogues hold exactly the keys the code uses, each translated in both languages.

The keys used are what ``bash scripts/messages.sh extract`` finds (``t('...')`` and ``N_('...')`` in
app/web's templates and Python, with babel.cfg's method map); keys built from a code are listed with
``N_`` in ``app/web/message_codes.py``.
"""

from __future__ import annotations

import re
from configparser import ConfigParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.web.i18n import GETTEXT_LOCALES, TRANSLATIONS_DIR

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _used_keys() -> set[str]:
    config = ConfigParser()
    config.read(ROOT / "babel.cfg")
    method_map = [(section.split(":", 1)[1].strip(), section.split(":", 1)[0]) for section in config.sections()]
    found = extract_from_dir(str(ROOT / "app" / "web"), method_map, keywords={"t": None, "N_": None})
    return {message for _file, _line, message, _comments, _context in found}


def _catalogue(folder: str):
    with (TRANSLATIONS_DIR / folder / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m for m in read_po(f, locale=folder) if m.id}


@pytest.fixture(scope="module")
def used() -> set[str]:
    return _used_keys()


@pytest.mark.parametrize("folder", sorted(GETTEXT_LOCALES.values()))
def test_every_key_used_is_translated_and_every_key_translated_is_used(used, folder):
    catalogue = _catalogue(folder)
    assert sorted(used - set(catalogue)) == [], f"keys used but missing in {folder}: bash scripts/messages.sh update"
    assert sorted(k for k, m in catalogue.items() if not m.string) == [], f"keys without a {folder} translation"
    assert sorted(k for k, m in catalogue.items() if m.fuzzy) == [], "fuzzy entries are not compiled: check them"
    assert sorted(set(catalogue) - used) == [], (
        "keys no template or view uses (list keys built from a code in app/web/message_codes.py)"
    )


def test_placeholders_match_between_languages():
    zh, en = _catalogue("zh_Hans_CN"), _catalogue("en")
    differ = [
        k for k in zh if k in en and set(PLACEHOLDER.findall(zh[k].string)) != set(PLACEHOLDER.findall(en[k].string))
    ]
    assert differ == []


def test_chinese_has_no_english_sentence_and_english_no_chinese():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    zh, en = _catalogue("zh_Hans_CN"), _catalogue("en")
    # Chinese that an English reader still sees as Chinese: the language's own name, a sample of the
    # State Council's notice, sample labels of a Chinese data file.
    quoting_chinese = {"locale.zh-CN", "calendar.example_text", "ti.label_map_help"}
    assert [k for k, m in en.items() if cjk.search(m.string) and k not in quoting_chinese] == []
    # A Chinese message may name a product or a format (BPMN, Excel, CSV), never be an English sentence.
    assert [k for k, m in zh.items() if not cjk.search(m.string) and re.search(r"[a-z]{3,} [a-z]{3,}", m.string)] == []
