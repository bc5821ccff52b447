"""HiGHS: quiet instances, the warm net-flux LP, and one-shot LP and MILP solves.

* :func:`new_highs` builds every HiGHS instance of fluxasn (no banner on
  standard output, one thread);
* :class:`HighsProblem` is the warm net-flux LP of :mod:`fluxasn.lp.problem`
  on HiGHS (dual simplex from the previous basis);
* :func:`solve_arrays` solves one LP or MILP given as arrays (the
  measured-rate fit and the minimal relaxation build theirs from
  :func:`fluxasn.lp.netflux.extract`);
* :class:`stdout_to_stderr` points file descriptor 1 at standard error for a
  block, for C libraries that print there.

Statuses are the names of :mod:`fluxasn.lp.status`; HiGHS' "infeasible or
unbounded" is settled by a phase-1 solve before it is reported.
"""
from __future__ import annotations

import math
import time
import os
import sys
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from fluxasn.lp.base import _Problem
from fluxasn.lp.status import INFEASIBLE, INFEASIBLE_OR_UNBOUNDED, OPTIMAL, UNBOUNDED, highs_status

__all__ = ["new_highs", "HighsProblem", "solve_arrays", "max_positive_parts", "stdout_to_stderr",
           "HIGHS_THREADS"]

_BANNER_SHOWN = False


def new_highs():
    """A HiGHS instance whose first construction does not print HiGHS's banner.

    highspy writes a banner to file descriptor 1 when the first ``Highs()`` of a
    process is built; it would mix with a script's (or the CLI's --json/--csv)
    standard output. The first construction runs with fd 1 pointed at
    ``/dev/null``; later ones print nothing anyway.
    """
    import highspy

    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        return _one_thread(highspy.Highs())
    _BANNER_SHOWN = True
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        return _one_thread(highspy.Highs())
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return _one_thread(highspy.Highs())
    finally:
        os.dup2(saved, 1)
        os.close(saved)


#: HiGHS threads per instance. HiGHS keeps one scheduler per process, sized by
#: the first run; a later instance asking for another size fails to run (model
#: status "Not Set"). optlang's "hybrid" interface (cobra's HiGHS + OSQP, used
#: for MOMA) asks for 1, so fluxasn's instances do too: with HiGHS' default
#: (0, automatic) a fluxasn LP followed by cobra's pFBA on "hybrid" in the same
#: process was aborted. Parallel work in fluxasn is across processes anyway.
HIGHS_THREADS = 1


def _one_thread(h):
    h.setOptionValue("threads", HIGHS_THREADS)
    return h


class stdout_to_stderr:
    """Send file descriptor 1 to standard error (C libraries print there) for a block."""

    def __enter__(self):
        sys.stdout.flush()
        try:
            self._saved = os.dup(1)
            os.dup2(2, 1)
        except OSError:  # no real descriptors (embedded use): nothing to redirect
            self._saved = None
        return self

    def __exit__(self, *exc):
        sys.stdout.flush()
        if self._saved is not None:
            os.dup2(self._saved, 1)
            os.close(self._saved)
        return False


def solve_arrays(A, row_lower, row_upper, cost, col_lower, col_upper, *, integer=None,
                 interior: bool = False) -> Tuple[str, Optional[np.ndarray], float]:
    """Solve ``min cost'x`` subject to row bounds on ``Ax`` and column bounds (an LP or a MILP).

    Parameters
    ----------
    A
        Constraint matrix (anything SciPy turns into a sparse matrix).
    row_lower, row_upper, col_lower, col_upper
        Bounds (``-inf``/``inf`` for none).
    integer
        Boolean flags per column: a MILP (big-M rows are then solved with a
        10^-10 integrality tolerance and no optimality gap).
    interior
        Interior-point method without crossover or presolve: the solution
        lies inside the optimal face (not at a vertex), e.g. to find every
        column that some optimum moves.

    Returns
    -------
    (status, x, objective)
        ``x`` and ``objective`` are None and NaN unless the status is optimal.
    """
    import highspy
    from scipy import sparse

    A = sparse.csc_matrix(A)
    A.sum_duplicates()
    h = new_highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    inf = highspy.kHighsInf
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.where(np.isinf(col_lower), -inf, col_lower)
    lp.col_upper_ = np.where(np.isinf(col_upper), inf, col_upper)
    lp.row_lower_ = np.where(np.isinf(row_lower), -inf, row_lower)
    lp.row_upper_ = np.where(np.isinf(row_upper), inf, row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data.astype(float)
    if integer is not None and np.any(integer):
        lp.integrality_ = [highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
                           for flag in integer]
        # big-M rows (move <= M z) must not let a fractional z of 1e-6 buy a real move
        h.setOptionValue("mip_feasibility_tolerance", 1e-10)
        h.setOptionValue("mip_rel_gap", 0.0)
    if interior:
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "off")
        h.setOptionValue("presolve", "off")
    h.passModel(lp)
    h.run()
    status = highs_status(h.getModelStatus())
    if status == INFEASIBLE_OR_UNBOUNDED:
        status = _settle(h, lp.num_col_)
    if status != OPTIMAL:
        return status, None, float("nan")
    return status, np.array(h.getSolution().col_value), float(h.getInfo().objective_function_value)


def _settle(h, n_cols: int) -> str:
    """Infeasible or unbounded: a phase-1 solve (zero objective) tells which."""
    h.changeColsCost(n_cols, np.arange(n_cols, dtype=np.int32), np.zeros(n_cols))
    h.clearSolver()
    h.setOptionValue("presolve", "off")
    h.run()
    return UNBOUNDED if highs_status(h.getModelStatus()) == OPTIMAL else INFEASIBLE


def max_positive_parts(A, row_lower, row_upper, col_lower, col_upper, todo, *, sign: float,
                       cap: float, interior: bool = False) -> Tuple[str, Optional[np.ndarray], float]:
    """Maximise ``sum_k t_k`` with ``0 <= t_k <= sign * x_k`` and ``t_k <= cap`` for ``k`` in ``todo``.

    ``x`` ranges over ``row_lower <= A x <= row_upper`` and the column bounds.
    Each ``t_k`` is the positive part of ``sign * x_k`` capped at ``cap``, so
    the optimum is positive exactly when some column of ``todo`` can take a
    value of that sign (a cancelling sum of the ``x_k`` themselves cannot hide
    one), and it is 0 when none can. A small ``cap`` makes one optimum switch
    on as many columns as it can at once (the LP of FASTCORE's consistency
    check, Vlassis et al. 2014 PLoS Comput Biol 10:e1003424); a large one
    rewards the size of each flux. ``interior``: see :func:`solve_arrays`.
    Returns ``(status, x, optimum)`` with ``x`` the original columns only
    (None unless optimal).
    """
    from scipy import sparse

    A = sparse.csr_matrix(A)
    todo = np.asarray(todo, dtype=np.int64)
    n, k = A.shape[1], len(todo)
    link = sparse.hstack([sparse.csr_matrix((-sign * np.ones(k), (np.arange(k), todo)), shape=(k, n)),
                          sparse.identity(k, format="csr")])
    M = sparse.vstack([sparse.hstack([A, sparse.csr_matrix((A.shape[0], k))]), link]).tocsc()
    row_lo = np.concatenate([np.asarray(row_lower, dtype=float), np.full(k, -np.inf)])
    row_hi = np.concatenate([np.asarray(row_upper, dtype=float), np.zeros(k)])
    cost = np.concatenate([np.zeros(n), -np.ones(k)])
    col_lo = np.concatenate([np.asarray(col_lower, dtype=float), np.zeros(k)])
    col_hi = np.concatenate([np.asarray(col_upper, dtype=float), np.full(k, float(cap))])
    status, x, value = solve_arrays(M, row_lo, row_hi, cost, col_lo, col_hi, interior=interior)
    return status, (x[:n] if x is not None else None), -value


class HighsProblem(_Problem):
    """The net-flux LP on one HiGHS instance (highspy), dual simplex, warm basis."""

    solver = "highs"

    def _load(self) -> None:
        import highspy
        import scipy.sparse as sp

        self._hs = highspy
        h = new_highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("presolve", "off")
        h.setOptionValue("solver", "simplex")
        h.setOptionValue("simplex_strategy", 1)  # dual simplex: bounds change, basis stays dual feasible
        h.setOptionValue("primal_feasibility_tolerance", self.tolerance)
        h.setOptionValue("dual_feasibility_tolerance", self.opt_tolerance)
        inf = highspy.kHighsInf
        self._inf = inf
        ia, ja, ar = self.matrix
        A = sp.csc_matrix((ar, (ia, ja)), shape=(self.n_rows, self.n_cols))
        A.sum_duplicates()
        lp = highspy.HighsLp()
        lp.num_col_ = self.n_cols
        lp.num_row_ = self.n_rows
        lp.col_cost_ = self.c.astype(float)
        lp.col_lower_ = np.where(np.isinf(self.lb), -inf, self.lb)
        lp.col_upper_ = np.where(np.isinf(self.ub), inf, self.ub)
        lp.row_lower_ = np.array([-inf if math.isinf(lo) else lo for lo, _ in self.row_bounds])
        lp.row_upper_ = np.array([inf if math.isinf(hi) else hi for _, hi in self.row_bounds])
        lp.sense_ = highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        h.passModel(lp)
        self._h = h
        self._fresh_seconds: Optional[float] = None  # time of solve_new_objective's last fresh solve

    def _apply_bounds(self, cols) -> None:
        cols = np.asarray(list(cols), dtype=np.int32)
        if len(cols) == 0:
            return
        inf = self._inf
        lo = np.where(np.isinf(self.lb[cols]), -inf, self.lb[cols])
        hi = np.where(np.isinf(self.ub[cols]), inf, self.ub[cols])
        self._h.changeColsBounds(len(cols), cols, lo, hi)

    def _apply_cost(self, j: int) -> None:
        self._h.changeColCost(int(j), float(self.c[j]))

    def _apply_sense(self) -> None:
        hs = self._hs
        self._h.changeObjectiveSense(hs.ObjSense.kMaximize if self.maximize
                                     else hs.ObjSense.kMinimize)

    def _add_row(self, coefs: Dict[int, float], lo: float, hi: float) -> None:
        inf = self._inf
        idx = np.array(list(coefs), dtype=np.int32)
        val = np.array(list(coefs.values()), dtype=float)
        self._h.addRow(-inf if math.isinf(lo) else lo, inf if math.isinf(hi) else hi,
                       len(idx), idx, val)

    def _status(self) -> str:
        return highs_status(self._h.getModelStatus())

    def _run(self, strategy: int, *, warm: bool = False) -> str:
        self._h.setOptionValue("simplex_strategy", strategy)
        # From a given basis (a knockout from the reference optimum) Devex
        # pricing starts at once; dual steepest edge first computes a weight
        # per row. Measured on Human-GEM + RPMI, all single-gene knockouts:
        # 11.7 s with Devex against 14.5 s (HiGHS' default choice) and 31 s
        # (Dantzig), with the same answers. Solves from scratch keep the default.
        self._h.setOptionValue("simplex_dual_edge_weight_strategy", 1 if warm else -1)
        self.n_solves += 1
        self._h.run()
        return self._status()

    def solve(self, *, method: str = "dual") -> Tuple[str, float]:
        """Solve from the current basis (dual simplex by default).

        A non-optimal answer is confirmed from a fresh start with the primal
        simplex, which also separates "infeasible" from "unbounded".
        """
        status = self._run(1 if method == "dual" else 4, warm=True)
        if status != "optimal":
            status = self._fresh(status)
        return self._result(status)

    def solve_new_objective(self) -> Tuple[str, float]:
        """Warm primal simplex for at most as long as the last solve from scratch took, else from scratch.

        HiGHS' warm primal simplex on Human-GEM's full LP with an enzyme pool
        took minutes for some objectives (one over 20 minutes, 2026-12-07;
        FVA's full-LP fallback) and milliseconds for others, while a presolved
        solve from scratch takes about 2 s: capping the warm attempt at the
        time of the last fresh solve costs at most twice a fresh solve.
        """
        budget = self._fresh_seconds
        if budget is not None:
            status, value = self.solve_limited(None, method="primal", seconds=budget)
            if status == "optimal":
                return status, value
        start = time.perf_counter()
        result = self.solve_fresh()
        self._fresh_seconds = time.perf_counter() - start
        return result

    def iterations(self) -> Optional[int]:
        return int(self._h.getInfo().simplex_iteration_count)

    can_limit = True

    def solve_limited(self, limit: Optional[int], *, method: str = "dual",
                      seconds: Optional[float] = None) -> Tuple[str, float]:
        """Warm solve stopped after ``limit`` simplex iterations (status ``iteration_limit``)
        or ``seconds`` of wall time (``time_limit``)."""
        if limit is None and seconds is None:
            return self.solve(method=method)
        h = self._h
        if limit is not None:
            h.setOptionValue("simplex_iteration_limit", max(int(limit), 0))
        if seconds is not None:
            h.setOptionValue("time_limit", max(float(seconds), 0.0))
        try:
            status = self._run(1 if method == "dual" else 4, warm=True)
        finally:  # HiGHS' defaults: no limits
            h.setOptionValue("simplex_iteration_limit", self._hs.kHighsIInf)
            h.setOptionValue("time_limit", self._inf)
        return self._result(status)

    def _fresh(self, status: str) -> str:
        self._h.clearSolver()
        status = self._run(4)
        if status == INFEASIBLE_OR_UNBOUNDED:
            # Primal phase 1 decides: infeasible if no feasible point exists.
            saved = self.c.copy()
            for j in np.flatnonzero(saved).tolist():
                self._h.changeColCost(j, 0.0)
            self._h.clearSolver()
            feasible = self._run(4) == "optimal"
            for j in np.flatnonzero(saved).tolist():
                self._h.changeColCost(j, float(saved[j]))
            self._h.clearSolver()
            status = self._run(4)
            if status != "optimal":
                status = "unbounded" if feasible else "infeasible"
        return status

    def solve_tight(self, factor: float = 0.01) -> Tuple[str, float]:
        """Solve warm again with the primal feasibility tolerance times ``factor``."""
        h = self._h
        try:
            h.setOptionValue("primal_feasibility_tolerance", self.tolerance * factor)
            return self.solve(method="primal")
        finally:
            h.setOptionValue("primal_feasibility_tolerance", self.tolerance)

    def solve_fresh(self) -> Tuple[str, float]:
        """Solve from scratch (no basis), independent of earlier solves.

        HiGHS presolve runs for this solve only (warm solves keep it off, so a
        changed bound reuses the basis): on Human-GEM + RPMI-1640 the fresh
        solve took 3.21 s and 11,892 iterations without it, 0.97 s and 6,357
        with it (with the enzyme pool 5.49 s against 2.04 s), same optimum,
        and the postsolved basis needs no further iteration warm.
        """
        self._h.clearSolver()
        self._h.setOptionValue("presolve", "on")
        try:
            status = self._run(1)
        finally:
            self._h.setOptionValue("presolve", "off")
        if status != "optimal":
            status = self._fresh(status)
        return self._result(status)

    def find_basis(self) -> None:
        """Solve once from scratch with presolve, for a basis the next solves start from.

        Without it the first warm (primal) solve of a freshly loaded problem
        starts from the slack basis. On FVA's compressed Human-GEM + RPMI-1640
        LP with an enzyme pool that first solve took 20-23 s; after this
        solve (1.5-1.8 s, presolve on) it took 0.2-1.0 s, and 40 random
        reactions took 13.5 s instead of 67 s in the same session.
        """
        self.solve_fresh()

    def _result(self, status: str) -> Tuple[str, float]:
        if status != "optimal":
            return status, math.nan
        return status, float(self._h.getInfo().objective_function_value)

    def solve_exact(self) -> Tuple[str, float]:
        """HiGHS has no rational simplex: a solve from scratch stands in."""
        return self.solve_fresh()

    def primal(self, cols: Optional[Sequence[int]] = None) -> np.ndarray:
        """Primal values of ``cols`` (default: every column) in the last solution."""
        values = np.asarray(self._h.getSolution().col_value, dtype=float)
        return values if cols is None else values[np.asarray(cols, dtype=np.int64)]

    def get_basis(self):
        basis = self._h.getBasis()
        return basis

    def set_basis(self, basis) -> None:
        self._h.setBasis(basis)

    def set_basis_fresh(self, basis) -> None:
        """Set ``basis`` with every solver state of earlier solves dropped (factors, pricing
        weights), so the next solve depends only on the basis and the bounds."""
        self._h.clearSolver()
        self._h.setBasis(basis)

    def portable_basis(self):
        """``(column statuses, row statuses)`` as integers (HiGHS' basis object does not pickle)."""
        basis = self._h.getBasis()
        return ([int(s) for s in basis.col_status], [int(s) for s in basis.row_status])

    def set_portable_basis(self, basis) -> None:
        status = self._hs.HighsBasisStatus
        cols, rows = basis
        new = self._hs.HighsBasis()
        new.col_status = [status(s) for s in cols]
        new.row_status = [status(s) for s in rows]
        new.valid = True
        self.set_basis_fresh(new)
