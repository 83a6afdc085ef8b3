"""Find the place a complaint names: districts, towns, streets, residential compounds, buildings.

Work orders name places the way customers say them ("望京西园小区", "天河区珠江新城", "城关镇幸福村"), not
as codes, so the area is read from the text: the names that end in a place word. The most specific one
(a compound or building before a street before a district) is the complaint's area for burst detection.
"""

from __future__ import annotations

import re

# Most specific first: a compound is a better burst key than the district around it.
_SUFFIXES = (
    "小区",
    "花园",
    "家园",
    "新村",
    "公寓",
    "大厦",
    "广场",
    "园区",
    "工业园",
    "写字楼",
    "村",
    "苑",
    "园",
    "街道",
    "大道",
    "路",
    "街",
    "镇",
    "乡",
    "县",
    "区",
)
_PLACE = re.compile(r"([\u4e00-\u9fa5]{2,6}?(?:" + "|".join(_SUFFIXES) + r")+)")
_NOT_PLACES = {
    "小区",
    "地区",
    "片区",
    "城区",
    "社区",
    "园区",
    "区域",
    "市区",
    "全区",
    "整个区",
    "整个小区",
    "我们小区",
    "我们村",
    "整个村",
    "我们镇",
    "整个镇",
    "整个县",
    "山区",
    "景区",
    "服务区",
    "不在服务区",
    "营业区",
}
_NOT_IN_PLACE = re.compile(
    r"服务区|不在|没有|信号|手机|宽带|网络|电话"
)  # "不在服务区" is a phone's message, not a place
_LEADING = re.compile(r"^(?:客户|用户|来电人|在|到|去|住|家住|位于|我们|我家|整个|附近的|附近|从|说|反映|称|表示)+")


def places(text: str) -> list[str]:
    """The place names in the text, in order of appearance, without the words that lead into them."""
    found = []
    for m in _PLACE.finditer(text or ""):
        name = _LEADING.sub("", m.group(1))
        if len(name) >= 3 and name not in _NOT_PLACES and not _NOT_IN_PLACE.search(name) and name not in found:
            found.append(name)
    return found


def area(text: str) -> str | None:
    """The complaint's most specific place name, or None when it names none."""
    names = places(text)
    if not names:
        return None
    rank = {s: i for i, s in enumerate(_SUFFIXES)}

    def specificity(name: str) -> int:
        return min(rank[s] for s in _SUFFIXES if name.endswith(s))

    return min(names, key=specificity)
