"""Measured rates on a model: constrain (mean +/- k sd), relax minimally, fit.

* :func:`constrain_with_measurements` sets each measured reaction's bounds to
  ``mean +/- k * sd`` (undone on leaving ``with model:``); when the bounds
  cannot all hold, :func:`minimal_relaxation` finds the smallest set of
  measurements to relax and by how much (a MILP), and ``relax=True``
  applies that relaxation;
* :func:`constrain_for_scenario` does the same for a model a scenario has
  changed: the measured growth and the measured rates of the exchanges the
  scenario sets describe unperturbed cells, so they are left out;
* :func:`fluxasn.analysis.rate_fit.fit_measurements` finds the feasible flux
  distribution closest to the measurements instead.

Measured reactions take their bounds from the measurement, not from the
medium (the medium's uptake rule is a heuristic; the measurement is data);
every other reaction keeps its bounds. Every LP, MILP and QP here is the
model's own LP in net fluxes (:func:`fluxasn.lp.netflux.extract`), solved by
:func:`fluxasn.lp.highs.solve_arrays`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

import cobra
import numpy as np
import pandas as pd

from fluxasn.config import FEASIBILITY, ZERO
from fluxasn.core.measurements import (
    OPEN_BOUND,
    MeasuredTarget,
    Measurements,
    _open_bounds,
    resolve_targets,
    select_group,
)
from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.lp.highs import solve_arrays
from fluxasn.views import ResultView
from fluxasn.lp.netflux import extract

__all__ = [
    "NetFluxTargets",
    "check_k",
    "ConstraintResult",
    "Relaxation",
    "constrain_with_measurements",
    "minimal_relaxation",
]

# --- minimal relaxation ------------------------------------------------------------------------


class NetFluxTargets:
    """The model's LP in net fluxes with the measured reactions opened (the measurements are targets)."""

    def __init__(self, model: cobra.Model, targets: List[MeasuredTarget]):
        data = extract(model)
        self.columns = data.column_ids
        self.column = {c: i for i, c in enumerate(self.columns)}
        self.A = data.sparse()
        self.row_lower, self.row_upper = data.row_arrays()
        self.col_lower = data.lb.copy()
        self.col_upper = data.ub.copy()
        for target in targets:
            big = max(OPEN_BOUND, abs(target.mean) * 10)
            lo, hi = _open_bounds(target, big)
            column = self.column[target.reaction]
            self.col_lower[column] = lo
            self.col_upper[column] = hi



@dataclass(repr=False)
class Relaxation(ResultView):
    """The smallest set of measurements whose bounds must move for the model to be feasible.

    Attributes
    ----------
    table
        One row per measurement: metabolite, reaction, line, mean, sd,
        lower, upper (the mean +/- k sd bounds, in the reaction's flux
        direction), relaxed (bool), move_lower, move_upper (how far each bound
        must move, mmol/gDW/h or 1/h), move_sd (in units of sd), new_lower,
        new_upper.
    status
        ``feasible`` (nothing to relax), ``relaxed`` or the solver status.
    """

    table: pd.DataFrame
    status: str
    k: float
    skipped: List[Tuple[str, int]] = field(default_factory=list)

    @property
    def relaxed(self) -> pd.DataFrame:
        return self.table[self.table["relaxed"]]

    @property
    def n_relaxed(self) -> int:
        return int(self.table["relaxed"].sum())

    def bounds(self) -> Dict[str, Tuple[float, float]]:
        """Reaction id -> bounds after relaxation."""
        return {r.reaction: (r.new_lower, r.new_upper) for r in self.table.itertuples(index=False)}

    def apply(self, model: cobra.Model) -> None:
        """Set every measured reaction to its relaxed bounds (undone by ``with model:``)."""
        for reaction_id, bounds in self.bounds().items():
            model.reactions.get_by_id(reaction_id).bounds = bounds

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        if self.status == "feasible":
            return f"All {len(self.table)} measurements hold at mean +/- {self.k:g} sd"
        return (
            f"{self.n_relaxed} of {len(self.table)} measurements must be relaxed for feasibility "
            f"(mean +/- {self.k:g} sd bounds)"
        )

    def _display(self) -> Optional[pd.DataFrame]:
        if not self.n_relaxed:
            return None
        return self.relaxed[["metabolite", "reaction", "line", "lower", "upper", "move_lower", "move_upper", "move_sd"]]


def _target_bounds(target: MeasuredTarget, k: float) -> Tuple[float, float]:
    lower, upper = target.mean - k * target.sd, target.mean + k * target.sd
    if target.growth:
        lower = max(lower, 0.0)
    return lower, upper


def _relaxation(model: cobra.Model, targets: List[MeasuredTarget], k: float) -> Relaxation:
    from scipy import sparse

    problem = NetFluxTargets(model, targets)
    n = len(problem.columns)
    m = len(targets)
    bounds = [_target_bounds(t, k) for t in targets]
    # columns: v (n), a_i (lower relaxation), b_i (upper relaxation), z_i (binary)
    big = [2 * max(OPEN_BOUND, abs(t.mean) * 10) + abs(t.mean) for t in targets]
    A = problem.A
    blocks_lo, blocks_hi = [], []
    extra = sparse.lil_matrix((4 * m, n + 3 * m))
    for i, (target, (lower, upper)) in enumerate(zip(targets, bounds)):
        column = problem.column[target.reaction]
        extra[4 * i, column] = 1.0
        extra[4 * i, n + i] = 1.0  # v + a >= lower
        extra[4 * i + 1, column] = 1.0
        extra[4 * i + 1, n + m + i] = -1.0  # v - b <= upper
        extra[4 * i + 2, n + i] = 1.0
        extra[4 * i + 2, n + 2 * m + i] = -big[i]  # a <= M z
        extra[4 * i + 3, n + m + i] = 1.0
        extra[4 * i + 3, n + 2 * m + i] = -big[i]  # b <= M z
        blocks_lo += [lower, -np.inf, -np.inf, -np.inf]
        blocks_hi += [np.inf, upper, 0.0, 0.0]
    full = sparse.vstack([sparse.hstack([A, sparse.csc_matrix((A.shape[0], 3 * m))]), extra.tocsc()]).tocsc()
    row_lo = np.concatenate([problem.row_lower, blocks_lo])
    row_hi = np.concatenate([problem.row_upper, blocks_hi])
    col_lo = np.concatenate([problem.col_lower, np.zeros(3 * m)])
    col_hi = np.concatenate([problem.col_upper, np.full(2 * m, np.inf), np.ones(m)])
    integer = np.concatenate([np.zeros(n + 2 * m, dtype=bool), np.ones(m, dtype=bool)])
    # stage 1: fewest relaxed measurements
    cost = np.concatenate([np.zeros(n + 2 * m), np.ones(m)])
    status, x, count = solve_arrays(full, row_lo, row_hi, cost, col_lo, col_hi, integer=integer)
    if status != "optimal":
        raise InfeasibleError(
            f"the model is infeasible even with every measurement relaxed (solver status: {status}); "
            "the medium or other constraints conflict"
        )
    count = int(round(count))
    # stage 2: at that count, the smallest total move in sd units
    card = sparse.csc_matrix(np.concatenate([np.zeros(n + 2 * m), np.ones(m)])[None, :])
    full2 = sparse.vstack([full, card]).tocsc()
    row_lo2 = np.concatenate([row_lo, [-np.inf]])
    row_hi2 = np.concatenate([row_hi, [count + 0.5]])
    weights = np.array([1.0 / t.sd for t in targets])
    cost2 = np.concatenate([np.zeros(n), weights, weights, np.zeros(m)])
    status2, x2, _ = solve_arrays(full2, row_lo2, row_hi2, cost2, col_lo, col_hi, integer=integer)
    if status2 == "optimal":
        x = x2
    rows = []
    for i, (target, (lower, upper)) in enumerate(zip(targets, bounds)):
        a = max(float(x[n + i]), 0.0)
        b = max(float(x[n + m + i]), 0.0)
        a = a if a > 0.1 * ZERO else 0.0
        b = b if b > 0.1 * ZERO else 0.0
        relaxed = a > 0 or b > 0
        pad = FEASIBILITY if relaxed else 0.0  # so that the relaxed bounds hold under solver tolerances
        new_lower = lower - a - (pad if a > 0 else 0.0)
        new_upper = upper + b + (pad if b > 0 else 0.0)
        rows.append(
            (target.metabolite, target.reaction, target.line, target.mean, target.sd, lower, upper, relaxed,
             a, b, (a + b) / target.sd, new_lower, new_upper)
        )
    table = pd.DataFrame(
        rows,
        columns=["metabolite", "reaction", "line", "mean", "sd", "lower", "upper", "relaxed", "move_lower",
                 "move_upper", "move_sd", "new_lower", "new_upper"],
    )
    return Relaxation(table, "feasible" if count == 0 else "relaxed", k)


def minimal_relaxation(
    model: cobra.Model,
    measurements: Measurements,
    *,
    k: float = 2.0,
    cell_line: Optional[str] = None,
    condition: Optional[str] = None,
    biomass: Optional[str] = None,
    strict: bool = False,
) -> Relaxation:
    """The smallest set of measurements whose bounds must move to make the model feasible.

    Each measurement bounds its reaction to ``mean +/- k sd``. A MILP with one
    binary per measurement finds the fewest measurements to relax; a second
    stage, at that number, minimises the total move in sd units. The model is
    not changed.

    Raises
    ------
    InfeasibleError
        The model is infeasible even with every measurement relaxed.

    Notes
    -----
    Lexicographic: (1) min sum z_i subject to the model's constraints,
    ``v_i + a_i >= lower_i``, ``v_i - b_i <= upper_i``, ``a_i, b_i <= M z_i``,
    ``z_i`` binary; (2) min sum (a_i + b_i) / sd_i with sum z_i fixed. Solved
    with HiGHS.

    References
    ----------
    Chinneck JW (2008) Feasibility and Infeasibility in Optimization, Springer
    (minimum-cardinality relaxation of infeasible linear systems).
    """
    check_k(k)
    selected = select_group(measurements, cell_line, condition)
    skipped: list = []
    targets = resolve_targets(model, selected, biomass, strict, skipped)
    result = _relaxation(model, targets, k)
    result.skipped = skipped
    return result


def check_k(k) -> None:
    if not isinstance(k, (int, float)) or not math.isfinite(k) or k < 0:
        raise FluxasnInputError(f"k must be a finite number >= 0, got {k!r}", identifier="k")


# --- constraining ------------------------------------------------------------------------------


@dataclass(repr=False)
class ConstraintResult(ResultView):
    """What :func:`constrain_with_measurements` did.

    ``table`` has one row per measurement (metabolite, reaction, line, mean,
    sd, lower, upper, previous_lower, previous_upper); ``feasible`` says whether
    the constrained model has a solution; ``relaxation`` is the minimal
    relaxation when it has none (applied when ``relax=True``).
    """

    table: pd.DataFrame
    k: float
    feasible: bool
    growth: float
    relaxation: Optional[Relaxation] = None
    relaxed_applied: bool = False
    skipped: List[Tuple[str, int]] = field(default_factory=list)
    left_out: List[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def reactions(self) -> Tuple[str, ...]:
        """The reactions whose bounds the measurements set (table order, each once)."""
        return tuple(dict.fromkeys(r for r in self.table["reaction"] if isinstance(r, str) and r))

    def provenance(self, *, scenario: Optional[str] = None) -> Dict[str, str]:
        """Provenance lines: ``measurements`` (what was applied), and where they apply
        ``measurements_left_out`` (with the scenario that set them) and
        ``measurements_relaxed`` (the metabolites whose bounds were moved)."""
        info = {"measurements": self._title()}
        if self.left_out:
            info["measurements_left_out"] = ", ".join(self.left_out) + (
                f" (set by scenario {scenario})" if scenario else "")
        if self.relaxed_applied and self.relaxation is not None:
            info["measurements_relaxed"] = ", ".join(map(str, self.relaxation.relaxed["metabolite"]))
        return info

    def _title(self) -> str:
        text = f"{len(self.table)} measurements applied at mean +/- {self.k:g} sd: "
        if self.feasible:
            text += f"feasible, objective {self.growth:.4g}"
        else:
            text += "infeasible"
        if self.relaxation is not None and self.relaxation.n_relaxed:
            text += f"; {self.relaxation.n_relaxed} must be relaxed" + (" (applied)" if self.relaxed_applied else "")
        if self.skipped:
            text += "; no exchange in the model for " + ", ".join(m for m, _ in self.skipped)
        return text

    def _display(self) -> pd.DataFrame:
        return self.table

    def _sections(self) -> List[ResultView]:
        return [self.relaxation] if self.relaxation is not None and self.relaxation.n_relaxed else []


def constrain_with_measurements(
    model: cobra.Model,
    measurements: Measurements,
    *,
    k: float = 2.0,
    cell_line: Optional[str] = None,
    condition: Optional[str] = None,
    biomass: Optional[str] = None,
    relax: bool = False,
    strict: bool = False,
    leave_out: Optional[Iterable[str]] = None,
) -> ConstraintResult:
    """Bound each measured reaction to ``mean +/- k sd`` (undone on leaving ``with model:``).

    Parameters
    ----------
    model
        Any cobra model (usually with a medium applied).
    measurements
        From :func:`read_measurements` or :func:`load_nci60`; one cell line and
        condition (select with ``cell_line``/``condition``).
    k
        Width of the bounds in standard deviations (default 2).
    biomass
        Reaction id of the growth rate (default: the biomass role).
    relax
        If the bounds cannot all hold, apply the minimal relaxation instead of
        leaving the model infeasible.
    strict
        Raise on a measured metabolite that the dictionary knows but the model
        has no exchange for (default: skip it and list it in ``skipped``).
    leave_out
        Reaction ids, or measured keys as in the table (``"biomass"`` for the
        growth rate, a metabolite id), whose measurements are not applied
        (listed in ``left_out``). Under a scenario these are the reactions the scenario
        sets and the growth reaction: the measurements describe unperturbed
        cells, and growth is what the scenario predicts (see
        :func:`fluxasn.analysis.scenarios.apply_scenario`).

    Returns
    -------
    ConstraintResult
        With ``feasible`` and, when infeasible, ``relaxation``.

    Raises
    ------
    FluxasnInputError
        A measurement matches no reaction (nothing is changed on the model).
    """
    check_k(k)
    selected = select_group(measurements, cell_line, condition)
    skipped: list = []
    targets = resolve_targets(model, selected, biomass, strict, skipped)  # validates everything before any change
    left_out: List[str] = []
    if leave_out is not None:
        leave_out = set(leave_out)
        left_out = [t.metabolite for t in targets if t.reaction in leave_out or t.metabolite in leave_out]
        targets = [t for t in targets if t.reaction not in leave_out and t.metabolite not in leave_out]
    rows = []
    for target in targets:
        reaction = model.reactions.get_by_id(target.reaction)
        lower, upper = _target_bounds(target, k)
        rows.append(
            (target.metabolite, target.reaction, target.line, target.mean, target.sd, lower, upper,
             reaction.lower_bound, reaction.upper_bound)
        )
    for row in rows:
        model.reactions.get_by_id(row[1]).bounds = (row[5], row[6])
    table = pd.DataFrame(
        rows,
        columns=["metabolite", "reaction", "line", "mean", "sd", "lower", "upper", "previous_lower", "previous_upper"],
    )
    value = model.slim_optimize(error_value=float("nan"))
    feasible = not math.isnan(value)
    relaxation = None
    applied = False
    if not feasible:
        relaxation = _relaxation(model, targets, k)
        if relax:
            relaxation.apply(model)
            applied = True
            value = model.slim_optimize(error_value=float("nan"))
    if relaxation is not None:
        relaxation.skipped = skipped
    return ConstraintResult(table, k, feasible, value, relaxation, applied, skipped, left_out)
