import pytest
from fastapi.testclient import TestClient

from tests import factories as f

TOPICS = [
    ("drone", "一种无人机巡检图像采集装置", "无人机对输电线路巡检并识别缺陷。", ["B64U20/80"]),
    ("battery", "锂离子电池正极材料及其制备方法", "高镍三元正极材料。", ["H01M4/525"]),
    ("concrete", "装配式混凝土梁柱连接结构", "预制混凝土梁与柱灌浆套筒连接。", ["E04B1/21"]),
    ("pv", "光伏组件层压胶膜平整机构", "光伏组件生产线上的胶膜平整装置。", ["H02S30/10"]),
]


@pytest.fixture
def pool(client: TestClient) -> dict[str, int]:
    """Four pool patents of a Hubei university (its id under ``"inst"``)."""
    inst = f.create(client, "/v1/institutions", f.institution(region_code="420100"))["id"]
    ids = {"inst": inst}
    for name, title, abstract, ipc in TOPICS:
        body = f.patent(title=title, abstract=abstract, ipc_codes=ipc, institution_id=inst)
        ids[name] = f.create(client, "/v1/patents", body)["id"]
    return ids


def battery_maker(**over: object) -> dict[str, object]:
    """An enterprise from a directory: no need written, only what the list publishes."""
    return f.enterprise(
        name="储能电池公司",
        industry_code="C3841",
        main_products="三元锂离子电池、正极材料",
        business_scope=(
            "一般项目：电池制造；电池销售；技术服务、技术开发、技术咨询、技术交流、技术转让、"
            "技术推广（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
        ),
        description="专注高镍正极材料与动力电池的研发与生产。",
        **over,
    )
