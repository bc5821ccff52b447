"""Cyclic reactions and the least-flux (CycleFreeFlux) LPs that loopless FVA is built on.

See :mod:`fluxasn.analysis.loopless` for what they compute and why;
:func:`cyclic_reactions` is public there.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

from fluxasn.exceptions import InfeasibleError
from fluxasn.lp.highs import max_positive_parts, solve_arrays
from fluxasn.lp.problem import LinearProblem
from fluxasn.lp.status import OPTIMAL

__all__ = ["cyclic_reactions"]

#: Flux bound of the internal network's LP (cobra's ``find_cyclic_reactions``).
CYCLE_BOUND = 1e4

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
    n = len(internal)
    found = {1.0: np.zeros(n, dtype=bool), -1.0: np.zeros(n, dtype=bool)}
    active = _prune(A, lo, hi)
    lo, hi = np.where(active, lo, 0.0), np.where(active, hi, 0.0)

    def harvest(q: np.ndarray) -> None:
        found[1.0] |= q > tol
        found[-1.0] |= q < -tol

    # Reactions of one direction only: t_k <= q_k holds with t_k >= 0, so one
    # LP finds at least one new cyclic reaction or proves there is none.
    for sign in (1.0, -1.0):
        one_way = (hi > 0) & (lo == 0) if sign > 0 else (lo < 0) & (hi == 0)
        for _ in range(MAX_CYCLE_LPS):
            todo = np.flatnonzero(one_way & ~found[sign])
            if not len(todo):
                break
            status, q = _cycle_lp(A, lo, hi, todo, sign)
            if status != OPTIMAL:
                raise InfeasibleError(f"the internal-cycle LP ended with status {status!r}")
            if not ((sign * q[todo]) > tol).any():
                break
            harvest(q)
    # Reversible reactions: a cycle may run one forwards and another backwards,
    # so a summed objective can cancel. As in cobra's search, objectives with
    # random signs (fixed seed here) run until three find nothing new; a
    # reaction seen in one direction gets an LP for the other (warm, only the
    # objective changes). A proof LP per unseen reversible reaction took over
    # 8 minutes on Human-GEM, so, like cobra, those are taken as not cyclic.
    from fluxasn.lp.highs import HighsProblem

    coo = A.tocoo()
    warm = HighsProblem.from_arrays(matrix=(coo.row, coo.col, coo.data),
                                    row_bounds=[(0.0, 0.0)] * A.shape[0], lb=lo, ub=hi,
                                    c=np.zeros(n), maximize=True, tolerance=1e-9)
    two_way = np.flatnonzero((lo < 0) & (hi > 0))
    rng = np.random.RandomState(0)
    misses = 0
    while misses < 3 and len(two_way):
        open_two = two_way[~(found[1.0][two_way] & found[-1.0][two_way])]
        weights = rng.uniform(0.5, 1.0, len(open_two)) * rng.choice([-1.0, 1.0], len(open_two))
        warm.set_objective(dict(zip(open_two.tolist(), weights.tolist())), maximize=True)
        before = found[1.0].sum() + found[-1.0].sum()
        status, _ = warm.solve(method="primal")
        if status == OPTIMAL:
            harvest(warm.primal())
        misses = misses + 1 if found[1.0].sum() + found[-1.0].sum() == before else 0
    warm.set_objective({}, maximize=True)
    previous = None
    for k in two_way.tolist():
        if not (found[1.0][k] or found[-1.0][k]):
            continue  # never seen in a cycle: left out, as cobra's randomised search does
        for sign in (1.0, -1.0):
            if found[sign][k]:
                continue
            warm.set_single_objective(k, maximize=sign > 0, previous=previous)
            previous = k
            status, value = warm.solve(method="primal")
            if status != OPTIMAL:
                raise InfeasibleError(f"the internal-cycle LP ended with status {status!r}")
            if sign * value > tol:
                harvest(warm.primal())
    ids, dirs = [], []
    for k, j in enumerate(internal.tolist()):
        neg, pos = bool(found[-1.0][k]), bool(found[1.0][k])
        if neg or pos:
            ids.append(model.reactions[j].id)
            dirs.append((neg, pos))
    return ids, dirs


def _prune(A, lo, hi) -> np.ndarray:
    """Reactions that may be in a cycle: a metabolite that the remaining reactions can
    only make, or only use, holds every reaction touching it at 0 in a cycle (exact)."""
    active = (lo < 0) | (hi > 0)
    pos = A.multiply(A > 0).tocsr()
    neg = (-A).multiply(A < 0).tocsr()
    touch = (A != 0).astype(float).tocsr()
    while True:
        fwd = (active & (hi > 0)).astype(float)
        rev = (active & (lo < 0)).astype(float)
        make = pos @ fwd + neg @ rev
        use = neg @ fwd + pos @ rev
        dead = (make <= 0) | (use <= 0)
        hit = (touch[dead].sum(axis=0).A1 > 0) & active
        if not hit.any():
            return active
        active &= ~hit


def _cycle_lp(A, lo, hi, todo: np.ndarray, sign: float):
    """Maximise ``sum t_k`` with ``0 <= t_k <= sign * q_k`` over ``todo`` and ``A q = 0``.

    The positive parts count, not ``sum q_k``: a cycle can run one reaction
    of ``todo`` forwards and another backwards, and the plain sum of such a
    cycle can be 0 or negative (on iJO1366 it hid ACS, ACKr, PTAr and four
    more). The optimum is positive exactly when some reaction of ``todo``
    can carry flux of that sign in a cycle.
    """
    zero = np.zeros(A.shape[0])
    status, q, _ = max_positive_parts(A, zero, zero, lo, hi, todo, sign=sign, cap=CYCLE_BOUND)
    return status, q


class CycleLPFailed(InfeasibleError):
    """A least-flux LP did not solve although ``c = 0`` is feasible (solver trouble)."""


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
        """See :meth:`_least_flux`; HiGHS failing on it (``c = 0`` is feasible by
        construction, so only numerical trouble) raises :class:`CycleLPFailed`."""
        return self._least_flux(x, cols, fixed)

    def _least_flux(self, x: np.ndarray, cols: np.ndarray, fixed: Optional[int] = None) -> np.ndarray:
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
            raise CycleLPFailed(f"the CycleFreeFlux LP ended with status {status!r} (c = 0 is "
                                "feasible: numerical trouble)")
        y[use] = xs - c
        return y


def _solve_vertex(lp, j: int, maximize: bool, previous: Optional[int]):
    lp.set_single_objective(j, maximize=maximize, previous=previous)
    status, value = lp.solve_new_objective()
    if status == OPTIMAL and lp.violation(lp.primal()) > lp.tolerance:
        status, value = lp.solve_fresh()
    return status, value


def _setup(model, fraction: float, solver: Optional[str]):
    lp = LinearProblem(model, solver=solver or "glpk")
    status, optimum = lp.solve_fresh()
    if status != OPTIMAL:
        raise InfeasibleError(
            f"there is no optimal solution for the model's objective (status {status!r}); "
            "loopless FVA needs a feasible model")
    lp.add_objective_bound(fraction, optimum)
    lp.set_objective({}, maximize=lp.maximize)
    return lp, optimum
