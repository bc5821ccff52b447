"""Measured rates on the command line: per-cell units, sign checks, the relaxation warning block.

``--dry-mass-pg`` / ``--cell-volume-pl`` sit next to ``--measurements``
(:func:`cell_options`); they are kept in the click context, so the commands'
signatures do not change. :func:`read_cli_measurements` reads the table with
them; :func:`measurement_warnings` says which rows look like uptakes typed as
positive numbers and lists every measurement a relaxation moved.
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import click

__all__ = ["cell_options", "read_cli_measurements", "measurement_warnings", "print_warnings"]

_META = "fluxasn.cells"


def _store(ctx: click.Context, param: click.Parameter, value):
    if value is not None:
        ctx.meta.setdefault(_META, {})[param.name] = value
    return value


def cell_options(func):
    """``--dry-mass-pg`` and ``--cell-volume-pl``: the cell parameters converting per-cell rates."""
    positive = click.FloatRange(min=0.0, min_open=True)
    func = click.option(
        "--cell-volume-pl", "cell_volume_pL", type=positive, metavar="PL", expose_value=False, callback=_store,
        help="Cell volume (pL/cell) converting per-cell rates of --measurements, at 4.3 mL cell volume per "
        "gDW: mmol/gDW/h = fmol/cell/h x 4.3e-3 / PL. Instead of --dry-mass-pg.",
    )(func)
    func = click.option(
        "--dry-mass-pg", "dry_mass_pg", type=positive, metavar="PG", expose_value=False, callback=_store,
        help="Cell dry mass (pg/cell) converting per-cell rates (fmol/cell/h, nmol/10^6 cells/h) of "
        "--measurements to mmol/gDW/h: mmol/gDW/h = fmol/cell/h / PG. No default: per-cell rates are "
        "refused without this or --cell-volume-pl.",
    )(func)
    return func


def _cells() -> Tuple[Optional[float], Optional[float]]:
    ctx = click.get_current_context(silent=True)
    given = ctx.meta.get(_META, {}) if ctx is not None else {}
    return given.get("dry_mass_pg"), given.get("cell_volume_pL")


def read_cli_measurements(measurements: Optional[Path]):
    """The ``--measurements`` table read with the cell options (a file or a bundled name), or ``None``."""
    dry_mass_pg, cell_volume_pL = _cells()
    if measurements is None:
        if dry_mass_pg is not None or cell_volume_pL is not None:
            raise click.UsageError("--dry-mass-pg and --cell-volume-pl convert the per-cell rates of "
                                   "--measurements; give --measurements too")
        return None
    if dry_mass_pg is not None and cell_volume_pL is not None:
        raise click.UsageError("--dry-mass-pg and --cell-volume-pl both convert per-cell rates; give only one")
    from fluxasn.core.measurements import Measurements, read_measurements

    data = read_measurements(measurements, dry_mass_pg=dry_mass_pg, cell_volume_pL=cell_volume_pL)
    name = Path(data.source).name if Path(data.source).is_file() else data.source
    return Measurements(data.table, name)


def conversion_note(data) -> Optional[str]:
    """Provenance line for per-cell rates converted with the cell options (``None`` if none were)."""
    from fluxasn.core.units import MMOL_GDW_H, PER_HOUR

    units = [u for u in dict.fromkeys(data.table["unit"]) if u not in (MMOL_GDW_H, PER_HOUR)]
    if not units:
        return None
    dry_mass_pg, cell_volume_pL = _cells()
    how = (f"dry mass {dry_mass_pg:g} pg/cell" if dry_mass_pg is not None else
           f"cell volume {cell_volume_pL:g} pL/cell at 4.3 mL/gDW" if cell_volume_pL is not None else
           "the table's dry_mass_pg/cell_volume_pL columns")
    return ", ".join(units) + f" converted to mmol/gDW/h with {how}"


def _number(value: float) -> str:
    from fluxasn.views import format_number

    return format_number(value)


def measurement_warnings(prepared, *, model_source: str, medium: Optional[str], capacity: Optional[str],
                         k: float = 2.0) -> Tuple[List[str], "object", "object"]:
    """Warning lines about the applied measurements, the sign-check table and the relaxation table.

    The sign check needs the model without measurements; it is loaded again
    only when the measurements were relaxed or leave no growth.
    """
    import pandas as pd

    from fluxasn.core.measurement_checks import MIN_GROWTH, check_signs, relaxed_measurements

    data = prepared.measurements
    if data is None or not prepared.measured_reactions:
        return [], pd.DataFrame(), pd.DataFrame()
    moved = relaxed_measurements(prepared.model, data, k=k, reactions=prepared.measured_reactions)
    lines: List[str] = []
    signs = pd.DataFrame()
    if len(moved) or prepared.model.slim_optimize(error_value=0.0) <= MIN_GROWTH:
        import fluxasn
        from fluxasn.lp.highs import stdout_to_stderr

        with stdout_to_stderr():
            plain = fluxasn.prepare_model(model_source, medium=medium, capacity=capacity).model
        signs = check_signs(plain, data, k=k)
    if len(signs):
        rows = "; ".join(f"line {r.line} {r.metabolite} {_number(r.value)} {r.unit} (growth "
                         f"{_number(r.growth_if_negative)} 1/h if negative)" for r in signs.itertuples())
        lines.append(f"likely sign error in {data.source}: uptake is NEGATIVE in fluxasn (positive = "
                     f"secretion), and these nutrients of the medium are given as secretion while the measurements as "
                     f"given are infeasible or leave no growth: {rows}")
    if len(moved):
        lines.append(f"{len(moved)} measurement{'s' if len(moved) > 1 else ''} RELAXED so that the model is "
                     f"feasible; growth and fluxes use the relaxed values (negative = uptake; move in sd "
                     f"beyond mean +/- {k:g} sd):")
        table = pd.DataFrame({
            "metabolite": moved["metabolite"], "line": moved["line"],
            "measured": [_number(v) for v in moved["measured"]], "sd": [_number(v) for v in moved["sd"]],
            "used": [_number(v) for v in moved["used"]], "move": [f"{v:.3g} sd" for v in moved["move_sd"]],
            "unit": moved["unit"],
        })
        lines.extend("  " + line for line in table.to_string(index=False).splitlines())
    return lines, signs, moved


def print_warnings(lines: List[str], *, err: bool) -> None:
    """The warning block: the first line of each warning prefixed ``WARNING:``, table lines as they are."""
    for line in lines:
        click.echo(line if line.startswith("  ") else f"WARNING: {line}", err=err)
