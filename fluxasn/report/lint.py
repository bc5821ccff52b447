"""Linting input files (``fluxasn validate``): every problem found, not only the first.

Each check returns a table of problems with columns :data:`PROBLEM_COLUMNS`
(``file``, ``line``, ``identifier``, ``severity``, ``message``). ``severity``
is ``"error"`` (the file cannot be used as it is) or ``"warning"`` (it can be
used, but a result may be misleading).
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import List, Optional, Union

import cobra
import pandas as pd

from fluxasn.config import ZERO
from fluxasn.core.medium_files import validate_medium_file
from fluxasn.exceptions import FluxasnInputError, ModelLoadError
from fluxasn.io.tables import PROBLEM_COLUMNS, problem, problem_frame, read_table

__all__ = [
    "validate_file",
    "validate_model_file",
    "validate_measurements_file",
    "validate_c13_data",
    "lint_model",
    "PROBLEM_COLUMNS",
    "VALIDATE_KINDS",
]

VALIDATE_KINDS = ("auto", "model", "medium", "measurements", "c13")

_MODEL_SUFFIXES = {".xml", ".sbml", ".json", ".mat", ".yml", ".yaml"}


def _is_model_path(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in _MODEL_SUFFIXES


def lint_model(model: cobra.Model, *, source: Union[str, os.PathLike] = "model") -> pd.DataFrame:
    """Every problem of a loaded model that would mislead a flux analysis.

    Checks: an objective exists; bounds are ordered; the model can grow;
    every non-boundary, non-objective reaction is mass- and charge-balanced
    (reactions with a metabolite lacking a formula are reported once as not
    checkable); metabolites that only one reaction touches (dead ends).

    Returns
    -------
    pandas.DataFrame
        One row per problem, columns :data:`PROBLEM_COLUMNS`.
    """
    rows: List[dict] = []
    objective = [r for r in model.reactions if r.objective_coefficient != 0]
    if not objective:
        rows.append(problem(source, "the model has no objective (biomass) reaction", identifier="objective"))
    for reaction in model.reactions:
        if reaction.lower_bound > reaction.upper_bound:
            rows.append(
                problem(source, f"lower bound {reaction.lower_bound} exceeds upper bound "
                         f"{reaction.upper_bound}", identifier=reaction.id)
            )
    no_formula = {m.id for m in model.metabolites if not m.formula}
    for met_id in sorted(no_formula):
        rows.append(problem(source, "metabolite has no formula; balances of its reactions cannot be checked",
                             identifier=met_id, severity="warning"))
    boundary = set(r.id for r in model.boundary)
    for reaction in model.reactions:
        if reaction.id in boundary or reaction in objective or not reaction.metabolites:
            continue
        if any(m.id in no_formula for m in reaction.metabolites):
            continue
        try:
            imbalance = reaction.check_mass_balance()
        except (ValueError, TypeError) as error:
            rows.append(problem(source, f"cannot check balance: {error}", identifier=reaction.id,
                                 severity="warning"))
            continue
        imbalance = {k: v for k, v in imbalance.items() if abs(v) > 1e-6}
        if imbalance:
            text = ", ".join(f"{k} {v:+g}" for k, v in sorted(imbalance.items()))
            rows.append(problem(source, f"unbalanced reaction ({text})", identifier=reaction.id,
                                 severity="warning"))
    for metabolite in model.metabolites:
        if len(metabolite.reactions) == 1:
            rows.append(problem(source, "dead-end metabolite: only one reaction touches it",
                                 identifier=metabolite.id, severity="warning"))
    if objective:
        value = model.slim_optimize(error_value=math.nan)
        if math.isnan(value):
            rows.append(problem(source, "the model is infeasible with its bounds as given (no medium "
                                 "applied?)", identifier="objective", severity="warning"))
        elif abs(value) < ZERO:
            rows.append(problem(source, "the objective is zero at the optimum (no growth) with the bounds as given",
                                 identifier=",".join(r.id for r in objective), severity="warning"))
    return problem_frame(rows)


def validate_model_file(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """Problems of a model file: every SBML/libSBML error, then :func:`lint_model`.

    Raises
    ------
    ModelLoadError
        The file does not exist (nothing to validate).
    """
    path = Path(path)
    if not path.exists():
        raise ModelLoadError("file not found", source=path)
    rows: List[dict] = []
    model: Optional[cobra.Model] = None
    suffixes = [s.lower() for s in path.suffixes]
    if ".xml" in suffixes or ".sbml" in suffixes:
        model, errors = _validate_sbml(path)
        for category, messages in errors.items():
            severity = "warning" if "WARNING" in category or "CHECK" in category else "error"
            for message in messages:
                line = _sbml_line(message)
                rows.append(problem(path, f"{category}: {message}", line=line, severity=severity))
    else:
        from fluxasn.io.models import read_model_file

        try:
            model = read_model_file(path)
        except ModelLoadError as error:
            rows.append(problem(path, error.reason, line=error.line, identifier=error.identifier))
    if model is not None:
        lint = lint_model(model, source=path)
        rows.extend(lint.to_dict(orient="records"))
    return problem_frame(rows)


def _validate_sbml(path: Path):
    import gzip
    import tempfile

    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as handle, tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as tmp:
            tmp.write(handle.read())
        try:
            return cobra.io.validate_sbml_model(tmp.name)
        finally:
            os.unlink(tmp.name)
    return cobra.io.validate_sbml_model(str(path))


def _sbml_line(message: str) -> Optional[int]:
    import re

    match = re.search(r"\bline (\d+)", message)
    return int(match.group(1)) if match else None


def validate_measurements_file(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """Every problem of a measurement table (:func:`fluxasn.core.measurements.read_measurements`).

    The reader stops at the first problem; here each problem row is set aside
    and the rest read again, until the rest reads cleanly, so every row with
    a problem is listed with its file line.
    """
    from fluxasn.core.measurements import read_measurements

    path = Path(path)
    try:
        read_measurements(path)
        return problem_frame([])
    except FluxasnInputError as first:
        try:
            table = read_table(path)
            frame, lines = table.frame, table.lines
        except FluxasnInputError:
            return problem_frame([problem(path, first.reason, line=first.line, identifier=first.identifier)])
    rows: List[dict] = []
    for _ in range(len(frame) + 1):
        if frame.empty:
            break
        try:
            read_measurements(frame.reset_index(drop=True))
            break
        except FluxasnInputError as error:
            position = (error.line or 0) - 2  # the DataFrame reader numbers rows from line 2
            if not 0 <= position < len(frame):  # a table-level problem (columns): nothing to set aside
                rows.append(problem(path, error.reason, line=lines[0] - 1 if lines else None,
                                     identifier=error.identifier))
                break
            rows.append(problem(path, _strip_count(error.reason), line=lines[position],
                                 identifier=error.identifier))
            frame = frame.drop(frame.index[position])
            lines = lines[:position] + lines[position + 1:]
    return problem_frame(sorted(rows, key=lambda r: (r["line"] is None, r["line"] or 0)))


def _strip_count(message: str) -> str:
    import re

    return re.sub(r" \(and \d+ more problems? in the table\)$", "", message)


def validate_file(path: Union[str, os.PathLike], *, kind: str = "auto") -> pd.DataFrame:
    """Problems of one input file (model, medium, measurements or 13C data folder).

    Parameters
    ----------
    path
        The file (or, for 13C data, folder) to check.
    kind
        One of :data:`VALIDATE_KINDS`; ``auto`` decides by suffix (model
        formats), folder (13C data) or the table's columns.

    Returns
    -------
    pandas.DataFrame
        One row per problem, columns :data:`PROBLEM_COLUMNS`; empty if none.

    Raises
    ------
    FluxasnInputError
        ``path`` does not exist, or its kind cannot be told.
    """
    path = Path(path)
    if kind not in VALIDATE_KINDS:
        raise FluxasnInputError(f"unknown kind {kind!r}; expected one of {', '.join(VALIDATE_KINDS)}",
                                identifier="--kind")
    if not path.exists():
        raise FluxasnInputError("file not found", source=path)
    if kind == "auto":
        kind = _guess_kind(path)
    if kind == "model":
        return validate_model_file(path)
    if kind == "c13":
        return validate_c13_data(path)
    if kind == "medium":
        return validate_medium_file(path)
    return validate_measurements_file(path)


def validate_c13_data(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """Problems of 13C data: an INCA CSV folder or a FluxML file, read and compiled.

    The 13C readers (:mod:`fluxasn.isotope.formats`) stop at the first problem
    of a file, so at most one problem is listed per data set.
    """
    from fluxasn import isotope

    path = Path(path)
    try:
        if path.is_dir():
            data = isotope.read_inca_csv(path)
        elif path.suffix.lower() in {".fml", ".fluxml", ".xml"}:
            data = isotope.read_fluxml(path)
        else:
            raise FluxasnInputError("expected an INCA CSV folder or a FluxML file (.fml)", source=path)
        data.problem()
    except FluxasnInputError as error:
        return problem_frame([problem(error.source or path, error.reason, line=error.line,
                                identifier=error.identifier)])
    return problem_frame([])


def _guess_kind(path: Path) -> str:
    if path.is_dir() or path.suffix.lower() in {".fml", ".fluxml"}:
        return "c13"
    if _is_model_path(path):
        return "model"
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in {".tsv", ".csv", ".txt"}:
        sep = "\t" if suffixes[-1] in {".tsv", ".txt"} else ","
        try:
            with open(path, encoding="utf-8-sig") as handle:
                header = next(
                    (ln.lower() for ln in handle if ln.strip() and not ln.lstrip().startswith("#")), ""
                )
        except (OSError, UnicodeDecodeError) as error:
            raise FluxasnInputError(f"cannot read file: {error}", source=path) from error
        columns = {c.strip() for c in header.split(sep)}
        if columns & {"concentration_mm", "component"}:
            return "medium"
        if columns & {"metabolite", "value"}:
            return "measurements"
        raise FluxasnInputError(
            "cannot tell what this table is from its header (a medium has columns component, "
            "concentration_mM; measurements have metabolite, value, sd, unit); give --kind",
            source=path,
        )
    raise FluxasnInputError(
        "cannot tell what this file is from its suffix; give --kind model|medium|measurements|c13",
        source=path,
    )
