"""Exact compression of a flux LP: zero columns removed, coupled columns merged.

Flux variability analysis of a genome-scale model spends most of its time in
LPs over reactions whose values are tied to others by the mass balances. Two
structural facts, applied until neither changes anything, give a smaller LP
with exactly the same feasible fluxes:

* **Zero columns.** A column fixed at 0 (bounds ``[0, 0]``, or proven
  blocked) is dropped; its entries leave every row. A homogeneous equality
  row (``a_j v_j = 0``) left with a single entry forces that column to 0, so
  it is dropped in turn.
* **Coupled columns.** A homogeneous equality row with two entries,
  ``a_i v_i + a_j v_j = 0``, gives ``v_j = t v_i`` with ``t = -a_i / a_j`` in
  every feasible point. Column ``j`` is merged into ``i``: its entries are
  added, times ``t``, to ``i``'s in every row, its bounds become bounds on
  ``v_i`` (``[lb_j / t, ub_j / t]``, ends swapped when ``t < 0``) and are
  intersected with ``i``'s, and its objective weight is added times ``t``.
  Merging can make other rows two-entry or single-entry (a cycle of couplings
  whose ratios disagree ends as a single-entry row: the whole group is 0).

Both are substitutions of variables that the equality rows define, so the
reduced LP's feasible set maps one-to-one onto the original one
(:meth:`Compression.expand`): optimal values of any objective over merged
columns are the same, and ``v_j = t_j w_g`` gives every original column's
value from its group's column ``g``. This is the network compression used by
elementary-mode tools (removal of blocked reactions and lumping of
enzyme subsets), here applied to the LP itself.

Coefficients that cancel to below :data:`CANCEL` (relative to the largest
term) are treated as exact zeros: stoichiometric coefficients are small
rationals, and a merged coefficient such as ``1 - 1`` leaves a rounding
residue of ~1e-16, never a true coefficient of that size.

References
----------
- Gagneur J, Klamt S. Computation of elementary modes: a unifying
   framework and the new binary approach. BMC Bioinformatics 5:175 (2004).
- Terzer M, Stelling J. Large-scale computation of elementary flux
   modes with bit pattern trees. Bioinformatics 24:2229 (2008).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from fluxasn.config import ZERO

__all__ = ["Compression", "compress", "coupled_groups"]

#: A merged coefficient this small relative to its terms is a cancellation.
CANCEL = 1e-12

#: Merged bounds crossing by more than this mean an infeasible LP.
CROSS = ZERO


@dataclass
class Compression:
    """A compressed LP and the map back to the original columns.

    Attributes
    ----------
    group : numpy.ndarray
        For each original column, its column in the reduced LP, or -1 for a
        column that is 0 in every feasible point.
    ratio : numpy.ndarray
        ``v_j = ratio[j] * w[group[j]]`` (0 where ``group[j] == -1``).
    matrix : tuple of numpy.ndarray
        ``(rows, cols, values)`` of the reduced LP.
    row_bounds : list of (float, float)
        Bounds of the reduced LP's rows.
    lb, ub, c : numpy.ndarray
        Bounds and objective of the reduced columns.
    origin : numpy.ndarray
        Original column of each reduced column (its group's root, ratio 1).
    n_zero, n_merged : int
        Original columns found 0, and merged into another column.
    """

    group: np.ndarray
    ratio: np.ndarray
    matrix: Tuple[np.ndarray, np.ndarray, np.ndarray]
    row_bounds: List[Tuple[float, float]]
    lb: np.ndarray
    ub: np.ndarray
    c: np.ndarray
    origin: np.ndarray
    n_zero: int
    n_merged: int

    @property
    def n_cols(self) -> int:
        return len(self.lb)

    def expand(self, w: np.ndarray) -> np.ndarray:
        """Original column values from reduced ones (``v_j = ratio_j w_g``)."""
        v = np.zeros(len(self.group))
        live = self.group >= 0
        v[live] = self.ratio[live] * np.asarray(w, dtype=float)[self.group[live]]
        return v


class InfeasibleCompression(Exception):
    """The bounds of a coupled group cross: the LP has no feasible point."""


def compress(
    n_cols: int,
    matrix: Tuple[np.ndarray, np.ndarray, np.ndarray],
    row_bounds: Sequence[Tuple[float, float]],
    lb: np.ndarray,
    ub: np.ndarray,
    c: Optional[np.ndarray] = None,
    *,
    zero: Iterable[int] = (),
    reduce: bool = True,
) -> Compression:
    """Compress an LP ``{x : lo <= A x <= hi, lb <= x <= ub}`` exactly.

    Parameters
    ----------
    n_cols
        Number of columns.
    matrix
        ``(rows, cols, values)`` triplets of ``A`` (duplicates are summed).
    row_bounds
        ``(lo, hi)`` per row; rows with ``lo == hi == 0`` drive the
        compression, the others are carried along.
    lb, ub
        Column bounds.
    c
        Objective weights (merged with the columns); default zeros.
    zero
        Columns known to be 0 in every feasible point (e.g. proven blocked).
    reduce
        False: no column is dropped or merged (the identity map, for callers
        that need the same interface on the LP as it is).

    Returns
    -------
    Compression

    Raises
    ------
    InfeasibleCompression
        A column group's merged bounds exclude every value, or a dropped
        row's bounds exclude 0.
    """
    ia, ja, ar = (np.asarray(a) for a in matrix)
    n_rows = len(row_bounds)
    rows: List[Dict[int, float]] = [dict() for _ in range(n_rows)]
    cols: List[Optional[Dict[int, float]]] = [dict() for _ in range(n_cols)]
    for i, j, a in zip(ia.tolist(), ja.tolist(), ar.tolist()):
        value = rows[i].get(j, 0.0) + a
        if value == 0.0:
            rows[i].pop(j, None)
            cols[j].pop(i, None)
        else:
            rows[i][j] = value
            cols[j][i] = value
    lb = np.array(lb, dtype=float)
    ub = np.array(ub, dtype=float)
    c = np.zeros(n_cols) if c is None else np.array(c, dtype=float)
    homogeneous = np.array([lo == 0.0 and hi == 0.0 for lo, hi in row_bounds], dtype=bool)
    parent = np.arange(n_cols)
    to_parent = np.ones(n_cols)
    is_zero = np.zeros(n_cols, dtype=bool)
    n_merged = 0
    queue: List[int] = []

    def drop(j: int) -> None:
        is_zero[j] = True
        for i in cols[j]:
            del rows[i][j]
            queue.append(i)
        cols[j] = None

    if reduce:
        for j in set(int(k) for k in zero) | set(np.flatnonzero((lb == 0.0) & (ub == 0.0)).tolist()):
            if cols[j] is not None:
                drop(j)
        queue.extend(range(n_rows))
    while queue:
        i = queue.pop()
        entries = rows[i]
        if not homogeneous[i] or len(entries) > 2:
            continue
        if len(entries) == 1:
            (j,) = entries
            drop(j)
            continue
        if len(entries) != 2:
            continue
        (a, sa), (b, sb) = entries.items()
        if len(cols[b]) > len(cols[a]):  # merge the shorter column into the longer
            (a, sa), (b, sb) = (b, sb), (a, sa)
        t = -sa / sb  # v_b = t * v_a
        lo_b, hi_b = lb[b] / t, ub[b] / t
        if t < 0:
            lo_b, hi_b = hi_b, lo_b
        lb[a] = max(lb[a], lo_b)
        ub[a] = min(ub[a], hi_b)
        if lb[a] > ub[a]:
            if lb[a] - ub[a] > CROSS * max(1.0, abs(lb[a]), abs(ub[a])):
                raise InfeasibleCompression(f"column {b} coupled to column {a}: bounds cross")
            lb[a] = ub[a] = 0.5 * (lb[a] + ub[a])
        c[a] += t * c[b]
        c[b] = 0.0
        for r, coef in cols[b].items():
            del rows[r][b]
            old = rows[r].get(a, 0.0)
            new = old + t * coef
            if abs(new) <= CANCEL * max(abs(old), abs(t * coef)):
                rows[r].pop(a, None)
                cols[a].pop(r, None)
            else:
                rows[r][a] = new
                cols[a][r] = new
            queue.append(r)
        cols[b] = None
        parent[b] = a
        to_parent[b] = t
        n_merged += 1
        if lb[a] == 0.0 and ub[a] == 0.0:
            drop(a)

    # Resolve every column to its root and ratio (v_j = ratio * v_root).
    root = np.empty(n_cols, dtype=np.int64)
    ratio = np.empty(n_cols)
    for j in range(n_cols):
        k, t = j, 1.0
        while parent[k] != k:
            t *= to_parent[k]
            k = parent[k]
        root[j], ratio[j] = k, t
    live_roots = np.flatnonzero(~is_zero & (parent == np.arange(n_cols)))
    new_index = np.full(n_cols, -1, dtype=np.int64)
    new_index[live_roots] = np.arange(len(live_roots))
    group = new_index[root]
    group[is_zero[root]] = -1
    ratio = np.where(group >= 0, ratio, 0.0)

    kept_rows = []
    for i, entries in enumerate(rows):
        if entries:
            kept_rows.append(i)
            continue
        lo, hi = row_bounds[i]
        if lo > CROSS or hi < -CROSS:
            raise InfeasibleCompression(f"row {i} lost its columns but its bounds exclude 0")
    out_i: List[int] = []
    out_j: List[int] = []
    out_a: List[float] = []
    for new_row, i in enumerate(kept_rows):
        for j, a in rows[i].items():
            out_i.append(new_row)
            out_j.append(int(new_index[j]))
            out_a.append(a)
    return Compression(
        group=group,
        ratio=ratio,
        matrix=(np.asarray(out_i, dtype=np.int64), np.asarray(out_j, dtype=np.int64),
                np.asarray(out_a, dtype=float)),
        row_bounds=[tuple(row_bounds[i]) for i in kept_rows],
        lb=lb[live_roots],
        ub=ub[live_roots],
        c=c[live_roots],
        origin=live_roots,
        n_zero=int((group < 0).sum()),
        n_merged=n_merged,
    )


def coupled_groups(n_cols: int, matrix: Tuple[np.ndarray, np.ndarray, np.ndarray],
                   row_bounds: Sequence[Tuple[float, float]]) -> List[Tuple[int, ...]]:
    """Groups of columns that are zero together in every point of ``A x`` within the rows' bounds.

    The couplings of :func:`compress` from the homogeneous equality rows alone,
    with no column bound used: ``v_j = t v_i`` (``t != 0``) holds whatever the
    columns' bounds are, so within a group one column is 0 exactly when all
    are, in the LP and in every LP that changes only column bounds (a
    knockout). Groups of two or more columns, each sorted; columns that the
    rows alone force to 0 (a dead end) are not grouped. Structurally
    infeasible rows give no groups.
    """
    free = np.full(n_cols, math.inf)
    try:
        comp = compress(n_cols, matrix, row_bounds, -free, free)
    except InfeasibleCompression:
        return []
    members: Dict[int, List[int]] = {}
    for j, g in enumerate(comp.group.tolist()):
        if g >= 0:
            members.setdefault(g, []).append(j)
    return [tuple(m) for m in members.values() if len(m) > 1]
