"""Fitting fluxes and pool sizes jointly to time-course MIDs (INST-MFA).

The parameters are ``theta = (u, q)``: the free fluxes ``u`` of the
stationary problem (:class:`fluxasn.isotope.problem.MFAProblem`, which keeps
the steady-state balances, fixed fluxes and flux bounds as ``G u <= h``) and
the fitted pool sizes ``q`` (in the problem's pool unit; bounded below by
``Pool.lower`` > 0). Residuals are ``(simulated - measured) / sd`` of every
MID at every time, of every measured flux and of every measured pool size.
The Jacobian comes from the forward sensitivities of
:class:`~fluxasn.isotope.inst.simulate.INSTSystem`. The local optimiser is
the stationary fit's constrained Levenberg-Marquardt
(:func:`fluxasn.isotope.optimize.local_fit`), run from several starts; the
statistics are the stationary ones: chi-square test of the SSR and
linearized 95 % intervals from ``(J^T J)^+`` on the face of active bounds,
for net/exchange fluxes and for pool sizes alike.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from math import comb
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy import stats as sps

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.optimize import local_fit, single_blas_thread
from fluxasn.isotope.problem import MFAProblem
from scipy.optimize import linprog

from fluxasn.isotope.stats import ProfileInterval, chi2_range, parameter_covariance, profile_interval
from fluxasn.isotope.tracers import Tracer, source_mids
from fluxasn.isotope.inst.simulate import INSTSystem

__all__ = ["Pool", "TimeCourse", "INSTProblem", "INSTResult", "fit_inst", "profile_inst"]


@dataclass
class Pool:
    """A metabolite pool size (in the problem's pool unit).

    Parameters
    ----------
    id
        Pool id (a metabolite id, or a name shared by several metabolites).
    value
        Start value of a fitted pool, the value of a fixed pool, or the
        measured value when ``sd`` is given.
    sd
        Standard deviation of a measured pool (adds a residual), or None.
    fixed
        Hold the pool at ``value``.
    lower, upper
        Bounds of a fitted pool (``lower`` > 0).
    """

    id: str
    value: float
    sd: Optional[float] = None
    fixed: bool = False
    lower: float = 1e-6
    upper: float = np.inf
    source: Optional[str] = None
    line: Optional[int] = None

    def __post_init__(self) -> None:
        kw = dict(source=self.source, line=self.line, identifier=self.id)
        if not (np.isfinite(self.value) and self.value > 0):
            raise FluxasnInputError(f"pool size must be a number > 0, got {self.value}", **kw)
        if self.sd is not None and not (np.isfinite(self.sd) and self.sd > 0):
            raise FluxasnInputError(f"pool size sd must be > 0, got {self.sd}", **kw)
        if not (0 < self.lower < self.upper):
            raise FluxasnInputError(f"pool bounds must satisfy 0 < lower < upper, got "
                                    f"[{self.lower}, {self.upper}]", **kw)


@dataclass
class TimeCourse:
    """One labelling experiment sampled over time after the switch to the tracer at t = 0.

    ``mids`` holds ``(time in h, MIDMeasurement)``. ``natural_13c`` is the
    13C probability of unlabelled source positions after the switch;
    ``initial_13c`` that of every position before it (the labelling at t = 0;
    defaults to ``natural_13c``).
    """

    name: str
    tracers: Sequence[Tracer]
    mids: List[Tuple[float, MIDMeasurement]] = field(default_factory=list)
    natural_13c: float = 0.0
    initial_13c: Optional[float] = None


class INSTProblem:
    """A compiled INST-MFA problem: network, time courses, pools, flux data.

    Parameters
    ----------
    network
        The labelling network (fluxes in ``flux_unit``).
    experiments
        Time courses fitted jointly (they share fluxes and pools).
    pools
        Every pool the simulation needs (see ``pool_of``), by id.
    pool_of
        Metabolite -> pool id, for pools shared between metabolites
        (compartments); default: each metabolite its own pool.
    quasi_steady
        Metabolites without pool (instantaneous).
    fluxes, fixed, bounds, constraints
        As for :class:`~fluxasn.isotope.problem.MFAProblem`.
    horizon
        Last simulated time (h); a MID measured later is refused. Default:
        the last measured time.
    pool_unit, flux_unit
        Units (time is in h); see :data:`~fluxasn.isotope.inst.simulate.POOL_UNITS`.
    tol
        Local error bound of the integrator (absolute, MID fractions).
    dilution
        Fragment ids whose measured pool also holds metabolite that does not
        exchange with the network (another compartment, a storage pool):
        each gets a fitted G-value ``g`` in [0, 1] (INCA's G-value), shared by
        its time points, and ``measured = g * simulated + (1 - g) * unlabelled``
        (before any correction matrix). Reported as ``G[experiment:fragment]``.
    """

    def __init__(
        self,
        network: LabelingNetwork,
        experiments: Sequence[TimeCourse],
        *,
        pools: Mapping[str, Pool],
        pool_of: Optional[Mapping[str, str]] = None,
        quasi_steady: Sequence[str] = (),
        fluxes: Sequence[FluxMeasurement] = (),
        fixed: Optional[Mapping[str, float]] = None,
        bounds: Optional[Mapping[str, Tuple[float, float]]] = None,
        constraints: Sequence[Tuple[Mapping[str, float], float, float]] = (),
        horizon: Optional[float] = None,
        pool_unit: str = "nmol/gDW",
        flux_unit: str = "mmol/gDW/h",
        tol: float = 1e-8,
        dilution: Sequence[str] = (),
    ) -> None:
        self.network = network
        self.experiments = list(experiments)
        self.tol = tol
        self.bounds = dict(bounds or {})
        self.constraints = list(constraints)
        for exp in self.experiments:
            for t, m in exp.mids:
                kw = dict(source=m.source or exp.name, line=m.line, identifier=m.id)
                if not np.isfinite(t) or t < 0:
                    raise FluxasnInputError(f"time must be >= 0 h, got {t}", **kw)
                if horizon is not None and t > horizon:
                    raise FluxasnInputError(f"MID at {t} h lies outside the simulated range "
                                            f"[0, {horizon}] h", **kw)
        stationary = [Experiment(e.name, list(e.tracers), [m for _, m in e.mids], e.natural_13c)
                      for e in self.experiments]
        self.base = MFAProblem(network, stationary, fluxes=fluxes, fixed=fixed, bounds=bounds,
                               constraints=constraints)
        self.N, self.vp, self.p_flux = self.base.N, self.base.vp, self.base.p
        targets = [m.emu for e in self.experiments for _, m in e.mids]
        self.system = INSTSystem(network.transitions(), targets, network.sources, pools=pool_of,
                                 quasi_steady=quasi_steady, pool_unit=pool_unit, flux_unit=flux_unit)
        pool_of = dict(pool_of or {})
        for pid in self.system.pool_ids:
            if pid not in pools:
                mets = sorted(m for m, q in self.system.pool_of.items() if q == pid)
                table = next((q.source for q in pools.values() if q.source), None)
                raise FluxasnInputError(
                    f"the time-course fit needs the pool size of {', '.join(mets)} (pool {pid!r}); "
                    "give it (fixed, measured or a start value) or declare the metabolite quasi-steady",
                    source=table, identifier=pid)
        unused = sorted(set(pools) - set(self.system.pool_ids))
        if unused:
            p = pools[unused[0]]
            raise FluxasnInputError("pool size given for no pool of the simulated network "
                                    f"(pools: {self.system.pool_ids})", source=p.source, line=p.line,
                                    identifier=unused[0])
        self.pools = [pools[pid] for pid in self.system.pool_ids]
        self.free_pools = [i for i, q in enumerate(self.pools) if not q.fixed]
        self.measured_pools = [i for i in self.free_pools if self.pools[i].sd is not None]
        nf = len(self.free_pools)
        self.p_sim = self.p_flux + nf  # parameters the simulation depends on
        measured_ids = {(e.name, m.id) for e in self.experiments for _, m in e.mids}
        self.g_keys = []
        for fid in dict.fromkeys(dilution):
            keys = sorted(k for k in measured_ids if k[1] == fid)
            if not keys:
                raise FluxasnInputError("a G-value is asked for a fragment that no time course measures",
                                        identifier=fid)
            self.g_keys.extend(keys)
        self.g_col = {key: self.p_sim + j for j, key in enumerate(self.g_keys)}
        self.p = self.p_sim + len(self.g_keys)
        G = np.zeros((self.base.G.shape[0], self.p))
        G[:, :self.p_flux] = self.base.G
        rows, h = [G], [self.base.h]
        for j, i in enumerate(self.free_pools):
            e = np.zeros(self.p)
            e[self.p_flux + j] = -1.0
            rows.append(e[None])
            h.append([-self.pools[i].lower])
            if np.isfinite(self.pools[i].upper):
                rows.append(-e[None])
                h.append([self.pools[i].upper])
        for col in self.g_col.values():
            e = np.zeros(self.p)
            e[col] = 1.0
            rows += [e[None], -e[None]]
            h += [[1.0], [0.0]]
        self.G = np.vstack(rows)
        self.h = np.concatenate([np.asarray(x, float) for x in h])
        self.unlabelled = {}
        carbons = network.carbons
        self.src = []
        for e in self.experiments:
            init = e.natural_13c if e.initial_13c is None else e.initial_13c
            srcs = self.system.emu.source_emus
            self.src.append((self.system.pack(source_mids(srcs, e.tracers, carbons=carbons, natural_13c=e.natural_13c)),
                             self.system.pack(source_mids(srcs, [], carbons=carbons, natural_13c=init))))
        self.times = [np.unique([t for t, _ in e.mids]) for e in self.experiments]
        self.layout = []
        start = 0
        for ei, e in enumerate(self.experiments):
            init = e.natural_13c if e.initial_13c is None else e.initial_13c
            for t, m in e.mids:
                k = m.mid.size
                self.layout.append((ei, int(np.searchsorted(self.times[ei], t)), m, slice(start, start + k)))
                start += k
                n = len(m.emu[1])  # before the switch every EMU is binomial in the initial 13C
                self.unlabelled[(e.name, m.id)] = np.array([comb(n, j) * init ** j * (1 - init) ** (n - j)
                                                            for j in range(n + 1)])
        self.n_mid = start
        self.n_scale = sum(1 for _, _, m, _ in self.layout if m.scale)
        self.n_flux_res = len(self.base.flux_measurements)
        self.n_res = start + self.n_flux_res + len(self.measured_pools)
        self.dpools = np.zeros((len(self.pools), self.p_sim))
        for j, i in enumerate(self.free_pools):
            self.dpools[i, self.p_flux + j] = 1.0
        self.dv = np.hstack([self.N, np.zeros((self.N.shape[0], nf))])

    # ------------------------------------------------------------------
    def split(self, theta: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Gross fluxes and all pool sizes at parameters ``theta``."""
        theta = np.asarray(theta, float)
        v = self.vp + self.N @ theta[:self.p_flux]
        q = np.array([p.value for p in self.pools])
        q[self.free_pools] = theta[self.p_flux:self.p_sim]
        return v, q

    def start(self, u: Optional[np.ndarray] = None) -> np.ndarray:
        """Parameters from free fluxes ``u`` (default: the feasible centre) and the pools' values."""
        u = self.base.center() if u is None else np.asarray(u, float)
        return np.concatenate([u, [self.pools[i].value for i in self.free_pools], [0.9] * len(self.g_keys)])

    def simulate(self, theta: np.ndarray, jac: bool = False):
        """Per experiment: (mids, dmids) at the measured times."""
        v, q = self.split(theta)
        out = []
        for (lab, unl), times in zip(self.src, self.times):
            mids, dmids, _ = self.system.simulate(v, q, lab, unl, times, dv=self.dv if jac else None,
                                                  dpools=self.dpools if jac else None, tol=self.tol)
            out.append((mids, dmids))
        return out

    def residuals(self, theta: np.ndarray, jac: bool = True):
        """Weighted residuals (and Jacobian) at ``theta``; returns ``r, J, scales``.

        A measurement with ``scale`` (a FluxML group with ``scale="auto"``)
        gets its least-squares scale factor at every time point, in closed
        form (variable projection, as the stationary fit; 13CFLUX v3 does the
        same per group and time); ``scales`` maps ``(experiment, id, time)``
        to it.
        """
        theta = np.asarray(theta, float)
        v, q = self.split(theta)
        if np.any(q <= 0):
            return np.full(self.n_res, np.inf), (np.zeros((self.n_res, self.p)) if jac else None), {}
        sims = self.simulate(theta, jac)
        r = np.empty(self.n_res)
        J = np.empty((self.n_res, self.p)) if jac else None
        scales = {}
        for ei, ti, m, sl in self.layout:
            mids, dmids = sims[ei]
            s = mids[m.emu][ti]
            ds = None
            if jac:
                ds = np.zeros((s.size, self.p))
                ds[:, :self.p_sim] = dmids[m.emu][ti].T
            col = self.g_col.get((self.experiments[ei].name, m.id))
            if col is not None:
                g, u0 = theta[col], self.unlabelled[(self.experiments[ei].name, m.id)]
                if jac:
                    ds *= g
                    ds[:, col] = s - u0
                s = g * s + (1.0 - g) * u0
            if m.correction is not None:
                s = m.correction @ s
                ds = m.correction @ ds if jac else None
            k = m.mid.size
            s, w = s[:k], 1.0 / m.sd
            if m.scale:
                ww = w * w
                qq = float(np.sum(ww * s * s))
                c = float(np.sum(ww * s * m.mid)) / qq if qq > 0 else 1.0
                scales[(self.experiments[ei].name, m.id, float(self.times[ei][ti]))] = c
                r[sl] = (c * s - m.mid) * w
                if jac:
                    dc = ((ww * m.mid) @ ds[:k] - 2 * c * ((ww * s) @ ds[:k])) / qq if qq > 0 else 0.0
                    J[sl] = (c * ds[:k] + np.outer(s, dc)) * w[:, None]
            else:
                r[sl] = (s - m.mid) * w
                if jac:
                    J[sl] = ds[:k] * w[:, None]
        a = self.n_mid
        if self.n_flux_res:
            b = self.base
            r[a:a + self.n_flux_res] = (b.F @ v - b.f_val) / b.f_sd
            if jac:
                J[a:a + self.n_flux_res] = 0.0
                J[a:a + self.n_flux_res, :self.p_flux] = (b.F @ self.N) / b.f_sd[:, None]
        a += self.n_flux_res
        for j, i in enumerate(self.measured_pools):
            pool = self.pools[i]
            r[a + j] = (q[i] - pool.value) / pool.sd
            if jac:
                J[a + j] = 0.0
                J[a + j, :self.p_sim] = self.dpools[i] / pool.sd
        return r, J, scales

    def ssr(self, theta: np.ndarray) -> float:
        r, _, _ = self.residuals(theta, jac=False)
        return float(r @ r)

    def parameter_vector(self, name: str) -> Tuple[np.ndarray, float]:
        """``(a, b)`` with ``name`` = a . theta + b, for a flux (net, gross, ``R.exch``) or a pool id."""
        if name in self.system.pool_ids:
            i = self.system.pool_ids.index(name)
            if i not in self.free_pools:
                return np.zeros(self.p), self.pools[i].value
            a = np.zeros(self.p)
            a[:self.p_sim] = self.dpools[i]
            return a, 0.0
        g = re.match(r"^G\[(.*):(.*)\]$", name)
        if g and (g.group(1), g.group(2)) in self.g_col:
            a = np.zeros(self.p)
            a[self.g_col[(g.group(1), g.group(2))]] = 1.0
            return a, 0.0
        vec = self.network.flux_vector(name)
        a = np.zeros(self.p)
        a[:self.p_flux] = vec @ self.N
        return a, float(vec @ self.vp)


@dataclass
class INSTResult:
    """Best fit of an :class:`INSTProblem`, with its statistics.

    ``fluxes``, ``pools`` and ``dilution`` (G-values, ``G[experiment:fragment]``)
    map names to ``(value, lower, upper)`` (linearized intervals at
    ``confidence``); pools are in the problem's pool unit, fluxes in its flux unit.
    """

    theta: np.ndarray
    ssr: float
    dof: int
    chi2_range: Tuple[float, float]
    fluxes: Dict[str, Tuple[float, float, float]]
    pools: Dict[str, Tuple[float, float, float]]
    starts: List[Tuple[float, bool]]
    dilution: Dict[str, Tuple[float, float, float]] = field(default_factory=dict)
    confidence: float = 0.95

    def flux(self, name: str) -> float:
        """Best-fit value of a reported flux (net id or ``R.exch``)."""
        if name not in self.fluxes:
            raise FluxasnInputError("not a flux of the fit", identifier=name)
        return float(self.fluxes[name][0])

    @property
    def chi2_ok(self) -> bool:
        """The SSR lies in the two-sided chi-square acceptance range."""
        return self.chi2_range[0] <= self.ssr <= self.chi2_range[1]


def fit_inst(problem: INSTProblem, *, n_starts: int = 5, seed: int = 0, confidence: float = 0.95,
             max_iter: int = 100, start: Optional[np.ndarray] = None) -> INSTResult:
    """Fit fluxes and pool sizes to the time courses from several starts.

    Parameters
    ----------
    problem
        The compiled problem.
    n_starts
        Starts: ``start`` if given, else the centre of the feasible flux
        polytope with the pools' values; then random feasible flux starts
        with the pools' values times a random factor in [0.5, 2].
    seed
        Seed of the starts.
    confidence
        Level of the chi-square test and of the intervals.
    max_iter
        Iterations per local fit.
    start
        Optional first start (``theta``).

    Returns
    -------
    INSTResult
    """
    rng = np.random.default_rng(seed)
    starts = [problem.start() if start is None else np.asarray(start, float)]
    if len(starts) < n_starts:
        for u in problem.base.random_points(n_starts - len(starts), seed=seed):
            q = [problem.pools[i].value * float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
                 for i in problem.free_pools]
            q = [min(max(x, problem.pools[i].lower * 1.01), problem.pools[i].upper / 1.01)
                 for x, i in zip(q, problem.free_pools)]
            starts.append(np.concatenate([u, q, [0.9] * len(problem.g_keys)]))
    best, trail = None, []
    with single_blas_thread():
        for theta0 in starts:
            theta, f, _, conv = local_fit(problem, theta0, max_iter=max_iter)
            trail.append((f, conv))
            if best is None or f < best[1]:
                best = (theta, f)
        theta, f = best
        _, J, _ = problem.residuals(theta)
    dof = problem.n_res - problem.p - problem.n_scale  # scale factors are parameters too
    cov = parameter_covariance(problem, theta, J)
    z = np.sqrt(sps.chi2.ppf(confidence, 1))

    def interval(name):
        a, b = problem.parameter_vector(name)
        value = float(a @ theta + b)
        half = z * np.sqrt(max(float(a @ cov @ a), 0.0))
        return value, value - half, value + half

    fluxes = {name: interval(name) for name, _ in problem.network.reported_fluxes()}
    pools = {pid: interval(pid) for pid in problem.system.pool_ids}
    dilution = {f"G[{e}:{fid}]": interval(f"G[{e}:{fid}]") for e, fid in problem.g_keys}
    return INSTResult(theta, f, dof, chi2_range(dof, confidence), fluxes, pools, trail, dilution, confidence)


class _ThetaView:
    """An :class:`INSTProblem` seen as a stationary problem whose "fluxes" are ``(theta, 1)``.

    :func:`fluxasn.isotope.stats.profile_interval` reads a quantity as
    ``vec @ (vp + N theta)``; with ``N = [I; 0]``, ``vp = (0, ..., 0, 1)`` and
    ``vec = (a, b)`` that is ``a . theta + b`` for a flux or a pool alike.
    """

    def __init__(self, problem: INSTProblem) -> None:
        self.inner = problem
        self.p = problem.p
        self.G, self.h = problem.G, problem.h
        self.N = np.vstack([np.eye(problem.p), np.zeros((1, problem.p))])
        self.vp = np.zeros(problem.p + 1)
        self.vp[-1] = 1.0
        self.network = self

    def flux_vector(self, name: str) -> np.ndarray:
        a, b = self.inner.parameter_vector(name)
        return np.concatenate([a, [b]])

    def fluxes(self, theta):
        return self.vp + self.N @ np.asarray(theta, float)

    def residuals(self, theta, jac: bool = True):
        return self.inner.residuals(theta, jac)

    def ssr(self, theta) -> float:
        return self.inner.ssr(theta)

    def flux_range(self, name: str):
        a, b = self.inner.parameter_vector(name)
        out = []
        for sign in (1.0, -1.0):
            res = linprog(sign * a, A_ub=self.G, b_ub=self.h, bounds=[(None, None)] * self.p, method="highs")
            out.append(sign * res.fun + b if res.status == 0 else -sign * np.inf)
        return out[0], out[1]


def profile_inst(problem: INSTProblem, theta: np.ndarray, name: str, *, confidence: float = 0.95,
                 ssr_min: Optional[float] = None) -> ProfileInterval:
    """Profile-likelihood interval of a flux (net, gross, ``R.exch``) or a fitted pool.

    Each point refits every other parameter with ``name`` held (the
    stationary fit's :func:`~fluxasn.isotope.stats.profile_interval`); the
    bounds are where the SSR has risen by ``chi2.ppf(confidence, 1)``.

    Parameters
    ----------
    problem
        The compiled problem.
    theta
        Best-fit parameters (:attr:`INSTResult.theta`).
    name
        Flux or pool id.
    confidence
        Level of the interval.
    ssr_min
        SSR at ``theta`` (recomputed if None).
    """
    with single_blas_thread():
        return profile_interval(_ThetaView(problem), theta, name, confidence=confidence, ssr_min=ssr_min)
