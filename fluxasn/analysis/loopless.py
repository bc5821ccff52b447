"""Loopless FVA and loopless FBA (CycleFreeFlux) on fluxasn's warm LPs.

Two loopless FVAs (``fluxasn.analysis.fva.fva(model, loopless=...)``, which
calls :func:`loopless_bounds` on its plain FVA table):

* ``method="strict"`` (default): the bounds of the flux distributions that
  obey the loop law (no internal cycle conformal to the fluxes; Schellenberger
  et al. 2011), which is what cobra's MILP ``loopless="fastSNP"``
  (``add_loopless``) computes. Unique values: equal to cobra's within 4e-9 on
  the core model (fractions 1.0 and 0.9).
* ``method="cyclefreeflux"``: cobra's ``loopless="cycleFreeFlux"`` (its
  ``loopless=True``) step for step. Its values are *not* a function of the
  model: they depend on which optimal vertex the LP solver returns. On the
  core model cobra's own answers for GDHm's minimum were -63.5, -0.16 and
  -0.19 when the reactions were asked in model order, as the cyclic subset,
  or reversed, and ICDHxm's maximum 1000 (GLPK) or 0 (HiGHS); on Human-GEM a
  changed warm start flipped bounds of fluxasn's own run between 0 and 1000.
  No implementation can agree with it row by row; fluxasn follows its steps.

What cobra's CycleFreeFlux FVA computes
---------------------------------------
1. The cyclic reactions (:func:`cyclic_reactions`): internal reactions that
   carry flux in some steady state of the internal network alone (``S_int q
   = 0``, each ``q_i`` of the sign its bounds allow), and in which direction.
   Only the minimum of a reaction that can run backwards in a cycle and the
   maximum of one that can run forwards in one change; the rest is plain FVA.
2. An FVA optimum ``x`` (optimum ``M`` of ``v_r`` on the FVA polytope ``F``)
   is post-processed by CycleFreeFlux: ``y``, the flux of least total
   internal flux in ``F`` whose boundary fluxes equal ``x``'s and whose
   internal fluxes lie between 0 and ``x_i``. If ``y_r = M`` (within the
   model's tolerance) the bound is ``M``.
3. Otherwise the same problem with ``v_r = M`` gives ``z``; the reactions
   ``Z`` that ``y`` switched off and ``z`` did not are closed and the bound
   is the optimum of ``v_r`` on ``F`` with them closed.

Where the time goes, and what fluxasn does instead
--------------------------------------------------
On Human-GEM + RPMI-1640, cobra's ``find_cyclic_reactions`` did not finish in
15 minutes (two loaded cores), and each loopless bound took 38 s after it
(py-spy: 60% GLPK solves of whole-model LPs with every bound changed, 30%
rebuilding the objective when its model context is left).

* Cyclic reactions: one-way reactions by LPs that maximise ``sum t_k`` with
  ``0 <= t_k <= q_k`` (one LP finds at least one new reaction or proves there
  is none); reversible reactions as cobra does, by objectives with random
  signs (fixed seed) until three find nothing new, then one warm LP per
  missing direction of a reaction seen; metabolites that the remaining
  reactions can only make or only use are pruned first. Same set as cobra's
  on the core model and iJO1366 (76 reactions; an earlier summed objective
  missed 7 whose cycles run one reaction backwards).
* ``y = x - c`` where ``c`` is an internal cycle *conformal* to ``x``, so
  every entry of ``c`` is a cyclic reaction in the direction of ``x_i``:
  steps 2-3 are small LPs over the cyclic reactions that carry flux in
  ``x``. If ``r`` is not among them nothing is solved; if ``r`` is in ``Z``
  its bound is 0 (``y`` is a feasible point with ``v_Z = 0``); only the
  remaining step-3 LPs run on ``F`` (HiGHS, warm).
* The loop law: branch and bound on the loops met. A loopless flux cannot
  run every reaction of an internal cycle ``c`` in ``c``'s direction, so the
  optimum is the best over the branches "``sign(c_i) v_i <= 0``" for ``i`` in
  ``c`` (bound changes on the warm LP), best first, each node's LP optimum
  bounding its subtree; a node whose CycleFreeFlux point is loopless and
  keeps the node's optimum is solved. A vertex that is already loopless
  settles its bound, and a loopless point at a plain FVA bound settles that
  bound (fva's at-bound rule).

When a MILP is needed
---------------------
The loop law is a mixed-integer condition in general (cobra: ``add_loopless``
with binaries per cyclic reaction; a first localised HiGHS MILP here took 96
s for one Human-GEM bound). The branching above replaces it where loops are
few: 120 LP nodes for the 15 cyclic bounds of the core model (under 1 s).
On iJO1366 (82 cyclic bounds) it took 647 s on two loaded cores, where
cobra's fastSNP MILP did not finish 10 reactions in 300 s; on Human-GEM
loops reroute through many parallel reactions and the branching grows
without bound (:data:`MAX_NODES` then gives NaN with a warning). There
``method="cyclefreeflux"`` is the practical choice; a MILP per bound (HiGHS
MIP) is not offered.

References
----------
- Desouki AA, Jarre F, Gelius-Dietrich G, Lercher MJ. CycleFreeFlux:
  efficient removal of thermodynamically infeasible loops from flux
  distributions. Bioinformatics 31:2159 (2015).
- Schellenberger J, Lewis NE, Palsson BO. Elimination of thermodynamically
  infeasible loops in steady-state metabolic models. Biophys J 100:544 (2011).
- Saa PA, Nielsen LK. Fast-SNP: a fast matrix pre-processing algorithm for
  efficient loopless flux optimization of metabolic models. Bioinformatics
  32:3807 (2016).
"""
from __future__ import annotations

import math
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.analysis.cycles import (CycleLPFailed, _Cycles, _setup, _solve_vertex, _stoichiometry,
                                     cyclic_reactions)
from fluxasn.lp.highs import solve_arrays
from fluxasn.lp.problem import LinearProblem
from fluxasn.lp.status import OPTIMAL

__all__ = ["cyclic_reactions", "loopless_bounds", "loopless_solution"]

#: Loopless FVA methods: the loop law (exact, MILP where needed) or cobra's CycleFreeFlux steps.
METHODS = ("strict", "cyclefreeflux")

#: A loopless point within this of a plain FVA bound attains it (fva's at-bound rule).
AT_BOUND = 1e-9

#: Branch-and-bound nodes (warm LPs) per loopless bound before it is given up (NaN, warning).
MAX_NODES = 2000



def _bound(closed: "_Closed", cycles: _Cycles, j: int, maximize: bool, x: np.ndarray,
           current: float, counts: Dict[str, int]) -> float:
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
    if j in set(close.tolist()) and cycles.lp.lb[j] <= 0.0 <= cycles.lp.ub[j]:
        # v_j itself is closed: the optimum is 0 (y, with v_Z ~ 0, is feasible)
        counts["self_closed"] += 1
        return 0.0
    final = closed.lp
    saved_lb, saved_ub = final.lb[close].copy(), final.ub[close].copy()
    final.set_single_objective(j, maximize=maximize, previous=closed.previous)
    closed.previous = j
    for k, lo, hi in zip(close.tolist(), saved_lb, saved_ub):
        final.set_bounds([k], max(0.0, lo), min(0.0, hi))
    try:
        status, value = final.solve(method="dual")
        if status == OPTIMAL and final.violation(final.primal()) > final.tolerance:
            status, value = final.solve_fresh()
    finally:
        for k, lo, hi in zip(close.tolist(), saved_lb, saved_ub):
            final.set_bounds([k], lo, hi)
    if status != OPTIMAL:
        return math.nan
    return float(final.primal([j])[0])


class _Closed:
    """The LP of cobra's step 3 (``F`` with reactions closed), kept warm from bound to bound.

    On HiGHS (dual simplex after bound changes): on Human-GEM + RPMI-1640
    GLPK's warm dual simplex spent 76% of the CycleFreeFlux FVA's time here.
    """

    def __init__(self, lp, fraction: float, optimum: float):
        from fluxasn.lp.highs import HighsProblem

        self.lp = HighsProblem.from_netflux(lp.data)
        self.lp.add_objective_bound(fraction, optimum)
        self.lp.set_objective({}, maximize=self.lp.maximize)
        self.lp.find_basis()
        self.previous = None


def loopless_bounds(model, frame: pd.DataFrame, *, fraction_of_optimum: float = 1.0,
                    method: str = "strict", solver: Optional[str] = None,
                    stats: Optional[dict] = None, progress=None) -> pd.DataFrame:
    """Replace the bounds of an FVA table that loops can move by their loopless values.

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
    method
        ``"strict"`` (the loop law, cobra's ``loopless="fastSNP"``) or
        ``"cyclefreeflux"`` (cobra's ``loopless="cycleFreeFlux"`` steps); see
        the module docstring.
    solver
        Backend of the warm LP: ``"glpk"`` (default), ``"highs"`` or ``"auto"``.
    stats
        If a dict is given: ``cyclic`` (cyclic reactions of the model),
        ``bounds`` (bounds in a cyclic direction), and per method the steps
        that settled them: ``no_cycle``, ``cff``, ``closed``, ``self_closed``
        (CycleFreeFlux); ``loopless_vertex``, ``branched``, ``nodes``,
        ``node_limit``, ``at_bound``, ``nan`` (strict).
    progress
        Optional ``progress(done, total)`` callback (CycleFreeFlux bounds).

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
              "self_closed": 0, "loopless_vertex": 0, "branched": 0, "nodes": 0, "node_limit": 0, "at_bound": 0,
              "nan": 0}
    where = dict(zip(cyclic, directions))
    todo = [(rid, d) for rid in frame.index if rid in where for d in (0, 1) if where[rid][d]]
    frame = frame.copy()
    counts["bounds"] = len(todo)
    if todo and method == "strict":
        _strict(model, frame, todo, where, fraction_of_optimum, solver, counts)
    elif todo:
        lp, optimum = _setup(model, fraction_of_optimum, solver)
        closed = _Closed(lp, fraction_of_optimum, optimum)
        cycles, _, _ = _cycles_of(lp, model, where)
        previous = None
        for done, (rid, d) in enumerate(todo):
            if progress is not None and done % 250 == 0:
                progress(done, len(todo))
            j = lp.index[rid]
            maximize = bool(d)
            column = "maximum" if maximize else "minimum"
            status, current = _solve_vertex(lp, j, maximize, previous)
            previous = j
            value = math.nan
            if status == OPTIMAL:
                try:
                    value = _bound(closed, cycles, j, maximize, lp.primal(), float(current), counts)
                except CycleLPFailed:
                    counts["nan"] += 1
            if math.isnan(value):
                warnings.warn(f"loopless FVA {column} of {rid!r}: no optimal solution; "
                              "recorded as NaN", stacklevel=2)
            frame.at[rid, column] = value
    if stats is not None:
        stats.update(counts)
    return frame


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
    cycles, _, _ = _cycles_of(lp, model, dict(zip(cyclic, directions)))
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


def _cycles_of(lp, model, where):
    """(cycle finder, forward mask, reverse mask) over the LP's columns from ``where`` (id -> (can_neg, can_pos))."""
    n = len(model.reactions)
    pos, neg = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for rid, (can_neg, can_pos) in where.items():
        k = lp.index[rid]
        pos[k], neg[k] = can_pos, can_neg
    return _Cycles(lp, model, pos, neg, model.tolerance), pos, neg


def _strict(model, frame: pd.DataFrame, todo, where, fraction: float, solver, counts: dict) -> None:
    """Loop-law bounds of ``todo`` into ``frame`` (see :func:`loopless_bounds`)."""
    lp, _ = _setup(model, fraction, solver)
    cycles, pos, neg = _cycles_of(lp, model, where)
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
        try:
            y = cycles.least_flux(x, cycles.columns(x))
            if law.loopless(y):
                absorb(y)
        except CycleLPFailed:
            pass  # only a shortcut: the bounds are solved one by one anyway
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
            try:
                value, point = law.bound(j, maximize, lp.primal(), float(current), counts, known)
            except CycleLPFailed:
                value, point = math.nan, None
                counts["nan"] += 1
            if point is not None:
                law.found.append(point)
        if math.isnan(value):
            warnings.warn(f"loopless FVA {'maximum' if maximize else 'minimum'} of {rid!r}: "
                          "no optimal solution; recorded as NaN", stacklevel=3)
        frame.at[rid, "maximum" if maximize else "minimum"] = value
        for p in law.found:
            absorb(p)
        law.found.clear()
