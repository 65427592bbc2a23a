from __future__ import annotations

from pathlib import Path

import pytest

from matching import Matcher, NeedDoc, PatentDoc

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"

TOY = [
    PatentDoc("p1", title="锂电池正极材料", abstract="一种锂电池正极材料及其制备方法，提高容量。",
              ipc_codes=("H01M4/13",), region="江苏", modes=frozenset({"transfer"}),
              legal_status="valid", value_grade="A", patent_type="invention", institution_id="u1"),
    PatentDoc("p2", title="锂离子电池电解液", abstract="电解液添加剂提高锂离子电池循环寿命。",
              ipc_codes=("H01M10/0567",), region="浙江", open_license=True,
              legal_status="valid", value_grade="C", patent_type="invention", institution_id="u2"),
    PatentDoc("p3", title="风力发电机叶片", abstract="风力发电机叶片的气动结构，降低噪声。",
              ipc_codes=("F03D1/06",), region="江苏", modes=frozenset({"license"}),
              patent_type="utility_model", institution_id="u1"),
    PatentDoc("p4", title="太阳能电池板清洗机器人", abstract="自动清洗电池板表面灰尘的机器人。",
              ipc_codes=("H02S40/10", "B08B1/00"), region="广东", patent_type="invention",
              institution_id="u3"),
    PatentDoc("p5", title="废旧锂电池回收方法", abstract="从废旧锂电池中回收钴和锂。",
              ipc_codes=("H01M10/54", "C22B7/00"), region="江苏", legal_status="lapsed",
              institution_id="u2"),
    PatentDoc("p6", title="农用无人机喷洒装置", abstract="无人机喷洒农药，均匀覆盖农田。",
              ipc_codes=("B64D1/18", "A01M7/00"), region="山东", institution_id="u3"),
]  # fmt: skip

IPC_TITLES = {"H01M": "用于直接转变化学能为电能的方法或装置，例如电池组", "F03D": "风力发动机"}


@pytest.fixture(scope="session")
def toy() -> Matcher:
    return Matcher.fit(TOY, ipc_titles=IPC_TITLES)


@pytest.fixture
def need() -> NeedDoc:
    return NeedDoc("n1", title="寻求锂电池正极技术", description="提高锂电池容量",
                   modes=frozenset({"transfer"}), region="江苏")  # fmt: skip


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.exists():
        pytest.skip("../shared is absent")
    return SHARED.resolve()
