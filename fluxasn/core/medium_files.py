"""Medium tables users write (``--medium FILE``): read and validated against the metabolite dictionary.

A medium table has the columns :data:`MEDIUM_COLUMNS`: ``component`` (a
dictionary id, name, synonym, ChEBI, KEGG, MetaNetX or HMDB id) and
``concentration_mM``. :func:`validate_medium_file` lists every problem with
its file line; :func:`read_medium_file` refuses the first.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Dict, List, Union

import pandas as pd

from fluxasn.core.matching import lookup_entry
from fluxasn.exceptions import FluxasnInputError
from fluxasn.io.tables import problem, problem_frame, read_table

__all__ = ["MEDIUM_COLUMNS", "read_medium_file", "validate_medium_file"]


#: Columns of a medium table (``--medium FILE``): component (dictionary id, name or
#: database id) and concentration in mM.
MEDIUM_COLUMNS = ("component", "concentration_mM")


def validate_medium_file(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """Every problem of a medium table: columns, numbers, unknown or duplicate components."""
    path = Path(path)
    try:
        table = read_table(path)
        frame, lines = table.frame, table.lines
    except FluxasnInputError as error:
        return problem_frame([problem(path, error.reason, line=error.line)])
    missing = [c for c in MEDIUM_COLUMNS if c not in frame.columns]
    if missing:
        return problem_frame([problem(path, "missing column(s) " + ", ".join(missing) + "; expected "
                                + ", ".join(MEDIUM_COLUMNS), line=(lines[0] - 1) if lines else 1,
                                identifier=missing[0])])
    rows: List[dict] = []
    seen: Dict[str, int] = {}
    for line, component, value in zip(lines, frame["component"], frame["concentration_mM"]):
        component = str(component).strip()
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is None or not math.isfinite(number):
            rows.append(problem(path, f"concentration_mM {value!r} is not a finite number", line=line,
                                 identifier=component or "concentration_mM"))
        elif number < 0:
            rows.append(problem(path, f"concentration_mM {number} is negative; expected >= 0 mM",
                                 line=line, identifier=component))
        if not component:
            rows.append(problem(path, "empty component", line=line, identifier="component"))
            continue
        entry = lookup_entry(component)
        if entry is None:
            rows.append(problem(path, "unknown component: not in the metabolite dictionary "
                                 "(use a dictionary id, name, synonym, ChEBI, KEGG, MetaNetX or HMDB id)",
                                 line=line, identifier=component))
            continue
        key = getattr(entry, "id", component)
        if key in seen:
            rows.append(problem(path, f"duplicate component (also on line {seen[key]})", line=line,
                                 identifier=component))
        else:
            seen[key] = line
    return problem_frame(rows)


def read_medium_file(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """A medium table (columns :data:`MEDIUM_COLUMNS`) ready for ``apply_medium``.

    Raises
    ------
    FluxasnInputError
        Naming the first problem (file, line, component) and how many there are.
    """
    path = Path(path)
    if not path.exists():
        raise FluxasnInputError("file not found", source=path)
    problems = validate_medium_file(path)
    if len(problems):
        first = problems.iloc[0]
        more = len(problems) - 1
        line = None if pd.isna(first["line"]) else int(first["line"])
        raise FluxasnInputError(
            first["message"] + (f" (and {more} more; run `fluxasn validate {path}`)" if more else ""),
            source=path, line=line, identifier=first["identifier"],
        )
    frame = read_table(path).frame
    out = frame[list(MEDIUM_COLUMNS)].copy()
    out["component"] = out["component"].str.strip()
    out["concentration_mM"] = out["concentration_mM"].astype(float)
    return out
