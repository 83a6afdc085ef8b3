"""The pages that show what a library found, read with the error on them, in Chinese and in English.

The calendar's refused notice, the process-model import's refusal and the classifier's import report quote
what lxml, the BPMN schema, Python's date and JSON parsers found. A Chinese reader gets each problem in
Chinese, naming its line, element or field; the library's own words, if shown at all, are in a folded
"技术细节" part (``<samp>``, not read as words). The crawl's checks (test_untranslated_text) read them.
"""

from __future__ import annotations

import io
import re

import pytest

from app.services.text_intelligence import history_import
from tests.integration.test_untranslated_text import _problems_en, _problems_zh, _read, _user_data
from tests.integration.test_model_pages import post_json
from tests.integration.web_client import Web

BROKEN_NOTICE = "一、元旦：1月1日（周四）放假。\n2026-02-30 holiday 春节\n"
JSON_NOTICE = '{"year": 2026, "days": [}'
INCOMPLETE_NOTICE = "2026-01-01 holiday 元旦\n2026-05-04 workday 劳动节\n2026-03-08 holiday 妇女节\n"
BROKEN_XML = b"<bpmn:definitions>"
TAG_MISMATCH = b'<?xml version="1.0"?>\n<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<process id="p"></definitions>'
UNEXPECTED_ELEMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:userTaskX id="oops" />
  </bpmn:process>
</bpmn:definitions>
"""
BAD_ROWS = "投诉内容,分类,渠道,电话,时间\n话费多扣,资费,信鸽,12,昨天\n,网络,,,\n"


def _problems_of(app, locale: str):
    # people's names and what the owner typed (a day off named 妇女节) stay as they are
    return _problems_zh if locale == "zh-CN" else _problems_en(_user_data(app, {}) | {"妇女节"})


def _findings(app, html: str, locale: str) -> list[str]:
    page = _read(html)
    assert page.lang == locale
    problems_of = _problems_of(app, locale)
    return [f"{p}  ⟨{line[:80]}⟩" for line in page.text for p in problems_of(line)]


def _owner(app, locale: str) -> Web:
    web = Web(app).login("owner")
    web.post("/locale", {"locale": locale})
    return web


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_refused_holiday_notice_speaks_the_readers_language(app, deployed, locale):
    web = _owner(app, locale)
    for text, form in (
        (BROKEN_NOTICE, "text"),
        (JSON_NOTICE, "json"),
        (INCOMPLETE_NOTICE, "text"),
        ("2026-01-01 holidy 元旦\n", "text"),  # the kinds a line may give are named as typed, set as code
        ('[{"date": "2026-01-01"}]', "json"),
        ("2026-01-01\n", "text"),
    ):
        r = web.post("/calendar/import?year=2026", {"text": text, "form": form})
        assert r.status_code == 422
        html = r.get_data(as_text=True)
        assert 'data-testid="import-errors"' in html
        assert _findings(app, html, locale) == [], text
    r = web.post("/calendar/import?year=2026", {"text": BROKEN_NOTICE, "form": "text"})
    errors = re.search(r'data-testid="import-errors".*?</div>', r.get_data(as_text=True), re.S).group(0)
    if locale == "zh-CN":
        assert "第 2 行：日期不存在或写法有误" in errors
        assert "技术细节" in errors and "day is out of range for month" in errors  # Python's words, folded
        incomplete = web.post("/calendar/import?year=2026", {"text": INCOMPLETE_NOTICE, "form": "text"})
        assert "缺少春节" in incomplete.get_data(as_text=True)
    else:
        assert "line 2: the date does not exist" in errors


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_refused_diagram_import_names_the_line_and_element_in_the_readers_language(app, deployed, locale):
    web = _owner(app, locale)
    said = {}
    for name, data in (("broken.bpmn", BROKEN_XML), ("mismatch.bpmn", TAG_MISMATCH)):
        r = web.post("/models/import", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert r.status_code == 302
        html = web.text("/models")
        assert _findings(app, html, locale) == [], name
        said[name] = html
    if locale == "zh-CN":
        assert "命名空间前缀“bpmn”没有声明（第 18 列）" in said["broken.bpmn"]
        assert "开始标签 &lt;process&gt;（第 3 行）与结束标签 &lt;/definitions&gt; 不匹配" in said["mismatch.bpmn"]
    else:
        assert "the namespace prefix “bpmn” of &lt;definitions&gt; is not declared (column 18)" in said["broken.bpmn"]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_bpmn_schemas_words_read_in_the_readers_language_in_the_editor(app, deployed, locale):
    web = _owner(app, locale)
    r = post_json(web, "/models/_new/check", {"bpmn": UNEXPECTED_ELEMENT.decode()})
    (problem,) = [p for p in r.get_json()["problems"] if p["code"] == "check.parser"]
    assert "is not expected" in problem["message"]  # the API's English, for clients and logs
    assert problem["technical"] == ""  # nothing left unsaid
    assert _problems_of(app, locale)(problem["text"]) == []
    if locale == "zh-CN":
        assert "此处不应出现元素 <bpmn:userTaskX>" in problem["text"] and "第 5 行" in problem["text"]
    else:
        assert "the element <bpmn:userTaskX> is not expected here" in problem["text"]


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_classifier_import_report_speaks_the_readers_language(app, deployed, monkeypatch, locale):
    monkeypatch.setattr(
        history_import,
        "run_in_background",
        lambda rt, import_id, name, content: history_import.run(rt, import_id, name, content),
    )
    web = _owner(app, locale)
    r = web.post(
        "/text/imports",
        {"file": (io.BytesIO(BAD_ROWS.encode()), "bad.csv"), "taxonomy": "ours"},
        content_type="multipart/form-data",
    )
    import_id = int(r.headers["Location"].split("import=")[1])
    html = web.text(f"/text/classifier?import={import_id}")
    report = re.search(r'<table[^>]*data-testid="ti-import-errors".*?</table>', html, re.S).group(0)
    # the file's own values (资费, 信鸽, 昨天) are quoted as typed; nothing else in the report is Chinese in English
    page = _read(report.replace("资费", "").replace("信鸽", "").replace("昨天", ""))
    problems_of = _problems_of(app, locale)
    assert [p for line in page.text for p in problems_of(line)] == []
    if locale == "zh-CN":
        assert "投诉内容" in report and "必填" in report and "“12”不是有效的大陆手机或固定电话号码" in report
    else:
        assert "Complaint text" in report and "“12” is not a mainland mobile or landline number" in report


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_editors_refusals_come_with_their_words(app, deployed, locale):
    web = _owner(app, locale)
    refused = post_json(web, "/models/_new/deploy", {"bpmn": UNEXPECTED_ELEMENT.decode()})
    body = refused.get_json()
    assert refused.status_code == 422 and body["detail"] == "the diagram cannot be deployed"  # the API's English
    draft = post_json(web, "/models/_new/draft", {"bpmn": "<x/>", "forms": {"bad name.json": "{}"}}).get_json()
    problems_of = _problems_of(app, locale)
    said = [body["text"], *(e["text"] for e in body["errors"]), draft["text"], *(e["text"] for e in draft["errors"])]
    file_names = re.compile(r"“[^”]*”|\S*\.json")  # the name typed, a file's extension: identifiers
    assert [p for text in said for p in problems_of(file_names.sub("", text))] == []
    if locale == "zh-CN":
        assert (
            body["text"] == "流程图有错误，未部署" and "此处不应出现元素 <bpmn:userTaskX>" in body["errors"][0]["text"]
        )
        assert draft["text"] == "草稿无法保存" and "表单文件名“bad name.json”" in draft["errors"][0]["text"]
    else:
        assert body["text"] == "The diagram has errors: it was not deployed"


MULTI_INSTANCE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="review" name="复核"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics /></bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_the_parsers_problem_names_its_element_in_chinese(app, deployed):
    web = _owner(app, "zh-CN")
    r = post_json(web, "/models/_new/check", {"bpmn": MULTI_INSTANCE})
    (problem,) = [p for p in r.get_json()["problems"] if p["code"] == "check.parser"]
    assert problem["element_id"] == "review" and "multiinstance" in problem["message"]
    assert "（元素“复核”）" in problem["text"] and problem["technical"] == ""
    assert _problems_zh(problem["text"]) == []
