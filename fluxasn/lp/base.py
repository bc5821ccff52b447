"""The solver-independent part of a warm net-flux LP (bounds, objectives, added rows, checks).

:class:`fluxasn.lp.glpk.GlpkProblem` and :class:`fluxasn.lp.highs.HighsProblem`
implement the solver calls; :func:`fluxasn.lp.problem.LinearProblem` picks one.
"""
from __future__ import annotations

import math
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from fluxasn.lp.netflux import NetFluxLP, extract

__all__ = ["_Problem"]


class _Problem:
    """Net-flux LP data of a cobra model and the solver-independent operations.

    Attributes
    ----------
    data : NetFluxLP
        The LP as extracted (shared by :meth:`fresh_copy`).
    reaction_ids : list of str
        Column ids: the reactions (model order), then other solver variables.
    lb, ub : numpy.ndarray
        Current column bounds (reaction columns first, then any non-reaction
        variables of the model's solver); ``lb0``/``ub0`` the model's.
    n_solves : int
        Number of simplex runs so far (warm, fresh and exact).
    solver : str
        ``"glpk"`` or ``"highs"``.
    """

    solver = ""

    def __init__(self, model, *, tolerance: Optional[float] = None) -> None:
        self._take(extract(model, tolerance=tolerance))

    @classmethod
    def from_arrays(cls, *, matrix, row_bounds, lb, ub, c, maximize: bool, tolerance: float,
                    opt_tolerance: Optional[float] = None,
                    column_ids: Optional[Sequence[str]] = None) -> "_Problem":
        """A problem from LP data instead of a model (e.g. a compressed LP).

        ``matrix`` is ``(rows, cols, values)``; every column counts as a
        reaction column (``reaction_ids`` defaults to ``c0, c1, ...``).
        """
        n_cols = len(lb)
        ids = list(column_ids) if column_ids is not None else [f"c{j}" for j in range(n_cols)]
        data = NetFluxLP(
            column_ids=ids, n_reactions=n_cols, lb=np.array(lb, dtype=float), ub=np.array(ub, dtype=float),
            row_bounds=[tuple(b) for b in row_bounds], row_names=[f"r{i}" for i in range(len(row_bounds))],
            matrix=tuple(np.asarray(a) for a in matrix), c=np.array(c, dtype=float), maximize=bool(maximize),
            tolerance=float(tolerance),
            opt_tolerance=float(tolerance if opt_tolerance is None else opt_tolerance),
        )
        new = cls.__new__(cls)
        new._take(data)
        return new

    @classmethod
    def from_netflux(cls, data: NetFluxLP) -> "_Problem":
        """A problem on LP data already extracted by :func:`fluxasn.lp.netflux.extract`."""
        new = cls.__new__(cls)
        new._take(data)
        return new

    def _take(self, data: NetFluxLP) -> None:
        self.data = data
        self.reaction_ids = list(data.column_ids)
        self.index = {rid: i for i, rid in enumerate(self.reaction_ids)}
        self.tolerance = data.tolerance
        self.opt_tolerance = data.opt_tolerance
        self.n_rows = data.n_rows
        self.n_cols = data.n_cols
        self.row_bounds = data.row_bounds
        self.matrix = data.matrix
        self.lb0, self.ub0 = data.lb.copy(), data.ub.copy()
        self.c0 = data.c.copy()
        self.maximize0 = data.maximize
        self._start()

    def fresh_copy(self) -> "_Problem":
        """A new problem of the same kind on the model's LP as extracted.

        The model's bounds, objective and constraints, none of the rows,
        bounds or objectives set since; the extraction is shared, not redone
        (it is the slow part of building a genome-scale LP).
        """
        return type(self).from_netflux(self.data)

    def _start(self) -> None:
        """Load the LP with its own bounds and objective, no rows added, no solves yet."""
        self.n_solves = 0
        self._A = None
        self._extra = []
        self.maximize = self.maximize0
        self.lb, self.ub = self.lb0.copy(), self.ub0.copy()
        self.c = self.c0.copy()
        self._load()

    def __getstate__(self):
        raise TypeError(f"{type(self).__name__} holds a native solver problem and cannot be "
                        "pickled; build one per process from the model")

    # --------------------------------------------------------------- changes
    def set_bounds(self, cols: Sequence[int], lo: float, hi: float) -> None:
        """Set the bounds of columns ``cols`` to ``[lo, hi]``."""
        cols = list(cols)
        self.lb[cols] = lo
        self.ub[cols] = hi
        self._apply_bounds(cols)

    def knock_out(self, cols: Sequence[int]) -> None:
        """Bounds of ``cols`` to (0, 0), as ``cobra.Reaction.knock_out`` does."""
        self.set_bounds(cols, 0.0, 0.0)

    def restore(self, cols: Sequence[int]) -> None:
        """Restore the model's own bounds of ``cols``."""
        cols = list(cols)
        self.lb[cols] = self.lb0[cols]
        self.ub[cols] = self.ub0[cols]
        self._apply_bounds(cols)

    def set_objective(self, coefficients: Dict[int, float], *, maximize: bool) -> None:
        """Replace the objective by ``coefficients`` (column -> weight)."""
        for j in np.flatnonzero(self.c).tolist():
            self.c[j] = 0.0
            self._apply_cost(j)
        for j, value in coefficients.items():
            self.c[j] = value
            self._apply_cost(j)
        self.set_direction(maximize)

    def set_direction(self, maximize: bool) -> None:
        self.maximize = bool(maximize)
        self._apply_sense()

    def set_single_objective(self, j: int, *, maximize: bool,
                             previous: Optional[int] = None) -> None:
        """Objective = flux of column ``j`` (an FVA step), clearing ``previous``."""
        if previous is not None and previous != j:
            self.c[previous] = 0.0
            self._apply_cost(previous)
        self.c[j] = 1.0
        self._apply_cost(j)
        if maximize != self.maximize:
            self.set_direction(maximize)

    def solve_new_objective(self) -> Tuple[str, float]:
        """Solve after the objective changed, the constraints not (default: warm primal simplex)."""
        return self.solve(method="primal")

    def iterations(self) -> Optional[int]:
        """Simplex iterations of the last solve (None where the solver does not say)."""
        return None

    #: Whether :meth:`solve_limited` can stop a solve (iterations or seconds).
    can_limit = False

    def solve_limited(self, limit: Optional[int], *, method: str = "dual",
                      seconds: Optional[float] = None) -> Tuple[str, float]:
        """Solve warm with at most ``limit`` simplex iterations and ``seconds`` of time
        (no fallback when it stops: status ``iteration_limit`` or ``time_limit``).

        Default (:attr:`can_limit` False): :meth:`solve` without a limit.
        """
        return self.solve(method=method)

    def set_basis_fresh(self, basis) -> None:
        """Set ``basis`` with no solver state of earlier solves kept (default: :meth:`set_basis`)."""
        self.set_basis(basis)

    def portable_basis(self):
        """The current basis in a form that pickles (for another process); default :meth:`get_basis`."""
        return self.get_basis()

    def set_portable_basis(self, basis) -> None:
        """Start the next solve from a basis of :meth:`portable_basis`, no solver state kept."""
        self.set_basis_fresh(basis)

    def find_basis(self) -> None:
        """Give a freshly loaded problem a basis to work warm from (default: the solver's own start)."""

    def violation(self, x: np.ndarray) -> float:
        """Largest violation of a bound or constraint by ``x``, in model units.

        Simplex solutions are feasible within the solver's tolerance *in the
        scaled problem*; on badly scaled models (iJO1366) a vertex accepted
        there can miss a mass balance by 1e-4 in model units. Rules that
        reuse a solution as a feasible point first check it here.
        """
        if self._A is None:
            import scipy.sparse as sp

            ia, ja, ar = self.matrix
            self._A = sp.csr_matrix((ar, (ia, ja)), shape=(self.n_rows, self.n_cols))
            self._row_lo = np.array([lo for lo, _ in self.row_bounds], dtype=float)
            self._row_hi = np.array([hi for _, hi in self.row_bounds], dtype=float)
        act = self._A @ x
        worst = 0.0
        if self.n_rows:
            worst = max(float(np.max(self._row_lo - act, initial=0.0)),
                        float(np.max(act - self._row_hi, initial=0.0)))
        worst = max(worst, float(np.max(self.lb - x, initial=0.0)),
                    float(np.max(x - self.ub, initial=0.0)))
        for idx, val, lo, hi in self._extra:
            a = float(val @ x[idx])
            worst = max(worst, lo - a, a - hi)
        return worst

    def add_objective_bound(self, fraction: float, value: float) -> None:
        """Add the row ``c^T x >= fraction * value`` (``<=`` when minimising).

        This is cobra's ``fva_old_objective`` constraint (same bound and
        direction) written as a single row.
        """
        coefs = {int(j): float(self.c[j]) for j in np.flatnonzero(self.c)}
        bound = fraction * value
        lo, hi = (bound, math.inf) if self.maximize else (-math.inf, bound)
        self._add_row(coefs, lo, hi)
        self._extra.append((np.array(list(coefs), dtype=np.int64),
                            np.array(list(coefs.values()), dtype=float), lo, hi))
