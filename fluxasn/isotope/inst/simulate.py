"""Isotopically non-stationary EMU simulation with forward sensitivities.

After the switch to the tracer at ``t = 0`` every EMU size level ``n`` obeys
the linear ODE system (Young et al. 2008; Jazmin et al. 2014)

.. math:: C_n \\dot X_n(t) = -A_n(v) X_n(t) + B_n(v) Y_n(t)

where :math:`A_n, B_n` are the stationary EMU matrices of
:class:`fluxasn.isotope.emu.EMUSystem` (built without merging copy EMUs, as
each pool has its own dynamics), :math:`C_n` is the diagonal of the pool
sizes of the EMUs' metabolites and :math:`Y_n(t)` holds the input MIDs (fixed
at the tracer for ``t > 0``: sources have no pool) and the convolutions of
smaller EMUs. The start :math:`X(0)` is the isotopic steady state with the
sources unlabelled (pre-switch MIDs), i.e. the unlabelled MIDs. A metabolite
declared without pool (quasi-steady) has a zero diagonal entry: its rows are
algebraic and follow their inputs instantly.

Integration: the 3-stage Radau IIA collocation method (order 5, L-stable and
stiffly accurate, so it handles the algebraic rows too), applied to the
cascade level by level with shared steps. Because level ``n`` is linear given
the stage values of the smaller levels, each step is one linear solve per
level (no Newton iteration). The step size is controlled by step doubling:
the difference between one step of ``h`` and two of ``h/2`` estimates the
local error of the accepted half steps (``/ (2^5 - 1)``), kept below ``tol``
(absolute, on MID fractions). Steps end exactly on every requested time:
the interval to the next one is split into equal steps, and the step size
grows only by a factor of at least 1.2, so a step size (and its
factorisations) is mostly reused over several steps. Each level's 3-stage
system is solved as one real and one complex system of the level's size
(the eigenvalues of the Radau matrix; Hairer & Wanner IV.8); small dense
levels keep the assembled inverse and the maps of one step.

Sensitivities with respect to fluxes and pool sizes are the exact
derivatives of the discrete solution (the stage equations differentiated and
solved with the same factorisation), so they match finite differences of the
simulator on the same step grid to rounding error.

Units: pool sizes in ``pool_unit`` (default nmol/gDW), fluxes in
``flux_unit`` (default mmol/gDW/h), time in hours; the diagonal is
``C = pool * POOL_UNITS[pool_unit] / FLUX_UNITS[flux_unit]`` (h x flux unit).
"""
from __future__ import annotations

from typing import Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
from scipy.linalg import lapack

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import AtomTransition
from fluxasn.isotope.emu import _EPS, EMU, EMUSystem, PackedSources, emu_name
from fluxasn.isotope.emu_solve import sparse_lu

__all__ = ["POOL_UNITS", "FLUX_UNITS", "INSTSystem"]

#: Pool-size units, in mmol/gDW.
POOL_UNITS = {"mmol/gDW": 1.0, "umol/gDW": 1e-3, "nmol/gDW": 1e-6}
#: Flux units, in mmol/gDW/h (time is always in hours).
FLUX_UNITS = {"mmol/gDW/h": 1.0, "umol/gDW/h": 1e-3, "nmol/gDW/h": 1e-6}

_S6 = np.sqrt(6.0)
#: Radau IIA (s = 3) Butcher matrix and nodes (Hairer & Wanner, Solving ODEs II, IV.5).
_RA = np.array([
    [(88 - 7 * _S6) / 360, (296 - 169 * _S6) / 1800, (-2 + 3 * _S6) / 225],
    [(296 + 169 * _S6) / 1800, (88 + 7 * _S6) / 360, (-2 - 3 * _S6) / 225],
    [(16 - _S6) / 36, (16 + _S6) / 36, 1 / 9],
])
_ORDER = 5
# Ra = T diag(_LAM) T^-1: one real eigenvalue first, then a conjugate pair (T's columns conjugate)
_LAM, _T = np.linalg.eig(_RA)
_ORDER_EIG = np.argsort(np.abs(_LAM.imag) > 1e-12, kind="stable")
_LAM, _T = _LAM[_ORDER_EIG], _T[:, _ORDER_EIG]
_T[:, 0] = _T[:, 0].real
_T[:, 2] = np.conj(_T[:, 1])
_LAM[2] = np.conj(_LAM[1])
_TINV = np.linalg.inv(_T)
_T0 = _T[:, 0].real.copy()
#: first step (/ fastest turnover rate), largest growth and largest cut of the step size per step
_H0, _GROW, _SHRINK = 0.1, 8.0, 0.2
#: levels with more unknowns are solved as one real and one complex system (see ``solver``)
_SPLIT = 12
_HOLD = 1.5  # the step size grows only by at least this factor


def _check(info: int, size: int) -> None:
    if info:
        raise np.linalg.LinAlgError(f"the Radau system of the EMUs of size {size} is singular")


class _LevelData:
    """Values of one level at given fluxes and pools (fixed over the integration)."""

    def __init__(self, lev, v, c, dv, dcrow, n_flux):
        self.lev = lev
        self.c = c
        self.sparse = not lev.dense
        self._lu: Dict[float, object] = {}
        self._ra_a = None
        if lev.k == 0:  # only inputs at this size
            return
        self.a, self.bval = lev.matrices(v)
        k, ny = lev.k, max(lev.n_y, 1)
        # B as a (k, n_y) matrix, so stage inputs are one product (sparse on sparse levels)
        if self.sparse:
            self.bm = sp.csr_matrix((self.bval, (lev.br, lev.bc)), shape=(k, ny))
        else:
            self.bm = np.bincount(lev.br * ny + lev.bc, weights=self.bval, minlength=k * ny).reshape(k, ny)
        # B with the unlabelled 1e-10 inflow as a last column (the empty EMU's input row [1, 0, ...])
        ny1 = lev.n_y + 1
        self.bm_ext = np.bincount(lev.br * ny1 + lev.bc, weights=self.bval, minlength=k * ny1).reshape(k, ny1)
        self.bm_ext[:, lev.n_y] = _EPS
        if dv is not None:
            P = dv.shape[1]
            self.dcrow = dcrow  # (k, P)
            self.wd = np.asarray(lev.production(n_flux) @ dv)  # (k, P)
            self.wo = lev.o_w[:, None] * dv[lev.o_i] if len(lev.o_r) else None
            self.wb = lev.bw[:, None] * dv[lev.bi]
            if not self.sparse:  # dA/dtheta and dB/dtheta as (k P, k) and (k P, n_y) matrices
                da = np.zeros((k * k, P))
                np.add.at(da, lev.ar * k + lev.ac, lev.aw[:, None] * dv[lev.ai])
                self.dam = da.reshape(k, k, P).transpose(0, 2, 1).reshape(k * P, k)
                ny1 = lev.n_y + 1  # B's derivative with the (constant) eps column
                db = np.zeros((k * ny1, P))
                np.add.at(db, lev.br * ny1 + lev.bc, self.wb)
                self.dbm = db.reshape(k, ny1, P).transpose(0, 2, 1).reshape(k * P, ny1)

    def solver(self, h: float):
        """Solve ``(I3 (x) C + h Ra (x) A) z = rhs`` (factorised once per step size).

        With ``Ra = T diag(lam) T^-1`` the system splits into one real and one
        complex ``k x k`` system, ``(C + h lam_i A) w_i = (T^-1 rhs)_i`` (the
        third is the conjugate of the second), then ``z = T w``: the same
        solution as the ``3k x 3k`` system at a fifth of the factorisation cost.
        Dense levels (small ones: the ``3k x 3k`` system itself, LAPACK) also
        keep the maps of one step, ``Z = P x0 + Q Y`` (:meth:`step_maps`).
        """
        f = self._lu.get(h)
        if f is not None:
            return f[0]
        k = self.lev.k
        lam_r, lam_c = h * _LAM[0].real, h * _LAM[1]
        maps = None
        if self.sparse:
            if self._ra_a is None:  # the pattern of A holds the diagonal (A + eps I)
                self._ra_a = self.a.copy()
                self._ra_a.sort_indices()
                cols = np.repeat(np.arange(k), np.diff(self._ra_a.indptr))
                self._d3 = np.flatnonzero(self._ra_a.indices == cols)
                self._c3 = self.c[self._ra_a.indices[self._d3]]
            base = self._ra_a
            dr, dc = lam_r * base.data, lam_c * base.data
            dr[self._d3] += self._c3
            dc[self._d3] += self._c3
            s_r = sparse_lu(k, dr, base.indices, base.indptr).solve
            s_c = sparse_lu(k, dc, base.indices, base.indptr).solve
        else:
            if self._ra_a is None:  # built once: the 3k system's parts and the right-hand sides' basis
                ny = self.bm_ext.shape[1]
                self._ra_a = (_RA[:, None, :, None] * self.a[None, :, None, :]).reshape(3 * k, 3 * k)
                self._c3 = np.tile(self.c, 3)
                self._basis = np.hstack([
                    np.tile(np.diag(self.c), (3, 1)),  # C x0 in every stage
                    (_RA[:, None, :, None] * self.bm_ext[None, :, None, :]).reshape(3 * k, 3 * ny),  # Ra (x) B
                ])
            if k <= _SPLIT:  # small: factorise the 3k system directly
                m = h * self._ra_a
                m.flat[:: 3 * k + 1] += self._c3
                lu, piv, g, info = lapack.dgesv(m, self._basis)
                _check(info, self.lev.size)
                f = (lambda rhs: lapack.dgetrs(lu, piv, rhs)[0])
                maps = (g[:, :k], h * g[:, k:])
            else:  # NumPy's inverses: SciPy's LAPACK getrs may start threads on these sizes
                mr = lam_r * self.a
                mr.flat[:: k + 1] += self.c
                mc = lam_c * self.a
                mc.flat[:: k + 1] += self.c
                s_r, s_c = np.linalg.inv(mr).__matmul__, np.linalg.inv(mc).__matmul__
        if f is None:
            def f(rhs):
                w = (_TINV[:2] @ rhs.reshape(3, -1)).reshape(2, k, -1)
                w0 = s_r(np.ascontiguousarray(w[0].real))
                w1 = s_c(np.ascontiguousarray(w[1]))
                z = _T0[:, None, None] * w0[None] + 2.0 * (_T[:, 1, None, None] * w1[None]).real
                return z.reshape(rhs.shape)
        if maps is None and not self.sparse:
            g = f(self._basis)
            maps = (g[:, :k], h * g[:, k:])
        if len(self._lu) > 24:
            self._lu.clear()
        self._lu[h] = (f, maps)
        return f

    def step_maps(self, h: float):
        """Dense levels: ``(P, Q)`` with the stage values ``Z = P x0 + Q Y`` (Y with the eps row)."""
        self.solver(h)
        return self._lu[h][1]


class INSTSystem:
    """EMU network compiled for isotopically non-stationary simulation.

    Parameters
    ----------
    transitions
        ``(flux_index, AtomTransition)`` for every gross flux carrying atoms.
    targets
        EMUs to simulate (measured fragments).
    sources
        Labelled input metabolites (no pool: their MID is the input's).
    pools
        Metabolite -> pool id. Metabolites that share a pool id share one
        pool size (e.g. one pool measured for two compartments). Defaults
        to one pool per metabolite, named after it.
    quasi_steady
        Metabolites without pool (instantaneous, algebraic rows).
    pool_unit, flux_unit
        Units of pool sizes and fluxes (keys of :data:`POOL_UNITS`,
        :data:`FLUX_UNITS`); time is in hours.
    """

    def __init__(
        self,
        transitions: Sequence[Tuple[int, AtomTransition]],
        targets: Iterable[EMU],
        sources: Iterable[str],
        *,
        pools: Optional[Mapping[str, str]] = None,
        quasi_steady: Iterable[str] = (),
        pool_unit: str = "nmol/gDW",
        flux_unit: str = "mmol/gDW/h",
    ) -> None:
        for unit, table, what in ((pool_unit, POOL_UNITS, "pool"), (flux_unit, FLUX_UNITS, "flux")):
            if unit not in table:
                raise FluxasnInputError(f"unknown {what} unit; expected one of {sorted(table)}",
                                        identifier=unit)
        self.pool_unit, self.flux_unit = pool_unit, flux_unit
        self.factor = POOL_UNITS[pool_unit] / FLUX_UNITS[flux_unit]
        self.emu = EMUSystem(transitions, targets, sources, alias=False)
        self.targets = self.emu.targets
        qs = set(quasi_steady)
        pools = dict(pools or {})
        mets = sorted({e[0] for lev in self.emu.levels.values() for e in lev.unknown})
        #: metabolite -> pool id (metabolites with a pool only)
        self.pool_of = {m: pools.get(m, m) for m in mets if m not in qs}
        self.pool_ids = sorted(set(self.pool_of.values()))
        col = {p: i for i, p in enumerate(self.pool_ids)}
        self.prow = {n: np.array([col.get(self.pool_of.get(e[0]), -1) for e in lev.unknown], dtype=np.int64)
                     for n, lev in self.emu.levels.items()}

    @property
    def sizes(self):
        return self.emu.sizes

    def pack(self, source_mids: Mapping[EMU, np.ndarray]) -> PackedSources:
        """Input MIDs stacked per EMU size (see :meth:`EMUSystem.pack`)."""
        return self.emu.pack(source_mids)

    # ------------------------------------------------------------------
    @staticmethod
    def _row_sum(mat, terms):
        """``mat @ terms`` over the entry axis 1 of ``terms`` (3, entries, ...) -> (3, rows, ...)."""
        shape = terms.shape
        flat = terms.swapaxes(0, 1).reshape(shape[1], -1)
        out = np.asarray(mat @ flat).reshape((-1, shape[0]) + shape[2:])
        return out.swapaxes(0, 1)

    def _step(self, data, X, h, start):
        """One Radau IIA step of every level from per-size states ``X``.

        ``start`` is the padded stage array with the inputs filled in
        (:class:`~fluxasn.isotope.emu_solve.FusedLevels`): each level's
        inputs are one gather of their factors from it. Returns the new
        states (per size, views (rows, m)), the padded stage values and the
        padded end-of-step array.
        """
        fused = self.emu._fused
        zp = start.copy()
        for n, lev, _, _, factors, conv in fused.plan:
            d = data[n]
            k, m = lev.k, n + 1
            f = zp[:, factors, :m]
            acc = f[:, 0]
            for j in range(1, len(factors)):
                acc = (acc[..., :, None] * f[:, j][..., None, :]).reshape(3, acc.shape[1], -1) @ conv
            r0 = fused.rows[n][0]
            x0 = X[n][:k]
            if d.sparse:
                R = d.bm_ext @ acc
                rhs = (d.c[None, :, None] * x0[None] + h * (_RA @ R.reshape(3, -1)).reshape(3, k, m))
                zp[:, r0:r0 + k, :m] = d.solver(h)(rhs.reshape(3 * k, m)).reshape(3, k, m)
            else:
                p_map, q_map = d.step_maps(h)
                zp[:, r0:r0 + k, :m] = (p_map @ x0 + q_map @ acc.reshape(-1, m)).reshape(3, k, m)
        return {n: zp[2, r0:r2, : n + 1] for n, (r0, _, r2) in fused.rows.items()}, zp, zp[2]

    def _dstep(self, data, X, dX, zp, h):
        """Sensitivities after the step from ``X`` with padded stage values ``zp`` (see :meth:`_step`):
        the stage equations differentiated, the inputs' derivatives gathered as their values."""
        fused = self.emu._fused
        P = next(iter(dX.values())).shape[1]
        dzp = np.zeros((3, fused.n_rows, P, fused.width))
        for n, lev, _, _, factors, conv in fused.plan:
            d = data[n]
            k, m = lev.k, n + 1
            f, df = zp[:, factors, :m], dzp[:, factors, :, :m]
            Y, dY = f[:, 0], df[:, 0]
            for j in range(1, len(factors)):
                o, do = f[:, j], df[:, j]
                ny1 = Y.shape[1]
                dY = ((dY[..., :, None] * o[:, :, None, None, :]).reshape(3, ny1, P, -1)
                      + (Y[:, :, None, :, None] * do[..., None, :]).reshape(3, ny1, P, -1)) @ conv
                Y = (Y[..., :, None] * o[..., None, :]).reshape(3, ny1, -1) @ conv
            r0 = fused.rows[n][0]
            z = zp[:, r0:r0 + k, :m]
            if not d.sparse:  # dense: dB Y + B dY - dA Z as matrix products
                lev_in = ((d.dbm @ Y).reshape(3, k, P, m)
                          + (d.bm_ext @ dY.reshape(3, -1, P * m)).reshape(3, k, P, m)
                          - (d.dam @ z).reshape(3, k, P, m))
            else:
                terms = d.wb[None, :, :, None] * Y[:, lev.bc][:, :, None, :]
                terms += d.bval[None, :, None, None] * dY[:, lev.bc]
                lev_in = self._row_sum(lev.sum_b, terms)
                lev_in -= d.wd[None, :, :, None] * z[:, :, None, :]
                if d.wo is not None:
                    lev_in -= self._row_sum(lev.sum_o, d.wo[None, :, :, None] * z[:, lev.o_c][:, :, None, :])
            x0 = X[n][:k]
            base = d.c[:, None, None] * dX[n][:k] + d.dcrow[:, :, None] * x0[:, None, :]
            rhs = (base[None] - d.dcrow[None, :, :, None] * z[:, :, None, :]
                   + h * (_RA @ lev_in.reshape(3, -1)).reshape(3, k, P, m)).reshape(3 * k, P * m)
            dzp[:, r0:r0 + k, :, :m] = d.solver(h)(rhs).reshape(3, k, P, m)
        return {n: dzp[2, r0:r2, :, : n + 1] for n, (r0, _, r2) in fused.rows.items()}

    def simulate(
        self,
        v: np.ndarray,
        pools: np.ndarray,
        labelled: PackedSources,
        unlabelled: PackedSources,
        times: Sequence[float],
        *,
        dv: Optional[np.ndarray] = None,
        dpools: Optional[np.ndarray] = None,
        tol: float = 1e-8,
        max_steps: int = 100000,
    ):
        """MIDs of the targets at ``times`` (h) after the switch to the tracer.

        Parameters
        ----------
        v
            Gross fluxes (flux unit), in compilation order.
        pools
            Pool sizes in ``pool_unit``, in :attr:`pool_ids` order (> 0).
        labelled, unlabelled
            Packed input MIDs after (tracer) and before the switch.
        times
            Sorted times in hours (>= 0).
        dv, dpools
            Directions: ``(n_fluxes, P)`` flux and ``(n_pools, P)`` pool
            derivatives of the parameters; both or neither.
        tol
            Absolute local error bound per step on MID fractions.

        Returns
        -------
        mids, dmids, info
            ``mids[emu]`` is ``(len(times), size+1)``; ``dmids[emu]`` is
            ``(len(times), P, size+1)`` (or None); ``info`` counts steps.
        """
        v = np.asarray(v, dtype=float)
        pools = np.asarray(pools, dtype=float).reshape(-1)
        times = np.asarray(times, dtype=float).reshape(-1)
        if pools.size != len(self.pool_ids):
            raise FluxasnInputError(f"expected {len(self.pool_ids)} pool sizes ({self.pool_ids}), got {pools.size}")
        bad = np.flatnonzero(~(pools > 0))
        if bad.size:
            raise FluxasnInputError("pool size must be > 0", identifier=self.pool_ids[bad[0]])
        if times.size and (times[0] < 0 or np.any(np.diff(times) < 0)):
            raise FluxasnInputError(f"times must be sorted and >= 0 (h), got {times.tolist()}")
        sens = dv is not None
        n_flux = v.size
        if sens:
            dv = np.asarray(dv, dtype=float)
            dpools = np.asarray(dpools, dtype=float)
            P = dv.shape[1]
        X0, dX0 = self.emu.simulate(v, unlabelled, dv if sens else None)
        data = {}
        for n in self.sizes:
            lev = self.emu.levels[n]
            pr = self.prow[n]
            c = np.where(pr >= 0, pools[np.maximum(pr, 0)], 0.0) * self.factor
            dcrow = None
            if sens:
                dcrow = np.where((pr >= 0)[:, None], dpools[np.maximum(pr, 0)], 0.0) * self.factor
            data[n] = _LevelData(lev, v, c, dv if sens else None, dcrow, n_flux)
        X = {n: X0[n].copy() for n in self.sizes}
        dX = {n: dX0[n].copy() for n in self.sizes} if sens else None
        for n in self.sizes:  # inputs switch to the tracer
            k = self.emu.levels[n].k
            X[n][k:] = labelled.arrays[n]
            if sens:
                dX[n][k:] = 0.0
        tmpl = self.emu._fused.template(labelled.arrays)
        start = np.broadcast_to(tmpl, (3,) + tmpl.shape).copy()
        where = {e: self.emu.index[e] for e in self.targets}
        mids = {e: np.empty((times.size, n + 1)) for e, (n, _) in where.items()}
        dmids = {e: np.empty((times.size, P, n + 1)) for e, (n, _) in where.items()} if sens else None

        def record(i):
            for e, (n, r) in where.items():
                mids[e][i] = X[n][r]
                if sens:
                    dmids[e][i] = dX[n][r]

        t, i = 0.0, 0
        while i < times.size and times[i] <= 0.0:
            for e, (n, r) in where.items():
                mids[e][i] = X0[n][r]
                if sens:
                    dmids[e][i] = dX0[n][r]
            i += 1
        # first step: a fraction of the fastest turnover time
        rate = 0.0
        for d in data.values():
            if d.lev.k:
                diag = np.asarray(d.a.diagonal() if d.sparse else np.diag(d.a))
                ok = d.c > 0
                if ok.any():
                    rate = max(rate, float(np.max(diag[ok] / d.c[ok])))
        h = _H0 / rate if rate > 0 else (times[-1] if times.size else 1.0)
        steps = rejected = 0
        known = []  # step sizes already factorised: a step size within 1e-12 of one is snapped to it
        while i < times.size:
            remaining = times[i] - t
            # equal steps up to the next requested time, so that the factorisations are reused
            pieces = max(1, int(np.ceil(remaining / h * (1.0 - 1e-12))))
            h_try = remaining / pieces
            for hk in known:
                if abs(h_try - hk) <= 1e-12 * hk:
                    h_try = hk
                    break
            else:
                known = [h_try] + known[:7]
            last = pieces == 1
            full, _, end_full = self._step(data, X, h_try, start)
            half1, z1, _ = self._step(data, X, h_try / 2, start)
            half2, z2, end_half = self._step(data, half1, h_try / 2, start)
            err = float(np.max(np.abs(end_half - end_full))) / (2 ** _ORDER - 1)
            steps += 1
            if steps > max_steps:
                raise RuntimeError(f"INST integration needed more than {max_steps} steps")
            fac = 0.9 * (tol / err) ** (1.0 / (_ORDER + 1)) if err > 0 else _GROW
            if err > tol:
                rejected += 1
                h = h_try * max(_SHRINK, min(0.9, fac))
                continue
            if sens:
                dmid = self._dstep(data, X, dX, z1, h_try / 2)
                dX = self._dstep(data, half1, dmid, z2, h_try / 2)
            X = half2
            t = times[i] if last else t + h_try
            # grow only by a worthwhile factor (else keep the step size and its factorisations);
            # a step shortened to split an interval evenly keeps the proposal it was cut from
            grown = h_try * min(_GROW, fac) if fac >= _HOLD else h_try
            h = max(h, grown) if fac >= 1.0 else grown
            while i < times.size and times[i] <= t:
                record(i)
                i += 1
        return mids, dmids, {"steps": steps, "rejected": rejected}

    def describe(self) -> Dict[int, Dict[str, int]]:
        """Per EMU size: unknown EMUs, input EMUs, convolution/input items."""
        return self.emu.describe()

    def row_names(self, size: int):
        """Names of the unknown EMUs of one level, in row order."""
        return [emu_name(e) for e in self.emu.levels[size].unknown]
