"""One reader for the line-numbered CSV/TSV tables users supply (measured rates, media, ...).

A table is a ``.csv`` (comma-separated) or ``.tsv``/``.txt`` (tab-separated)
file; blank lines and lines starting with ``#`` are skipped. Every cell is read
as text and every data row keeps the number of its line in the file, so that a
validator can name the file, the line and the column of each problem. Problem
rows of a validator have the columns :data:`PROBLEM_COLUMNS`.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Union

import pandas as pd

from fluxasn.exceptions import FluxasnInputError

__all__ = ["Table", "read_table", "read_text", "PROBLEM_COLUMNS", "problem", "problem_frame"]

#: Columns of a problem list (``fluxasn validate`` and every ``validate_*`` function).
PROBLEM_COLUMNS = ("file", "line", "identifier", "severity", "message")

_DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}


@dataclass
class Table:
    """A user table as text.

    Attributes
    ----------
    frame
        One row per data row, every cell a string (column names stripped).
    lines
        The 1-based file line of each data row.
    header_line
        The file line of the header.
    source
        The file it came from.
    """

    frame: pd.DataFrame
    lines: List[int]
    header_line: int
    source: str


def read_text(path: Union[str, Path]) -> str:
    """The text of a file (UTF-8, a byte-order mark dropped); errors name the file."""
    path = Path(path)
    if not path.exists():
        raise FluxasnInputError("file not found", source=path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise FluxasnInputError(f"cannot read file: {error}", source=path) from error


def read_table(
    path: Union[str, Path],
    *,
    columns: Optional[Sequence[str]] = None,
    require_rows: bool = False,
) -> Table:
    """Read a CSV or TSV file as text, with the file line of each data row.

    Parameters
    ----------
    path
        The file; its suffix sets the delimiter (``.csv``: comma, else tab).
    columns
        The columns the table is expected to have. When given, a header
        without the file's delimiter is refused as a wrong delimiter (naming
        the delimiter it looks like and these columns).
    require_rows
        Refuse a table with a header and no data rows.

    Raises
    ------
    FluxasnInputError
        Missing or unreadable file, empty file, wrong delimiter, no data rows
        (with ``require_rows``), a row with the wrong number of fields; each
        naming the file and, where there is one, the line.
    """
    path = Path(path)
    text = read_text(path)
    kept = [(i + 1, line) for i, line in enumerate(text.splitlines())
            if line.strip() and not line.lstrip().startswith("#")]
    if not kept:
        raise FluxasnInputError("empty file: no header and no data rows", source=path)
    suffix = path.suffix.lower()
    delimiter = "," if suffix == ".csv" else "\t"
    header_line, header = kept[0]
    if columns is not None and delimiter not in header:
        found = [d for d in _DELIMITERS if d != delimiter and d in header]
        hint = f"; the header looks {_DELIMITERS[found[0]]}-separated" if found else ""
        raise FluxasnInputError(
            f"wrong delimiter: a {suffix or 'table'} file must be {_DELIMITERS[delimiter]}-separated"
            f"{hint}; expected the columns " + ", ".join(columns),
            source=path,
            line=header_line,
        )
    if require_rows and len(kept) == 1:
        raise FluxasnInputError("no data rows (only a header)", source=path, line=header_line)
    body = "\n".join(line for _, line in kept)
    try:
        frame = pd.read_csv(io.StringIO(body), sep=delimiter, dtype=str, keep_default_na=False,
                            quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserError as error:
        match = re.search(r"line (\d+)", str(error))
        line = kept[int(match.group(1)) - 1][0] if match and int(match.group(1)) <= len(kept) else header_line
        raise FluxasnInputError(
            f"malformed table (wrong number of fields; wrong delimiter?): {error}", source=path, line=line
        ) from error
    frame.columns = [str(c).strip() for c in frame.columns]
    return Table(frame, [number for number, _ in kept[1:]], header_line, str(path))


def problem(file, message: str, *, line: Optional[int] = None, identifier: Optional[str] = None,
            severity: str = "error") -> dict:
    """One problem row (see :data:`PROBLEM_COLUMNS`)."""
    return {"file": str(file), "line": line, "identifier": identifier, "severity": severity,
            "message": " ".join(str(message).split())}


def problem_frame(rows: Iterable[dict]) -> pd.DataFrame:
    """Problem rows as a DataFrame with the columns :data:`PROBLEM_COLUMNS` (line as an integer)."""
    frame = pd.DataFrame.from_records(list(rows), columns=list(PROBLEM_COLUMNS))
    frame["line"] = frame["line"].astype("Int64")
    return frame
