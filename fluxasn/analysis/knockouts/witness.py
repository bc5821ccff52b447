"""Rule R5 of the deletion engine: optima of the reference that carry no flux on knocked-out sets.

A knockout whose reactions carry flux in the reference optimum can still keep
the reference growth if another optimum avoids them. One LP (minimise the
flux through the open sets at the reference growth) can answer many sets at
once; see the module docstring of :mod:`fluxasn.analysis.knockouts.engine`.
"""
from __future__ import annotations

import time
from typing import FrozenSet, Iterable, List, Optional

import numpy as np

from fluxasn.config import FEASIBILITY, ZERO

__all__ = ["search_witnesses", "WITNESS_MIN_SETS", "WITNESS_ROUNDS", "WITNESS_FEASIBLE"]

#: Search only when at least this many knocked-out sets are open, with at most
#: this many LPs, accepting vectors within this violation.
WITNESS_MIN_SETS = 3
WITNESS_ROUNDS = 8
WITNESS_FEASIBLE = FEASIBILITY
ZERO_FLUX = ZERO
SAME_OPTIMUM = ZERO


def search_witnesses(engine, sets: Iterable[FrozenSet[int]]) -> int:
    """Rule R5: look for reference optima with zero flux on the open ``sets``.

    ``engine`` is a :class:`~fluxasn.analysis.knockouts.engine.DeletionEngine`.
    Returns the number of sets answered; found vectors are kept in
    ``engine._witnesses`` for the chunk.
    """
    if (engine.method != "fba" or engine.lp is None or engine.ref_status != "optimal"
            or engine.ref_flux is None):
        return 0
    todo = [K for K in dict.fromkeys(sets)
            if K and np.all(engine._zero_ok[list(K)]) and engine._witness(K) is None]
    if len(todo) < WITNESS_MIN_SETS:
        return 0
    # The search never takes longer than solving its sets would: one set is
    # solved first (its answer is kept) and its time prices each of the others
    # (on Human-GEM + an enzyme pool the search answered no set while taking
    # longer than solving them all). A warm deletion LP is mostly its basis
    # factorisation (12 iterations in 0.5 s on Human-GEM), so time, not
    # iterations, is the price. Stopping changes no answer, only LP counts.
    deadline = _search_deadline(engine, todo)
    if deadline is not None:
        todo = todo[1:]
    lp = engine.lp.fresh_copy()
    if engine.ref_basis is not None:
        lp.set_basis(engine.ref_basis)  # the reference optimum: warm, and the same every chunk
        status, _ = lp.solve()
    else:
        status, _ = lp.solve_fresh()
    engine.n_search += 1
    engine.n_lp += 1  # every LP counts, the search's included
    if status != "optimal":
        return 0
    objective = lp.c.copy()
    tol = SAME_OPTIMUM * max(1.0, abs(engine.ref_growth))
    lp.add_objective_bound(1.0, engine.ref_growth + (-tol if lp.maximize else tol) / 2)
    ref = engine.ref_flux
    union = sorted(set().union(*todo))
    weight = {}
    for j in union:
        lo, hi = lp.lb0[j], lp.ub0[j]
        if lo < 0 < hi:  # keep the reference optimum feasible: stay on its side
            if ref[j] >= 0:
                lp.set_bounds([j], 0.0, hi)
            else:
                lp.set_bounds([j], lo, 0.0)
        weight[j] = 1.0 if (lo >= 0 or (lo < 0 < hi and ref[j] >= 0)) else -1.0
    answered = 0
    for _ in range(WITNESS_ROUNDS):
        cols = sorted(set().union(*todo))
        lp.set_objective({j: weight[j] for j in cols}, maximize=False)
        # A witness LP may cost at most the simplex iterations of the reference solve
        # from scratch (on Human-GEM + an enzyme pool one ran over 10 minutes, 30
        # genes) and what is left of the budget. Stopping it changes no answer
        # (those sets are solved).
        seconds = None if deadline is None else deadline - time.perf_counter()
        if seconds is not None and seconds <= 0:
            break
        status, _ = lp.solve_limited(engine.ref_iterations, method="primal", seconds=seconds)
        engine.n_search += 1
        engine.n_lp += 1
        if status != "optimal":
            break
        x = lp.primal()
        if lp.violation(x) > WITNESS_FEASIBLE or not engine._is_reference_optimum(
                float(objective @ x)):
            break
        open_sets = [K for K in todo
                     if not np.all(np.abs(x[np.fromiter(K, np.int64, len(K))]) <= ZERO_FLUX)]
        if len(open_sets) == len(todo):
            break
        answered += len(todo) - len(open_sets)
        engine._witnesses.append(x)
        todo = open_sets
        if not todo:
            break
    return answered


def _search_deadline(engine, todo: List[FrozenSet[int]]) -> Optional[float]:
    """``time.perf_counter()`` by which the search on ``todo`` must end (None: no limit possible).

    Solves ``todo[0]`` (cached, so it is not solved again) and allows the
    search the time that solving each of the other sets would take at that pace.
    """
    if not engine.lp.can_limit:
        return None
    start = time.perf_counter()
    engine.solve_set(todo[0])
    now = time.perf_counter()
    return now + (now - start) * (len(todo) - 1)
