from typing import Literal

from pydantic import BaseModel, Field

Source = Literal[
    "main_products",
    "business_scope",
    "description",
    "industry",
    "patents_held",
    "patents_licensed",
    "needs",
    "intents",
]


class ProfileEnterprise(BaseModel):
    id: int
    name: str
    region_code: str
    industry_code: str | None
    industry: str | None


class ProfileSource(BaseModel):
    source: Source
    label: str = Field(description="来源名称")
    texts: int = Field(description="计入画像的文本条数")
    ipc_codes: int = Field(description="计入画像的 IPC 分类号个数")


class ProfileTerm(BaseModel):
    term: str
    weight: float = Field(description="词频 × 逆文档频率（相对全部企业画像）")


class ProfileIpc(BaseModel):
    code: str = Field(description="IPC 小类")
    title: str
    source: Literal["held", "predicted"] = Field(
        description="held：画像中的专利、需求给出；predicted：由画像文本预测"
    )
    weight: float = Field(description="held：出现次数；predicted：概率")


class ProfileSei(BaseModel):
    code: str
    name: str
    ipc: list[str] = Field(description="对应的 IPC 小类")


class NeedCounts(BaseModel):
    total: int
    open: int


class ProfileRead(BaseModel):
    """企业画像: what the profile document holds, and the enterprise's activity."""

    enterprise: ProfileEnterprise
    sources: list[ProfileSource] = Field(description="贡献了画像内容的来源")
    terms: list[ProfileTerm] = Field(description="主要词语")
    ipc: list[ProfileIpc] = Field(description="技术领域（IPC 小类）")
    sei: list[ProfileSei] = Field(description="战略性新兴产业分类")
    needs: NeedCounts
    topics: list[dict[str, str | int]] = Field(description="需求关键词")
    watched_fields: list[dict[str, str | int]] = Field(description="需求关注的 IPC 小类")
    intents: dict[str, int]
    deals: dict[str, int]
