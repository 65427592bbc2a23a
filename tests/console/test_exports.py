"""Console downloads carry Chinese file names and honour ?encoding=gb18030."""

from urllib.parse import unquote

from tests.access_world import World
from tests.console.conftest import ConsoleFor


def test_province_table_export(console_for: ConsoleFor, world: World) -> None:
    console = console_for("province", province_code="420000")
    response = console.get("/console/stats/export?table=provinces&encoding=gb18030")
    assert response.status_code == 200
    text = response.content.decode("gb18030")
    assert text.startswith("盘活统计") and "范围,湖北省" in text and "省份,代码" in text
    header = response.headers["content-disposition"]
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded).startswith("盘活统计_按省统计_湖北省_")
    rates = console.get("/console/stats/export?format=csv&table=rates")
    assert "实施率" in rates.content.decode("utf-8-sig")
