"""The Excel template of enterprise lists (GET /v1/enterprise-imports/template.xlsx)."""

from app.imports.template import Field, template_xlsx

YES_NO = ["是", "否"]
FIELDS: list[Field] = [
    ("企业名称", True, "营业执照上的名称", None),
    ("统一社会信用代码", True, "18 位，校验位会被检查；重复上传时据此更新", None),
    (
        "所在地区",
        False,
        "省市区县名称（如 浙江省杭州市余杭区）或六位行政区划代码；与注册地址至少填一项",
        None,
    ),
    ("注册地址", False, "营业执照上的住所；据此识别更具体的区县", None),
    (
        "所属行业",
        False,
        "国民经济行业分类（GB/T 4754-2017）名称或代码：锂离子电池制造、C3841 或 3841",
        None,
    ),
    ("经营范围", False, "营业执照上的经营范围", None),
    ("主营产品", False, "主要产品或服务", None),
    ("企业简介", False, "", None),
    ("专精特新", False, "是 / 否（也可写 ✓、1/0、Y/N）", YES_NO),
    ('专精特新"小巨人"', False, "是 / 否", YES_NO),
    ("高新技术企业", False, "是 / 否", YES_NO),
    ("科技型中小企业", False, "是 / 否", YES_NO),
    ("国有企业", False, "是 / 否", YES_NO),
    ("规模", False, "大型 / 中型 / 小型 / 微型", ["大型", "中型", "小型", "微型"]),
    ("联系人", False, "仅企业本身和管理员可见", None),
    ("联系电话", False, "仅企业本身和管理员可见", None),
    ("电子邮箱", False, "仅企业本身和管理员可见", None),
]
TEMPLATE_NAME = "盘活企业名录导入模板.xlsx"


def enterprise_template() -> bytes:
    return template_xlsx(FIELDS, "企业名录")
