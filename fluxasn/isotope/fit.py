"""Multi-start 13C-MFA fits: :func:`fit_13c`.

Starts are random feasible points (mixtures of random LP vertices and the
Chebyshev centre) plus any given ones; each is fitted by
:func:`fluxasn.isotope.optimize.local_fit`; the best (lowest SSR) is kept and
its statistics computed (:mod:`fluxasn.isotope.stats`).

References
----------
Antoniewicz MR, Kelleher JK, Stephanopoulos G (2006). Determination of
confidence intervals of metabolic fluxes estimated from stable isotope
measurements. Metab Eng 8:324-337.
"""
from __future__ import annotations

import time
from typing import Optional, Sequence

import numpy as np


from fluxasn.isotope.optimize import run_starts, single_blas_thread
from fluxasn.isotope.problem import MFAInput, MFAProblem
from fluxasn.isotope.results import MFAResult
from fluxasn.isotope.stats import profile_interval
from fluxasn.progress import ProgressCallback

__all__ = ["fit_13c"]


def fit_13c(
    problem: MFAProblem,
    *,
    n_starts: int = 10,
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
        Number of random feasible starts (seeded by ``seed``).
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
    The best start (lowest SSR) is kept. Degrees of freedom = number of
    measured values - free fluxes - fitted scale factors.
    """
    if isinstance(problem, MFAInput):
        problem = problem.problem()
    t0 = time.perf_counter()
    with single_blas_thread():
        starts = list(initial or []) + problem.random_points(n_starts, seed=seed)
        runs = run_starts(problem, starts, processes=processes, max_iter=max_iter, progress=progress)
        best = min(runs, key=lambda s: s.ssr)
        result = MFAResult.from_fit(problem, best.u, runs=runs, confidence=confidence)
        for name in profile:
            result.set_profile(name, profile_interval(problem, best.u, name, confidence=confidence,
                                                            ssr_min=best.ssr))
        if monte_carlo:
            names = [n for n, _ in problem.network.reported_fluxes() if n not in result.profiles]
            result.monte_carlo(n=monte_carlo, seed=seed, processes=processes, names=names, max_iter=max_iter)
    result.seconds = time.perf_counter() - t0
    return result
