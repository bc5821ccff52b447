"""Fast stationary EMU solves: every level's matrices from one buffer, convolutions by level.

:class:`fluxasn.isotope.emu.EMUSystem` compiles the EMU balances of each
size ``n`` into ``A_n X_n = B_n Y_n``. For the MIDs alone (no sensitivities)
the work per simulation is dominated by per-call overhead, not arithmetic, so
:class:`FusedLevels` arranges it in as few array operations as possible:

* the values of every level's A and B come from one ``bincount`` over the
  gross fluxes (A as a dense block or as the data of its CSC pattern; B as a
  dense ``k x (n_y + 1)`` block whose last column is the 1e-10 unlabelled
  inflow that keeps a zero-production EMU regular);
* all MIDs of one simulation live in one zero-padded array (one row per EMU,
  ``max size + 1`` columns, plus a row ``[1, 0, ...]``, the MID of an empty
  EMU), so the inputs Y of a level, whether input MIDs, copies of smaller
  EMUs or convolutions of two or three of them, are one gather of its
  factors and one product per factor with the convolution matrix (a padded
  factor only adds zeros, and the product of the factors has exactly the
  level's size);
* dense levels are solved by LAPACK ``gesv``, sparse ones by SuperLU with the
  natural (block-triangular) column order.
"""
from __future__ import annotations

from typing import Dict, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from scipy.linalg import lapack
from scipy.sparse.linalg import splu

__all__ = ["EPS", "conv_matrix", "sparse_lu", "FusedLevels"]

#: Unlabelled inflow (flux units) added to every EMU balance so that it stays regular.
EPS = 1e-10
_LU_OPTIONS = dict(DiagPivotThresh=0.1, ColPerm="NATURAL", SymmetricMode=True)  # splu's, for NATURAL


def conv_matrix(a: int, b: int) -> np.ndarray:
    """(a+1)(b+1) x (a+b+1) 0/1 matrix summing an outer product along anti-diagonals."""
    m = np.zeros(((a + 1) * (b + 1), a + b + 1))
    for i in range(a + 1):
        for j in range(b + 1):
            m[i * (b + 1) + j, i + j] = 1.0
    return m


def _check_gstrf():
    """SuperLU's factorisation without ``splu``'s format checks (the arrays are built once per
    level), or None when this SciPy does not expose it as expected (``splu`` is used then)."""
    try:
        from scipy.sparse.linalg._dsolve import _superlu

        def gstrf(k, data, rows, indptr):
            return _superlu.gstrf(k, data.size, data, rows, indptr, csc_construct_func=sp.csc_array,
                                  ilu=False, options=_LU_OPTIONS)

        probe = gstrf(2, np.array([2.0, 1.0, 4.0]), np.array([0, 1, 1], np.intc), np.array([0, 2, 3], np.intc))
        ok = np.allclose(probe.solve(np.array([2.0, 5.0])), [1.0, 1.0])
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    return gstrf if ok else None


_GSTRF = _check_gstrf()


def sparse_lu(k: int, data: np.ndarray, rows: np.ndarray, indptr: np.ndarray):
    """SuperLU factorisation (natural column order, threshold pivoting 0.1) of the ``k x k``
    CSC matrix ``(data, rows, indptr)`` (sorted, no duplicates, int32 indices)."""
    if _GSTRF is not None:
        return _GSTRF(k, np.ascontiguousarray(data), rows, indptr)
    return splu(sp.csc_matrix((data, rows, indptr), shape=(k, k)), permc_spec="NATURAL", diag_pivot_thresh=0.1)


class FusedLevels:
    """The compiled levels of an EMU system arranged for :meth:`simulate`.

    Parameters
    ----------
    sizes
        EMU sizes in ascending order.
    levels
        Per size, the compiled level (``fluxasn.isotope.emu._Level``).
    """

    def __init__(self, sizes: Sequence[int], levels: Mapping[int, object]) -> None:
        self.sizes = list(sizes)
        self.width = max(self.sizes, default=0) + 1
        self.rows: Dict[int, tuple] = {}
        row = 0
        for n in self.sizes:
            lev = levels[n]
            self.rows[n] = (row, row + lev.k, row + lev.k + lev.n_src)
            row += lev.k + lev.n_src
        self.unit = row  # the row [1, 0, ...]
        self.n_rows = row + 1
        pos, wts, idx, eps_pos = [], [], [], []
        off = 0
        self.plan = []
        for n in self.sizes:
            lev = levels[n]
            k = lev.k
            if k == 0:
                continue
            if lev.dense:
                pos.append(off + lev.ar * k + lev.ac)
                eps_pos.append(off + np.arange(k) * (k + 1))
                a_seg = (off, off + k * k)
            else:
                pos.append(off + lev.a_pos)
                eps_pos.append(off + lev.a_diag)
                a_seg = (off, off + lev.a_nnz)
            wts.append(lev.aw)
            idx.append(lev.ai)
            ny1 = lev.n_y + 1
            pos.append(a_seg[1] + lev.br * ny1 + lev.bc)
            wts.append(lev.bw)
            idx.append(lev.bi)
            eps_pos.append(a_seg[1] + np.arange(k) * ny1 + lev.n_y)
            b_seg = (a_seg[1], a_seg[1] + k * ny1)
            off = b_seg[1]
            # factors of each Y item (global rows), the empty EMU's row where an item has fewer
            n_f = max((len(g.refs) for g in lev.groups), default=1)
            factors = np.full((n_f, ny1), self.unit, dtype=np.int64)
            for g in lev.groups:
                for j, (s, r) in enumerate(g.refs):
                    factors[j, g.items] = self.rows[s][0] + r
            conv = conv_matrix(n, n)[:, : n + 1] if n_f > 1 else None
            self.plan.append((n, lev, a_seg, b_seg, factors, conv))
        cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
        self._pos, self._wts, self._idx = cat(pos, np.int64), cat(wts, float), cat(idx, np.int64)
        self._eps = np.zeros(off)
        self._eps[cat(eps_pos, np.int64)] = EPS
        self._size = off

    def template(self, arrays: Mapping[int, np.ndarray]) -> np.ndarray:
        """The padded MID array with the input MIDs (``arrays[n]``, per size) and the empty EMU filled in."""
        out = np.zeros((self.n_rows, self.width))
        for n in self.sizes:
            _, r1, r2 = self.rows[n]
            out[r1:r2, : n + 1] = arrays[n]
        out[self.unit, 0] = 1.0
        return out

    def simulate(self, v: np.ndarray, template: np.ndarray) -> Dict[int, np.ndarray]:
        """MIDs of every EMU at gross fluxes ``v``: per size, ``(rows, size+1)`` (views of one array)."""
        xp = template.copy()
        buf = np.bincount(self._pos, weights=self._wts * v[self._idx], minlength=self._size) + self._eps
        for n, lev, (a0, a1), (b0, b1), factors, conv in self.plan:
            k, m = lev.k, n + 1
            f = xp[factors, :m]
            acc = f[0]
            for j in range(1, len(factors)):
                acc = (acc[:, :, None] * f[j][:, None, :]).reshape(len(acc), -1) @ conv
            rhs = buf[b0:b1].reshape(k, -1) @ acc
            r0 = self.rows[n][0]
            if k == 1:
                xp[r0, :m] = rhs[0] / buf[a0]
            elif lev.dense:
                _, _, x, info = lapack.dgesv(buf[a0:a1].reshape(k, k), rhs)
                if info:
                    raise np.linalg.LinAlgError(f"the EMU balances of size {n} are singular")
                xp[r0:r0 + k, :m] = x
            else:
                xp[r0:r0 + k, :m] = sparse_lu(k, buf[a0:a1], lev.a_rows, lev.a_indptr).solve(rhs)
        return {n: xp[r0:r2, : n + 1] for n, (r0, _, r2) in self.rows.items()}
