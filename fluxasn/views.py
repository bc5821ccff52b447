"""Result views: one base for every result, and one table renderer (text and HTML).

Every result fluxasn returns derives from :class:`ResultView` (as cobra's
``Summary`` does): ``to_frame()`` gives pandas, ``str(result)`` (or
``to_string()``) a terminal table, ``_repr_html_()`` a notebook table, and
``repr(result)`` one line. Subclasses say what they are (:meth:`~ResultView._title`)
and what they show (:meth:`~ResultView._display`, :meth:`~ResultView._notes`,
:meth:`~ResultView._sections`); the rendering is here, once. Numbers are
formatted by :func:`format_number` in every view; ``to_frame`` keeps full
precision.
"""
from __future__ import annotations

import base64
import html
import io
import math
from typing import Any, Iterable, Optional, Sequence

import pandas as pd

from fluxasn.config import ZERO

__all__ = ["ResultView", "format_number", "text_table", "frame_text", "html_table", "figure_to_data_uri"]


def format_number(value: Any, digits: int = 4) -> str:
    """Format a flux or rate for humans: ``n/a`` for missing, ``0`` for ``|x|`` below :data:`fluxasn.config.ZERO`."""
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


def frame_text(frame: pd.DataFrame) -> str:
    """A DataFrame as a :func:`text_table` (a named or non-default index becomes a column)."""
    flat = frame if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None else frame.reset_index()
    return text_table([str(c) for c in flat.columns], flat.itertuples(index=False))


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    return frame if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None else frame.reset_index()


class ResultView:
    """Base of every result: ``to_frame``, ``to_string`` / ``str``, ``_repr_html_``, ``repr``.

    Subclasses implement :meth:`to_frame` and :meth:`_title`, and override
    :meth:`_display` (the frame the text and HTML views show; default
    :meth:`to_frame`), :meth:`_notes` (lines under the table) or
    :meth:`_sections` (further results shown below, e.g. the relaxation of a
    constraint result) where they show more or less.
    """

    def to_frame(self) -> pd.DataFrame:
        """The result as a DataFrame (stable column names, full precision)."""
        raise NotImplementedError

    def _title(self) -> str:
        return type(self).__name__

    def _display(self) -> Optional[pd.DataFrame]:
        return self.to_frame()

    def _notes(self) -> Sequence[str]:
        return ()

    def _sections(self) -> Sequence["ResultView"]:
        return ()

    def to_string(self) -> str:
        """The terminal view: title, table, notes, then any sections."""
        parts = [self._title()]
        frame = self._display()
        if frame is not None and len(frame.columns):
            parts.append(frame_text(frame))
        parts.extend(self._notes())
        parts.extend(section.to_string() for section in self._sections())
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.to_string()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._title()}>"

    def _repr_html_(self) -> str:
        frame = self._display()
        body = f"<p><strong>{html.escape(self._title())}</strong></p>"
        if frame is not None and len(frame.columns):
            body += html_table(_flat(frame))
        body += "".join(f'<p class="note">{html.escape(note)}</p>' for note in self._notes())
        body += "".join(section._repr_html_() for section in self._sections())
        return f"<div>{body}</div>"
