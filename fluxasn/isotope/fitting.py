"""Flux fitting: free fluxes from the null space, weighted least squares, multi-start.

The gross fluxes ``v`` satisfy the steady-state balances and the fixed fluxes
(``E v = e``), so ``v = v_p + N u`` with ``N`` an orthonormal basis of the null
space of ``E``; ``u`` are the free parameters. Bounds on gross, net and
exchange fluxes become linear inequalities ``G u <= h``. The objective is the
variance-weighted sum of squared residuals of all measured MIDs of all
experiments (fitted jointly, sharing the fluxes) and of the measured fluxes.
Per-fragment scale factors are eliminated analytically (variable projection),
so they cost no optimiser variable but count as parameters in the statistics.

The optimiser is a constrained Gauss-Newton / Levenberg-Marquardt iteration:
each step minimises ``|r + J d|^2 + mu |D d|^2`` (Marquardt scaling ``D``)
subject to the linear inequalities, a small convex QP solved exactly as a
least-distance problem by non-negative least squares (Lawson & Hanson), with
the analytic Jacobian ``J`` from the EMU sensitivities. Starts are random
feasible points (mixtures of random LP vertices and the Chebyshev centre),
run in parallel processes.

References
----------
Antoniewicz MR, Kelleher JK, Stephanopoulos G (2006). Determination of
confidence intervals of metabolic fluxes estimated from stable isotope
measurements. Metab Eng 8:324-337.
Lawson CL, Hanson RJ (1974). Solving Least Squares Problems, ch. 23 (LDP).
Marquardt DW (1963). An algorithm for least-squares estimation of nonlinear
parameters. J Soc Ind Appl Math 11:431-441.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import List, Mapping, Optional, Sequence, Tuple

import numpy as np
import scipy.linalg as sla
from scipy.optimize import linprog, nnls

from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.isotope.emu import EMUSystem
from fluxasn.isotope.measurements import Experiment, FluxMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import check_tracers, source_mids

__all__ = ["MFAProblem", "fit_13c", "FitStart", "single_blas_thread"]


def single_blas_thread():
    """Context limiting BLAS to one thread (threadpoolctl, if installed).

    The EMU systems are small: multi-threaded BLAS only adds synchronisation
    (ten times slower on a loaded 2-core machine); parallelism comes from
    running starts in separate processes instead.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional dependency
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


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
class FitStart:
    """Outcome of one start of a multi-start fit."""

    start: int
    ssr: float
    u: np.ndarray
    iterations: int
    converged: bool
    seconds: float


def _qp_step(J, r, mu, G, slack):
    """min |r + J d|^2 + mu |D d|^2  s.t.  G d <= slack (least-distance QP via NNLS)."""
    jtj = J.T @ J
    dg = np.diag(jtj)
    H = jtj + mu * np.diag(dg + 1e-6 * max(float(dg.max(initial=0.0)), 1e-12))
    g = J.T @ r
    try:
        d_free = -np.linalg.solve(H, g)
    except np.linalg.LinAlgError:
        d_free = -np.linalg.lstsq(H, g, rcond=None)[0]
    if np.all(G @ d_free <= slack + 1e-12):
        return d_free
    # feasible fallback: the free step shortened to the first bound it hits
    gd = G @ d_free
    hit = gd > 1e-300
    t = float(np.min(np.clip(slack[hit] / gd[hit], 0.0, 1.0))) if np.any(hit) else 1.0
    d_short = t * d_free
    # least-distance form: H = R^T R, y = R d + R^-T g, min |y| s.t. E y >= f,
    # solved by NNLS (Lawson & Hanson 1974, ch. 23)
    try:
        R = np.linalg.cholesky(H).T
    except np.linalg.LinAlgError:
        return d_short
    Rinv = sla.solve_triangular(R, np.eye(R.shape[0]), lower=False)
    E = -G @ Rinv
    f = G @ d_free - slack
    M = np.vstack([E.T, f[None, :]])
    b = np.zeros(M.shape[0])
    b[-1] = 1.0
    try:
        w, _ = nnls(M, b, maxiter=50 * M.shape[1])
    except RuntimeError:
        return d_short
    res = M @ w - b
    if abs(res[-1]) < 1e-14:
        return d_short
    y = -res[:-1] / res[-1]
    d = Rinv @ y + d_free
    gd = G @ d
    # NNLS solves the active constraints to rounding error: accept violations at that level
    if np.any(gd > slack + 1e-7 + 1e-9 * np.abs(slack)):
        hit = gd > slack
        t = float(np.min(np.clip(slack[hit] / gd[hit], 0.0, 1.0)))
        d = t * d
    model = lambda x: 0.5 * x @ H @ x + g @ x
    return d if model(d) <= model(d_short) else d_short


def _feasible_on(problem: MFAProblem, u: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``u`` (on ``a u = b``) moved towards a feasible point of that plane if it breaks a bound."""
    viol = problem.G @ u - problem.h
    if np.all(viol <= 1e-9 * (1.0 + np.abs(problem.h))):
        return u
    # Chebyshev-like interior point of the plane: maximise the smallest slack
    norms = np.linalg.norm(problem.G, axis=1)
    c = np.zeros(problem.p + 1)
    c[-1] = -1.0
    A_ub = np.hstack([problem.G, norms[:, None]])
    A_eq = np.hstack([a, np.zeros((a.shape[0], 1))])
    res = linprog(c, A_ub=A_ub, b_ub=problem.h, A_eq=A_eq, b_eq=b,
                  bounds=[(None, None)] * problem.p + [(0, None)], method="highs")
    if res.status != 0:
        return u
    w = res.x[:-1]
    # largest step from the interior point w towards u that keeps every bound
    d = u - w
    gd = problem.G @ d
    room = problem.h - problem.G @ w
    hit = gd > 1e-300
    t = float(np.min(np.clip(room[hit] / gd[hit], 0.0, 1.0))) if np.any(hit) else 1.0
    return w + 0.999 * t * d


def local_fit(problem: MFAProblem, u0: np.ndarray, *, max_iter: int = 200, tol: float = 1e-8,
              atol: float = 1e-2, window: int = 5,
              extra_eq: Optional[Tuple[np.ndarray, np.ndarray]] = None):
    """Constrained Levenberg-Marquardt from ``u0``.

    Stops when an accepted step lowers the SSR by less than ``tol`` (relative),
    or the last ``window`` accepted steps together by less than ``atol`` (SSR
    units: a slow crawl along a flat valley, e.g. an exchange flux drifting
    to its bound, changes nothing a chi-square test or interval can see).

    ``extra_eq = (a, b)`` adds linear equalities ``a u = b`` (used by the
    profile likelihood); they are kept by stepping in their null space.
    """
    u = np.array(u0, dtype=float)
    Z = None
    if extra_eq is not None:
        a, b = extra_eq
        a = np.atleast_2d(a)
        # project the start onto the equality, then back inside the bounds if needed
        u = u - np.linalg.pinv(a) @ (a @ u - np.atleast_1d(b))
        u = _feasible_on(problem, u, a, np.atleast_1d(b))
        Z = sla.null_space(a)
    r, J, _ = problem.residuals(u)
    f = float(r @ r)
    mu = 1e-3
    gains: List[float] = []
    it = 0
    converged = False
    G, h = problem.G, problem.h
    for it in range(1, max_iter + 1):
        Jz = J if Z is None else J @ Z
        Gz = G if Z is None else G @ Z
        slack = np.maximum(h - G @ u, 0.0)
        d = _qp_step(Jz, r, mu, Gz, slack)
        pred = f - float(np.sum((r + Jz @ d) ** 2))
        if pred <= 1e-12 * max(f, 1.0):
            converged = True
            break
        step = d if Z is None else Z @ d
        u_new = u + step
        r_new, _, _ = problem.residuals(u_new, jac=False)  # Jacobian only for accepted steps
        f_new = float(r_new @ r_new)
        if np.isfinite(f_new) and f_new < f:
            rho = (f - f_new) / pred
            gain = f - f_new
            _, J_new, _ = problem.residuals(u_new)
            u, r, J, f = u_new, r_new, J_new, f_new
            mu *= 0.2 if rho > 0.75 else (1.0 if rho > 0.25 else 3.0)
            mu = max(mu, 1e-12)
            gains.append(gain)
            if gain < tol * max(f, 1.0) or (len(gains) >= window and sum(gains[-window:]) < atol):
                converged = True
                break
        else:
            mu *= 5.0
            if mu > 1e12:
                converged = True
                break
    return u, f, it, converged


_WORKER_PROBLEM: Optional[MFAProblem] = None


def _worker(args):
    i, u0, max_iter = args
    t0 = time.perf_counter()
    u, f, it, conv = local_fit(_WORKER_PROBLEM, u0, max_iter=max_iter)
    return FitStart(i, f, u, it, conv, time.perf_counter() - t0)


def run_starts(problem: MFAProblem, starts: Sequence[np.ndarray], *, n_jobs: int = 1,
               max_iter: int = 200) -> List[FitStart]:
    """Run local fits from each start, in ``n_jobs`` processes (fork) if > 1."""
    global _WORKER_PROBLEM
    _WORKER_PROBLEM = problem
    jobs = [(i, u0, max_iter) for i, u0 in enumerate(starts)]
    if n_jobs > 1 and len(jobs) > 1:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        with ctx.Pool(n_jobs) as pool:
            out = pool.map(_worker, jobs, chunksize=1)
    else:
        out = [_worker(j) for j in jobs]
    return out


def fit_13c(
    problem: MFAProblem,
    *,
    n_starts: int = 10,
    seed: int = 0,
    n_jobs: int = 1,
    initial: Optional[Sequence[np.ndarray]] = None,
    max_iter: int = 200,
    confidence: float = 0.95,
    profile: Sequence[str] = (),
):
    """Fit the free fluxes of ``problem`` to its measurements (multi-start).

    Parameters
    ----------
    problem
        Compiled :class:`MFAProblem` (or an :class:`~fluxasn.isotope.formats.MFAInput`,
        compiled here).
    n_starts
        Number of random feasible starts (seeded by ``seed``).
    n_jobs
        Worker processes.
    initial
        Extra starting points (free-parameter vectors), tried first.
    max_iter
        Iterations per start.
    confidence
        Level of the chi-square range and confidence intervals.
    profile
        Flux names whose profile-likelihood interval is computed (it costs
        one constrained refit per profile point); every reported flux gets a
        linearised interval.

    Returns
    -------
    fluxasn.isotope.results.MFAResult

    Notes
    -----
    The best start (lowest SSR) is kept. Degrees of freedom = number of
    measured values - free fluxes - fitted scale factors.
    """
    from fluxasn.isotope.results import MFAResult
    from fluxasn.isotope import stats

    from fluxasn.isotope.formats import MFAInput

    if isinstance(problem, MFAInput):
        problem = problem.problem()
    t0 = time.perf_counter()
    with single_blas_thread():
        starts = list(initial or []) + problem.random_points(n_starts, seed=seed)
        runs = run_starts(problem, starts, n_jobs=n_jobs, max_iter=max_iter)
        best = min(runs, key=lambda s: s.ssr)
        result = MFAResult.from_fit(problem, best.u, runs=runs, confidence=confidence)
        for name in profile:
            result.set_profile(name, stats.profile_interval(problem, best.u, name, confidence=confidence,
                                                            ssr_min=best.ssr))
    result.seconds = time.perf_counter() - t0
    return result
