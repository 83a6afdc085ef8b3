"""Coded answers print as their form titles inside instructions and still compare as codes."""

from app.domain.coded_values import in_words, option_titles
from app.engine.sandbox import render_instructions

SCHEMA = {
    "properties": {
        "responsibility": {
            "type": "string",
            "oneOf": [{"const": "ours", "title": "我方责任"}, {"const": "customer", "title": "客户责任"}],
        },
        "compensation_type": {"type": "string", "oneOf": [{"const": "refund", "title": "全额退还<直接损失>"}]},
        "approval_level": {"type": "string", "oneOf": [{"const": "director", "title": "中心负责人"}]},
    }
}


def test_instructions_show_the_titles_of_coded_answers():
    data = in_words(
        {"responsibility": "ours", "compensation_type": "refund", "approval_level": "director", "cause": "ours"},
        option_titles([SCHEMA]),
    )
    text = render_instructions(
        "责任归属：{{ responsibility }} 赔偿方式：{{ compensation_type }} "
        '{% if approval_level == "director" %}须中心负责人审批{% endif %} 原因：{{ cause }}',
        data,
    )
    assert text == "责任归属：我方责任 赔偿方式：全额退还&lt;直接损失&gt; 须中心负责人审批 原因：ours"


def test_unknown_codes_and_other_values_stay_as_they_are():
    titles = option_titles([SCHEMA, {"properties": {"x": True}}])
    assert in_words({"responsibility": "new_code", "amount": 3}, titles) == {"responsibility": "new_code", "amount": 3}
