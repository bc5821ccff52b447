"""Multi-start 13C-MFA fits: :func:`fit_13c`.

Starts (:func:`global_starts`) cover the whole feasible flux space: net
fluxes uniformly over their polytope (hit-and-run), exchange fluxes
log-uniformly over their range; each start is fitted by
:func:`fluxasn.isotope.optimize.local_fit`, the best end of each of the three
lowest SSR levels is polished by a longer, tighter refit, and the best
polished fit's statistics computed
(:mod:`fluxasn.isotope.stats`). The result reports how many starts ended
within ``chi2.ppf(0.95, 1)`` of the best SSR and how far apart the distinct
optima are (:attr:`fluxasn.isotope.results.MFAResult.search`).

References
----------
Smith RL (1984). Efficient Monte Carlo procedures for generating points
uniformly distributed over bounded regions. Oper Res 32:1296-1308
(hit-and-run).
Antoniewicz MR, Kelleher JK, Stephanopoulos G (2006). Determination of
confidence intervals of metabolic fluxes estimated from stable isotope
measurements. Metab Eng 8:324-337.
"""
from __future__ import annotations

import time
from typing import Optional, Sequence

import numpy as np
from scipy import stats as sps
from scipy.optimize import linprog

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.optimize import local_fit, run_starts, single_blas_thread
from fluxasn.isotope.problem import MFAInput, MFAProblem
from fluxasn.isotope.results import MFAResult
from fluxasn.isotope.stats import profile_interval
from fluxasn.progress import ProgressCallback

__all__ = ["fit_13c", "global_starts", "default_starts"]


#: SSR levels whose best end is polished (:func:`polish_candidates`)
_POLISH = 3


def default_starts(problem: MFAProblem) -> int:
    """Default number of starts: ``10 + 2 p`` for ``p`` free fluxes (at least 10 starts, and two
    more per dimension of the space the starts must cover; 16 for the INCA tutorial network's 3,
    58 for MCF-7's 24)."""
    return 10 + 2 * int(problem.p)


def _hit_and_run(G, h, x0, n, rng, thin):
    """``n`` points of the polytope ``G x <= h`` by hit-and-run from interior point ``x0``
    (uniform random direction, uniform point on the chord; ``thin`` steps between points)."""
    x = np.array(x0, float)
    out = []
    for k in range((n + 1) * thin):
        d = rng.normal(size=x.size)
        d /= np.linalg.norm(d)
        gd = G @ d
        room = h - G @ x
        pos, neg = gd > 1e-12, gd < -1e-12
        t_hi = float(np.min(room[pos] / gd[pos])) if np.any(pos) else 0.0
        t_lo = float(np.max(room[neg] / gd[neg])) if np.any(neg) else 0.0
        if t_hi > t_lo:
            x = x + rng.uniform(t_lo, t_hi) * d
        if k >= thin and k % thin == 0:
            out.append(x.copy())
    return out[:n]


def global_starts(problem: MFAProblem, n: int, *, seed: int = 0, cap: Optional[float] = None):
    """``n`` starts spread over the whole feasible flux space.

    Net fluxes: uniform over the polytope of the free parameters by
    hit-and-run (burn-in and thinning of ``5 p`` steps), with gross fluxes
    capped at ``cap`` (default :meth:`~fluxasn.isotope.problem.MFAProblem.typical_scale`)
    so that the region is bounded and realistic. Exchange fluxes: then each is
    given a target drawn log-uniformly over ``[max(lo, 1e-3 hi), hi]``, its
    feasible range (``hi`` capped likewise), and one LP moves the point to the
    feasible point with the same net fluxes and the exchange fluxes closest to
    their targets (L1). Without reversible reactions the hit-and-run points
    are returned as they are.
    """
    rng = np.random.default_rng(seed)
    if n <= 0 or problem.p == 0:
        return [np.zeros(problem.p) for _ in range(max(n, 0))]
    cap = problem.typical_scale() if cap is None else float(cap)
    G = np.vstack([problem.G, problem.N])
    h = np.concatenate([problem.h, cap - problem.vp])
    x0 = problem.center(cap)
    if np.any(G @ x0 > h + 1e-9):
        G, h, x0 = problem.G, problem.h, problem.center()
    thin = 5 * problem.p
    pts = _hit_and_run(G, h, x0, n, rng, thin)
    net = problem.network
    pairs = [name for name, pair in net.pairs.items() if pair.backward is not None]
    if not pairs:
        return pts
    A_net = np.array([net.flux_vector(name) for name in net.pairs]) @ problem.N
    c_net = np.array([net.flux_vector(name) for name in net.pairs]) @ problem.vp
    A_ex = np.array([net.flux_vector(name + ".exch") for name in pairs]) @ problem.N
    c_ex = np.array([net.flux_vector(name + ".exch") for name in pairs]) @ problem.vp
    ranges = [problem.flux_range(name + ".exch") for name in pairs]
    k, p = len(pairs), problem.p
    out = []
    for x in pts:
        lo = np.array([max(r[0], 0.0) for r in ranges])
        hi = np.array([min(r[1], cap) for r in ranges])
        lo_pos = np.maximum(lo, 1e-3 * hi)
        target = np.where(hi > lo_pos, np.exp(rng.uniform(np.log(np.maximum(lo_pos, 1e-300)),
                                                          np.log(np.maximum(hi, 1e-300)))), lo)
        # min sum s  s.t.  |A_ex u + c_ex - target| <= s,  A_net u = A_net x,  G u <= h
        c = np.concatenate([np.zeros(p), np.ones(k)])
        A_ub = np.block([[A_ex, -np.eye(k)], [-A_ex, -np.eye(k)], [G, np.zeros((G.shape[0], k))]])
        b_ub = np.concatenate([target - c_ex, c_ex - target, h])
        A_eq = np.hstack([A_net, np.zeros((A_net.shape[0], k))])
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=A_net @ x,
                      bounds=[(None, None)] * p + [(0, None)] * k, method="highs")
        out.append(res.x[:p] if res.status == 0 else x)
    return out


def fit_13c(
    problem: MFAProblem,
    *,
    n_starts: Optional[int] = None,
    seed: int = 0,
    processes: Optional[int] = 1,
    progress: Optional[ProgressCallback] = None,
    initial: Optional[Sequence[np.ndarray]] = None,
    max_iter: int = 200,
    confidence: float = 0.95,
    profile: Sequence[str] = (),
    monte_carlo: int = 0,
):
    """Fit the free fluxes of ``problem`` to its measurements (multi-start).

    Parameters
    ----------
    problem
        Compiled :class:`MFAProblem` (or an :class:`~fluxasn.isotope.problem.MFAInput`,
        compiled here).
    n_starts
        Number of starts drawn by :func:`global_starts` (seeded by ``seed``);
        default :func:`default_starts` (``10 + 2 x free fluxes``).
    processes
        Worker processes for the starts (default 1: in this process; None:
        :data:`fluxasn.config.config`). Results do not depend on it.
    progress
        ``progress(done, total)``, called as starts finish.
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
    monte_carlo
        Replicates of a Monte Carlo interval (data resampled from the
        measurement model at the best fit, refitted; percentile intervals) for
        every flux not profiled; 0: none. Seeded by ``seed``, run over
        ``processes``.

    Returns
    -------
    fluxasn.isotope.results.MFAResult

    Notes
    -----
    The best end of each of the three lowest SSR levels of the starts
    (:func:`polish_candidates`) is polished (a refit from it with up to
    ``5 max_iter`` iterations and a tighter stopping rule) and the lowest kept.
    :attr:`MFAResult.search` reports the fraction of starts that ended within
    ``chi2.ppf(0.95, 1)`` (3.84) of the best SSR and the distinct optima.
    Degrees of freedom = number of measured values - free fluxes - fitted
    scale factors.
    """
    if isinstance(problem, MFAInput):
        problem = problem.problem()
    t0 = time.perf_counter()
    with single_blas_thread():
        n_starts = default_starts(problem) if n_starts is None else int(n_starts)
        starts = list(initial or []) + global_starts(problem, n_starts, seed=seed)
        if not starts:
            raise FluxasnInputError("no starting point: n_starts=0 and no initial points", identifier="n_starts")
        runs = run_starts(problem, starts, processes=processes, max_iter=max_iter, progress=progress)
        u_best, f_best = None, np.inf
        for end in polish_candidates(runs):
            u, f, _, _ = local_fit(problem, end.u, max_iter=5 * max_iter, tol=1e-12, atol=1e-6)
            u, f = (u, f) if f <= end.ssr else (end.u, end.ssr)
            if f < f_best:
                u_best, f_best = u, f
        result = MFAResult.from_fit(problem, u_best, runs=runs, confidence=confidence)
        result.search = search_summary(problem, runs, result.ssr, confidence)
        for name in profile:
            result.set_profile(name, profile_interval(problem, result.u, name, confidence=confidence,
                                                      ssr_min=result.ssr))
        if monte_carlo:
            names = [n for n, _ in problem.network.reported_fluxes() if n not in result.profiles]
            result.monte_carlo(n=monte_carlo, seed=seed, processes=processes, names=names, max_iter=max_iter)
    result.seconds = time.perf_counter() - t0
    return result


def polish_candidates(runs, k: int = _POLISH, ssr_tol: float = 0.1):
    """The ends worth polishing: the best start of each of the ``k`` lowest SSR levels.

    Starts stop on a slow crawl (:func:`~fluxasn.isotope.optimize.local_fit`'s
    ``atol``), so the end with the lowest SSR need not lie in the basin of the
    lowest optimum: the best end of each of the next levels (ends within
    ``ssr_tol`` of each other are one level, as in :func:`search_summary`) is
    polished too and the lowest polished SSR kept.
    """
    ends = sorted((r for r in runs if np.isfinite(r.ssr)), key=lambda r: r.ssr) or list(runs)[:1]
    out = []
    for r in ends:
        if not out or r.ssr - out[-1].ssr > ssr_tol:
            out.append(r)
        if len(out) == k:
            break
    return out


def search_summary(problem: MFAProblem, runs, best_ssr: float, confidence: float = 0.95,
                   ssr_tol: float = 0.1) -> dict:
    """How the starts ended.

    ``within``: starts ending within ``chi2.ppf(confidence, 1)`` of the best
    SSR (``fraction``: of all starts). ``optima``: the distinct local optima, starts grouped by SSR (ends
    within ``ssr_tol`` of each other, SSR units, are one optimum: below what
    moves a chi-square decision or an interval), best first, each with its
    SSR, number of starts and ``distance``, the largest difference of a net
    flux between its best start and the best fit (ends at one SSR level can
    also differ along fluxes the data do not determine).
    """
    thr = float(sps.chi2.ppf(confidence, 1))
    net = problem.network
    A = np.array([net.flux_vector(name) for name in net.pairs])
    ends = sorted((r for r in runs if np.isfinite(r.ssr)), key=lambda r: r.ssr)
    optima = []
    if ends:
        v0 = A @ problem.fluxes(ends[0].u)
        for r in ends:
            if optima and r.ssr - optima[-1]["ssr"] <= ssr_tol:
                optima[-1]["starts"] += 1
                continue
            optima.append({"ssr": float(r.ssr), "starts": 1,
                           "distance": float(np.max(np.abs(A @ problem.fluxes(r.u) - v0), initial=0.0))})
    within = sum(1 for r in runs if r.ssr <= best_ssr + thr)
    return {"starts": len(runs), "within": within, "fraction": within / len(runs) if runs else float("nan"),
            "threshold": thr, "optima": optima}
