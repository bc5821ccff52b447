"""Small helpers shared by the result objects of :mod:`fluxasn.report`."""
from __future__ import annotations

import base64
import html
import io
import math
from typing import Any, Iterable, Sequence

import pandas as pd

from fluxasn.config import ZERO

__all__ = ["format_number", "text_table", "html_table", "figure_to_data_uri"]


def format_number(value: Any, digits: int = 4) -> str:
    """Format a flux or rate for humans: ``n/a`` for missing, ``0`` for |x| below :data:`fluxasn.config.ZERO`."""
    if value is None or value is pd.NA:
        return "n/a"
    if isinstance(value, str):
        return value
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if abs(value) < ZERO:
        return "0"
    if abs(value) >= 1e4 or abs(value) < 1e-3:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


def text_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns (numbers right-aligned)."""
    cells = [[format_number(c) for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    numeric = [
        all(_is_numberlike(row[i]) for row in cells) if cells else False
        for i in range(len(headers))
    ]

    def fmt(row):
        return "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, numeric)
        ).rstrip()

    lines = [fmt(list(headers)), "  ".join("-" * w for w in widths)]
    lines.extend(fmt(row) for row in cells)
    return "\n".join(lines)


def _is_numberlike(text: str) -> bool:
    if text in {"n/a", "inf", "-inf"}:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def html_table(frame: pd.DataFrame, *, caption: str = "", css_class: str = "fluxasn") -> str:
    """An HTML table of ``frame`` with numbers formatted by :func:`format_number`."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for _, row in frame.iterrows():
        cells = []
        for value in row:
            text = html.escape(format_number(value))
            align = ' style="text-align:right"' if _is_numberlike(text) else ""
            cells.append(f"<td{align}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="{css_class}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def figure_to_data_uri(figure, *, dpi: int = 110) -> str:
    """Render a matplotlib figure to a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
