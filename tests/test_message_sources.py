"""Every domain error and field error in app/ is built from a ``Msg`` (Chinese and English
halves kept apart), never from one pre-joined or English-only string literal."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
ERRORS = {"NotFound", "Conflict", "Invalid", "Forbidden", "Unauthorized"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _text_literals(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name == "field_error" and len(node.args) >= 2:
            message = node.args[1]
        elif name in ERRORS and node.args:
            message = node.args[0]
        else:
            continue
        if isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp):
            found.append((node.lineno, str(name)))
    return found


def test_errors_are_built_from_bilingual_messages() -> None:
    offenders = [
        f"{path.relative_to(APP.parent)}:{line} {name}(...)"
        for path in sorted(APP.rglob("*.py"))
        for line, name in _text_literals(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert offenders == [], "use Msg(zh, en) for these messages"
