"""Flux variability analysis with COBRApy's answers and far fewer, warm LPs.

:func:`fva` follows :func:`cobra.flux_analysis.flux_variability_analysis`
step by step: an FBA of the model's objective, then the constraint
``objective >= fraction_of_optimum * optimum`` (``<=`` when minimising), then
the minimum and maximum of every listed reaction's net flux. The FBA runs on
the model's LP (:func:`fluxasn.lp.problem.LinearProblem`); the minima and
maxima run on a *compressed* copy of it whose basis stays warm from one
reaction to the next (primal simplex: changing the objective keeps the last
vertex feasible).

Compressed LP (exact)
---------------------
:func:`fluxasn.lp.compress.compress` drops columns fixed at 0 and the
columns a single-entry mass balance forces to 0, and merges columns that a
two-entry mass balance couples (``v_j = t v_i`` in every feasible point),
until neither applies; the objective-bound row is carried along. The
reduced LP's feasible set maps one-to-one onto the original one, so the
minimum and maximum of a merged column give those of every member (times
``t``, ends swapped when ``t < 0``). One LP pair serves a whole coupled
group, and each LP is smaller: on Human-GEM + RPMI-1640, 12,971 columns and
8,456 rows become 7,546 and 2,891 before any LP, and fewer once the blocked
reactions (below) are removed and the LP is compressed again. Every vertex
is mapped back and checked against the *full* model's bounds and
constraints (:class:`_Accurate`).

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
2.19e-4). An FVA optimum that fails the same check is re-solved (warm at a
tighter tolerance, then from a fresh basis, then in exact arithmetic).

Blocked one-way reactions (exact)
---------------------------------
For the compressed columns that can only run forward (``lb = 0 < ub``), one
LP maximises the sum of their positive parts, each capped at 1e-4: an
optimum of 0 proves each is 0 in every feasible point (min = max = 0).
Otherwise those with positive value are dropped and the LP repeated
(:func:`fluxasn.analysis.fva_ranges.settle_blocked`); reverse-only columns
likewise. The cap, and an interior-point solution (no crossover, which
spreads flux over alternatives a vertex would choose between), let one LP
switch on as many columns as it can. The columns proven 0 are then removed
and the LP compressed again (their removal leaves more one- and two-entry
balances), up to :data:`ROUNDS` times. Human-GEM + RPMI-1640: 9 such LPs
(9.4 s) prove 1,513 reactions blocked beyond the 1,731 the compression
finds, and the LP shrinks from 7,546 x 2,891 to 6,606 x 2,442; summing the
fluxes themselves (before 2026-12-07) took 101 LPs and proved none, the
loops at 1000 taking the sum. Whole-model FVA, one process, same session:
6,930 LPs in 82 s against 7,500 in 118 s.
"""
from __future__ import annotations

import math
import warnings
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
import pandas as pd

import cobra

from fluxasn.config import FEASIBILITY, ZERO
from fluxasn.lp.compress import InfeasibleCompression, compress
from fluxasn.analysis.fva_ranges import Ranges, settle_blocked
from fluxasn._parallel import new_pool, resolve_processes
from fluxasn.lp.problem import LinearProblem, UnsupportedProblem
from fluxasn.lp.problem import default_solver as lp_default_solver
from fluxasn.lp.status import OPTIMAL, UNBOUNDED
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

__all__ = ["fva", "default_solver"]


#: An FVA optimum missing a bound or constraint by more than this is solved
#: again. The size of the miss does not bound the error of the value: on
#: iJO1366 a GLPK vertex missing a balance by only 2.4e-7 reported
#: min(OPHHX) = 0 where the exact minimum is 2.19e-4. GLPK's FVA optima on
#: iJO1366 and Human-GEM miss by < 5e-8; HiGHS' by up to 5e-7 on Human-GEM,
#: which is why FVA uses GLPK unless told otherwise.
RESOLVE = FEASIBILITY

#: A compressed-LP optimum missing a bound or constraint by more than this
#: is solved again (:class:`_Accurate`).
POLISH = ZERO


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


def fva(
    model,
    reactions: Optional[Sequence] = None,
    *,
    fraction_of_optimum: float = 1.0,
    loopless: Union[bool, str] = False,
    processes: Optional[int] = None,
    solver: Optional[str] = None,
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
        ``True`` or ``"strict"``: bounds of flux distributions without
        internal loops (the loop law; cobra's ``loopless="fastSNP"``);
        ``"cyclefreeflux"``: cobra's CycleFreeFlux steps (its
        ``loopless=True``), whose answers depend on the LP vertex. See
        :mod:`fluxasn.analysis.loopless`.
    processes
        Worker processes (default: :data:`fluxasn.config.config`, the number
        of cores); 1 runs in this process. With more, this process prepares
        once (FBA, compression, blocked reactions) and the workers ("spawn"
        start method, started while it prepares) solve the single-reaction LPs
        in contiguous blocks, each from the same start (module section
        "processes"); fewer than :data:`PARALLEL_MIN_LPS` LPs stay here.
    solver
        ``None``: :data:`fluxasn.config.config` ``.solver`` if set, else
        ``"glpk"`` (on Human-GEM + RPMI, 800 random reactions,
        55 s against 127 s for HiGHS' primal simplex, and with optima that
        meet the constraints more tightly), ``"highs"`` or ``"auto"`` (see
        :func:`fluxasn.lp.problem.LinearProblem`). A model holding an enzyme
        pool (:mod:`fluxasn.analysis.capacity`) defaults to ``"highs"``
        (:func:`default_solver`).
    stats
        If a dict is given, ``lps`` (LPs solved) and ``skipped`` are stored in
        it; also the compressed LP's size (``columns``,
        ``rows``) and how many steps needed a re-solve (``tight``, ``full``,
        ``fresh``; see :class:`_Accurate`).
    progress
        Optional ``progress(done, total)`` callback (coupled groups done), e.g.
        from :func:`fluxasn.progress.progress_bar`.

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
    - Mahadevan R, Schilling CH. The effects of alternate optimal
       solutions in constraint-based genome-scale metabolic models. Metab
       Eng 5:264 (2003).
    - Gudmundsson S, Thiele I. Computationally efficient flux
       variability analysis. BMC Bioinformatics 11:489 (2010).
    """
    ids = _reaction_ids(model, reactions)
    if not 0.0 <= fraction_of_optimum <= 1.0:
        raise FluxasnInputError(
            f"fraction_of_optimum must be within [0, 1], not {fraction_of_optimum!r}",
            identifier="fraction_of_optimum")
    processes = resolve_processes(processes, len(ids) or 1)
    solver = solver or default_solver(model)
    stats = {} if stats is None else stats
    info: dict = {}
    try:
        frame, lps, skipped, info = _fva_block(model, ids, fraction_of_optimum, solver,
                                               progress, processes=processes)
    except UnsupportedProblem:
        from cobra.flux_analysis import flux_variability_analysis

        frame = flux_variability_analysis(model, ids, fraction_of_optimum=fraction_of_optimum,
                                          processes=processes)
        lps, skipped = 1 + 2 * len(ids), 0
    if loopless:
        method = "strict" if loopless is True else loopless
        frame = _loopless(model, frame, fraction_of_optimum, method, solver, stats)
    stats.update(info, lps=lps, skipped=skipped)
    return frame


def default_solver(model: cobra.Model) -> str:
    """The solver FVA uses unless told: :func:`fluxasn.lp.problem.default_solver` (GLPK; HiGHS with a pool)."""
    return lp_default_solver(model, "glpk")


def _fva_block(model, ids: List[str], fraction: float, solver: str, progress=None,
               processes: int = 1):
    pool = None
    if processes > 1 and 2 * len(ids) >= PARALLEL_MIN_LPS:
        # the workers start (import cobra) while this process prepares
        pool = new_pool(processes)
        for _ in range(processes):
            pool.submit(_warm_worker)
    try:
        lp = LinearProblem(model, solver=solver)
        status, optimum = lp.solve_fresh()
        if status != "optimal":
            raise InfeasibleError(
                f"there is no optimal solution for the model's objective (status {status!r}); "
                "FVA needs a feasible model")
        return _fva_on(lp, ids, fraction, optimum, progress, processes=processes, pool=pool)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _full_rows(lp):
    """The LP's rows as triplets, with the rows added since extraction (objective bound)."""
    ia, ja, ar = lp.matrix
    bounds = list(lp.row_bounds)
    parts_i, parts_j, parts_a = [ia], [ja], [ar]
    for idx, val, lo, hi in lp._extra:
        parts_i.append(np.full(len(idx), len(bounds), dtype=np.int64))
        parts_j.append(np.asarray(idx, dtype=np.int64))
        parts_a.append(np.asarray(val, dtype=float))
        bounds.append((lo, hi))
    return (np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_a)), bounds


def _reduced_lp(lp, rows, bounds, zero):
    """Compress the full LP (with ``zero`` columns known 0) and load it."""
    try:
        comp = compress(lp.n_cols, rows, bounds, lp.lb0, lp.ub0, zero=zero)
    except InfeasibleCompression:
        comp = None  # merged bounds that cross by rounding
    if comp is None or comp.n_cols == 0:
        # Keep the LP as it is: after crossing bounds, or when every column
        # is 0 (e.g. a medium that feeds nothing; GLPK aborts the process on
        # a problem without columns).
        comp = compress(lp.n_cols, rows, bounds, lp.lb0, lp.ub0, reduce=False)
    red = _load_reduced(lp, comp)
    red.find_basis()
    return comp, red


def _load_reduced(lp, comp):
    """The compressed LP ``comp`` loaded in ``lp``'s solver at ``lp``'s tolerances, no objective."""
    return type(lp).from_arrays(matrix=comp.matrix, row_bounds=comp.row_bounds, lb=comp.lb,
                                ub=comp.ub, c=np.zeros(comp.n_cols), maximize=True,
                                tolerance=lp.tolerance, opt_tolerance=lp.opt_tolerance)


#: After this many LPs on an LP compressed again, go back to the first
#: compression if more than half of them needed the full LP.
RECHECK = 20

#: Compress again after the blocked-reaction LPs while they prove at least
#: this many more columns 0, at most :data:`ROUNDS` times.
REROUND = 1
ROUNDS = 4


def _fva_on(lp, ids: List[str], fraction: float, optimum: float, progress=None, *,
            processes: int = 1, pool=None):
    x = lp.primal()
    lp.add_objective_bound(fraction, optimum)
    rows, bounds = _full_rows(lp)
    cols = np.array([lp.index[r] for r in ids], dtype=np.int64)
    ranges = Ranges(lp, cols)
    zero: list = []
    counts: dict = {}
    replaced_solves = 0  # LPs solved on compressed LPs that a later compression replaced
    first = None
    for _ in range(ROUNDS):
        comp, red = _reduced_lp(lp, rows, bounds, zero)
        first = first or (comp, red)
        ranges.use(comp)
        if not len(zero):
            ranges.absorb(x[comp.origin])
            ranges.observe(x[comp.origin])
        settle_blocked(ranges, counts)
        found = [j for j in ranges.zero_columns() if comp.group[j] >= 0]
        if len(found) < REROUND:
            break
        replaced_solves += red.n_solves
        zero = sorted(set(zero) | set(found))
    else:
        comp, red = _reduced_lp(lp, rows, bounds, zero)

    def start(comp, red):
        """Work on ``(comp, red)``: the step, the groups and the LPs in order."""
        ranges.use(comp)
        red.set_objective({}, maximize=True)
        groups = sorted(ranges.members)
        # Every maximum first, then every minimum: the next optimum is then near
        # the last vertex, and a maximising vertex puts many other columns at
        # their upper bounds (the skip rule). Human-GEM + RPMI-1640, all 12,971
        # reactions, one process: 7,500 LPs in 118 s against 8,049 LPs in 141 s
        # with each group's minimum and maximum in turn.
        work = [(g, maximize) for maximize in (True, False) for g in groups]
        return _Accurate(red, lp, comp, counts), groups, work

    step, groups, work = start(comp, red)
    position = 0
    if red is not first[1]:  # compressed again without the blocked columns: try it
        full_before = counts["full"]
        position = _run(step, ranges, work, ids, limit=RECHECK, progress=progress)
        if counts["full"] - full_before > RECHECK // 2:
            # Most vertices of the LP compressed again miss the model's rows
            # and are solved again on the full LP: go back to the first
            # compression (Human-GEM + RPMI-1640, 600 random reactions:
            # every vertex missed one balance by 1.8e-9, 39 s against 16 s).
            replaced_solves += red.n_solves - first[1].n_solves
            comp, red = first
            step, groups, work = start(comp, red)
            counts["first_compression"] = 1
            position = 0
    work = work[position:]
    worker_solves = 0
    if pool is not None and sum(ranges.group_needs(g, m) for g, m in work) >= PARALLEL_MIN_LPS:
        worker_solves = _run_parallel(pool, processes, lp, red, comp, ranges, work, ids, counts,
                                      (fraction, optimum), progress)
    else:
        _run(step, ranges, work, ids, progress=progress)
    # the full LP's solves include the FBA; the blocked-column LPs are separate
    lps = (lp.n_solves + replaced_solves + red.n_solves + counts.get("blocked", 0)
           + worker_solves)
    if progress is not None:
        progress(len(groups), len(groups))
    frame = pd.DataFrame({"minimum": ranges.minimum, "maximum": ranges.maximum},
                         index=pd.Index(ids))
    info = dict(counts, columns=comp.n_cols, rows=len(comp.row_bounds))
    return frame, lps, ranges.skipped, info


def _run(step, ranges, work, ids, *, limit: Optional[int] = None, progress=None) -> int:
    """Solve the LPs of ``work`` (``(group, maximize)`` in order) that are still needed.

    Stops after ``limit`` LPs (None: all); returns how far into ``work`` it got.
    """
    solved = done = 0
    total = len(work)
    while done < total and (limit is None or solved < limit):
        g, maximize = work[done]
        done += 1
        if progress is not None and done % 200 == 0:
            progress(done // 2, (total + 1) // 2)
        if not ranges.group_needs(g, maximize):
            continue
        solved += 1
        status, value, w, violation = step.solve(g, maximize)
        if status != "optimal":
            names = [ids[k] for k in ranges.members[g]]
            warnings.warn(f"FVA {'maximum' if maximize else 'minimum'} of the group "
                          f"{names!r} (v = t * w, t < 0 swaps the ends): solver status "
                          f"{status!r}; recorded as NaN", stacklevel=4)
            ranges.settle(g, maximize, math.nan, solved=True)
            continue
        ranges.settle(g, maximize, value, solved=True)
        ranges.absorb(w, violation)
    return done


class _Accurate:
    """One FVA step on the compressed LP, with the vertex checked in model units.

    GLPK's tolerances hold in its scaled problem, and the compressed LP's
    merged coefficients (4e-5 to 2e4 on Human-GEM) make for strong column
    scaling: with the model's tolerance of 1e-7, 89 of 600 warm optima of
    Human-GEM's compressed LP missed a bound by up to 1.9e-6 in model units.
    Small misses matter where an optimum is sensitive to them: on Human-GEM
    the minimum of MAR01616 (-189.0079632 in exact arithmetic) came out as
    -189.0079660 from a vertex missing by less than 1e-7, and on iJO1366
    (fraction 1.0) max(ACALD) as 1.8e-6 (cobra: 2e-11) from a vertex whose
    ATP balance, with fluxes of 1000, was off by 6e-9.

    So a vertex missing by more than :data:`POLISH` (1e-9) is solved again:
    warm at a 100x tighter tolerance; if it still misses, on the *full* LP
    (the model's own, better-conditioned rows), warm from that LP's last
    basis with GLPK, from scratch with presolve with HiGHS (whose warm primal
    simplex took minutes there on Human-GEM with an enzyme pool); an answer
    missing by more than :data:`RESOLVE` there is solved
    from a fresh basis and then in exact arithmetic. The tighter tolerance
    is not used throughout: on iJO1366 it made warm solves fail.
    """

    def __init__(self, red, lp, comp, counts: dict):
        self.red, self.lp, self.comp = red, lp, comp
        self.previous = None
        self.previous_full = None
        self.counts = counts
        for key in ("tight", "full", "fresh"):
            counts.setdefault(key, 0)
        lp.set_objective({}, maximize=lp.maximize)

    def solve(self, g: int, maximize: bool):
        """``(status, value, w, violation)``: the optimum of ``w_g``, a reduced
        solution and its violation in full model units (None: not computed)."""
        self.red.set_single_objective(g, maximize=maximize, previous=self.previous)
        self.previous = g
        return self._solve(maximize, {g: 1.0}, POLISH)

    def _solve(self, maximize: bool, weights: dict, limit: float):
        red, lp, comp = self.red, self.lp, self.comp
        status, value = red.solve(method="primal")
        if status == UNBOUNDED:
            return status, value, red.primal(), None
        if status == OPTIMAL:
            # Any other status is numerical trouble on the compressed LP: FVA's LP is
            # feasible (the reference optimum satisfies the objective bound). Seen on
            # the core model with an enzyme pool after pickling (gln_free, max ASNS1
            # "infeasible" while its minimum solved); the full LP below settles it.
            w = red.primal()
            violation = lp.violation(comp.expand(w))
            if violation <= limit:
                return status, value, w, violation
            self.counts["tight"] += 1
            status, value = red.solve_tight()
            w = red.primal()
            if status == OPTIMAL:
                violation = lp.violation(comp.expand(w))
                if violation <= limit:
                    return status, value, w, violation
        # The full LP: w_g is the flux of the group's root column (ratio 1).
        self.counts["full"] += 1
        full = {int(comp.origin[g]): c for g, c in weights.items()}
        if len(full) == 1 and self.previous_full is not None:
            (j,) = full
            lp.set_single_objective(j, maximize=maximize, previous=self.previous_full)
        else:
            lp.set_objective(full, maximize=maximize)
        self.previous_full = next(iter(full)) if len(full) == 1 else None
        status, value = lp.solve_new_objective()
        if status == "optimal":
            x = lp.primal()
            if lp.violation(x) <= RESOLVE:
                return status, value, x[comp.origin], None
        self.counts["fresh"] += 1
        for retry in (red.solve_fresh, red.solve_exact):
            status, value = retry()
            w = red.primal()
            violation = lp.violation(comp.expand(w)) if status == "optimal" else None
            if status != "optimal" or violation <= RESOLVE:
                break
        return status, value, w, violation


# ----------------------------------------------------------------- processes
#
# With processes > 1 this process does everything up to the LPs of single
# reactions (FBA, compression, blocked columns, the trial of the second
# compression) once; the LPs left are cut into contiguous blocks of groups
# (about equal numbers of needed LPs, in FVA's order), and each block is
# solved by a worker from the same start: the reduced LP at this process's
# basis, the ranges settled so far. So a block's answers do not depend on
# which worker takes it or what it solved before.

#: Hand LPs to workers only when at least this many are left after the preparation.
PARALLEL_MIN_LPS = 200

#: Blocks per worker (more balance the load; each block starts from the same state).
BLOCKS_PER_WORKER = 2

_WORKER: dict = {}


def _warm_worker() -> None:
    """Nothing: makes the pool start its workers (each imports cobra and fluxasn)."""


def _run_parallel(pool, processes, lp, red, comp, ranges, work, ids, counts, objective_bound,
                  progress) -> int:
    """Solve ``work`` in blocks on ``pool``; settle ``ranges``; returns the workers' LPs."""
    import uuid
    from concurrent.futures import as_completed

    groups = list(dict.fromkeys(g for g, _ in work))
    need = np.array([int(ranges.group_needs(g, True)) + int(ranges.group_needs(g, False))
                     for g in groups])
    n_blocks = max(1, min(len(groups), processes * BLOCKS_PER_WORKER))
    cum = np.cumsum(need)
    edges = [0] + [int(np.searchsorted(cum, cum[-1] * b / n_blocks, side="left")) + 1
                   for b in range(1, n_blocks)] + [len(groups)]
    payload = {
        "key": uuid.uuid4().hex, "cls": type(lp), "data": lp.data, "bound": objective_bound,
        "full_basis": lp.portable_basis(), "comp": comp, "red_basis": red.portable_basis(),
        "cols": ranges.cols,
        "state": (ranges.minimum, ranges.maximum, ranges.need_min, ranges.need_max), "ids": ids,
    }
    futures = []
    for b in range(n_blocks):
        block = set(groups[edges[b]:edges[b + 1]])
        if not block:
            continue
        todo = [(g, m) for g, m in work if g in block and ranges.group_needs(g, m)]
        futures.append(pool.submit(_fva_task, payload, todo))
    counts["blocks"] = len(futures)
    solves = done = 0
    for future in as_completed(futures):
        positions, low, high, task_counts, task_solves, skipped, caught = future.result()
        ranges.minimum[positions] = low
        ranges.maximum[positions] = high
        ranges.need_min[positions] = False
        ranges.need_max[positions] = False
        ranges.skipped += skipped
        for key, value in task_counts.items():
            counts[key] = counts.get(key, 0) + value
        solves += task_solves
        for message in caught:
            warnings.warn(message, stacklevel=4)
        done += 1
        if progress is not None:
            progress(done, len(futures))
    return solves


def _fva_task(payload, todo):
    """One block of FVA LPs in a worker (see the section comment)."""
    if _WORKER.get("key") != payload["key"]:
        lp = payload["cls"].from_netflux(payload["data"])
        lp.add_objective_bound(*payload["bound"])
        _WORKER.clear()
        _WORKER.update(key=payload["key"], lp=lp, red=_load_reduced(lp, payload["comp"]))
    lp, red, comp = _WORKER["lp"], _WORKER["red"], payload["comp"]
    lp.set_portable_basis(payload["full_basis"])
    red.set_objective({}, maximize=True)
    red.set_portable_basis(payload["red_basis"])
    ranges = Ranges(lp, payload["cols"])
    for mine, theirs in zip((ranges.minimum, ranges.maximum, ranges.need_min, ranges.need_max),
                            payload["state"]):
        mine[:] = theirs
    ranges.use(comp)
    ranges.skipped = 0
    counts: dict = {}
    step = _Accurate(red, lp, comp, counts)
    before = lp.n_solves + red.n_solves
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(step, ranges, todo, payload["ids"])
    solved = lp.n_solves + red.n_solves - before
    positions = np.array(sorted({k for g, _ in todo for k in ranges.members.get(g, ())}),
                         dtype=np.int64)
    # ends settled without an LP of their own: needed ends of the block minus LPs solved
    needed = int(payload["state"][2][positions].sum() + payload["state"][3][positions].sum())
    skipped = max(0, needed - solved)
    return (positions, ranges.minimum[positions], ranges.maximum[positions], counts, solved,
            skipped, [str(w.message) for w in caught])


# ------------------------------------------------------------------ loopless


def _loopless(model, frame, fraction, method, solver, stats):
    """Bounds that loops move replaced by their loopless values (:mod:`.loopless`)."""
    from fluxasn.analysis.loopless import loopless_bounds

    try:
        return loopless_bounds(model, frame, fraction_of_optimum=fraction, method=method,
                               solver=solver, stats=stats)
    except UnsupportedProblem:  # not linear in net fluxes: cobra's own loopless FVA
        from cobra.flux_analysis import flux_variability_analysis

        return flux_variability_analysis(
            model, list(frame.index), fraction_of_optimum=fraction, processes=1,
            loopless="fastSNP" if method == "strict" else "cycleFreeFlux")
