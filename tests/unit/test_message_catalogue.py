"""The two languages hold the same messages: English is complete, and nothing is English-only except
the English names of diagram steps (their Chinese names are the diagram's own)."""

from app.web.i18n import load_catalogue


def test_every_chinese_message_has_its_english_and_no_english_message_lacks_chinese():
    catalogue = load_catalogue()
    zh, en = set(catalogue["zh-CN"]), set(catalogue["en"])
    assert sorted(zh - en) == [], "messages without English"
    assert sorted(k for k in en - zh if not k.startswith("step.")) == [], "English messages without Chinese"


def test_placeholders_match_between_languages():
    import re

    catalogue = load_catalogue()
    names = re.compile(r"\{(\w+)\}")
    differ = [
        k
        for k, text in catalogue["zh-CN"].items()
        if k in catalogue["en"] and set(names.findall(text)) != set(names.findall(catalogue["en"][k]))
    ]
    assert differ == []
