"""Starting points for INST-MFA fits.

:func:`stationary_start` fits the last time point of every time course as if
it were at isotopic steady state (the stationary multi-start fit,
:func:`fluxasn.isotope.fit.fit_13c`; each simulation costs milliseconds
instead of a time integration) and starts the time-course fit from its
fluxes, with the pools at their given values. Near isotopic steady state the
last point pins most fluxes already; the transient then refines them and
fits the pools. :func:`theta_from_fluxes` turns known net fluxes and pool
sizes into the problem's parameters (synthetic data, checks).
"""
from __future__ import annotations

from typing import Mapping, Optional

import numpy as np

from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.isotope.fit import fit_13c
from fluxasn.isotope.measurements import Experiment
from fluxasn.isotope.problem import MFAProblem
from fluxasn.isotope.inst.problem import INSTProblem

__all__ = ["stationary_start", "theta_from_fluxes"]


def _free_fluxes(problem: INSTProblem, v: np.ndarray, *, what: str) -> np.ndarray:
    u, *_ = np.linalg.lstsq(problem.N, v - problem.vp, rcond=None)
    err = float(np.max(np.abs(problem.vp + problem.N @ u - v), initial=0.0))
    if err > 1e-9 * max(1.0, float(np.max(np.abs(v), initial=0.0))):
        raise InfeasibleError(f"{what} are not a steady state of the network with its fixed fluxes "
                              f"(largest residual {err:.3g})")
    return u


def stationary_start(problem: INSTProblem, *, n_starts: int = 10, seed: int = 0) -> np.ndarray:
    """Parameters ``theta`` to start :func:`~fluxasn.isotope.inst.problem.fit_inst` from.

    Parameters
    ----------
    problem
        The compiled time-course problem.
    n_starts
        Starts of the stationary fit of the last time points.
    seed
        Seed of those starts.

    Returns
    -------
    numpy.ndarray
        Free fluxes of the best stationary fit, the pools' values and G-values 0.9.
    """
    exps = []
    for e in problem.experiments:
        last = max(t for t, _ in e.mids)
        exps.append(Experiment(e.name, list(e.tracers), [m for t, m in e.mids if t == last], e.natural_13c))
    base = problem.base
    stationary = MFAProblem(problem.network, exps, fluxes=base.flux_measurements, fixed=base.fixed,
                            bounds=problem.bounds, constraints=problem.constraints)
    fit = fit_13c(stationary, n_starts=n_starts, seed=seed)
    v = stationary.vp + stationary.N @ np.asarray(fit.u, float)
    return problem.start(_free_fluxes(problem, v, what="the stationary fit's fluxes"))


def theta_from_fluxes(problem: INSTProblem, net_fluxes: Mapping[str, float],
                      pools: Optional[Mapping[str, float]] = None) -> np.ndarray:
    """Parameters ``theta`` at given net fluxes and pool sizes.

    Parameters
    ----------
    problem
        The compiled problem.
    net_fluxes
        Net flux of every reaction (flux unit). A reversible reaction is read
        with no exchange: its gross flux against the net direction is 0.
    pools
        Sizes of the fitted pools (pool unit); default their values.

    Raises
    ------
    FluxasnInputError
        A reaction of the network without flux, or a flux of no reaction.
    InfeasibleError
        The fluxes do not satisfy the balances and fixed fluxes.
    """
    net = problem.network
    unknown = sorted(set(net_fluxes) - set(net.pairs))
    if unknown:
        raise FluxasnInputError("flux of no reaction of the network", identifier=unknown[0])
    missing = sorted(set(net.pairs) - set(net_fluxes))
    if missing:
        raise FluxasnInputError("no flux given for this reaction", identifier=missing[0])
    v = np.zeros(len(net.fluxes))
    for rid, x in net_fluxes.items():
        pair = net.pairs[rid]
        x = float(x)
        if pair.backward is None:
            v[net.flux_index(pair.forward)] = x
        else:
            v[net.flux_index(pair.forward)] = max(x, 0.0)
            v[net.flux_index(pair.backward)] = max(-x, 0.0)
    u = _free_fluxes(problem, v, what="the given fluxes")
    theta = problem.start(u)
    if pools:
        for j, i in enumerate(problem.free_pools):
            pid = problem.pools[i].id
            if pid in pools:
                theta[problem.p_flux + j] = float(pools[pid])
    return theta
