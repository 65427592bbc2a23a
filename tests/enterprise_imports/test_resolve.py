"""Region and industry names of provincial enterprise lists → codes, with suggestions."""

from typing import Any

import pytest

from app.enterprise_imports.columns import enterprise_rows
from app.enterprise_imports.resolve import Unresolved, industry_code, region_code
from app.enterprises.schemas import EnterpriseCreate
from app.imports.rows import ParsedRow, TableParser
from tests.factories import credit_code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("浙江省杭州市余杭区仓前街道文一西路969号", "330110"),
        ("浙江杭州余杭", "330110"),
        ("浙江省 / 杭州市 / 余杭区", "330110"),
        ("杭州市余杭区", "330110"),
        ("浙江省杭州市", "330100"),
        ("浙江", "330000"),
        ("北京市海淀区中关村大街1号", "110108"),
        ("吉林市船营区", "220204"),  # 吉林市, not 吉林省 then 市
        ("吉林省延边州延吉市", "222401"),
        ("内蒙古呼和浩特市", "150100"),
        ("广西南宁市", "450100"),
        ("广东省东莞市松山湖", "441900"),  # a city without counties
        ("湖北省仙桃市", "429004"),  # a county-level city under the province
        ("恩施州恩施市", "422801"),
        ("330110", "330110"),
    ],
)
def test_region_by_name(text: str, code: str) -> None:
    assert region_code(text) == code


def test_ambiguous_region_names_the_candidates_and_a_scope_settles_it() -> None:
    with pytest.raises(Unresolved) as caught:
        region_code("朝阳区")
    assert "北京市朝阳区（110105）" in caught.value.suggestions
    assert "吉林省长春市朝阳区（220104）" in caught.value.suggestions
    assert region_code("朝阳区", scope="11") == "110105"


def test_unknown_region_suggests_the_closest() -> None:
    with pytest.raises(Unresolved) as caught:
        region_code("浙姜省杭洲市余杭区")
    assert caught.value.suggestions[0] == "浙江省杭州市余杭区（330110）"
    assert "浙江省杭州市余杭区" in caught.value.zh
    with pytest.raises(Unresolved) as caught:  # 所在地区: nothing may be left over
        region_code("浙江省杭洲市", whole=True)
    assert caught.value.suggestions[0] == "浙江省杭州市（330100）"
    assert region_code("浙江省杭洲市") == "330000"  # an address: the rest is its street


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("C3841", "C3841"),
        ("c3841", "C3841"),
        ("3841", "C3841"),
        ("锂离子电池制造", "C3841"),
        ("锂离子电池制造（C3841）", "C3841"),
        ("计算机、通信和其他电子设备制造业", "C39"),
        ("软件开发", "I651"),
        ("制造业", "C"),
        ("C", "C"),
    ],
)
def test_industry_by_code_or_name(text: str, code: str) -> None:
    assert industry_code(text) == code


def test_unknown_industry_suggests_the_closest() -> None:
    with pytest.raises(Unresolved) as caught:
        industry_code("锂电池制造")
    assert "C3841 锂离子电池制造" in caught.value.suggestions
    assert "是否为" in caught.value.zh and "did you mean" in caught.value.en
    with pytest.raises(Unresolved):
        industry_code("C9999")


def _parse(row: dict[str, Any], scope: str = "") -> ParsedRow[EnterpriseCreate]:
    return TableParser(enterprise_rows(scope)).parse(2, row)


def test_a_row_resolves_region_industry_flags_and_size() -> None:
    uscc = credit_code()
    row = {
        "序号": 1,
        "企业名称": "杭州示例电池有限公司",
        "统一社会信用代码": uscc.lower(),
        "所在地区": "杭州市",
        "注册地址": "浙江省杭州市余杭区文一西路 1 号",
        "所属行业": "3841",
        "专精特新“小巨人”": "✓",
        "高新技术企业": "是",
        "科技型中小企业": "N",
        "国有企业": "",
        "规模": "小",
    }
    parsed = _parse(row)
    assert parsed.problems == []
    assert parsed.data is not None
    data = parsed.data.model_dump(exclude_unset=True)
    assert data["uscc"] == uscc and data["region_code"] == "330110"
    assert (data["industry_code"], data["industry"]) == ("C3841", "锂离子电池制造")
    assert data["is_little_giant"] is True and data["is_high_tech"] is True
    assert data["is_tech_sme"] is False and "is_soe" not in data
    assert data["size"] == "small" and "serial" not in data


def test_row_errors_name_their_column() -> None:
    bad = {"企业名称": "甲", "统一社会信用代码": "91410100MA9G4TJ600", "所在地区": "杭州市"}
    [problem] = _parse(bad).problems
    assert problem.column == "统一社会信用代码" and "校验位" in problem.zh
    none = {"企业名称": "甲", "统一社会信用代码": credit_code()}
    [problem] = _parse(none).problems
    assert problem.column == "所在地区" and "注册地址" in problem.zh
    outside = {"企业名称": "甲", "统一社会信用代码": credit_code(), "注册地址": "浙江杭州"}
    [problem] = _parse(outside, scope="42").problems
    assert problem.column == "注册地址" and "不在本省范围内" in problem.zh
