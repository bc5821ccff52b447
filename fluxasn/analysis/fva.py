"""Flux variability analysis with COBRApy's answers and far fewer, warm LPs.

:func:`fva` follows :func:`cobra.flux_analysis.flux_variability_analysis`
step by step: an FBA of the model's objective, then the constraint
``objective >= fraction_of_optimum * optimum`` (``<=`` when minimising), then
the minimum and maximum of every listed reaction's net flux. It solves them
on one LP (:func:`fluxasn.analysis.lp.LinearProblem`) whose basis stays warm
from one reaction to the next (primal simplex: changing the objective keeps
the last vertex feasible).

Skip rule (exact)
-----------------
Every solution met on the way (the FBA optimum and each FVA optimum) is a
feasible point of the FVA polytope. If reaction ``j`` sits at its lower bound
``lb_j`` in one of them, ``min v_j = lb_j``: no point goes below its own bound
and one point reaches it; likewise for the upper bound and the maximum. Such
LPs are not solved ("at its bound" means within 1e-9, far inside the solver's
feasibility tolerance of 1e-7). A solution is used this way only if it meets
every bound and constraint within 1e-7 (cobra's tolerance) in model units: simplex solvers judge
feasibility in the *scaled* problem, and on iJO1366 GLPK returned vertices
missing a mass balance by 2e-4 mmol/gDW/h, which made ``OPHHX`` look free to
drop to 0 (GLPK's exact rational simplex and cobra agree: its minimum is
2.19e-4). An FVA optimum that fails the same check is re-solved from a fresh
basis and, failing that, in exact arithmetic.

Coupled reactions (exact)
-------------------------
A metabolite made by one reaction and used by one other (a mass balance
with two entries) fixes the ratio of their fluxes in every feasible point;
the range of one is the other's range times that ratio. Only one reaction
per such chain is solved (:func:`_couplings`).

Blocked one-way reactions (exact)
---------------------------------
For the reactions that can only run forward (``lb = 0 < ub``), one LP
maximises the sum of their fluxes: an optimum of 0 proves each is 0 in every
feasible point (min = max = 0). Otherwise those with positive flux are
dropped and the LP repeated (:func:`_blocked`). Reverse-only reactions
likewise. On genome-scale models under a defined medium most blocked
reactions are settled this way in a handful of LPs instead of two each.
"""
from __future__ import annotations

import math
import warnings
from typing import Callable, List, Optional, Sequence

import numpy as np
import pandas as pd

from fluxasn.analysis.lp import LinearProblem, UnsupportedProblem
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

__all__ = ["fva"]

#: Distance to a bound within which a flux counts as at the bound.
AT_BOUND = 1e-9

#: A solution reused as a feasible point must meet every bound and
#: constraint within this (model units, mmol/gDW/h).
FEASIBLE = 1e-7

#: An FVA optimum missing a bound or constraint by more than this is solved
#: again. The size of the miss does not bound the error of the value: on
#: iJO1366 a GLPK vertex missing a balance by only 2.4e-7 reported
#: min(OPHHX) = 0 where the exact minimum is 2.19e-4. GLPK's FVA optima on
#: iJO1366 and Human-GEM miss by < 5e-8; HiGHS' by up to 5e-7 on Human-GEM,
#: which is why FVA uses GLPK unless told otherwise.
RESOLVE = 1e-7

#: Zero, for the sum test of blocked reactions.
ZERO = 1e-9


def _reaction_ids(model, reactions) -> List[str]:
    if reactions is None:
        return [r.id for r in model.reactions]
    out = []
    for r in reactions:
        rid = getattr(r, "id", r)
        if rid not in model.reactions:
            raise FluxasnInputError("the model has no reaction with this id", identifier=str(rid))
        out.append(rid)
    return list(dict.fromkeys(out))


def _default_processes() -> int:
    from cobra import Configuration

    return int(Configuration().processes)


def fva(
    model,
    reactions: Optional[Sequence] = None,
    *,
    fraction_of_optimum: float = 1.0,
    loopless: bool = False,
    processes: Optional[int] = None,
    solver: str = "glpk",
    stats: Optional[dict] = None,
    progress: Optional[Callable[[int, int], None]] = None,
) -> pd.DataFrame:
    """Minimum and maximum flux of each reaction at (a fraction of) the optimum.

    Parameters
    ----------
    model : cobra.Model
        The model; it is not changed.
    reactions
        Reactions (objects or ids); default: every reaction.
    fraction_of_optimum
        The objective must reach at least this fraction of its optimum
        (cobra's semantics: bound ``fraction * optimum``).
    loopless
        Remove thermodynamically infeasible loops from the bounds of
        reactions in cycles, as cobra's ``loopless="cycleFreeFlux"`` (those
        reactions are computed by cobra itself; the others need no change).
    processes
        Worker processes (default: cobra's ``Configuration().processes``); 1
        runs in this process. Reactions are split into contiguous blocks,
        one LP per worker ("spawn" start method).
    solver
        ``"glpk"`` (default: on Human-GEM + RPMI, 800 random reactions,
        55 s against 127 s for HiGHS' primal simplex, and with optima that
        meet the constraints more tightly), ``"highs"`` or ``"auto"`` (see
        :func:`fluxasn.analysis.lp.LinearProblem`).
    stats
        If a dict is given, ``lps`` (LPs solved) and ``skipped`` are stored in it.
    progress
        Optional ``progress(done, total)`` callback (reactions done), e.g.
        from :func:`fluxasn.report.progress.progress_bar`.

    Returns
    -------
    pandas.DataFrame
        Indexed by reaction id, columns ``minimum`` and ``maximum``
        (mmol/gDW/h), as cobra's.

    Raises
    ------
    InfeasibleError
        The model has no optimal solution for its objective.

    Notes
    -----
    Values agree with cobra's within the solver tolerance: an LP's optimal
    value is unique, and the skip rule (module docstring) only omits LPs whose
    value is already proven. A non-optimal FVA step (e.g. an unbounded
    reaction) gives NaN with a warning, where cobra raises.

    References
    ----------
    .. [1] Mahadevan R, Schilling CH. The effects of alternate optimal
       solutions in constraint-based genome-scale metabolic models. Metab
       Eng 5:264 (2003).
    .. [2] Gudmundsson S, Thiele I. Computationally efficient flux
       variability analysis. BMC Bioinformatics 11:489 (2010).
    """
    ids = _reaction_ids(model, reactions)
    if not 0.0 <= fraction_of_optimum <= 1.0:
        raise FluxasnInputError(
            f"fraction_of_optimum must be within [0, 1], not {fraction_of_optimum!r}",
            identifier="fraction_of_optimum")
    if processes is None:
        processes = _default_processes()
    processes = max(1, min(int(processes), len(ids) or 1))
    stats = {} if stats is None else stats
    try:
        if processes == 1:
            frame, lps, skipped = _fva_block(model, ids, fraction_of_optimum, solver, progress)
        else:
            frame, lps, skipped = _fva_pool(model, ids, fraction_of_optimum, solver, processes)
            if progress is not None:
                progress(len(ids), len(ids))
    except UnsupportedProblem:
        from cobra.flux_analysis import flux_variability_analysis

        frame = flux_variability_analysis(model, ids, fraction_of_optimum=fraction_of_optimum,
                                          processes=processes)
        lps, skipped = 1 + 2 * len(ids), 0
    if loopless:
        frame = _loopless(model, ids, frame, fraction_of_optimum, processes)
    stats.update(lps=lps, skipped=skipped)
    return frame


def _fva_block(model, ids: List[str], fraction: float, solver: str, progress=None):
    lp = LinearProblem(model, solver=solver)
    status, optimum = lp.solve_fresh()
    if status != "optimal":
        raise InfeasibleError(
            f"there is no optimal solution for the model's objective (status {status!r}); "
            "FVA needs a feasible model")
    return _fva_on(lp, ids, fraction, optimum, progress)


def _fva_on(lp, ids: List[str], fraction: float, optimum: float, progress=None):
    x = lp.primal()
    lp.add_objective_bound(fraction, optimum)
    lp.set_objective({}, maximize=lp.maximize)
    cols = np.array([lp.index[r] for r in ids], dtype=np.int64)
    lb = lp.lb0[cols]
    ub = lp.ub0[cols]
    n = len(cols)
    minimum = np.full(n, np.nan)
    maximum = np.full(n, np.nan)
    need_min = np.ones(n, dtype=bool)
    need_max = np.ones(n, dtype=bool)
    skipped = 0

    def absorb(values: np.ndarray) -> int:
        if lp.violation(values) > FEASIBLE:
            return 0  # not a trustworthy feasible point: prove nothing with it
        v = values[cols]
        at_lb = need_min & (v <= lb + AT_BOUND)
        at_ub = need_max & (v >= ub - AT_BOUND)
        minimum[at_lb] = lb[at_lb]
        maximum[at_ub] = ub[at_ub]
        need_min[at_lb] = False
        need_max[at_ub] = False
        return int(at_lb.sum() + at_ub.sum())

    rechecked = 0
    skipped += absorb(x)
    skipped += _blocked(lp, cols, lb, ub, need_min, need_max, minimum, maximum, absorb)
    lp.set_objective({}, maximize=lp.maximize)
    previous = None
    coupled = _couplings(lp, cols)  # member k -> (representative r, ratio): v_k = ratio * v_r
    for k in range(n):
        if progress is not None and k % 50 == 0:
            progress(k, n)
        if k in coupled:
            continue  # derived from its representative below
        for maximize, need, out in ((False, need_min, minimum), (True, need_max, maximum)):
            if not need[k]:
                continue
            j = int(cols[k])
            lp.set_single_objective(j, maximize=maximize, previous=previous)
            previous = j
            status, value = lp.solve(method="primal")
            if status == "optimal" and lp.violation(lp.primal()) > RESOLVE:
                # An inaccurate vertex (see LinearProblem.violation): settle
                # the value from a fresh basis, then in exact arithmetic.
                status, value = lp.solve_fresh()
                if status != "optimal" or lp.violation(lp.primal()) > RESOLVE:
                    status, value = lp.solve_exact()
                    rechecked += 1
            need[k] = False
            if status != "optimal":
                warnings.warn(f"FVA {'maximum' if maximize else 'minimum'} of {ids[k]!r}: "
                              f"solver status {status!r}; recorded as NaN", stacklevel=3)
                out[k] = math.nan
                continue
            out[k] = value
            skipped += absorb(lp.primal())
    for k, (r, ratio) in coupled.items():
        low, high = minimum[r], maximum[r]
        if ratio < 0:
            low, high = high, low
        for need, out, value in ((need_min, minimum, low), (need_max, maximum, high)):
            if need[k]:
                need[k] = False
                out[k] = ratio * value
                skipped += 1
    if progress is not None:
        progress(n, n)
    frame = pd.DataFrame({"minimum": minimum, "maximum": maximum}, index=pd.Index(ids))
    return frame, lp.n_solves, skipped


def _couplings(lp, cols) -> dict:
    """Requested reactions fully coupled to another requested one, by linear chains.

    A mass balance ``s_a v_a + s_b v_b = 0`` with exactly two reactions makes
    ``v_b = -(s_a / s_b) v_a`` in every feasible point, so ``v_b``'s range is
    ``v_a``'s range times that ratio (ends swapped for a negative ratio).
    Chains of such balances are followed with a union-find; a chain whose
    ratios disagree around a cycle is left alone. Returns ``{k: (r, ratio)}``
    for positions ``k`` in ``cols`` whose range follows from position ``r``.
    """
    ia, ja, ar = lp.matrix
    n_rxn = len(lp.reaction_ids)
    counts = np.bincount(ia, minlength=lp.n_rows) if len(ia) else np.zeros(lp.n_rows, int)
    parent: dict = {}
    ratio_to_parent: dict = {}

    def find(j):
        # returns (root, ratio) with v_j = ratio * v_root
        ratio = 1.0
        path = []
        while parent.get(j, j) != j:
            path.append(j)
            ratio *= ratio_to_parent[j]
            j = parent[j]
        return j, ratio

    order = np.argsort(ia, kind="stable")
    ia_s, ja_s, ar_s = ia[order], ja[order], ar[order]
    starts = np.searchsorted(ia_s, np.arange(lp.n_rows))
    for row in np.flatnonzero(counts == 2):
        lo, hi = lp.row_bounds[row]
        if lo != 0 or hi != 0:
            continue
        a, b = int(ja_s[starts[row]]), int(ja_s[starts[row] + 1])
        if a == b or a >= n_rxn or b >= n_rxn:
            continue
        sa, sb = float(ar_s[starts[row]]), float(ar_s[starts[row] + 1])
        ratio = -sa / sb  # v_b = ratio * v_a
        ra, pa = find(a)  # v_a = pa * v_ra
        rb, pb = find(b)  # v_b = pb * v_rb
        if ra == rb:
            continue  # already coupled (consistent or not: leave it)
        # v_rb = v_b / pb = ratio * pa / pb * v_ra
        parent[rb] = ra
        ratio_to_parent[rb] = ratio * pa / pb
    representative: dict = {}
    out: dict = {}
    for k, j in enumerate(cols):
        root, ratio = find(int(j))
        if root not in representative:
            representative[root] = (k, ratio)  # v_j = ratio * v_root
            continue
        r, ratio_r = representative[root]
        out[k] = (r, ratio / ratio_r)  # v_k = ratio v_root = ratio / ratio_r * v_r
    return out


def _blocked(lp, cols, lb, ub, need_min, need_max, minimum, maximum, absorb) -> int:
    """Settle blocked one-way reactions with a few sum LPs (exact).

    For reactions that can only run forward (``lb = 0``), maximise the *sum*
    of their fluxes: if the optimum is 0, every one of them is 0 in every
    feasible point (a sum of non-negative terms), so min = max = 0. Otherwise
    the reactions with positive flux in that optimum are not blocked; drop
    them and repeat. Reverse-only reactions (``ub = 0``) likewise with the
    minimum. Each LP's solution also feeds the at-bound rule.
    """
    settled = 0
    for sign in (1.0, -1.0):
        if sign > 0:
            group = [k for k in range(len(cols)) if need_max[k] and lb[k] == 0 and ub[k] > 0]
        else:
            group = [k for k in range(len(cols)) if need_min[k] and ub[k] == 0 and lb[k] < 0]
        for _ in range(50):
            if not group:
                break
            lp.set_objective({int(cols[k]): 1.0 for k in group}, maximize=sign > 0)
            status, value = lp.solve(method="primal")
            if status != "optimal":
                break
            x = lp.primal()
            if lp.violation(x) > FEASIBLE:
                break
            absorb(x)
            if sign * value <= ZERO:
                for k in group:
                    for need, out in ((need_min, minimum), (need_max, maximum)):
                        if need[k]:
                            need[k] = False
                            out[k] = 0.0
                            settled += 1
                break
            moving = [k for k in group if sign * x[cols[k]] > ZERO]
            if not moving:
                break
            group = [k for k in group if sign * x[cols[k]] <= ZERO]
    return settled


# ----------------------------------------------------------------- processes

_WORKER: dict = {}


def _init_worker(model, fraction, solver) -> None:
    _WORKER.update(model=model, fraction=fraction, solver=solver)


def _worker_block(ids):
    return _fva_block(_WORKER["model"], ids, _WORKER["fraction"], _WORKER["solver"])


def _fva_pool(model, ids, fraction, solver, processes):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from fluxasn.analysis.knockouts import START_METHOD

    blocks = [list(b) for b in np.array_split(np.array(ids, dtype=object), processes) if len(b)]
    context = multiprocessing.get_context(START_METHOD)
    with ProcessPoolExecutor(max_workers=processes, mp_context=context,
                             initializer=_init_worker,
                             initargs=(model, fraction, solver)) as pool:
        parts = list(pool.map(_worker_block, blocks))
    frame = pd.concat([p[0] for p in parts])
    return frame, sum(p[1] for p in parts), sum(p[2] for p in parts)


# ------------------------------------------------------------------ loopless


def _loopless(model, ids, frame, fraction, processes):
    """Replace the bounds of cyclic reactions by cobra's loopless (CycleFreeFlux) values."""
    from cobra.flux_analysis import flux_variability_analysis
    from cobra.flux_analysis.find_cyclic_reactions import find_cyclic_reactions

    cyclic, directions = find_cyclic_reactions(model)
    where = {rid: i for i, rid in enumerate(cyclic)}
    subset = [r for r in ids if r in where]
    if not subset:
        return frame
    loop = flux_variability_analysis(model, subset, loopless="cycleFreeFlux",
                                     fraction_of_optimum=fraction, processes=processes)
    frame = frame.copy()
    for rid in subset:
        low, high = directions[where[rid]]
        if low:
            frame.at[rid, "minimum"] = loop.at[rid, "minimum"]
        if high:
            frame.at[rid, "maximum"] = loop.at[rid, "maximum"]
    return frame
