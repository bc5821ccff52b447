"""The LP of a cobra model in net fluxes: one column per reaction, extracted once.

optlang (and so cobra) writes each reaction as a forward and a reverse
variable. Every LP of fluxasn works on the equivalent *net-flux* form: one
column per reaction with bounds ``[lower_bound, upper_bound]``, then one column
per other continuous variable of the model's solver; one row per constraint of
``model.solver`` (the mass balances, taken from the reactions' stoichiometry,
and every constraint a user added, e.g. inside ``with model:``), and the
model's linear objective. :func:`extract` is the one place that reads a model's
solver; the warm LPs of :mod:`fluxasn.lp.problem` and the one-shot solves of
:func:`fluxasn.lp.highs.solve_arrays` are built from its result.

A constraint or objective that cannot be written in net fluxes (different
weights on a reaction's forward and reverse variable), a quadratic objective
or an integer variable raises :class:`UnsupportedProblem`; callers then fall
back to cobra.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
import swiglpk as glp

from fluxasn.config import FEASIBILITY
from fluxasn.exceptions import FluxasnError

__all__ = ["NetFluxLP", "UnsupportedProblem", "constraint_terms", "extract"]


class UnsupportedProblem(FluxasnError):
    """The model's LP cannot be expressed in net fluxes (callers fall back to cobra)."""


@dataclass
class NetFluxLP:
    """LP data in net fluxes.

    Attributes
    ----------
    column_ids
        Reaction ids (model order), then the names of other solver variables.
    n_reactions
        How many of the columns are reactions.
    lb, ub
        Column bounds (``-inf``/``inf`` for none).
    row_bounds, row_names
        ``(lower, upper)`` and name of each row (``model.solver`` order).
    matrix
        ``(rows, cols, values)``: the constraint matrix in coordinate form.
    c, maximize
        Objective weights per column and its direction.
    tolerance, opt_tolerance
        Primal feasibility and dual optimality tolerances.
    """

    column_ids: List[str]
    n_reactions: int
    lb: np.ndarray
    ub: np.ndarray
    row_bounds: List[Tuple[float, float]]
    row_names: List[str]
    matrix: Tuple[np.ndarray, np.ndarray, np.ndarray]
    c: np.ndarray
    maximize: bool
    tolerance: float
    opt_tolerance: float

    @property
    def n_rows(self) -> int:
        return len(self.row_bounds)

    @property
    def n_cols(self) -> int:
        return len(self.column_ids)

    def sparse(self):
        """The constraint matrix as a SciPy CSC matrix (rows x columns)."""
        import scipy.sparse as sp

        ia, ja, ar = self.matrix
        A = sp.csc_matrix((ar, (ia, ja)), shape=(self.n_rows, self.n_cols))
        A.sum_duplicates()
        return A

    def row_arrays(self) -> Tuple[np.ndarray, np.ndarray]:
        """Row lower and upper bounds as arrays."""
        lo = np.array([b[0] for b in self.row_bounds], dtype=float)
        hi = np.array([b[1] for b in self.row_bounds], dtype=float)
        return lo, hi


def _finite(value: Optional[float], default: float) -> float:
    return default if value is None else float(value)


#: Coefficient range (largest / smallest nonzero |a|) above which an LP counts as poorly scaled.
WIDE_RANGE = 1e10
#: Primal and dual tolerance of a poorly scaled LP when the model's own is looser (rows a user adds
#: to the solver; add_enzyme_capacity already lowers model.tolerance for its pool row). An enzyme-pool
#: row (sMOMENT) spans 3.8e-6 to 9.4e6 on Human-GEM + RPMI-1640 (range 2.5e12); with the dual
#: tolerance at 1e-7 HiGHS returned "optimal" growth 0.0222809 where cobra (GLPK) and HiGHS at 1e-10
#: give 0.0222865. Measured ranges without such rows: core model 4.0e4, iJO1366 2.7e7.
WIDE_RANGE_TOLERANCE = 1e-9


def _tolerance(tolerances, name: str) -> Optional[float]:
    """A solver tolerance, or None where the interface has no such parameter."""
    try:
        return getattr(tolerances, name)
    except AttributeError:
        return None


def coefficient_range(values) -> float:
    """Largest over smallest nonzero absolute coefficient (1.0 for no coefficients)."""
    a = np.abs(np.asarray(values, dtype=float))
    a = a[a > 0]
    return float(a.max() / a.min()) if len(a) else 1.0


def extract(model, *, tolerance: Optional[float] = None) -> NetFluxLP:
    """The net-flux LP of ``model`` (the model is not changed).

    Parameters
    ----------
    model
        A cobra model.
    tolerance
        Primal feasibility and dual optimality tolerance; default: the
        model's solver tolerances (cobra's ``model.tolerance``, 1e-7), at
        most :data:`WIDE_RANGE_TOLERANCE` (1e-9) when the coefficients span
        more than :data:`WIDE_RANGE` (an enzyme-pool row does).

    Raises
    ------
    UnsupportedProblem
        The model's LP is not linear in net fluxes.
    """
    solver = model.solver
    solver.update()
    reaction_ids = [r.id for r in model.reactions]
    n_rxn = len(reaction_ids)
    var_col: Dict[str, Tuple[int, float]] = {}
    for i, rxn in enumerate(model.reactions):
        var_col[rxn.forward_variable.name] = (i, 1.0)
        var_col[rxn.reverse_variable.name] = (i, -1.0)
    extra = [v for v in solver.variables if v.name not in var_col]
    if any(v.type != "continuous" for v in extra):
        raise UnsupportedProblem("the model's solver holds integer variables")
    for k, var in enumerate(extra):
        var_col[var.name] = (n_rxn + k, 1.0)
    n_col = n_rxn + len(extra)

    lb = np.empty(n_col)
    ub = np.empty(n_col)
    for i, rxn in enumerate(model.reactions):
        lo, hi = rxn.bounds
        lb[i] = -math.inf if lo is None else float(lo)
        ub[i] = math.inf if hi is None else float(hi)
    for k, var in enumerate(extra):
        lb[n_rxn + k] = _finite(var.lb, -math.inf)
        ub[n_rxn + k] = _finite(var.ub, math.inf)

    met_ids = {m.id for m in model.metabolites}
    rows: List[Tuple[float, float]] = []
    row_names: List[str] = []
    ia: List[int] = []
    ja: List[int] = []
    ar: List[float] = []
    mass_rows: Dict[str, int] = {}
    for con in solver.constraints:
        row = len(rows)
        rows.append((_finite(con.lb, -math.inf), _finite(con.ub, math.inf)))
        row_names.append(con.name)
        if con.name in met_ids:
            mass_rows[con.name] = row
        else:
            coefs = _linear(constraint_terms(solver, con), var_col, f"constraint {con.name!r}")
            for col, value in coefs.items():
                ia.append(row)
                ja.append(col)
                ar.append(value)
    for i, rxn in enumerate(model.reactions):
        for met, coef in rxn._metabolites.items():
            row = mass_rows.get(met.id)
            if row is None:
                raise UnsupportedProblem(f"metabolite {met.id!r} has no constraint")
            ia.append(row)
            ja.append(i)
            ar.append(float(coef))

    objective = solver.objective
    if not objective.is_Linear:
        raise UnsupportedProblem("the objective is not linear")
    c = np.zeros(n_col)
    for col, value in _linear(_terms(objective.expression), var_col, "the objective").items():
        c[col] = value
    if tolerance is None:
        tol = solver.configuration.tolerances
        feas = _tolerance(tol, "feasibility") or FEASIBILITY
        # GLPK's optlang interface has no optimality tolerance: the dual one follows the
        # primal (cobra's model.tolerance), never a looser constant.
        opt = _tolerance(tol, "optimality") or feas
        if coefficient_range(ar) > WIDE_RANGE:
            feas, opt = min(feas, WIDE_RANGE_TOLERANCE), min(opt, WIDE_RANGE_TOLERANCE)
    else:
        feas = opt = float(tolerance)
    return NetFluxLP(
        column_ids=reaction_ids + [v.name for v in extra],
        n_reactions=n_rxn,
        lb=lb,
        ub=ub,
        row_bounds=rows,
        row_names=row_names,
        matrix=(np.asarray(ia, dtype=np.int64), np.asarray(ja, dtype=np.int64), np.asarray(ar, dtype=float)),
        c=c,
        maximize=objective.direction == "max",
        tolerance=feas,
        opt_tolerance=opt,
    )


def constraint_terms(solver, constraint) -> List[Tuple[Optional[str], float]]:
    """``(variable name, coefficient)`` of each term of a linear optlang constraint.

    With optlang's GLPK interface the row is read from GLPK itself: building
    the sympy expression costs about 1 ms per row (2.2 s for the 2,354
    reverse-part rows of an enzyme pool on Human-GEM). Other interfaces go
    through the expression. A name of None marks a term that is not a
    variable (the caller refuses it).
    """
    if type(solver).__module__ == "optlang.glpk_interface" and constraint.problem is solver:
        problem = solver.problem
        n = glp.glp_get_num_cols(problem)
        index, value = glp.intArray(n + 1), glp.doubleArray(n + 1)
        nnz = glp.glp_get_mat_row(problem, constraint._index, index, value)
        return [(glp.glp_get_col_name(problem, index[i]), value[i]) for i in range(1, nnz + 1)]
    return _terms(constraint.expression)


def _terms(expression) -> List[Tuple[Optional[str], float]]:
    """Terms of a linear optlang (sympy) expression, constants dropped."""
    out = []
    for symbol, coef in expression.as_coefficients_dict().items():
        if symbol == 1 or getattr(symbol, "is_Number", False):
            continue  # a constant offset does not move the optimum
        out.append((getattr(symbol, "name", None), float(coef)))
    return out


def _linear(terms, var_col, what: str) -> Dict[int, float]:
    """Coefficients on net-flux columns of ``(variable name, coefficient)`` terms."""
    forward: Dict[int, float] = {}
    reverse: Dict[int, float] = {}
    for name, coef in terms:
        if name not in var_col:
            raise UnsupportedProblem(f"{what} is not linear in the model's variables")
        col, sign = var_col[name]
        (forward if sign > 0 else reverse)[col] = float(coef)
    out: Dict[int, float] = {}
    for col in set(forward) | set(reverse):
        f = forward.get(col)
        r = reverse.get(col)
        if f is not None and r is not None and abs(f + r) > 1e-12 * max(1.0, abs(f)):
            raise UnsupportedProblem(
                f"{what} weighs a reaction's forward and reverse parts differently")
        value = f if f is not None else -r
        if value:
            out[col] = value
    return out


