"""Checks of measured rates on a model: likely sign errors, and what a relaxation moved.

* :func:`check_signs` finds measured rates that are probably uptakes typed
  as positive numbers (fluxasn's exchange convention: negative = uptake): a
  nutrient the medium supplies, given as a positive (secretion) rate, while
  the measurements leave the model infeasible or without growth, and whose
  sign flipped restores growth.
* :func:`relaxed_measurements` compares a model's bounds with the measured
  ``mean +/- k sd`` and lists every measurement whose bounds were moved (by
  :func:`fluxasn.analysis.rates.minimal_relaxation`, applied by
  ``constrain_with_measurements(relax=True)`` and ``prepare_model``): the
  measured value, the value used and the move in sd units.
* :func:`relaxation_warning` is the one-line warning a report prints when its
  growth comes from relaxed measurements.

All values are in the exchange convention (negative = uptake), mmol/gDW/h
(growth 1/h).
"""
from __future__ import annotations

from typing import Iterable, List, Mapping, Optional, Tuple

import cobra
import pandas as pd

from fluxasn.core.medium_rules import growth_or_zero
from fluxasn.core.measurements import MeasuredTarget, Measurements, resolve_targets, select_group
from fluxasn.core.units import FLUX_UNIT, GROWTH_UNIT

__all__ = [
    "SIGN_COLUMNS",
    "RELAXED_COLUMNS",
    "MIN_GROWTH",
    "check_signs",
    "relaxed_measurements",
    "relaxation_warning",
]

#: Growth (1/h) at or below which a model counts as not growing (a doubling time of ~80 years).
MIN_GROWTH = 1e-6
#: Columns of :func:`check_signs`.
SIGN_COLUMNS = ("metabolite", "line", "value", "unit", "growth_if_negative")
#: Columns of :func:`relaxed_measurements`.
RELAXED_COLUMNS = ("metabolite", "reaction", "line", "unit", "measured", "sd", "limit", "used", "move_sd",
                   "distance_sd")


def _bounds(target: MeasuredTarget, k: float, mean: Optional[float] = None) -> Tuple[float, float]:
    """``mean +/- k sd`` in the reaction's flux direction (growth not below 0), as the constraints set them."""
    mean = target.mean if mean is None else mean
    lower, upper = mean - k * target.sd, mean + k * target.sd
    return (max(lower, 0.0), upper) if target.growth else (lower, upper)


def _uptake_open(model: cobra.Model, target: MeasuredTarget) -> bool:
    """Whether the model (its medium) lets the metabolite be taken up: flux ``-sign`` per unit uptake."""
    reaction = model.reactions.get_by_id(target.reaction)
    return reaction.lower_bound < 0 if target.sign > 0 else reaction.upper_bound > 0


def check_signs(
    model: cobra.Model,
    measurements: Measurements,
    *,
    k: float = 2.0,
    cell_line: Optional[str] = None,
    condition: Optional[str] = None,
    biomass: Optional[str] = None,
    min_growth: float = MIN_GROWTH,
) -> pd.DataFrame:
    """Measured rates that are probably uptakes typed with the wrong sign.

    A row is flagged when (1) its value is positive (secretion), (2) the
    model's medium supplies the metabolite (its exchange allows uptake), (3)
    with every measurement at ``mean +/- k sd`` the model is infeasible or
    grows at most ``min_growth``, and (4) with the sign of that row flipped
    (or, when no single row does it, of all such rows together) the model
    grows. The model is not changed.

    Parameters
    ----------
    model
        The model with its medium applied and *without* the measurements
        (the medium's bounds tell which nutrients it supplies).
    measurements
        From :func:`fluxasn.core.measurements.read_measurements`; one cell
        line and condition (select with ``cell_line``/``condition``).
    k
        Width of the measurement bounds in standard deviations.
    biomass
        Reaction id of the growth rate (default: the biomass role).
    min_growth
        Growth (1/h) at or below which the model counts as not growing.

    Returns
    -------
    pandas.DataFrame
        One row per suspect measurement (:data:`SIGN_COLUMNS`): metabolite,
        line (in the file), value and unit as given, and the growth (1/h)
        with its sign flipped. Empty when nothing looks wrong.
    """
    selected = select_group(measurements, cell_line, condition)
    targets = resolve_targets(model, selected, biomass, False, [])
    suspects = [t for t in targets if not t.growth and t.sign * t.mean > 0 and _uptake_open(model, t)]
    found: List[Tuple[MeasuredTarget, float]] = []
    if suspects:
        with model:
            for target in targets:
                model.reactions.get_by_id(target.reaction).bounds = _bounds(target, k)
            if growth_or_zero(model) <= min_growth:
                for target in suspects:
                    with model:
                        model.reactions.get_by_id(target.reaction).bounds = _bounds(target, k, -target.mean)
                        growth = growth_or_zero(model)
                    if growth > min_growth:
                        found.append((target, growth))
                if not found and len(suspects) > 1:
                    for target in suspects:
                        model.reactions.get_by_id(target.reaction).bounds = _bounds(target, k, -target.mean)
                    growth = growth_or_zero(model)
                    if growth > min_growth:
                        found = [(target, growth) for target in suspects]
    rows = []
    table = selected.table.set_index("line")
    for target, growth in found:
        row = table.loc[target.line]
        rows.append((target.metabolite, target.line, float(row["value"]), str(row["unit"]), growth))
    return pd.DataFrame(rows, columns=list(SIGN_COLUMNS))


def relaxed_measurements(
    model: cobra.Model,
    measurements: Measurements,
    *,
    k: float = 2.0,
    reactions: Optional[Iterable[str]] = None,
    cell_line: Optional[str] = None,
    condition: Optional[str] = None,
    biomass: Optional[str] = None,
) -> pd.DataFrame:
    """Every measurement whose bounds on ``model`` were moved beyond ``mean +/- k sd``.

    Parameters
    ----------
    model
        A model the measurements were applied to (e.g. ``prepare_model(...).model``
        or after ``constrain_with_measurements(..., relax=True)``).
    measurements
        The measurements applied; one cell line and condition.
    k
        The width they were applied with, in standard deviations.
    reactions
        Only these reactions (``prepare_model(...).measured_reactions``: under a
        scenario, left-out measurements are not compared).
    biomass
        Reaction id of the growth rate (default: the biomass role).

    Returns
    -------
    pandas.DataFrame
        One row per moved measurement (:data:`RELAXED_COLUMNS`), in the
        exchange convention (negative = uptake) and ``unit`` (mmol/gDW/h, or
        1/h for growth): ``measured`` (mean) and ``sd``, ``limit`` (the
        ``mean +/- k sd`` bound that moved), ``used`` (where that bound is now),
        ``move_sd`` (``|used - limit| / sd``, what the relaxation minimises)
        and ``distance_sd`` (``(used - measured) / sd``). Empty when nothing
        was relaxed.
    """
    selected = select_group(measurements, cell_line, condition)
    targets = resolve_targets(model, selected, biomass, False, [])
    if reactions is not None:
        keep = set(reactions)
        targets = [t for t in targets if t.reaction in keep]
    rows = []
    for target in targets:
        reaction = model.reactions.get_by_id(target.reaction)
        lower, upper = _bounds(target, k)
        moves = []
        if reaction.lower_bound < lower - 1e-9 * max(1.0, abs(lower)):
            moves.append((lower, reaction.lower_bound))
        if reaction.upper_bound > upper + 1e-9 * max(1.0, abs(upper)):
            moves.append((upper, reaction.upper_bound))
        measured = target.sign * target.mean
        for limit, used in moves:
            rows.append((target.metabolite, target.reaction, target.line, GROWTH_UNIT if target.growth else FLUX_UNIT,
                         measured, target.sd, target.sign * limit, target.sign * used,
                         abs(used - limit) / target.sd, (target.sign * used - measured) / target.sd))
    return pd.DataFrame(rows, columns=list(RELAXED_COLUMNS))


def relaxation_warning(provenance: Optional[Mapping[str, str]]) -> List[str]:
    """The warning a report adds when its model runs on relaxed measurements (none otherwise).

    ``provenance`` is :attr:`fluxasn.analysis.prepare.PreparedModel.provenance`
    (its ``measurements_relaxed`` line names the moved measurements).
    """
    relaxed = (provenance or {}).get("measurements_relaxed")
    if not relaxed:
        return []
    return [f"growth and fluxes come from RELAXED measurements: the measured rates cannot all hold, so the bounds "
            f"of {relaxed} were moved beyond mean +/- k sd (the command line prints each move; "
            "fluxasn.core.measurement_checks.relaxed_measurements lists them)"]
