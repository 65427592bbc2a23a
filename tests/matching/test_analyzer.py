from __future__ import annotations

from matching import ANALYZER_VERSION, analyze, normalize


def test_traditional_becomes_simplified() -> None:
    assert normalize("鋰電池裝置") == "锂电池装置"
    assert analyze("鋰電池") == analyze("锂电池")


def test_full_width_becomes_half_width_and_lower_case() -> None:
    assert normalize("ＢＭＳ１２３　Ａｂ") == "bms123 ab"
    assert "bms" in analyze("ＢＭＳ管理")


def test_mixed_chinese_english_numbers() -> None:
    terms = analyze("Li-ion電芯 3.7V，型号H01M10/05")
    for expected in ("li-ion", "li", "ion", "电芯", "3.7v", "h01m10/05", "型号"):
        assert expected in terms


def test_bigrams_are_the_safety_net() -> None:
    terms = analyze("锂电池管理系统")
    assert {"锂电", "电池", "管理", "系统"} <= set(terms)


def test_boilerplate_and_stop_words_removed() -> None:
    terms = analyze("本发明公开了一种装置，其特征在于，所述装置包括壳体")
    assert not {"本发明", "一种", "所述", "其特征在于", "包括", "发明", "特征"} & set(terms)
    assert "壳体" in terms


def test_deterministic_and_versioned() -> None:
    text = "一种基于深度学习的图像识别方法"
    assert analyze(text) == analyze(text)
    assert ANALYZER_VERSION
    assert analyze("") == []


def test_lone_surrogates_separate_terms_instead_of_failing() -> None:
    # A str decoded from JSON may hold "\ud800"; rjieba cannot encode it.
    assert analyze("孤立\ud800代理") == analyze("孤立 代理") == ["孤立", "代理", "孤立", "代理"]
