"""Templates, flash messages and the translation of API errors into Chinese form errors.

Forms are validated by the API's own request schemas and services; what they raise
(pydantic ``ValidationError`` or a ``DomainError`` with field errors, the same content the
API returns as problem+json) is mapped here to one Chinese message per form field.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from app.auth.models import Role
from app.common.identifiers import region_name
from app.common.messages import Msg
from app.common.pydantic_errors import translate
from app.console import labels
from app.console.security import CSRF_FIELD, set_cookie, sign, unsign
from app.errors import DomainError

HERE = Path(__file__).resolve().parent
FLASH_COOKIE = "panhuo_flash"
CJK = re.compile(r"[\u4e00-\u9fff]")
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["label"] = labels.label
templates.env.filters["region"] = lambda code: region_name(code) if code else "—"
templates.env.filters["pct"] = lambda v: "—" if v is None else f"{float(v) * 100:.1f}%"
templates.env.globals["options"] = labels.options

# (path, title, roles) in menu order; a page's own route declares the same roles.
NAV: list[tuple[str, str, frozenset[Role]]] = [
    ("/console/import", "批量导入", frozenset({Role.admin, Role.institution})),
    ("/console/patents", "本机构专利", frozenset({Role.institution})),
    ("/console/patents", "专利库", frozenset({Role.admin})),  # the admin has no institution
    ("/console/matches", "供需匹配", frozenset(Role) - {Role.province}),
    ("/console/enterprise", "企业工作台", frozenset({Role.enterprise})),
    ("/console/stats", "统计监测", frozenset({Role.admin, Role.portal, Role.province})),
    ("/console/screening", "专利筛选", frozenset({Role.admin, Role.portal, Role.province})),
    ("/console/profiles", "画像", frozenset({Role.admin, Role.portal, Role.province})),
]


def chinese(text: Msg | str) -> str:
    """The Chinese half of the API's bilingual messages."""
    if isinstance(text, Msg):
        return text.zh
    head = text.split(" / ", 1)[0]
    return head if CJK.search(head) else text


_PYDANTIC_ZH: dict[str, str] = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "最多 {max_length} 个字符",
    "greater_than_equal": "不能小于 {ge}",
    "greater_than": "必须大于 {gt}",
    "less_than_equal": "不能大于 {le}",
    "less_than": "必须小于 {lt}",
    "int_parsing": "请输入整数",
    "int_from_float": "请输入整数",
    "decimal_parsing": "请输入数字",
    "float_parsing": "请输入数字",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_max_digits": "数字位数过多",
    "enum": "请选择列表中的选项",
    "literal_error": "请选择列表中的选项",
    "date_from_datetime_parsing": "日期格式应为 年-月-日",
    "date_parsing": "日期格式应为 年-月-日",
    "bool_parsing": "请选择是或否",
    "too_long": "条目过多（最多 {max_length} 项）",
    "extra_forbidden": "不支持的字段",
}


def _pydantic_message(err: Any) -> str:
    """A form's shorter wording where it has one, else the API's translation."""
    template = _PYDANTIC_ZH.get(str(err.get("type")))
    if template:
        return template.format(**(err.get("ctx") or {}))
    return translate(dict(err)).zh


@dataclass
class FormErrors:
    """What a form shows: a message at the top, and one message per named field."""

    message: str
    fields: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_validation(
        cls, exc: ValidationError, aliases: dict[str, str] | None = None
    ) -> "FormErrors":
        """``aliases`` maps schema field names to the form's input names."""
        fields: dict[str, str] = {}
        for err in exc.errors():
            # List positions are dropped: the form has one input per list ("ipc.0" → "ipc").
            name = ".".join(str(p) for p in err.get("loc", ()) if not isinstance(p, int))
            name = (aliases or {}).get(name, name) or "form"
            fields.setdefault(name, _pydantic_message(err))
        return cls("请修改标出的字段", fields)

    @classmethod
    def from_domain(cls, exc: DomainError) -> "FormErrors":
        summary = chinese(exc.detail)
        fields = {
            str(e.get("field")): chinese(str(e.get("message")))
            if CJK.search(str(e.get("message")))
            else summary
            for e in exc.errors or []
        }
        return cls(summary, fields)


async def form_values(request: Request) -> dict[str, str]:
    """A posted form's text fields (already parsed and cached for the CSRF check)."""
    form = await request.form()
    return {k: v for k, v in form.items() if k != CSRF_FIELD and isinstance(v, str)}


FormValues = Annotated[dict[str, str], Depends(form_values)]


def parse(
    model: type[M], data: dict[str, Any], aliases: dict[str, str] | None = None
) -> tuple[M | None, FormErrors | None]:
    """A form's values through the API's request schema; empty inputs count as absent."""
    cleaned = {k: v for k, v in data.items() if v is not None and v != ""}
    try:
        return model.model_validate(cleaned), None
    except ValidationError as exc:
        return None, FormErrors.from_validation(exc, aliases)


def attempt(db: Session, call: Callable[..., T], *args: Any) -> tuple[T | None, FormErrors | None]:
    """Run one service call in a savepoint; a refusal undoes only that call."""
    try:
        with db.begin_nested():
            return call(*args), None
    except DomainError as exc:
        return None, FormErrors.from_domain(exc)


def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` with every matched term wrapped in <mark>; each piece escaped on its own."""
    if not text:
        return Markup("")
    words = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words))
    out, last = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(Markup("<mark>%s</mark>") % found.group(0))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


templates.env.filters["highlight"] = highlight


def flash(request: Request, response: Response, *messages: tuple[str, str]) -> None:
    """Messages (level, text) shown once on the next page."""
    set_cookie(request, response, FLASH_COOKIE, sign(request, {"m": list(messages)}))


def redirect(request: Request, url: str, *messages: tuple[str, str]) -> RedirectResponse:
    response = RedirectResponse(url, status_code=303)
    if messages:
        flash(request, response, *messages)
    return response


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    """Render a page. A form shown again with its field errors is a 200, not a 4xx:
    browsers log every 4xx document as a console error, and this is the form's normal
    second state. Refusals without a form (404, 403) use the error page and their status."""
    principal = getattr(request.state, "principal", None)
    data = unsign(request, request.cookies.get(FLASH_COOKIE)) or {}
    ctx = {
        "principal": principal,
        "organisation": getattr(request.state, "organisation", ""),
        "csrf": getattr(request.state, "console_csrf", ""),
        "nav": [(p, t) for p, t, roles in NAV if principal and principal.role in roles],
        "flashes": data.get("m", []),
        "errors": None,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if data:
        response.delete_cookie(FLASH_COOKIE, path="/console")
    return response
