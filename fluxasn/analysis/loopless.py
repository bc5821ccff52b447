"""Loopless FVA and loopless FBA (CycleFreeFlux) on fluxasn's warm LPs.

:func:`loopless_fva` computes what :func:`cobra.flux_analysis.flux_variability_analysis`
computes with ``loopless="cycleFreeFlux"`` (cobra's ``loopless=True``),
step for step, and :func:`loopless_solution` what
:func:`cobra.flux_analysis.loopless_solution` computes.

What cobra computes
-------------------
1. The cyclic reactions (:func:`cobra.flux_analysis.find_cyclic_reactions`):
   internal (non-boundary) reactions that carry flux in some steady state of
   the internal network alone, ``S_int q = 0`` with each ``q_i`` of the sign
   its bounds allow (``|q_i| <= 1e4``), and in which direction. Only the
   minimum of a reaction that can run backwards in a cycle, and the maximum
   of one that can run forwards in one, are changed; every other bound is
   plain FVA's.
2. For such a bound, an FVA optimum ``x`` (optimum ``M`` of ``v_r`` on the
   FVA polytope ``F``: the model with ``objective >= fraction * optimum``) is
   post-processed by CycleFreeFlux: the flux ``y`` of least total internal
   flux ``sum |y_i|`` in ``F`` whose boundary fluxes equal ``x``'s and whose
   internal fluxes lie between 0 and ``x_i`` (``loopless_fva_iter``). If
   ``y_r = M`` (within the model's tolerance, 1e-7) the bound is ``M``.
3. Otherwise the same least-flux problem with ``v_r = M`` gives ``z``; the
   reactions ``Z`` that ``y`` switched off (``|y_i| < tol``) and ``z`` did
   not are closed (bounds clipped to 0) and the bound is the optimum of
   ``v_r`` on ``F`` with them closed.

Steps 2-3 depend on which optimal vertex ``x`` the solver returns (and on
``y``, ``z`` where those are not unique): cobra's documentation says the
result is not guaranteed to be the loopless optimum. fluxasn follows the
same steps on its own vertices, so the two agree where those choices do not
matter, which on the core model and iJO1366 is every bound
(``scripts/bench_loopless.py``).

Why it is fast (exact)
----------------------
* Cyclic reactions come from a few LPs on the internal network (each
  maximises the summed flux of the reactions not yet known to cycle in one
  direction; every positive entry of an optimum is such a reaction), not
  one or two LPs per reaction, and deterministically (cobra's search is
  randomised and can miss a reaction).
* The vertex ``x`` is a warm solve of fluxasn's LP (one objective
  coefficient changes), not a cobra model solve.
* ``y = x - c`` where ``c`` is an internal steady state *conformal* to ``x``
  (``0 <= c_i / x_i <= 1``): every entry of ``c`` is a cyclic reaction in the
  direction of ``x_i``. So step 2 is a small LP over the cyclic reactions
  that carry flux in ``x`` (maximise ``sum |c_i|``), not an LP over the whole
  model with every bound changed; if ``r`` is not among them, ``y_r = x_r``
  and nothing is solved. Step 3 likewise; only the final LP is on ``F``.

When a MILP is needed
---------------------
The strict loop law (no flux distribution with a conformal internal cycle,
Schellenberger et al. 2011; cobra's ``add_loopless``, ``loopless="fastSNP"``)
is a mixed-integer problem; CycleFreeFlux FVA is a heuristic bound of it (a
bound of 2 gives a loopless flux distribution with that value; cobra's
step 3 can return a value between the loopless optimum and ``M``). fluxasn
does not offer the MILP.

References
----------
- Desouki AA, Jarre F, Gelius-Dietrich G, Lercher MJ. CycleFreeFlux:
  efficient removal of thermodynamically infeasible loops from flux
  distributions. Bioinformatics 31:2159 (2015).
- Schellenberger J, Lewis NE, Palsson BO. Elimination of thermodynamically
  infeasible loops in steady-state metabolic models. Biophys J 100:544 (2011).
"""
from __future__ import annotations

import math
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.lp.highs import solve_arrays
from fluxasn.lp.problem import LinearProblem
from fluxasn.lp.status import OPTIMAL

__all__ = ["cyclic_reactions", "loopless_fva", "loopless_bounds", "loopless_solution"]

#: Flux bound of the internal network's LP (cobra's ``find_cyclic_reactions``).
CYCLE_BOUND = 1e4

#: Loopless FVA methods: the loop law (exact, MILP where needed) or cobra's CycleFreeFlux steps.
METHODS = ("strict", "cyclefreeflux")

#: A loopless point within this of a plain FVA bound attains it (fva's at-bound rule).
AT_BOUND = 1e-9

#: Branch-and-bound nodes (warm LPs) per loopless bound before it is given up (NaN, warning).
MAX_NODES = 5000

#: LPs per direction after which :func:`cyclic_reactions` stops (each finds at least one).
MAX_CYCLE_LPS = 10000


def _internal(model) -> np.ndarray:
    """Positions of the non-boundary reactions (cobra's ``Reaction.boundary``)."""
    return np.array([i for i, r in enumerate(model.reactions) if not r.boundary], dtype=np.int64)


def _stoichiometry(model, cols: np.ndarray):
    """The stoichiometric matrix (metabolites x ``cols``), CSC."""
    import scipy.sparse as sp

    met = {m.id: i for i, m in enumerate(model.metabolites)}
    ii, jj, vv = [], [], []
    for k, j in enumerate(cols.tolist()):
        for m, coef in model.reactions[j].metabolites.items():
            ii.append(met[m.id])
            jj.append(k)
            vv.append(float(coef))
    A = sp.csc_matrix((vv, (ii, jj)), shape=(len(met), len(cols)))
    A.sum_duplicates()
    return A


def cyclic_reactions(model, *, tolerance: Optional[float] = None) -> Tuple[List[str], List[Tuple[bool, bool]]]:
    """Reactions that can carry flux in an internal cycle, and in which directions.

    Same answer as :func:`cobra.flux_analysis.find_cyclic_reactions` (whose
    randomised search can miss a reaction), found deterministically.

    Parameters
    ----------
    model : cobra.Model
        The model (not changed).
    tolerance
        A flux above this (with fluxes bounded by 1e4) counts; default
        ``model.tolerance`` (cobra's cutoff).

    Returns
    -------
    (ids, directions)
        Reaction ids in model order and ``(can_be_negative, can_be_positive)``
        for each.

    Notes
    -----
    Only the stoichiometry and the signs of the bounds count (cobra's
    definition): a reaction found here may have no loop once the other
    bounds apply; one not found is in no loop of any steady state.
    """
    tol = model.tolerance if tolerance is None else float(tolerance)
    internal = _internal(model)
    if not len(internal):
        return [], []
    A = _stoichiometry(model, internal)
    lb = np.array([model.reactions[j].lower_bound for j in internal], dtype=float)
    ub = np.array([model.reactions[j].upper_bound for j in internal], dtype=float)
    lo = CYCLE_BOUND * np.minimum(0.0, np.sign(lb))
    hi = CYCLE_BOUND * np.maximum(0.0, np.sign(ub))
    keep = np.asarray(abs(A).sum(axis=1)).ravel() > 0
    A = A[keep]
    zeros = np.zeros(A.shape[0])
    n = len(internal)
    found = {1.0: np.zeros(n, dtype=bool), -1.0: np.zeros(n, dtype=bool)}
    for sign in (1.0, -1.0):
        open_ = (hi > 0) if sign > 0 else (lo < 0)
        for _ in range(MAX_CYCLE_LPS):
            todo = open_ & ~found[sign]
            if not todo.any():
                break
            cost = np.where(todo, -sign, 0.0)  # minimise -sign * sum q_i over todo
            status, q, value = solve_arrays(A, zeros, zeros, cost, lo, hi)
            if status != OPTIMAL:
                raise InfeasibleError(f"the internal-cycle LP ended with status {status!r}")
            if -value <= tol:
                break
            found[1.0] |= q > tol
            found[-1.0] |= q < -tol
    ids, dirs = [], []
    for k, j in enumerate(internal.tolist()):
        neg, pos = bool(found[-1.0][k]), bool(found[1.0][k])
        if neg or pos:
            ids.append(model.reactions[j].id)
            dirs.append((neg, pos))
    return ids, dirs


class _Cycles:
    """The least-flux (CycleFreeFlux) problems around a flux vector, as small LPs.

    ``y = x - c``: ``c`` lives on the cyclic reactions that carry flux in
    ``x`` in a cyclic direction, plus the model's non-reaction variables
    (free in cobra's problem too); rows are every row of the LP (with the
    objective bound), shifted so that ``c = 0`` is feasible.
    """

    def __init__(self, lp, model, cyclic_pos: np.ndarray, cyclic_neg: np.ndarray, tol: float):
        import scipy.sparse as sp

        self.lp = lp
        self.tol = tol
        n = lp.n_cols
        self.n_rxn = len(model.reactions)
        self.pos, self.neg = cyclic_pos, cyclic_neg
        ia, ja, ar = lp.matrix
        parts_i, parts_j, parts_a = [ia], [ja], [ar]
        lo = [b[0] for b in lp.row_bounds]
        hi = [b[1] for b in lp.row_bounds]
        for idx, val, rlo, rhi in lp._extra:
            parts_i.append(np.full(len(idx), len(lo), dtype=np.int64))
            parts_j.append(np.asarray(idx, dtype=np.int64))
            parts_a.append(np.asarray(val, dtype=float))
            lo.append(rlo)
            hi.append(rhi)
        A = sp.csc_matrix((np.concatenate(parts_a), (np.concatenate(parts_i), np.concatenate(parts_j))),
                          shape=(len(lo), n))
        A.sum_duplicates()
        self.A = A
        self.row_lo, self.row_hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
        self.extra = np.arange(self.n_rxn, n, dtype=np.int64)

    def columns(self, x: np.ndarray) -> np.ndarray:
        """Reaction columns ``c`` may use: cyclic in the direction of their flux in ``x``."""
        return np.flatnonzero((self.pos & (x[: self.n_rxn] > 0)) | (self.neg & (x[: self.n_rxn] < 0)))

    def least_flux(self, x: np.ndarray, cols: np.ndarray, fixed: Optional[int] = None) -> np.ndarray:
        """``y``: least total flux on ``cols`` between 0 and ``x``, boundary and others as in ``x``.

        ``fixed``: a column kept at ``x`` (cobra's ``v_r = M``).
        """
        lp = self.lp
        use = np.concatenate([cols, self.extra])
        if fixed is not None:
            use = use[use != fixed]
        y = x.copy()
        if not len(use):
            return y
        xs = x[use]
        lb, ub = lp.lb[use], lp.ub[use]
        react = use < self.n_rxn
        # y_i within [max(0, lb), min(x_i, ub)] (x_i >= 0) or [max(x_i, lb), min(0, ub)]
        ylo = np.where(react, np.where(xs >= 0, np.maximum(0.0, lb), np.maximum(xs, lb)), lb)
        yhi = np.where(react, np.where(xs >= 0, np.minimum(xs, ub), np.minimum(0.0, ub)), ub)
        clo = np.minimum(xs - yhi, 0.0)
        chi = np.maximum(xs - ylo, 0.0)
        sub = self.A[:, use]
        rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        sub = sub[rows]
        act = self.A[rows] @ x
        rlo = np.minimum(act - self.row_hi[rows], 0.0)  # A c >= A x - hi
        rhi = np.maximum(act - self.row_lo[rows], 0.0)
        cost = np.where(react, -np.sign(xs), 0.0)  # maximise sum |c_i|
        status, c, _ = solve_arrays(sub, rlo, rhi, cost, clo, chi)
        if status != OPTIMAL:
            raise InfeasibleError(f"the CycleFreeFlux LP ended with status {status!r}")
        y[use] = xs - c
        return y


def _solve_vertex(lp, j: int, maximize: bool, previous: Optional[int]):
    lp.set_single_objective(j, maximize=maximize, previous=previous)
    status, value = lp.solve_new_objective()
    if status == OPTIMAL and lp.violation(lp.primal()) > lp.tolerance:
        status, value = lp.solve_fresh()
    return status, value


def _bound(lp, cycles: _Cycles, j: int, maximize: bool, x: np.ndarray, current: float,
           counts: Dict[str, int]) -> float:
    """cobra's ``loopless_fva_iter`` on the vertex ``x`` of ``max/min v_j``."""
    tol = cycles.tol
    cols = cycles.columns(x)
    if j not in set(cols.tolist()):
        counts["no_cycle"] += 1  # c_j = 0 in every CycleFreeFlux solution
        return current
    y = cycles.least_flux(x, cols)
    counts["cff"] += 1
    if abs(y[j] - current) < tol:
        return current
    z = cycles.least_flux(x, cols, fixed=j)
    n = cycles.n_rxn
    close = np.flatnonzero((np.abs(y[:n]) < tol) & (np.abs(z[:n]) > tol))
    counts["closed"] += 1
    saved_lb, saved_ub = lp.lb[close].copy(), lp.ub[close].copy()
    for k, lo, hi in zip(close.tolist(), saved_lb, saved_ub):
        lp.set_bounds([k], max(0.0, lo), min(0.0, hi))
    try:
        status, value = lp.solve(method="dual")
        if status == OPTIMAL and lp.violation(lp.primal()) > lp.tolerance:
            status, value = lp.solve_fresh()
    finally:
        for k, lo, hi in zip(close.tolist(), saved_lb, saved_ub):
            lp.set_bounds([k], lo, hi)
    if status != OPTIMAL:
        return math.nan
    return float(lp.primal([j])[0])


def _setup(model, fraction: float, solver: Optional[str]):
    lp = LinearProblem(model, solver=solver or "glpk")
    status, optimum = lp.solve_fresh()
    if status != OPTIMAL:
        raise InfeasibleError(
            f"there is no optimal solution for the model's objective (status {status!r}); "
            "loopless FVA needs a feasible model")
    lp.add_objective_bound(fraction, optimum)
    lp.set_objective({}, maximize=lp.maximize)
    return lp


def loopless_bounds(model, frame: pd.DataFrame, *, fraction_of_optimum: float = 1.0,
                    method: str = "strict", solver: Optional[str] = None,
                    stats: Optional[dict] = None) -> pd.DataFrame:
    """Replace the bounds of an FVA table that loops can move by their CycleFreeFlux values.

    Parameters
    ----------
    model : cobra.Model
        The model the table was computed on (not changed).
    frame : pandas.DataFrame
        Plain FVA of ``model`` at ``fraction_of_optimum`` (``minimum``,
        ``maximum``, mmol/gDW/h, indexed by reaction id), e.g. from
        :func:`fluxasn.analysis.fva.fva`.
    fraction_of_optimum
        As for the FVA.
    solver
        Backend of the warm LP: ``"glpk"`` (default), ``"highs"`` or ``"auto"``.
    stats
        If a dict is given: ``bounds`` (bounds in a cyclic direction),
        ``no_cycle`` (settled without an LP beyond the vertex), ``cff``
        (CycleFreeFlux LPs of step 2), ``closed`` (bounds that needed step 3),
        ``cyclic`` (cyclic reactions of the model).

    Returns
    -------
    pandas.DataFrame
        A copy of ``frame`` with those bounds replaced (NaN, with a warning,
        where an LP is not optimal).
    """
    if method not in METHODS:
        raise FluxasnInputError(f"method must be one of {METHODS}, not {method!r}", identifier="method")
    cyclic, directions = cyclic_reactions(model)
    counts = {"bounds": 0, "no_cycle": 0, "cff": 0, "closed": 0, "cyclic": len(cyclic),
              "loopless_vertex": 0, "branched": 0, "nodes": 0, "node_limit": 0, "at_bound": 0,
              "nan": 0}
    where = dict(zip(cyclic, directions))
    todo = [(rid, d) for rid in frame.index if rid in where for d in (0, 1) if where[rid][d]]
    frame = frame.copy()
    counts["bounds"] = len(todo)
    if todo and method == "strict":
        _strict(model, frame, todo, where, fraction_of_optimum, solver, counts)
    elif todo:
        lp = _setup(model, fraction_of_optimum, solver)
        n = len(model.reactions)
        pos, neg = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for rid, (can_neg, can_pos) in where.items():
            k = lp.index[rid]
            pos[k], neg[k] = can_pos, can_neg
        cycles = _Cycles(lp, model, pos, neg, model.tolerance)
        previous = None
        for rid, d in todo:
            j = lp.index[rid]
            maximize = bool(d)
            column = "maximum" if maximize else "minimum"
            status, current = _solve_vertex(lp, j, maximize, previous)
            previous = j
            if status != OPTIMAL:
                value = math.nan
            else:
                value = _bound(lp, cycles, j, maximize, lp.primal(), float(current), counts)
            if math.isnan(value):
                warnings.warn(f"loopless FVA {column} of {rid!r}: no optimal solution; "
                              "recorded as NaN", stacklevel=2)
            frame.at[rid, column] = value
    if stats is not None:
        stats.update(counts)
    return frame


def loopless_fva(model, reactions: Optional[Sequence] = None, *, fraction_of_optimum: float = 1.0,
                 processes: Optional[int] = None, solver: Optional[str] = None,
                 stats: Optional[dict] = None) -> pd.DataFrame:
    """Loopless FVA: cobra's ``flux_variability_analysis(loopless="cycleFreeFlux")``.

    Plain FVA (:func:`fluxasn.analysis.fva.fva`), then :func:`loopless_bounds`.

    Parameters
    ----------
    model : cobra.Model
        The model (not changed).
    reactions
        Reactions (objects or ids); default: every reaction.
    fraction_of_optimum
        The objective must reach at least this fraction of its optimum.
    processes, solver
        As for :func:`fluxasn.analysis.fva.fva` (the loopless step runs in
        this process).
    stats
        As for :func:`loopless_bounds`, plus the FVA's.

    Returns
    -------
    pandas.DataFrame
        ``minimum`` and ``maximum`` (mmol/gDW/h) indexed by reaction id.
    """
    from fluxasn.analysis.fva import fva

    return fva(model, reactions, fraction_of_optimum=fraction_of_optimum, loopless=True,
               processes=processes, solver=solver, stats=stats)


def loopless_solution(model, fluxes: Optional[Dict[str, float]] = None):
    """A flux distribution without loops at the model's optimum (CycleFreeFlux).

    Same as :func:`cobra.flux_analysis.loopless_solution`: the flux of least
    total internal flux whose objective is at least the optimum, whose
    boundary fluxes equal those of ``fluxes`` (default: an FBA optimum) and
    whose internal fluxes lie between 0 and their value in ``fluxes``.

    Parameters
    ----------
    model : cobra.Model
        The model (not changed).
    fluxes
        Reaction id -> flux (mmol/gDW/h) of a solution of this model; default
        an FBA optimum.

    Returns
    -------
    cobra.Solution
        ``fluxes`` (mmol/gDW/h), ``objective_value`` (the objective of the
        loopless fluxes), status ``"optimal"``.

    Raises
    ------
    InfeasibleError
        The model has no optimum, or ``fluxes`` is not one of its solutions.
    FluxasnInputError
        ``fluxes`` lacks a reaction of the model.
    """
    from cobra import Solution

    lp = LinearProblem(model, solver="glpk")
    status, optimum = lp.solve_fresh()
    if status != OPTIMAL:
        raise InfeasibleError(f"there is no optimal solution for the model's objective (status {status!r})")
    n = len(model.reactions)
    x = lp.primal()
    if fluxes is not None:
        given = dict(fluxes)
        missing = [r.id for r in model.reactions if r.id not in given]
        if missing:
            raise FluxasnInputError("fluxes lacks reactions of the model", identifier=missing[0])
        x = x.copy()
        x[:n] = [float(given[r.id]) for r in model.reactions]
    # cobra: objective >= optimum (lb), whatever the direction
    coefs = {int(j): float(lp.c[j]) for j in np.flatnonzero(lp.c)}
    lp._add_row(coefs, optimum, math.inf)
    lp._extra.append((np.array(list(coefs), dtype=np.int64), np.array(list(coefs.values()), dtype=float),
                      optimum, math.inf))
    cyclic, directions = cyclic_reactions(model)
    pos, neg = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for rid, (can_neg, can_pos) in zip(cyclic, directions):
        pos[lp.index[rid]], neg[lp.index[rid]] = can_pos, can_neg
    cycles = _Cycles(lp, model, pos, neg, model.tolerance)
    y = cycles.least_flux(x, cycles.columns(x))
    values = pd.Series(y[:n], index=[r.id for r in model.reactions], name="fluxes")
    return Solution(float(lp.c[:n] @ y[:n] + lp.c[n:] @ y[n:]), OPTIMAL, values)


# ------------------------------------------------------------------ strict loop law


class _LoopLaw:
    """Loop-law bounds by branching on the loops met (warm LPs, no MILP).

    A flux vector obeys the loop law (Schellenberger 2011) when no internal
    cycle is conformal to it. If ``c`` is an internal cycle (``S c = 0`` on
    the cyclic reactions), a loopless ``v`` cannot run every reaction of
    ``c`` in ``c``'s direction: some ``i`` in its support has ``sign(c_i) v_i
    <= 0``. So the loopless optimum of ``v_j`` is the best over the branches
    "``sign(c_i) v_i <= 0``" (a bound change on the warm LP), recursively
    (best first, each node's LP optimum bounding its subtree); a node whose
    CycleFreeFlux point ``y`` (loopless, checked) keeps the node's optimum is
    solved, and every such ``y`` is a loopless point (lower bound).
    """

    def __init__(self, cycles: "_Cycles", model, cyclic_cols: np.ndarray):
        self.cycles = cycles
        self.tol = cycles.tol
        self.cols = cyclic_cols
        self.S = _stoichiometry(model, cyclic_cols).tocsc()
        self.at = {int(j): k for k, j in enumerate(cyclic_cols.tolist())}
        self.found: List[np.ndarray] = []

    def _cycle(self, v: np.ndarray, j: Optional[int] = None, amount: float = 0.0) -> np.ndarray:
        """An internal cycle conformal to ``v`` over the cyclic columns.

        ``j`` given: the least total flux cycle with ``c_j = amount`` (short
        cycles branch less); else the one of largest total flux (zero: ``v``
        is loopless).
        """
        xs = v[self.cols]
        xs = np.where(np.abs(xs) > self.tol, xs, 0.0)
        use = np.flatnonzero(xs != 0)
        c = np.zeros(len(self.cols))
        if not len(use):
            return c
        sub = self.S[:, use]
        rows = np.flatnonzero(np.diff(sub.tocsr().indptr) > 0)
        sub = sub[rows]
        lo, hi = np.minimum(xs[use], 0.0), np.maximum(xs[use], 0.0)
        cost = -np.sign(xs[use])
        if j is not None:
            k = int(np.flatnonzero(use == self.at[j])[0])
            lo[k] = hi[k] = amount
            cost = -cost
        zeros = np.zeros(len(rows))
        status, q, _ = solve_arrays(sub, zeros, zeros, cost, lo, hi)
        if status != OPTIMAL:
            raise InfeasibleError(f"the loop-finding LP ended with status {status!r}")
        c[use] = q
        return c

    def loopless(self, v: np.ndarray) -> bool:
        return not np.any(np.abs(self._cycle(v)) > self.tol)

    def _node(self, lp, restrict):
        saved = {}
        for i, sign in restrict:
            saved.setdefault(i, (lp.lb[i], lp.ub[i]))
        for i in saved:
            lo, hi = lp.lb[i], lp.ub[i]
            for k, sign in restrict:
                if k == i:
                    lo, hi = (lo, min(hi, 0.0)) if sign > 0 else (max(lo, 0.0), hi)
            if lo > hi:
                return "infeasible", math.nan, None
            lp.set_bounds([i], lo, hi)
        try:
            status, value = lp.solve(method="dual")
            v = lp.primal() if status == OPTIMAL else None
        finally:
            for i, (lo, hi) in saved.items():
                lp.set_bounds([i], lo, hi)
        return status, value, v

    def bound(self, j: int, maximize: bool, x: np.ndarray, current: float, counts: dict,
              known: float = -math.inf):
        """``(value, point)``: the loopless optimum of ``v_j`` (vertex ``x``, LP optimum ``current``).

        ``known``: ``sign * v_j`` of a loopless point found before (a lower bound).
        """
        import heapq

        tol = self.tol
        sgn = 1.0 if maximize else -1.0
        if self.loopless(x):
            counts["loopless_vertex"] += 1
            return current, x
        lp = self.cycles.lp
        best, point = known, None
        heap = [(-sgn * current, 0, ())]
        seen = {()}
        nodes = 0
        while heap:
            key, _, restrict = heapq.heappop(heap)
            if -key <= best + AT_BOUND:
                break
            if nodes >= MAX_NODES:
                counts["node_limit"] += 1
                return math.nan, None
            if restrict:
                status, value, v = self._node(lp, restrict)
                nodes += 1
                if status != OPTIMAL or sgn * value <= best + AT_BOUND:
                    continue
            else:
                value, v = current, x
            y = self.cycles.least_flux(v, self.cycles.columns(v))
            if self.loopless(y):
                self.found.append(y)
                if sgn * y[j] > best:
                    best, point = sgn * y[j], y
                if abs(y[j] - value) < tol:
                    continue
                c = self._cycle(v, j, v[j] - y[j])
            else:
                c = self._cycle(y)
            for k in np.flatnonzero(np.abs(c) > tol).tolist():
                child = tuple(sorted(set(restrict) | {(int(self.cols[k]), 1.0 if c[k] > 0 else -1.0)}))
                if child not in seen:
                    seen.add(child)
                    heapq.heappush(heap, (-sgn * value, len(seen), child))
        counts["nodes"] += nodes
        counts["branched"] += 1
        if point is None:  # the known loopless point is the best
            return sgn * best, None
        return sgn * best, point


def _strict(model, frame: pd.DataFrame, todo, where, fraction: float, solver, counts: dict) -> None:
    """Loop-law bounds of ``todo`` into ``frame`` (see :func:`loopless_bounds`)."""
    lp = _setup(model, fraction, solver)
    n = len(model.reactions)
    pos, neg = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for rid, (can_neg, can_pos) in where.items():
        k = lp.index[rid]
        pos[k], neg[k] = can_pos, can_neg
    cycles = _Cycles(lp, model, pos, neg, model.tolerance)
    law = _LoopLaw(cycles, model, np.flatnonzero(pos | neg))
    cols = np.array([lp.index[rid] for rid, _ in todo], dtype=np.int64)
    plain = np.array([frame.at[rid, "maximum" if d else "minimum"] for rid, d in todo], dtype=float)
    open_ = ~np.isnan(plain)
    counts["nan"] += int((~open_).sum())
    high, low = np.full(lp.n_cols, -math.inf), np.full(lp.n_cols, math.inf)

    def absorb(p: np.ndarray) -> None:
        """A loopless point: a bound it attains is settled (fva's at-bound rule)."""
        np.maximum(high, p, out=high)
        np.minimum(low, p, out=low)
        hit = open_ & (np.abs(p[cols] - plain) <= AT_BOUND)
        counts["at_bound"] += int(hit.sum())
        open_[hit] = False

    start = lp.fresh_copy()
    status, _ = start.solve_fresh()
    if status == OPTIMAL:
        x = start.primal()
        y = cycles.least_flux(x, cycles.columns(x))
        if law.loopless(y):
            absorb(y)
    previous = None
    for i, (rid, d) in enumerate(todo):
        if not open_[i]:
            continue
        j, maximize = int(cols[i]), bool(d)
        status, current = _solve_vertex(lp, j, maximize, previous)
        previous = j
        open_[i] = False
        value = math.nan
        if status == OPTIMAL:
            known = high[j] if maximize else -low[j]
            value, point = law.bound(j, maximize, lp.primal(), float(current), counts, known)
            if point is not None:
                law.found.append(point)
        if math.isnan(value):
            warnings.warn(f"loopless FVA {'maximum' if maximize else 'minimum'} of {rid!r}: "
                          "no optimal solution; recorded as NaN", stacklevel=3)
        frame.at[rid, "maximum" if maximize else "minimum"] = value
        for p in law.found:
            absorb(p)
        law.found.clear()
