"""Goodness of fit and flux confidence intervals.

* Chi-square test: the SSR of a correct model with correct sds follows
  chi2(dof), dof = measured values - free fluxes - fitted scale factors. The
  fit is accepted if the SSR lies in the two-sided ``confidence`` range
  (INCA's convention; the one-sided upper threshold used by mfapy is
  reported too).
* Linearised intervals: covariance of the free parameters
  ``(J^T J)^+`` (on the face of the flux bounds active at the optimum)
  propagated to each flux, half-width ``sqrt(chi2.ppf(confidence, 1)) * sd``.
* Profile likelihood: each flux is fixed at values walking away from the
  optimum, the others refitted, until the SSR rises by
  ``chi2.ppf(confidence, 1)`` (3.84 at 95 %); a side that never reaches it
  within the feasible range is unbounded there and the flux is reported
  non-identifiable.

References
----------
Antoniewicz MR, Kelleher JK, Stephanopoulos G (2006). Determination of
confidence intervals of metabolic fluxes estimated from stable isotope
measurements. Metab Eng 8:324-337.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import numpy as np
import scipy.linalg as sla
from scipy import stats as sps

from fluxasn.isotope.optimize import local_fit

__all__ = ["chi2_range", "parameter_covariance", "linearized_interval", "profile_interval", "ProfileInterval"]


def chi2_range(dof: int, confidence: float = 0.95) -> Tuple[float, float]:
    """Two-sided acceptance range of the SSR for ``dof`` degrees of freedom."""
    if dof <= 0:
        return (0.0, np.inf)
    a = 1.0 - confidence
    return float(sps.chi2.ppf(a / 2, dof)), float(sps.chi2.ppf(1 - a / 2, dof))


def parameter_covariance(problem, u, J, *, active_tol: float = 1e-6) -> np.ndarray:
    """Covariance of the free parameters, ``(J^T J)^+`` on the face of active bounds.

    Flux bounds active at the optimum (e.g. an exchange flux at its upper
    limit) are held fixed: the covariance lives in the null space of the
    active rows of ``G``, as a linearised analysis cannot move across them.
    """
    u = np.asarray(u, float)
    slack = problem.h - problem.G @ u
    scale = 1.0 + np.abs(problem.h)
    active = problem.G[slack < active_tol * scale]
    if active.shape[0]:
        Z = sla.null_space(active)
        if Z.shape[1] == 0:
            return np.zeros((problem.p, problem.p))
        JZ = J @ Z
        return Z @ np.linalg.pinv(JZ.T @ JZ, rcond=1e-10) @ Z.T
    return np.linalg.pinv(J.T @ J, rcond=1e-10)


def linearized_interval(problem, u, J, name: str, confidence: float = 0.95) -> Tuple[float, float, float]:
    """(value, lower, upper) of flux ``name`` from the Jacobian covariance."""
    vec = problem.network.flux_vector(name)
    a = vec @ problem.N
    value = float(vec @ problem.fluxes(u))
    cov = parameter_covariance(problem, u, J)
    var = float(a @ cov @ a)
    half = np.sqrt(sps.chi2.ppf(confidence, 1) * max(var, 0.0))
    return value, value - half, value + half


@dataclass
class ProfileInterval:
    """Profile-likelihood interval of one flux."""

    name: str
    value: float
    lower: float
    upper: float
    lower_found: bool
    upper_found: bool
    points: list

    @property
    def identifiable(self) -> bool:
        return self.lower_found and self.upper_found


def profile_interval(problem, u_best, name: str, *, confidence: float = 0.95, ssr_min=None,
                     rel_tol: float = 1e-3, abs_tol: float = 0.02, max_points: int = 40) -> ProfileInterval:
    """Profile-likelihood confidence interval of flux ``name``.

    Parameters
    ----------
    problem
        The :class:`~fluxasn.isotope.problem.MFAProblem`.
    u_best
        Free parameters at the best fit.
    name
        Flux (net id, gross id or ``R.exch``).
    confidence
        Level; the SSR threshold is ``chi2.ppf(confidence, 1)``.
    ssr_min
        SSR at the best fit (recomputed if None).
    rel_tol, abs_tol
        The root search stops when delta SSR is within ``abs_tol`` of the
        threshold or the bracket is narrower than ``rel_tol`` times the
        distance from the optimum.
    """
    thr = float(sps.chi2.ppf(confidence, 1))
    vec = problem.network.flux_vector(name)
    a = vec @ problem.N
    off = float(vec @ problem.vp)
    u_best = np.asarray(u_best, float)
    theta0 = float(a @ u_best + off)
    f0 = problem.ssr(u_best) if ssr_min is None else float(ssr_min)
    lo_lim, hi_lim = problem.flux_range(name)
    r, J, _ = problem.residuals(u_best)
    _, llo, lhi = linearized_interval(problem, u_best, J, name, confidence)
    points = [(theta0, f0)]

    def refit(theta, u_start):
        u, f, _, _ = local_fit(problem, u_start, extra_eq=(a[None, :], np.array([theta - off])), max_iter=100,
                               tol=1e-8)
        points.append((theta, f))
        return u, f

    out = {}
    for sign, limit in ((+1, hi_lim), (-1, lo_lim)):
        span = abs(limit - theta0)
        half = abs(lhi - llo) / 2.0
        step = half if np.isfinite(half) and half > 0 else 1e-2 * max(abs(theta0), 1.0)
        step = max(step, 1e-6 * max(abs(theta0), 1.0))
        prev_t, prev_u, prev_d = theta0, u_best, 0.0
        found = False
        bound = limit
        n = 0
        while n < max_points and span > 0:
            t = theta0 + sign * min(abs(prev_t - theta0) + step, span)
            u, f = refit(t, prev_u)
            n += 1
            d = max(f - f0, 0.0)
            if d >= thr:
                # regula falsi on sqrt(delta SSR), ~linear in the flux near the optimum (Illinois variant)
                lo_t, lo_d, lo_u, hi_t, hi_d = prev_t, prev_d, prev_u, t, d
                side = 0
                while n < max_points:
                    a_, b_ = np.sqrt(lo_d), np.sqrt(hi_d)
                    frac = (np.sqrt(thr) - a_) / (b_ - a_) if b_ > a_ else 0.5
                    mid = lo_t + (hi_t - lo_t) * min(max(frac, 0.05), 0.95)
                    um, fm = refit(mid, lo_u)
                    n += 1
                    dm = max(fm - f0, 0.0)
                    if dm >= thr:
                        hi_t, hi_d = mid, dm
                        if side == +1:
                            lo_d *= 0.5
                        side = +1
                    else:
                        lo_t, lo_d, lo_u = mid, dm, um
                        if side == -1:
                            hi_d = thr + (hi_d - thr) * 0.5
                        side = -1
                    if abs(dm - thr) < abs_tol or abs(hi_t - lo_t) < rel_tol * max(abs(hi_t - theta0), 1e-12):
                        break
                bound = mid if abs(dm - thr) < abs_tol else 0.5 * (lo_t + hi_t)
                found = True
                break
            if abs(t - theta0) >= span - 1e-12:
                bound = t
                break
            prev_t, prev_u, prev_d = t, u, d
            step *= 2.0
        out[sign] = (bound, found)
    return ProfileInterval(name, theta0, out[-1][0], out[+1][0], out[-1][1], out[+1][1], sorted(points))
