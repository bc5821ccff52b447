"""The 13C-MFA problem: free fluxes from the null space, weighted residuals, bounds.

The gross fluxes ``v`` satisfy the steady-state balances and the fixed fluxes
(``E v = e``), so ``v = v_p + N u`` with ``N`` an orthonormal basis of the null
space of ``E``; ``u`` are the free parameters. Bounds on gross, net and
exchange fluxes become linear inequalities ``G u <= h``. The objective is the
variance-weighted sum of squared residuals of all measured MIDs of all
experiments (fitted jointly, sharing the fluxes) and of the measured fluxes.
Per-fragment scale factors are eliminated analytically (variable projection),
so they cost no optimiser variable but count as parameters in the statistics.

The optimiser is in :mod:`fluxasn.isotope.optimize`, the multi-start fit in
:mod:`fluxasn.isotope.fit`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import scipy.linalg as sla
from scipy.optimize import linprog

from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.isotope.emu import EMUSystem
from fluxasn.isotope.measurements import Experiment, FluxMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import check_tracers, source_mids

__all__ = ["MFAProblem", "MFAInput"]


class MFAProblem:
    """A compiled 13C-MFA problem: network + experiments + flux measurements.

    Parameters
    ----------
    network
        The labelling network.
    experiments
        Labelling experiments fitted jointly (parallel labelling).
    fluxes
        Measured fluxes with sd.
    fixed
        Fluxes fixed to a value (net id, gross id or ``R.exch``).
    bounds
        Extra ``name -> (lower, upper)`` bounds on any flux.
    constraints
        Linear constraints ``({name: coefficient}, lower, upper)`` on fluxes
        (an equality when ``lower == upper``).
    """

    def __init__(
        self,
        network: LabelingNetwork,
        experiments: Sequence[Experiment],
        *,
        fluxes: Sequence[FluxMeasurement] = (),
        fixed: Optional[Mapping[str, float]] = None,
        bounds: Optional[Mapping[str, Tuple[float, float]]] = None,
        constraints: Sequence[Tuple[Mapping[str, float], float, float]] = (),
    ) -> None:
        self.network = network
        self.experiments = list(experiments)
        self.flux_measurements = list(fluxes)
        self.fixed = dict(fixed or {})
        carbons = network.carbons
        sources = network.sources
        targets = []
        for exp in self.experiments:
            check_tracers(exp.tracers, carbons, source=exp.name)
            for t in exp.tracers:
                if t.metabolite not in sources:
                    raise FluxasnInputError(
                        f"tracer metabolite {t.metabolite!r} is produced inside the network; "
                        f"labelled sources are {sorted(sources)}",
                        source=exp.name, identifier=t.metabolite,
                    )
            for m in exp.mids:
                met, pos = m.emu
                if met not in carbons:
                    raise FluxasnInputError(
                        f"measured fragment names metabolite {met!r}, which the network does not carry",
                        source=m.source or exp.name, line=m.line, identifier=m.id,
                    )
                if max(pos) >= carbons[met]:
                    raise FluxasnInputError(
                        f"fragment asks for atom {max(pos) + 1} of {met}, which has {carbons[met]}",
                        source=m.source or exp.name, line=m.line, identifier=m.id,
                    )
                targets.append(m.emu)
        self.emu = EMUSystem(network.transitions(), targets, sources)
        self.src = [
            self.emu.pack(source_mids(self.emu.source_emus, exp.tracers, carbons=carbons,
                                      natural_13c=exp.natural_13c))
            for exp in self.experiments
        ]
        nflux = len(network.fluxes)
        self.F = np.array([network.flux_vector(f.id) for f in self.flux_measurements]).reshape(-1, nflux)
        self.f_val = np.array([f.value for f in self.flux_measurements])
        self.f_sd = np.array([f.sd for f in self.flux_measurements])
        S, _ = network.stoichiometric_matrix()
        rows, rhs = [S], [np.zeros(S.shape[0])]
        for name, val in self.fixed.items():
            rows.append(network.flux_vector(name)[None, :])
            rhs.append([float(val)])
        lin = []
        for terms, lo, hi in constraints:
            vec = sum(float(c) * network.flux_vector(n) for n, c in terms.items())
            if lo == hi:
                rows.append(np.asarray(vec)[None, :])
                rhs.append([float(lo)])
            else:
                lin.append((vec, lo, hi))
        E = np.vstack(rows)
        e = np.concatenate([np.asarray(r, float) for r in rhs])
        self.N = sla.null_space(E)
        self.vp = np.linalg.lstsq(E, e, rcond=None)[0]
        if np.abs(E @ self.vp - e).max() > 1e-6 * max(1.0, np.abs(e).max()):
            raise InfeasibleError("the fixed fluxes contradict the steady-state balances")
        self.p = self.N.shape[1]
        # inequalities
        g_rows, h = [], []
        def add(vec, lo, hi):
            if np.isfinite(hi):
                g_rows.append(vec @ self.N); h.append(hi - vec @ self.vp)
            if np.isfinite(lo):
                g_rows.append(-(vec @ self.N)); h.append(vec @ self.vp - lo)
        eye = np.eye(nflux)
        for j, f in enumerate(network.fluxes):
            add(eye[j], max(f.lower, 0.0), f.upper)
        for name, pair in network.pairs.items():
            if pair.backward is not None:
                add(network.flux_vector(name), pair.lower, pair.upper)
        for name, (lo, hi) in (bounds or {}).items():
            add(network.flux_vector(name), lo, hi)
        for vec, lo, hi in lin:
            add(vec, lo, hi)
        G = np.array(g_rows, dtype=float).reshape(len(g_rows), self.p)
        h = np.array(h)
        keep = np.linalg.norm(G, axis=1) > 1e-12
        if np.any(h[~keep] < -1e-9):
            raise InfeasibleError("the fixed fluxes violate a flux bound")
        self.G, self.h = G[keep], h[keep]
        # residual layout
        self.layout = []
        start = 0
        for ei, exp in enumerate(self.experiments):
            for m in exp.mids:
                n = m.mid.size
                self.layout.append((ei, m, slice(start, start + n), self.emu.index[m.emu]))
                start += n
        self.n_mid = start
        self.n_res = start + len(self.flux_measurements)
        self.n_scale = sum(1 for _, m, _, _ in self.layout if m.scale)

    # ------------------------------------------------------------------
    def fluxes(self, u: np.ndarray) -> np.ndarray:
        """Gross fluxes at free parameters ``u``."""
        return self.vp + self.N @ u

    def simulate(self, u: np.ndarray, jac: bool = False):
        """Simulated fragment MIDs per experiment (and their sensitivities)."""
        v = self.fluxes(u)
        return [self.emu.simulate(v, src, self.N if jac else None) for src in self.src]

    def fragment_mids(self, v: np.ndarray) -> List[np.ndarray]:
        """Simulated MID of each measured fragment (``layout`` order) at gross fluxes ``v``:
        after its correction matrix, cut to the measured masses."""
        sims = [self.emu.simulate(v, src)[0] for src in self.src]
        out = []
        for ei, m, _, (n, row) in self.layout:
            s = sims[ei][n][row]
            if m.correction is not None:
                s = m.correction @ s
            out.append(s[:m.mid.size])
        return out

    def residuals(self, u: np.ndarray, jac: bool = True):
        """Weighted residuals ``(sim - meas)/sd`` (and Jacobian) at ``u``.

        Returns ``r, J, scales`` where ``scales`` maps fragment keys to fitted
        scale factors.
        """
        v = self.fluxes(u)
        want = jac
        jac = jac and self.p > 0
        sims = [self.emu.simulate(v, src, self.N if jac else None) for src in self.src]
        r = np.empty(self.n_res)
        J = np.empty((self.n_res, self.p)) if jac else None
        scales = {}
        for ei, m, sl, (n, row) in self.layout:
            X, dX = sims[ei]
            s = X[n][row]
            ds = dX[n][row].T if jac else None  # (size+1, p)
            if m.correction is not None:
                s = m.correction @ s
                ds = m.correction @ ds if jac else None
            k = m.mid.size
            s = s[:k]
            w = 1.0 / m.sd
            if m.scale:
                ww = w * w
                q = float(np.sum(ww * s * s))
                c = float(np.sum(ww * s * m.mid)) / q if q > 0 else 1.0
                scales[(self.experiments[ei].name, m.id)] = c
                r[sl] = (c * s - m.mid) * w
                if jac:
                    ds = ds[:k]
                    dc = ((ww * m.mid) @ ds - 2 * c * ((ww * s) @ ds)) / q
                    J[sl] = (c * ds + np.outer(s, dc)) * w[:, None]
            else:
                r[sl] = (s - m.mid) * w
                if jac:
                    J[sl] = ds[:k] * w[:, None]
        if len(self.flux_measurements):
            r[self.n_mid:] = (self.F @ v - self.f_val) / self.f_sd
            if jac:
                J[self.n_mid:] = (self.F @ self.N) / self.f_sd[:, None]
        if want and J is None:
            J = np.zeros((self.n_res, self.p))
        return r, J, scales

    def ssr(self, u: np.ndarray) -> float:
        r, _, _ = self.residuals(u, jac=False)
        return float(r @ r)

    # -- feasible points -------------------------------------------------
    def _lp(self, c, extra_eq=None, cap=None):
        kw = {}
        if extra_eq is not None:
            kw = dict(A_eq=extra_eq[0], b_eq=extra_eq[1])
        G, h = self.G, self.h
        if cap is not None:
            G = np.vstack([G, self.N])
            h = np.concatenate([h, cap - self.vp])
        return linprog(c, A_ub=G, b_ub=h, bounds=[(None, None)] * len(c), method="highs", **kw)

    def typical_scale(self) -> float:
        """10 x the largest fixed or measured flux: the range random starts are drawn in."""
        vals = [abs(x) for x in self.fixed.values()] + [abs(x) for x in self.f_val]
        return 10.0 * max(vals + [1.0])

    def center(self, cap=None) -> np.ndarray:
        """Chebyshev centre of the feasible flux polytope (optionally with gross fluxes <= cap)."""
        G, h = self.G, self.h
        if cap is not None:
            G = np.vstack([G, self.N])
            h = np.concatenate([h, cap - self.vp])
        norms = np.linalg.norm(G, axis=1)
        c = np.zeros(self.p + 1)
        c[-1] = -1.0
        A = np.hstack([G, norms[:, None]])
        res = linprog(c, A_ub=A, b_ub=h, bounds=[(None, None)] * self.p + [(0, 1e4)], method="highs")
        if res.status != 0:
            if cap is not None:
                return self.center()
            raise InfeasibleError(f"no flux distribution satisfies the bounds ({res.message})")
        return res.x[:-1]

    def random_points(self, n: int, seed: int = 0, cap: Optional[float] = None) -> List[np.ndarray]:
        """Feasible random starts: convex mixtures of random LP vertices and the centre.

        Gross fluxes are capped at ``cap`` (default :meth:`typical_scale`) so
        that starts lie in a realistic range; the fit itself is not capped.
        """
        rng = np.random.default_rng(seed)
        cap = self.typical_scale() if cap is None else cap
        center = self.center(cap)
        if np.any(self.vp + self.N @ center > cap + 1e-6):
            cap = None
        pts = []
        for _ in range(n):
            verts = []
            for _ in range(3):
                res = self._lp(rng.normal(size=self.p), cap=cap)
                if res.status == 0:
                    verts.append(res.x)
            lam = rng.dirichlet(np.ones(len(verts) + 1))
            pts.append(lam[0] * center + sum(l * x for l, x in zip(lam[1:], verts)))
        return pts

    def flux_range(self, name: str) -> Tuple[float, float]:
        """Smallest and largest feasible value of flux ``name`` (LP)."""
        vec = self.network.flux_vector(name)
        c = vec @ self.N
        off = vec @ self.vp
        lo = self._lp(c)
        hi = self._lp(-c)
        lo_v = lo.fun + off if lo.status == 0 else -np.inf
        hi_v = -hi.fun + off if hi.status == 0 else np.inf
        return lo_v, hi_v


@dataclass
class MFAInput:
    """Everything a fit needs: network, experiments, flux data, fixed fluxes, bounds."""

    network: LabelingNetwork
    experiments: List[Experiment]
    fluxes: List[FluxMeasurement] = field(default_factory=list)
    fixed: Dict[str, float] = field(default_factory=dict)
    bounds: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    ignored: List[str] = field(default_factory=list)
    constraints: List[Tuple[Dict[str, float], float, float]] = field(default_factory=list)

    def problem(self):
        """The compiled :class:`~fluxasn.isotope.problem.MFAProblem`."""
        return MFAProblem(self.network, self.experiments, fluxes=self.fluxes, fixed=self.fixed,
                          bounds=self.bounds, constraints=self.constraints)
