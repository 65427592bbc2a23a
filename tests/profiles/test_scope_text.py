"""经营范围 boilerplate removal, on scopes written as registration authorities print them."""

import pytest

from app.profiles.text import clean_scope, industry_text

SCOPES = [
    (
        "一般项目：技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；智能无人飞行器"
        "制造；智能无人飞行器销售；货物进出口（除依法须经批准的项目外，凭营业执照依法自主开展"
        "经营活动）。许可项目：民用航空器维修（依法须经批准的项目，经相关部门批准后方可开展经营"
        "活动，具体经营项目以审批结果为准）。",
        "智能无人飞行器制造；智能无人飞行器销售；民用航空器维修",
    ),
    (
        "锂离子电池、电池材料的研发、生产、销售。（依法须经批准的项目，经相关部门批准后方可开展"
        "经营活动）",
        "锂离子电池、电池材料的研发、生产、销售",
    ),
    (
        "一般经营项目：工业自动控制系统装置制造;仪器仪表销售;技术进出口 许可经营项目：无"
        "【依法须经批准的项目，经相关部门批准后方可开展经营活动】",
        "工业自动控制系统装置制造；仪器仪表销售",
    ),
    (
        "经营范围：医用口罩生产；第二类医疗器械销售（具体经营项目以相关部门批准文件或许可证件为准）"
        "（不含许可类项目）",
        "医用口罩生产；第二类医疗器械销售",
    ),
    ("", ""),
]


@pytest.mark.parametrize(("scope", "expected"), SCOPES)
def test_boilerplate_is_removed(scope: str, expected: str) -> None:
    assert clean_scope(scope) == expected


def test_activities_are_kept_once() -> None:
    assert clean_scope("风电叶片制造；风电叶片制造；叶片检测服务") == "风电叶片制造；叶片检测服务"


def test_industry_text_names_and_describes_the_class() -> None:
    assert industry_text("C3841") == "锂离子电池制造：指以锂离子嵌入化合物为正极材料电池的制造"
    assert industry_text("Z9999") == "" and industry_text(None) == ""
