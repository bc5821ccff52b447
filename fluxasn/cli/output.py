"""Writing results: a rich table on a terminal, JSON or CSV for scripts."""
from __future__ import annotations

import json
import math
import sys
from typing import Any

import click

__all__ = ["stdout_console", "write_json", "frame_records", "emit_frame", "rich_table"]


def stdout_console():
    """A rich console on standard output (120 columns when piped, ids never cut)."""
    from rich.console import Console

    # piped: wide enough that no table column is ever cut (ids must survive `| grep`, `| less -S`)
    width = None if sys.stdout.isatty() else 100_000
    return Console(width=width, soft_wrap=False, highlight=False)


def _json_default(value: Any):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _clean_json(value: Any):
    """NaN and infinity become null (JSON has neither); numpy scalars become Python numbers."""
    import numpy as np

    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    return value


def write_json(data: Any) -> None:
    """Write ``data`` as JSON (NaN as null)."""
    click.echo(json.dumps(_clean_json(data), indent=1, default=_json_default))


def frame_records(frame) -> list:
    """A DataFrame's rows as records (a non-default index becomes a column)."""
    import pandas as pd

    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    return flat.to_dict(orient="records")


def emit_frame(frame, fmt: str, *, title: str = "", caption: str = "") -> None:
    """Write a DataFrame as a rich table, JSON records or CSV."""
    if fmt == "json":
        write_json(frame_records(frame))
    elif fmt == "csv":
        import pandas as pd

        flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
        click.echo(flat.to_csv(index=False), nl=False)
    else:
        stdout_console().print(rich_table(frame, title=title, caption=caption))


def rich_table(frame, *, title: str = "", caption: str = ""):
    """A DataFrame as a rich table, numbers formatted by :func:`fluxasn.views.format_number`."""
    import pandas as pd
    from rich.table import Table

    from fluxasn.views import format_number

    flat = frame.reset_index() if not isinstance(frame.index, pd.RangeIndex) else frame
    table = Table(title=title or None, caption=caption or None, title_justify="left")
    for column in flat.columns:
        numeric = pd.api.types.is_numeric_dtype(flat[column]) and not pd.api.types.is_bool_dtype(flat[column])
        table.add_column(str(column), justify="right" if numeric else "left", overflow="fold")
    for row in flat.itertuples(index=False):
        table.add_row(*("-" if v is None or v is pd.NA else format_number(v) for v in row))
    return table
