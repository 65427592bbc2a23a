"""Charts as inline SVG, drawn on the server: no chart library, no script, printable.

Each chart is an ``<svg role="img">`` with a ``<title>`` for screen readers; the numbers
are also in the tables next to it, so nothing is only in the picture.
"""

from typing import Any

from markupsafe import Markup, escape

BAR_H = 22
GAP = 8


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


LABEL_PX = 13  # svg.chart .lbl font size (console.css)
MAX_LABEL_W = 300


def text_width(text: str, size: int = LABEL_PX) -> float:
    """Rendered width estimate: CJK and full-width characters are one em, others ~0.6."""
    return sum(size if ord(c) > 0x2E7F else size * 0.6 for c in text)


def fit(text: str, room: float) -> str:
    """``text`` cut with … so that it fits ``room`` pixels."""
    if text_width(text) <= room:
        return text
    while text and text_width(text + "…") > room:
        text = text[:-1]
    return text + "…"


def _fitted(label: str, room: float) -> str:
    """The label, or its cut form with the whole label as a tooltip."""
    shown = fit(label, room)
    if shown == label:
        return str(escape(label))
    return f"<title>{escape(label)}</title>{escape(shown)}"


def hbars(title: str, items: list[tuple[str, float]], label_w: int = 150) -> Markup:
    """Horizontal bars, one per (label, value); the widest bar spans the chart.

    The label column widens to the longest label (up to ``MAX_LABEL_W``); a label longer
    than that is cut with … and shown whole in its tooltip, never clipped by the SVG.
    """
    width, value_w = 620, 60
    longest = max([text_width(label) for label, _ in items] + [0])
    label_w = max(label_w, min(MAX_LABEL_W, round(longest) + 16))
    span = width - label_w - value_w
    top = max([v for _, v in items] + [1])
    body = []
    for i, (label, value) in enumerate(items):
        y = i * (BAR_H + GAP)
        w = 0 if value <= 0 else max(2, round(span * value / top))
        body.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" class="lbl">'
            f"{_fitted(label, label_w - 12)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{BAR_H}" rx="3" '
            f'class="bar b{i % 6}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}" class="val">{_num(value)}</text>'
        )
    height = max(1, len(items)) * (BAR_H + GAP)
    return _svg(width, height, title, body)


def columns(title: str, rows: list[dict[str, Any]], series: list[tuple[str, str]]) -> Markup:
    """Grouped columns per row (e.g. month) for each (key, legend) series."""
    width, height, left, bottom = 620, 240, 36, 44
    plot_h = height - bottom - 24
    top = max([float(r[k]) for r in rows for k, _ in series] + [1])
    slot = (width - left) / max(1, len(rows))
    bar = max(3.0, min(22.0, slot / (len(series) + 1)))
    body = [f'<line x1="{left}" y1="{plot_h + 20}" x2="{width}" y2="{plot_h + 20}" class="axis"/>']
    body.append(f'<text x="{left - 6}" y="28" text-anchor="end" class="val">{_num(top)}</text>')
    for i, row in enumerate(rows):
        x0 = left + i * slot + (slot - bar * len(series)) / 2
        for j, (key, _) in enumerate(series):
            h = plot_h * float(row[key]) / top
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{plot_h + 20 - h:.1f}" width="{bar - 1:.1f}" '
                f'height="{h:.1f}" class="bar b{j}"><title>{escape(str(row["label"]))} '
                f"{escape(series[j][1])}：{_num(float(row[key]))}</title></rect>"
            )
        body.append(
            f'<text x="{left + i * slot + slot / 2:.1f}" y="{plot_h + 36}" text-anchor="middle" '
            f'class="lbl">{escape(str(row["label"]))}</text>'
        )
    for j, (_, legend) in enumerate(series):
        body.append(
            f'<rect x="{left + j * 90}" y="{height - 12}" width="10" height="10" class="bar b{j}"/>'
            f'<text x="{left + j * 90 + 14}" y="{height - 3}" class="lbl">{escape(legend)}</text>'
        )
    return _svg(width, height, title, body)


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
