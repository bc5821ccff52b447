"""FVA's bookkeeping: which minima and maxima are settled, and the blocked-column LPs.

Used by :func:`fluxasn.analysis.fva.fva` (see its module docstring for the
compressed LP, the at-bound skip rule and the blocked one-way columns).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from fluxasn.config import FEASIBILITY, ZERO
from fluxasn.lp.highs import max_positive_parts
from fluxasn.lp.status import OPTIMAL

__all__ = ["Ranges", "settle_blocked", "AT_BOUND", "FEASIBLE", "BLOCKED_CAP", "BLOCKED_LPS"]

#: Distance to a bound within which a flux counts as at the bound.
AT_BOUND = ZERO

#: A solution reused as a feasible point must meet every bound and
#: constraint within this (model units, mmol/gDW/h).
FEASIBLE = FEASIBILITY


class Ranges:
    """Minimum and maximum of each requested column, settled group by group.

    Positions ``k`` refer to the requested reactions (columns ``cols[k]`` of
    the full LP). A compression maps each to a reduced column ``g`` with
    ``v_k = t_k w_g``; a proven minimum or maximum of ``w_g`` settles every
    member's (ends swapped where ``t_k < 0``).
    """

    def __init__(self, lp, cols: np.ndarray):
        self.lp = lp
        self.cols = cols
        n = len(cols)
        self.minimum = np.full(n, np.nan)
        self.maximum = np.full(n, np.nan)
        self.need_min = np.ones(n, dtype=bool)
        self.need_max = np.ones(n, dtype=bool)
        self.skipped = 0
        self.comp = None
        # full-LP columns seen positive / negative in a checked feasible point
        self.seen = {1.0: np.zeros(lp.n_cols, dtype=bool), -1.0: np.zeros(lp.n_cols, dtype=bool)}

    def use(self, comp) -> None:
        """Work on compression ``comp``: settle the columns it proves 0."""
        self.comp = comp
        self.g = comp.group[self.cols]
        self.t = comp.ratio[self.cols]
        zero = self.g < 0
        for need, out in ((self.need_min, self.minimum), (self.need_max, self.maximum)):
            hit = need & zero
            out[hit] = 0.0
            need[hit] = False
            self.skipped += int(hit.sum())
        members: dict = {}
        for k in np.flatnonzero(~zero).tolist():
            members.setdefault(int(self.g[k]), []).append(k)
        self.members = members
        # Group-level needs (kept in step by settle): w_g's min / max needed.
        self.gneed = {False: np.zeros(comp.n_cols, dtype=bool),
                      True: np.zeros(comp.n_cols, dtype=bool)}
        for g in members:
            for maximize in (False, True):
                self.gneed[maximize][g] = self._needs(g, maximize)

    def group_needs(self, g: int, maximize: bool) -> bool:
        return bool(self.gneed[maximize][g])

    def _needs(self, g: int, maximize: bool) -> bool:
        for k in self.members.get(g, ()):
            up = (self.t[k] > 0) == maximize  # this end of w_g is the member's maximum
            if (self.need_max if up else self.need_min)[k]:
                return True
        return False

    def settle(self, g: int, maximize: bool, value: float, *, solved: bool = False) -> int:
        """``max w_g`` (or min) is ``value``: set each member's end it gives."""
        n = 0
        for k in self.members.get(g, ()):
            up = (self.t[k] > 0) == maximize
            need, out = (self.need_max, self.maximum) if up else (self.need_min, self.minimum)
            if need[k]:
                need[k] = False
                out[k] = self.t[k] * value
                n += 1
        self.gneed[maximize][g] = False
        if solved and n:
            n -= 1  # the LP's own answer is not a skip
        self.skipped += n
        return n

    def absorb(self, w: np.ndarray, violation: Optional[float] = None) -> int:
        """At-bound rule with a reduced solution ``w`` (checked in full model units).

        ``violation``: ``w``'s, if the caller has computed it already.
        """
        comp = self.comp
        if violation is None:
            violation = self.lp.violation(comp.expand(w))
        if violation > FEASIBLE:
            return 0  # not a trustworthy feasible point: prove nothing with it
        n = 0
        for g in np.flatnonzero(self.gneed[False] & (w <= comp.lb + AT_BOUND)).tolist():
            n += self.settle(g, False, float(comp.lb[g]))
        for g in np.flatnonzero(self.gneed[True] & (w >= comp.ub - AT_BOUND)).tolist():
            n += self.settle(g, True, float(comp.ub[g]))
        return n

    def observe(self, w: np.ndarray) -> None:
        """Remember which columns a checked feasible point ``w`` (reduced) moves."""
        v = self.comp.expand(w)
        self.seen[1.0] |= v > ZERO
        self.seen[-1.0] |= v < -ZERO

    def can_move(self, sign: float) -> np.ndarray:
        """Reduced columns known to take a value of ``sign`` (from points seen so far)."""
        g, r = self.comp.group, self.comp.ratio
        member = (g >= 0) & (((r > 0) & self.seen[sign]) | ((r < 0) & self.seen[-sign]))
        known = np.zeros(self.comp.n_cols, dtype=bool)
        known[g[member]] = True
        return known

    def zero_columns(self) -> list:
        """Full-LP columns of requested reactions proven 0 (min = max = 0)."""
        done = ~self.need_min & ~self.need_max & (self.minimum == 0.0) & (self.maximum == 0.0)
        return self.cols[done].tolist()


#: Cap on each column's reward in the blocked-column LP (FASTCORE's epsilon,
#: Vlassis et al. 2014 PLoS Comput Biol 10:e1003424), mmol/gDW/h.
BLOCKED_CAP = 1e-4

#: At most this many blocked-column LPs per direction (each finds a new
#: moving column or proves the rest blocked).
BLOCKED_LPS = 50


def settle_blocked(ranges: "Ranges", counts: dict) -> None:
    """Settle blocked one-way columns of the reduced LP with a few LPs (exact).

    For columns that can only run forward (``lb = 0``), one LP maximises the
    sum of their positive parts, each capped at :data:`BLOCKED_CAP`
    (:func:`fluxasn.lp.highs.max_positive_parts`): an optimum of 0 proves
    each of them is 0 in every feasible point (a sum of non-negative terms),
    so min = max = 0. Otherwise the columns with positive value in that
    optimum are not blocked; drop them and repeat. The cap makes one optimum
    switch on as many columns as it can: summing the fluxes themselves
    rewards the largest (loops at 1000) and left most columns at 0, and on
    Human-GEM + RPMI-1640 50 such LPs settled none of the 693 blocked one-way
    groups. The LP is solved by HiGHS' interior-point method without
    crossover: a vertex chooses between alternative routes (one newly moving
    column per LP for 20 LPs in a row there), a point inside the optimal face
    moves them all. Columns already seen moving in a checked point (an
    earlier round, the FBA optimum) are not asked again. Reverse-only columns
    (``ub = 0``) likewise. Each LP's solution, checked in full model units,
    also feeds the at-bound rule.
    """
    import scipy.sparse as sp

    comp = ranges.comp
    ia, ja, ar = comp.matrix
    A = sp.csr_matrix((ar, (ia, ja)), shape=(len(comp.row_bounds), comp.n_cols))
    row_lo = np.array([lo for lo, _ in comp.row_bounds], dtype=float)
    row_hi = np.array([hi for _, hi in comp.row_bounds], dtype=float)
    for sign in (1.0, -1.0):
        maximize = sign > 0
        known = ranges.can_move(sign)
        if maximize:
            group = [g for g in ranges.members if comp.lb[g] == 0 and comp.ub[g] > 0
                     and ranges.group_needs(g, True) and not known[g]]
        else:
            group = [g for g in ranges.members if comp.ub[g] == 0 and comp.lb[g] < 0
                     and ranges.group_needs(g, False) and not known[g]]
        for _ in range(BLOCKED_LPS):
            if not group:
                break
            status, w, value = max_positive_parts(A, row_lo, row_hi, comp.lb, comp.ub, group,
                                                  sign=sign, cap=BLOCKED_CAP, interior=True)
            counts["blocked"] = counts.get("blocked", 0) + 1
            if status != OPTIMAL:
                break
            if value <= ZERO:
                for g in group:
                    ranges.settle(g, True, 0.0)
                    ranges.settle(g, False, 0.0)
                break
            violation = ranges.lp.violation(comp.expand(w))
            if violation > FEASIBLE:
                break  # not a trustworthy feasible point: leave the rest to their own LPs
            ranges.absorb(w, violation)
            ranges.observe(w)
            moving = [g for g in group if sign * w[g] > ZERO]
            if not moving:
                break
            group = [g for g in group if sign * w[g] <= ZERO]
