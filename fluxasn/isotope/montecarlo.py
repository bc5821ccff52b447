"""Monte Carlo flux intervals: refits of data resampled from the measurement model.

As INCA offers: the data are redrawn at the best fit (simulated MIDs and
fluxes plus normal noise with the measured sds), each replicate is refitted
from the best fit, and each flux's interval is the central ``confidence``
fraction of its refitted values. Replicates run over processes
(:mod:`fluxasn._parallel`), each seeded by its number, so results do not
depend on the number of processes.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from fluxasn._parallel import map_in_pool
from fluxasn.isotope.optimize import local_fit, single_blas_thread

__all__ = ["MonteCarloIntervals", "monte_carlo_intervals", "resampled_problem"]


def resampled_problem(problem, u, rng: np.random.Generator):
    """A copy of ``problem`` whose data are drawn from the measurement model at ``u``.

    Each measured MID value is the simulated value at ``u`` (times the fitted
    scale factor for scaled fragments) plus normal noise with the value's sd;
    each measured flux likewise. Network, bounds and sds are shared.
    """
    r, _, _ = problem.residuals(u, jac=False)
    out = copy.copy(problem)
    layout = []
    for ei, m, sl, idx in problem.layout:
        sim = m.mid + r[sl] * m.sd
        new = copy.copy(m)  # no validation: a resampled MID may leave the sum-to-1 tolerance
        new.mid = sim + rng.normal(size=m.mid.size) * m.sd
        layout.append((ei, new, sl, idx))
    out.layout = layout
    if len(problem.flux_measurements):
        sim = problem.f_val + r[problem.n_mid:] * problem.f_sd
        out.f_val = sim + rng.normal(size=sim.size) * problem.f_sd
    return out


@dataclass
class MonteCarloIntervals:
    """Percentile intervals of fluxes over refits of resampled data.

    ``samples`` has one row per replicate, one column per name in ``names``;
    ``ssr`` and ``converged`` one entry per replicate.
    """

    names: List[str]
    samples: np.ndarray
    ssr: np.ndarray
    converged: np.ndarray
    confidence: float
    seed: int

    def interval(self, name: str) -> Tuple[float, float]:
        """(lower, upper) percentile interval of ``name``."""
        x = self.samples[:, self.names.index(name)]
        a = (1.0 - self.confidence) / 2.0
        return float(np.quantile(x, a)), float(np.quantile(x, 1.0 - a))


_MC_STATE: Dict[str, object] = {}


def _mc_init(problem, u, vectors, seed, max_iter) -> None:
    _MC_STATE.update(problem=problem, u=u, vectors=vectors, seed=seed, max_iter=max_iter)


def _mc_replicate(i: int):
    s = _MC_STATE
    problem = s["problem"]
    rng = np.random.default_rng([int(s["seed"]), int(i)])
    with single_blas_thread():
        data = resampled_problem(problem, s["u"], rng)
        u, f, _, conv = local_fit(data, s["u"], max_iter=int(s["max_iter"]))
    return s["vectors"] @ problem.fluxes(u), f, conv


def monte_carlo_intervals(problem, u, names: Sequence[str], *, n: int = 100, seed: int = 0,
                          processes: Optional[int] = 1, confidence: float = 0.95,
                          max_iter: int = 200) -> MonteCarloIntervals:
    """Monte Carlo (parametric bootstrap) intervals of fluxes ``names``.

    Parameters
    ----------
    problem
        The :class:`~fluxasn.isotope.problem.MFAProblem`.
    u
        Free parameters at the best fit.
    names
        Fluxes (net id, gross id or ``R.exch``).
    n
        Replicates: data drawn by :func:`resampled_problem` at ``u``, each
        refitted from ``u``.
    seed
        Replicate ``i`` draws from ``numpy.random.default_rng([seed, i])``:
        results do not depend on ``processes``.
    processes
        Worker processes (1: in this process; None: the configured default).
    confidence
        Level of the percentile intervals.
    max_iter
        Iterations per refit.

    Returns
    -------
    MonteCarloIntervals

    Notes
    -----
    A refit from ``u`` does not move along directions the data do not
    determine, so such fluxes show a spurious zero spread here; callers
    report them by the linearised analysis (whole feasible range) instead, as
    :meth:`fluxasn.isotope.results.MFAResult.monte_carlo` does.
    """
    names = list(names)
    vectors = np.array([problem.network.flux_vector(x) for x in names]).reshape(len(names), -1)
    u = np.asarray(u, float)
    out = map_in_pool(_mc_replicate, range(int(n)), processes=processes, initializer=_mc_init,
                      initargs=(problem, u, vectors, seed, max_iter))
    samples = np.array([o[0] for o in out]).reshape(len(out), len(names))
    return MonteCarloIntervals(names, samples, np.array([o[1] for o in out]),
                               np.array([o[2] for o in out], bool), confidence, seed)
