"""The Excel template offered to tech-transfer offices (GET /v1/imports/template.xlsx), and
how any import's template is written."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

# (header, required, explanation, allowed values for a drop-down)
Field = tuple[str, bool, str, list[str] | None]
FIELDS: list[Field] = [
    ("申请号", True, "如 CN202121635235.X，可省略 CN 和小数点；校验位会被检查", None),
    ("专利类型", True, "发明 / 实用新型 / 外观设计", ["发明", "实用新型", "外观设计"]),
    ("专利名称", True, "专利标题", None),
    ("申请摘要", False, "摘要全文", None),
    ("主权项", False, "第一项权利要求", None),
    ("主分类号", False, "主 IPC，如 G06F16/33", None),
    ("分类号", False, "全部 IPC，以 ; 分隔", None),
    ("申请人", False, "多个以 ; 分隔", None),
    ("专利权人", False, "当前权利人；用于匹配本平台登记的机构", None),
    ("发明人", False, "多个以 ; 分隔", None),
    ("申请日", False, "20221202、2022-12-02 或 2022/12/2", None),
    ("公开日", False, "同上", None),
    ("授权公告日", False, "同上", None),
    ("公开号", False, "如 CN217546176U", None),
    (
        "法律状态",
        False,
        "有权 / 审中 / 失效，或数据库导出原文（如 有权-审定授权）",
        ["有权", "审中", "失效"],
    ),
    ("国省代码", False, "如 河南(41) 或六位行政区划代码", None),
    ("价值分级", False, "A / B / C / D", ["A", "B", "C", "D"]),
    ("交易方式", False, "转让;许可;作价入股;产学研合作", None),
    ("报价", False, "元，可留空（不公开，仅本机构可见）", None),
    ("是否财政资助", False, "是 / 否", ["是", "否"]),
    ("实施状态", False, "已实施 / 未实施", ["已实施", "未实施"]),
    ("产业化前景", False, "自评 1-5", ["1", "2", "3", "4", "5"]),
    ("入池状态", False, "在库 / 已撤回", ["在库", "已撤回"]),
]
MAX_ROWS = 100_000


TEMPLATE_NAME = "盘活专利导入模板.xlsx"


def template_xlsx(fields: list[Field] = FIELDS, title: str = "专利清单") -> bytes:
    """Headers (required ones in red), drop-downs for the choices, a field guide sheet."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append([name for name, *_ in fields])
    for column, (name, required, _, choices) in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=column)
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(name) * 3)
        if choices:
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                error=f"请选择：{'、'.join(choices)}",
            )
            rule.add(f"{letter}2:{letter}{MAX_ROWS}")
            sheet.add_data_validation(rule)
    guide = book.create_sheet("字段说明")
    guide.append(["列名", "是否必填", "说明"])
    for name, required, text, _ in fields:
        guide.append([name, "必填" if required else "选填", text])
    guide.column_dimensions["C"].width = 60
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
