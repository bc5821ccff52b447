"""Measured exchange rates: read, validate, constrain a model, fit, relax.

A measurement table is tidy, one row per metabolite (and cell line and
condition, when the table holds several). Four columns are required::

    metabolite,value,sd,unit
    glc__D,-0.89,0.18,mmol/gDW/h
    biomass,0.0357,0.0036,1/h

Optional columns (:data:`OPTIONAL_COLUMNS`): ``cell_line`` and ``condition``
(default ``unspecified``; a table with several groups is split by them), and
``dry_mass_pg`` / ``cell_volume_pL`` (per-row cell parameters for per-cell
units; default: the ``dry_mass_pg`` / ``cell_volume_pL`` arguments, on the
command line ``--dry-mass-pg`` / ``--cell-volume-pl``). Other columns are kept
and ignored. A bundled table can be named by its cell line or file stem
(:func:`bundled_measurements`, e.g. ``"PC-3"``).

``metabolite`` is a dictionary id, name, synonym or database id (ChEBI,
KEGG, MetaNetX, HMDB), an exchange reaction or metabolite id of the model, or
``biomass`` / ``growth`` for the growth rate (1/h). Values follow the exchange
convention: negative = uptake, positive = secretion. Units are those of
:mod:`fluxasn.core.units`; per-cell units are converted to mmol/gDW/h with
an explicit cell dry mass or volume (no default is assumed: cell size
differs several-fold between lines). The table is validated by a pandera
schema; every error names the file, the line in the file and the column.

Two ways to use measurements on a model:

* :func:`constrain_with_measurements` sets each measured reaction's bounds to
  ``mean +/- k * sd`` (undone on leaving ``with model:``); when the bounds
  cannot all hold, :func:`minimal_relaxation` finds the smallest set of
  measurements to relax and by how much (a MILP), and ``relax=True``
  applies that relaxation;
* :func:`fit_measurements` finds the feasible flux distribution closest to the
  measurements (weighted least squares or weighted L1) and reports a
  residual per measurement; the model is not changed.

Measured reactions take their bounds from the measurement, not from the
medium (the medium's uptake rule is a heuristic; the measurement is data);
every other reaction keeps its bounds.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import cobra
import numpy as np
import pandas as pd

from fluxasn.core import units as _units
from fluxasn.core.matching import ExchangeIndex, exchange_sign, lookup_entry
from fluxasn.core.paths import bundled_data_path
from fluxasn.exceptions import FluxasnInputError
from fluxasn.io.tables import read_table
from fluxasn.views import ResultView

__all__ = [
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "UNSPECIFIED",
    "Measurements",
    "bundled_measurements",
    "resolve_measurements_source",
    "read_measurements",
    "load_nci60",
    "nci60_cell_lines",
    "MeasuredTarget",
    "select_group",
    "resolve_targets",
    "GROWTH_NAMES",
    "OPEN_BOUND",
]

#: Columns every measurement table must have.
REQUIRED_COLUMNS = ("metabolite", "value", "sd", "unit")
#: Value of a missing ``cell_line`` or ``condition`` column.
UNSPECIFIED = "unspecified"
#: Optional columns and what a missing one means.
OPTIONAL_COLUMNS = {
    "cell_line": f"{UNSPECIFIED!r} (one group)",
    "condition": f"{UNSPECIFIED!r} (one group)",
    "dry_mass_pg": "the dry_mass_pg argument (--dry-mass-pg); needed only for per-cell units",
    "cell_volume_pL": "the cell_volume_pL argument (--cell-volume-pl); needed only for per-cell units",
}
_ALL_COLUMNS = REQUIRED_COLUMNS + ("cell_line", "condition")
#: Names that denote the growth rate (1/h).
GROWTH_NAMES = ("biomass", "growth", "growth rate", "mu")
#: Flux magnitude treated as unbounded for measured reactions.
OPEN_BOUND = 1000.0


def _is_growth(name: str) -> bool:
    return str(name).strip().lower() in GROWTH_NAMES


# --- reading and validation --------------------------------------------------------------


def _schema():
    import pandera.pandas as pa

    finite = pa.Check(lambda s: np.isfinite(s.astype(float)), error="a finite number")
    return pa.DataFrameSchema(
        {
            "metabolite": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
            "value": pa.Column(float, finite, nullable=False),
            "sd": pa.Column(float, [finite, pa.Check.gt(0)], nullable=False),
            "unit": pa.Column(str, pa.Check.isin(list(_units.UNITS)), nullable=False),
            "cell_line": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
            "condition": pa.Column(str, nullable=False),
        },
        strict=False,
        coerce=False,
    )


_CHECK_TEXT = {
    "not_nullable": "missing value (NaN); expected a number",
    "greater_than(0)": "must be > 0",
    "a finite number": "must be a finite number",
    "str_length(1, None)": "must not be empty",
}


def _validate(
    frame: pd.DataFrame,
    lines: List[int],
    source: str,
    *,
    model: Optional[cobra.Model],
    dry_mass_pg: Optional[float],
    cell_volume_pL: Optional[float],
    specific_volume: float,
) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    header_line = lines[0] - 1 if lines else None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise FluxasnInputError(
            f"missing column{'s' if len(missing) > 1 else ''} " + ", ".join(repr(c) for c in missing)
            + "; a measurement table needs the columns " + ", ".join(REQUIRED_COLUMNS)
            + " (optional: " + ", ".join(OPTIONAL_COLUMNS) + "); found " + ", ".join(map(str, frame.columns)),
            source=source,
            line=header_line,
            identifier=missing[0],
        )
    frame = frame.reset_index(drop=True)
    for column in ("cell_line", "condition"):
        if column not in frame.columns:
            frame[column] = UNSPECIFIED
    # numbers: a text that is not a number is named as such; blank and NaN are missing
    for column in ("value", "sd"):
        raw = frame[column].astype(str).str.strip()
        numbers = pd.to_numeric(raw.where(~raw.str.lower().isin(["", "nan", "na", "n/a", "none"]), None), errors="coerce")
        bad = numbers.isna() & ~raw.str.lower().isin(["", "nan", "na", "n/a", "none"])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise FluxasnInputError(
                f"column {column!r}: {raw[row]!r} is not a number", source=source, line=lines[row], identifier=column
            )
        frame[column] = numbers.astype(float)
    for column in ("metabolite", "unit", "cell_line", "condition"):
        frame[column] = frame[column].astype(str).str.strip()
    raw_units = frame["unit"].copy()
    frame["unit"] = [(_units.canonical_unit(u) or u) for u in frame["unit"]]

    import pandera.pandas as pa

    try:
        _schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()].copy()
        if cases.empty:
            raise FluxasnInputError(str(errors).splitlines()[0], source=source) from None
        cases["index"] = cases["index"].astype(int)
        order = {c: i for i, c in enumerate(_ALL_COLUMNS)}
        cases["order"] = cases["column"].map(order)
        first = cases.sort_values(["index", "order"]).iloc[0]
        row, column, check = int(first["index"]), str(first["column"]), str(first["check"])
        if column == "unit":
            message = f"unknown unit {raw_units[row]!r}; expected one of " + ", ".join(_units.UNITS)
        else:
            message = f"column {column!r}: " + _CHECK_TEXT.get(check, check) + f", got {first['failure_case']!r}"
        more = len(cases) - 1
        if more:
            message += f" (and {more} more problem{'s' if more > 1 else ''} in the table)"
        raise FluxasnInputError(message, source=source, line=lines[row], identifier=column) from None

    # growth rows in 1/h, rates not in 1/h
    for row in range(len(frame)):
        growth = _is_growth(frame.at[row, "metabolite"])
        if growth != (frame.at[row, "unit"] == _units.PER_HOUR):
            expected = "1/h" if growth else "a rate unit (" + ", ".join(_units.UNITS[:3]) + ")"
            raise FluxasnInputError(
                f"unit {raw_units[row]!r} does not fit metabolite {frame.at[row, 'metabolite']!r}; expected {expected}",
                source=source,
                line=lines[row],
                identifier="unit",
            )

    # which metabolite each row names (model exchanges if a model is given)
    index = ExchangeIndex(model) if model is not None else None
    keys = []
    for row in range(len(frame)):
        name = frame.at[row, "metabolite"]
        if _is_growth(name):
            keys.append("biomass")
            continue
        if index is not None:
            found = index.match(name)
            if found.found:
                keys.append(found.exchange)
                continue
            reason = (
                "matches several exchanges of the model: " + ", ".join(found.exchanges)
                if found.ambiguous
                else f"unknown metabolite: no exchange of model {model.id!r} matches it"
            )
            raise FluxasnInputError(reason, source=source, line=lines[row], identifier="metabolite")
        entry = lookup_entry(name)
        if entry is None:
            raise FluxasnInputError(
                "unknown metabolite: not a name, synonym or identifier of the metabolite dictionary "
                "(pass model= to match a model's own ids)",
                source=source,
                line=lines[row],
                identifier="metabolite",
            )
        keys.append(entry.id)
    frame["key"] = keys
    seen: Dict[Tuple[str, str, str], int] = {}
    for row in range(len(frame)):
        key = (frame.at[row, "key"], frame.at[row, "cell_line"], frame.at[row, "condition"])
        if key in seen:
            raise FluxasnInputError(
                f"duplicate row: same metabolite, cell_line and condition as line {lines[seen[key]]}",
                source=source,
                line=lines[row],
                identifier="metabolite",
            )
        seen[key] = row

    # conversion to mmol/gDW/h (growth stays 1/h)
    flux, flux_sd = [], []
    for row in range(len(frame)):
        unit = frame.at[row, "unit"]
        mass = frame.at[row, "dry_mass_pg"] if "dry_mass_pg" in frame.columns else None
        volume = frame.at[row, "cell_volume_pL"] if "cell_volume_pL" in frame.columns else None
        mass = _optional_number(mass) if mass is not None else dry_mass_pg
        volume = _optional_number(volume) if volume is not None else cell_volume_pL
        if unit in (_units.MMOL_GDW_H, _units.PER_HOUR):
            flux.append(frame.at[row, "value"])
            flux_sd.append(frame.at[row, "sd"])
            continue
        if mass is None and volume is None:
            raise FluxasnInputError(
                f"unit {unit} is per cell: converting it to mmol/gDW/h needs the cell dry mass in pg "
                "(dry_mass_pg=, --dry-mass-pg) or the cell volume in pL (cell_volume_pL=, --cell-volume-pl); "
                "no default is assumed, cell size differs several-fold between lines",
                source=source,
                line=lines[row],
                identifier="unit",
            )
        cells = dict(dry_mass_pg=mass, cell_volume_pL=None if mass is not None else volume, specific_volume=specific_volume)
        try:
            flux.append(_units.convert_rate(frame.at[row, "value"], unit, **cells))
            flux_sd.append(_units.convert_rate(frame.at[row, "sd"], unit, **cells))
        except FluxasnInputError as error:
            raise FluxasnInputError(error.reason, source=source, line=lines[row], identifier="unit") from None
    frame["flux"] = flux
    frame["flux_sd"] = flux_sd
    frame["line"] = lines
    return frame


def _optional_number(value) -> Optional[float]:
    if value is None:
        return None
    text = str(value).strip()
    if text == "" or text.lower() == "nan":
        return None
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(repr=False)
class Measurements(ResultView):
    """A validated measurement table.

    Attributes
    ----------
    table
        The rows with, besides the input columns, ``key`` (dictionary id,
        exchange id or ``biomass``), ``flux`` and ``flux_sd`` (mmol/gDW/h, or
        1/h for growth) and ``line`` (1-based line in the source file).
    source
        File name or description.
    """

    table: pd.DataFrame
    source: str = "measurements"

    def __len__(self) -> int:
        return len(self.table)

    @property
    def cell_lines(self) -> List[str]:
        return list(dict.fromkeys(self.table["cell_line"]))

    @property
    def conditions(self) -> List[str]:
        return list(dict.fromkeys(self.table["condition"]))

    def select(self, cell_line: Optional[str] = None, condition: Optional[str] = None) -> "Measurements":
        """Rows of one cell line and/or condition (names compared without case and punctuation)."""
        table = self.table
        for column, wanted in (("cell_line", cell_line), ("condition", condition)):
            if wanted is None:
                continue
            keys = table[column].map(_line_key)
            mask = keys == _line_key(wanted)
            if not mask.any():
                raise FluxasnInputError(
                    f"no rows with {column} {wanted!r}; present: " + ", ".join(dict.fromkeys(table[column])),
                    source=self.source,
                    identifier=str(wanted),
                )
            table = table[mask]
        return Measurements(table.reset_index(drop=True), self.source)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        return f"{len(self)} measurements from {self.source}: cell lines " + ", ".join(self.cell_lines)

    def _display(self) -> pd.DataFrame:
        return self.table[["metabolite", "value", "sd", "unit", "cell_line", "condition", "flux", "flux_sd"]]


def _line_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def read_measurements(
    source: Union[str, os.PathLike, pd.DataFrame],
    *,
    model: Optional[cobra.Model] = None,
    dry_mass_pg: Optional[float] = None,
    cell_volume_pL: Optional[float] = None,
    specific_volume: float = _units.DEFAULT_SPECIFIC_VOLUME,
) -> Measurements:
    """Read and validate a measurement table (CSV or TSV file, or a DataFrame).

    Required columns: ``metabolite``, ``value``, ``sd``, ``unit``
    (:data:`REQUIRED_COLUMNS`); optional ones and their defaults are in
    :data:`OPTIONAL_COLUMNS` (``cell_line`` and ``condition`` default to
    ``"unspecified"``). ``value`` follows the exchange convention: negative =
    uptake, positive = secretion; growth (``biomass``) in 1/h.

    Parameters
    ----------
    source
        ``.csv`` (comma-separated) or ``.tsv``/``.txt`` (tab-separated) file;
        lines starting with ``#`` are comments. Or a DataFrame with the
        columns, or the name of a bundled table (its cell line or file stem,
        e.g. ``"PC-3"``; see :func:`bundled_measurements`).
    model
        If given, every metabolite must match an exchange of this model (model
        ids allowed); otherwise it must be in the bundled metabolite dictionary.
    dry_mass_pg, cell_volume_pL, specific_volume
        Cell parameters for per-cell units (columns ``dry_mass_pg`` or
        ``cell_volume_pL`` in the table override them per row). Give at most
        one of ``dry_mass_pg`` and ``cell_volume_pL``.

    Returns
    -------
    Measurements

    Raises
    ------
    FluxasnInputError
        Naming the file, the line and the column: empty file, wrong delimiter,
        missing required column (naming it and the expected columns), NaN or non-numeric value, sd <= 0, unknown unit,
        unknown metabolite, duplicate row, per-cell units without a cell
        dry mass or volume.

    Examples
    --------
    >>> data = read_measurements("PC-3", dry_mass_pg=500.0)  # doctest: +SKIP
    """
    if isinstance(source, pd.DataFrame):
        frame = source.astype(str) if len(source) else source
        if frame.empty:
            raise FluxasnInputError("empty table: no data rows", source="DataFrame")
        name = "DataFrame"
        lines = [i + 2 for i in range(len(frame))]
    else:
        path = resolve_measurements_source(source)
        table = read_table(path, columns=REQUIRED_COLUMNS, require_rows=True)
        frame, lines, name = table.frame, table.lines, table.source
    if dry_mass_pg is not None and cell_volume_pL is not None:
        raise FluxasnInputError("give the dry mass per cell or the cell volume, not both: they are two "
                                "routes to the same conversion and may disagree", source=name,
                                identifier="dry_mass_pg/cell_volume_pL")
    table = _validate(
        frame, lines, name, model=model, dry_mass_pg=dry_mass_pg, cell_volume_pL=cell_volume_pL,
        specific_volume=specific_volume,
    )
    return Measurements(table, name)


def bundled_measurements() -> pd.DataFrame:
    """The bundled measurement tables (``data/measurements``): name, cell_lines, units, path.

    ``name`` is the file stem; :func:`read_measurements` and ``--measurements``
    accept it, or a table's cell line (compared without case and punctuation).
    """
    rows = []
    for path in sorted(bundled_data_path("measurements").glob("*.csv")):
        table = pd.read_csv(path, comment="#", dtype=str)
        rows.append((path.stem, ", ".join(dict.fromkeys(table.get("cell_line", pd.Series([UNSPECIFIED])))),
                     ", ".join(dict.fromkeys(table["unit"])), str(path)))
    return pd.DataFrame(rows, columns=["name", "cell_lines", "units", "path"])


def resolve_measurements_source(source: Union[str, os.PathLike]) -> Path:
    """``source`` as a path: an existing file, else a bundled table named by stem or cell line.

    Raises
    ------
    FluxasnInputError
        No such file and no bundled table of that name (the bundled ones are listed).
    """
    path = Path(source)
    if path.exists() or path.suffix.lower() in (".csv", ".tsv", ".txt", ".gz"):
        return path  # a missing file is named by the reader
    wanted = _line_key(str(source))
    bundled = bundled_measurements()
    for row in bundled.itertuples(index=False):
        keys = {_line_key(row.name)} | {_line_key(c) for c in row.cell_lines.split(", ")}
        if wanted in keys:
            return Path(row.path)
    raise FluxasnInputError(
        "no such measurement file, nor a bundled table of that name; bundled: "
        + "; ".join(f"{r.name} ({r.cell_lines}, {r.units})" for r in bundled.itertuples(index=False)),
        identifier=str(source),
    )


def _nci60_path() -> Path:
    return bundled_data_path("nci60", "nci60_exchange_rates.tsv")


def nci60_cell_lines() -> List[str]:
    """The 11 NCI-60 cell lines with bundled exchange rates."""
    table = pd.read_csv(_nci60_path(), sep="\t", comment="#", dtype=str)
    return list(dict.fromkeys(table["cell_line"]))


def load_nci60(cell_line: Optional[str] = None) -> Measurements:
    """The bundled NCI-60 exchange rates (mmol/gDW/h; growth 1/h), optionally of one cell line.

    ``cell_line`` is compared without case and punctuation (``"HT-29"`` finds
    ``HT29``; ``"MDA-MB-231"`` finds ``MDA-MB-231/ATCC``). See
    ``data/nci60/README.md`` for the source and the assumed standard deviations.
    """
    data = read_measurements(_nci60_path())
    if cell_line is None:
        return data
    wanted = _line_key(cell_line)
    names = {_line_key(n): n for n in data.cell_lines}
    names.update({_line_key(n.split("/")[0]): n for n in data.cell_lines})
    if wanted not in names:
        raise FluxasnInputError(
            "unknown NCI-60 cell line; expected one of " + ", ".join(data.cell_lines), identifier=cell_line
        )
    return data.select(cell_line=names[wanted])


# --- resolving measurements on a model -----------------------------------------------------------


@dataclass
class MeasuredTarget:
    row: int
    line: int
    metabolite: str
    reaction: str
    sign: int  # flux of the reaction = sign * measured value
    mean: float  # in reaction flux direction
    sd: float
    growth: bool


def select_group(measurements: Measurements, cell_line, condition) -> Measurements:
    selected = measurements.select(cell_line=cell_line, condition=condition)
    groups = selected.table[["cell_line", "condition"]].drop_duplicates()
    if len(groups) > 1:
        raise FluxasnInputError(
            f"measurements hold {len(groups)} cell line/condition groups ("
            + "; ".join(f"{a} / {b}" for a, b in groups.itertuples(index=False))
            + "); choose one with cell_line= and condition=",
            source=measurements.source,
        )
    return selected


def resolve_targets(
    model: cobra.Model, measurements: Measurements, biomass: Optional[str], strict: bool = False,
    skipped: Optional[list] = None,
) -> List[MeasuredTarget]:
    """Measured reactions; a dictionary metabolite without an exchange in the model
    is appended to ``skipped`` (metabolite, line) unless ``strict``."""
    index = ExchangeIndex(model)
    skipped = skipped if skipped is not None else []
    targets: List[MeasuredTarget] = []
    used: Dict[str, int] = {}
    for row in measurements.table.itertuples(index=False):
        line = int(row.line)
        if _is_growth(row.metabolite):
            reaction_id = biomass
            if reaction_id is None:
                from fluxasn.core.roles import find_roles

                roles = find_roles(model, roles=["biomass"])
                if roles.status("biomass") != "found":
                    raise FluxasnInputError(
                        "the model's biomass reaction is not unique; pass biomass=<reaction id>",
                        source=measurements.source,
                        line=line,
                        identifier="metabolite",
                    )
                reaction_id = roles["biomass"]
            elif reaction_id not in model.reactions:
                raise FluxasnInputError("biomass reaction not in the model", identifier=reaction_id)
            sign = 1
        else:
            found = index.match(row.metabolite)
            if not found.found:
                if not found.ambiguous and not strict and lookup_entry(row.metabolite) is not None:
                    skipped.append((row.metabolite, line))
                    continue
                reason = (
                    "matches several exchanges of the model: " + ", ".join(found.exchanges)
                    if found.ambiguous
                    else f"unknown metabolite: no exchange of model {model.id!r} matches it"
                )
                raise FluxasnInputError(reason, source=measurements.source, line=line, identifier="metabolite")
            reaction_id = found.exchange
            sign = -exchange_sign(model.reactions.get_by_id(reaction_id))
            # exchange_sign is -1 for 'met <=>' (uptake = negative flux): measured value maps as is
        if reaction_id in used:
            raise FluxasnInputError(
                f"two measurements name reaction {reaction_id} (also line {used[reaction_id]})",
                source=measurements.source,
                line=line,
                identifier="metabolite",
            )
        used[reaction_id] = line
        targets.append(
            MeasuredTarget(
                row=len(targets), line=line, metabolite=row.metabolite, reaction=reaction_id, sign=sign,
                mean=sign * float(row.flux), sd=float(row.flux_sd), growth=_is_growth(row.metabolite),
            )
        )
    return targets


def _open_bounds(target: MeasuredTarget, big: float) -> Tuple[float, float]:
    return (0.0, big) if target.growth else (-big, big)
