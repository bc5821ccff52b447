"""Goodness of fit and flux confidence intervals.

* Chi-square test: the SSR of a correct model with correct sds follows
  chi2(dof), dof = measured values - free fluxes - fitted scale factors. The
  fit is accepted if the SSR lies in the two-sided ``confidence`` range
  (INCA's convention; the one-sided upper threshold used by mfapy is
  reported too).
* Linearised intervals, on the data-determined subspace only: the singular
  value decomposition of the weighted Jacobian ``J`` (all free parameters;
  directions into active bounds are kept, the interval is clipped to the
  feasible range afterwards) splits parameter space into the directions the
  data determine and those they do not (:func:`data_subspace`). A flux whose
  gradient has a component along a non-determined direction is
  non-identifiable and its interval is its whole feasible range
  (:meth:`~fluxasn.isotope.problem.MFAProblem.flux_range`); any other flux
  gets ``value +- sqrt(chi2.ppf(confidence, 1) * a C a^T)`` with ``C`` the
  pseudo-inverse of ``J^T J`` on the determined subspace, clipped to the
  feasible range.
* Profile likelihood by continuation (:func:`profile_interval`): the flux is
  fixed at values walking away from the optimum; each point refits every
  other free parameter starting from the previous point's solution, then
  verifies itself by a second refit from its own solution; a point that
  fails the check, or that claims the chi-square threshold is crossed, is
  refitted from other starts (the neighbouring point's solution, the best fit
  moved onto the plane) and the lowest SSR kept. Points that still fail are
  reported (:attr:`ProfileInterval.unconverged`) and never used to close an
  interval. A side whose SSR stays below ``chi2.ppf(confidence, 1)`` up to
  the feasible bound ends at that bound (one-sided interval).
* Monte Carlo intervals: :mod:`fluxasn.isotope.montecarlo`.

Identifiability is one notion for every method: a flux is identifiable when
the data bound it on both sides strictly inside its feasible range (a flux
fixed by the constraints counts as identifiable).

References
----------
Antoniewicz MR, Kelleher JK, Stephanopoulos G (2006). Determination of
confidence intervals of metabolic fluxes estimated from stable isotope
measurements. Metab Eng 8:324-337.
Golub GH, Van Loan CF (2013). Matrix Computations, 4th ed., sections 2.4.8
(numerical rank) and 8.6.1 (Wedin's bound on singular-subspace perturbation).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import numpy as np
from scipy import stats as sps

from fluxasn.isotope.optimize import local_fit

__all__ = [
    "chi2_range", "DataSubspace", "data_subspace", "parameter_covariance",
    "LinearizedInterval", "linearized_interval",
    "ProfilePoint", "ProfileInterval", "profile_interval",
]

_EPS = float(np.finfo(float).eps)


def chi2_range(dof: int, confidence: float = 0.95) -> Tuple[float, float]:
    """Two-sided acceptance range of the SSR for ``dof`` degrees of freedom."""
    if dof <= 0:
        return (0.0, np.inf)
    a = 1.0 - confidence
    return float(sps.chi2.ppf(a / 2, dof)), float(sps.chi2.ppf(1 - a / 2, dof))


@dataclass
class DataSubspace:
    """Split of the free-parameter space by what the data determine.

    Attributes
    ----------
    determined
        Orthonormal basis (columns) of the directions the data determine.
    singular
        Their singular values (weighted residual per unit parameter).
    undetermined
        Orthonormal basis of the directions the data do not determine.
    threshold
        Singular values at or below it count as zero.
    angle_tol
        A unit gradient whose component along :attr:`undetermined` is at or
        below this is taken as orthogonal to it.
    """

    determined: np.ndarray
    singular: np.ndarray
    undetermined: np.ndarray
    threshold: float
    angle_tol: float

    def covariance(self) -> np.ndarray:
        """Pseudo-inverse of ``J^T J`` on the determined subspace."""
        V = self.determined
        return (V / self.singular ** 2) @ V.T

    def undetermined_component(self, a: np.ndarray) -> float:
        """Relative size ``|a V0| / |a|`` of gradient ``a`` along the undetermined directions."""
        norm = float(np.linalg.norm(a))
        if norm == 0.0 or self.undetermined.shape[1] == 0:
            return 0.0
        return float(np.linalg.norm(a @ self.undetermined)) / norm


def data_subspace(J: np.ndarray) -> DataSubspace:
    """Directions of parameter space the weighted Jacobian ``J`` determines.

    A singular value ``s_i <= s_max * max(n_res, p) * eps`` is zero to working
    precision (the numerical-rank rule of Golub & Van Loan, also numpy's
    ``matrix_rank`` default): a change of the Jacobian of relative size eps,
    the rounding of its computation, can make it zero. The threshold depends
    only on the matrix size and the floating-point precision, never on a
    particular network. A gradient is orthogonal to the undetermined
    directions when its relative component along them is at most
    ``threshold / s_min`` (the smallest kept singular value): by Wedin's
    theorem, the computed determined subspace may be rotated by up to that
    angle by a perturbation of size ``threshold``, so smaller components are
    rounding.
    """
    J = np.asarray(J, float)
    n, p = J.shape
    if p == 0:
        return DataSubspace(np.zeros((0, 0)), np.zeros(0), np.zeros((0, 0)), 0.0, 0.0)
    if n == 0 or not np.all(np.isfinite(J)):
        return DataSubspace(np.zeros((p, 0)), np.zeros(0), np.eye(p), np.inf, 0.0)
    _, s, Vt = np.linalg.svd(J, full_matrices=True)
    smax = float(s.max(initial=0.0))
    threshold = smax * max(n, p) * _EPS
    k = int(np.sum(s > threshold)) if smax > 0 else 0
    V = Vt.T
    angle = threshold / float(s[k - 1]) if k else 0.0
    return DataSubspace(V[:, :k], s[:k], V[:, k:], threshold, angle)


def parameter_covariance(problem, u, J) -> np.ndarray:
    """Covariance of the free parameters on the data-determined subspace.

    ``(J^T J)^+`` restricted to the directions the data determine
    (:func:`data_subspace`); it is zero along the other directions, which
    :func:`linearized_interval` reports as non-identifiable instead of
    reading that zero as a zero width. Directions into active flux bounds are
    kept (the interval is clipped to the feasible range afterwards).
    """
    return data_subspace(J).covariance()


@dataclass
class _Interval:
    """An interval of one flux; ``lower_found``/``upper_found``: that side is
    set by the data strictly inside the feasible range (else it is the
    feasible bound)."""

    name: str
    value: float
    lower: float
    upper: float
    lower_found: bool
    upper_found: bool


@dataclass
class LinearizedInterval(_Interval):
    """Linearised interval of one flux.

    ``determined``: the flux's gradient has no component along a direction
    the data do not determine.
    """

    determined: bool
    fixed: bool = False

    @property
    def identifiable(self) -> bool:
        return self.fixed or (self.determined and self.lower_found and self.upper_found)


def _inside(x: float, bound: float, scale: float) -> bool:
    """``x`` is strictly inside ``bound`` (by more than rounding of ``scale``)."""
    return bool(np.isfinite(x) and abs(x - bound) > 1e-9 * max(1.0, scale))


def linearized_interval(problem, u, J, name: str, confidence: float = 0.95, *,
                        subspace: Optional[DataSubspace] = None,
                        flux_range: Optional[Tuple[float, float]] = None) -> LinearizedInterval:
    """Linearised interval of flux ``name`` on the data-determined subspace.

    Parameters
    ----------
    problem
        The :class:`~fluxasn.isotope.problem.MFAProblem`.
    u, J
        Free parameters at the best fit and the weighted Jacobian there.
    name
        Flux (net id, gross id or ``R.exch``).
    confidence
        Level; half-width ``sqrt(chi2.ppf(confidence, 1)) * sd``.
    subspace, flux_range
        Precomputed :func:`data_subspace` of ``J`` and feasible range of the
        flux (computed if None).
    """
    vec = problem.network.flux_vector(name)
    a = vec @ problem.N
    value = float(vec @ problem.fluxes(u))
    fmin, fmax = problem.flux_range(name) if flux_range is None else flux_range
    scale = max(abs(fmin), abs(fmax), abs(value)) if np.isfinite(fmax - fmin) else max(abs(value), 1.0)
    if not (fmax - fmin > 1e-9 * max(1.0, scale)):  # fixed by the constraints
        return LinearizedInterval(name, value, value, value, True, True, True, fixed=True)
    sub = data_subspace(J) if subspace is None else subspace
    if sub.undetermined_component(a) > sub.angle_tol:
        return LinearizedInterval(name, value, fmin, fmax, False, False, False)
    thr = float(sps.chi2.ppf(confidence, 1))
    ca = sub.covariance() @ a
    var = float(a @ ca)
    half = float(np.sqrt(thr * max(var, 0.0)))
    ends = []
    for sign, limit in ((-1, fmin), (+1, fmax)):
        room = abs(limit - value)
        if half > 0 and _feasible(problem, u + sign * ca * np.sqrt(thr / var)):
            delta, found = half, half < room  # the ellipsoid's end lies inside every bound
        elif half > 0:  # the ellipsoid leaves the polytope: its intersection with the bounds decides
            delta, found = _bounded_end(problem, u, sub, a, sign, room, thr)
        else:
            delta, found = 0.0, True
        found = found and _inside(value + sign * delta, limit, scale)
        ends.append((value + sign * delta if found else limit, found))
    return LinearizedInterval(name, value, ends[0][0], ends[1][0], ends[0][1], ends[1][1], True)


def _feasible(problem, u) -> bool:
    return bool(np.all(problem.G @ u <= problem.h + 1e-9 * (1.0 + np.abs(problem.h))))


def _bounded_end(problem, u, sub: DataSubspace, a, sign: int, room: float, thr: float) -> Tuple[float, bool]:
    """Largest move ``delta`` of the flux (gradient ``a``) towards ``sign`` with ``min |J d|^2 <= thr``
    over the feasible steps ``d`` (convex QP in the singular basis, solved by HiGHS).

    Returns ``(delta, found)``: ``found`` is False when the feasible range ends first. If a
    QP fails, ``(room, False)``: the side stays open (never narrower than the data allow).
    """
    import highspy

    from fluxasn.lp.highs import new_highs, stdout_to_stderr

    V = np.hstack([sub.determined, sub.undetermined])
    w = np.concatenate([sub.singular ** 2, np.zeros(sub.undetermined.shape[1])])
    GV = problem.G @ V
    slack = np.maximum(problem.h - problem.G @ u, 0.0)
    p = V.shape[1]
    h = new_highs()
    h.setOptionValue("output_flag", False)
    # HiGHS's active-set QP can cycle on a degenerate vertex with zero-curvature directions: an
    # iteration limit (far above the handful of active-set changes a solve needs) turns that into
    # a failed solve, whose side then stays open (the conservative answer)
    h.setOptionValue("qp_iteration_limit", 100 * (V.shape[1] + GV.shape[0]))
    inf = highspy.kHighsInf
    h.addVars(p, np.full(p, -inf), np.full(p, inf))
    idx = np.arange(p, dtype=np.int32)
    h.addRow(0.0, 0.0, p, idx, a @ V)
    for row, b in zip(GV, slack):
        nz = np.nonzero(np.abs(row) > 1e-14 * max(1.0, float(np.abs(row).max())))[0].astype(np.int32)
        h.addRow(-inf, float(b), nz.size, nz, row[nz])
    hess = highspy.HessianFormat.kTriangular
    q = highspy.HighsHessian()
    q.dim_, q.format_ = p, hess
    q.start_ = list(range(p + 1))
    q.index_ = list(range(p))
    q.value_ = list(2.0 * w)
    h.passHessian(q)

    def m(delta):
        h.changeRowBounds(0, sign * delta, sign * delta)
        for _ in range(2):  # a failed warm-started solve is retried once from scratch
            with stdout_to_stderr():  # HiGHS's QP prints its failures on fd 1, despite output_flag
                h.run()
            if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                return max(float(h.getInfo().objective_function_value), 0.0)
            h.clearSolver()
        return np.nan

    # the unconstrained end first: the bounds only raise m, so it often brackets the crossing
    # without a solve on the (degenerate) face at the bound
    half = float(np.sqrt(thr / max(float(a @ sub.covariance() @ a), 1e-300)))
    hi, mh = None, np.nan
    if half < room:
        mh = m(half)
        if np.isfinite(mh) and mh >= thr * (1.0 - 1e-9):
            hi = half
    if hi is None and np.isfinite(room):
        hi = room
        mh = m(hi)
        if not np.isfinite(mh):  # the face at the bound itself can defeat the QP: just inside it
            hi = room * (1.0 - 1e-9)
            mh = m(hi)
        if np.isfinite(mh) and mh <= thr:
            return room, False
    elif hi is None:  # unbounded side: double until the model reaches the threshold
        hi = 2.0 * half
        for _ in range(60):
            mh = m(hi)
            if not np.isfinite(mh) or mh >= thr:
                break
            hi *= 2.0
    if not np.isfinite(mh) or mh < thr * (1.0 - 1e-9):
        return room, False
    # regula falsi (Illinois) on sqrt(m), nearly linear in delta: m(0) = 0 < thr <= m(hi)
    lo, flo, fhi = 0.0, -np.sqrt(thr), np.sqrt(mh) - np.sqrt(thr)
    side = 0
    for _ in range(60):
        x = lo + (hi - lo) * (-flo) / (fhi - flo)
        mx = m(x)
        if not np.isfinite(mx):
            return room, False
        fx = np.sqrt(mx) - np.sqrt(thr)
        if abs(fx) <= 1e-4 * np.sqrt(thr) or hi - lo <= 1e-12 * max(1.0, hi):
            return x, True
        if fx > 0:
            hi, fhi = x, fx
            if side == +1:
                flo *= 0.5
            side = +1
        else:
            lo, flo = x, fx
            if side == -1:
                fhi *= 0.5
            side = -1
    return hi, True


# -- profile likelihood -------------------------------------------------------
@dataclass
class ProfilePoint:
    """One constrained refit of a profile.

    ``converged``: a further refit from this point's own solution lowered the
    SSR by at most the profile's ``abs_tol``. ``start``: which start gave the
    kept solution (``continuation``, ``neighbour`` or ``best``).
    """

    value: float
    ssr: float
    converged: bool
    start: str
    u: np.ndarray = field(repr=False)


@dataclass
class ProfileInterval(_Interval):
    """Profile-likelihood interval of one flux.

    ``lower_found``/``upper_found``: that side reaches the chi-square
    threshold inside the feasible range (else the interval ends at the
    feasible bound). :attr:`unconverged` lists points whose refits did not
    converge from any start; they are reported, never used to close a side.
    """

    points: List[ProfilePoint]
    ssr_min: float = float("nan")
    threshold: float = float("nan")
    fixed: bool = False

    @property
    def identifiable(self) -> bool:
        return self.fixed or (self.lower_found and self.upper_found)

    @property
    def unconverged(self) -> List[ProfilePoint]:
        return [p for p in self.points if not p.converged]

    @property
    def better_fit(self) -> Optional[ProfilePoint]:
        """A profile point with an SSR below the best fit's by more than 0.01 (the fit missed it)."""
        best = min(self.points, key=lambda p: p.ssr, default=None)
        return best if best is not None and best.ssr < self.ssr_min - 1e-2 else None


class _Profiler:
    """Constrained refits of one flux, each verified and retried from other starts."""

    def __init__(self, problem, u_best, a, off, abs_tol, max_iter):
        self.problem, self.u_best, self.a, self.off = problem, u_best, a, off
        self.abs_tol, self.max_iter = abs_tol, max_iter
        self.points: List[ProfilePoint] = []

    def _one(self, theta, u0):
        eq = (self.a[None, :], np.array([theta - self.off]))
        u, f, _, _ = local_fit(self.problem, u0, extra_eq=eq, max_iter=self.max_iter, tol=1e-10)
        # verification: a refit from the solution itself (fresh damping) must not find lower SSR
        u2, f2, _, _ = local_fit(self.problem, u, extra_eq=eq, max_iter=self.max_iter, tol=1e-10)
        if f2 < f:
            return u2, f2, (f - f2) <= self.abs_tol
        return u, f, True

    def refit(self, theta, starts, thr, f0) -> ProfilePoint:
        """Refit at ``theta`` from ``starts`` ((label, u) pairs, the first preferred).

        The first start alone is used when it converges below the threshold;
        otherwise every start is tried and the lowest SSR kept.
        """
        best = None
        for i, (label, u0) in enumerate(starts):
            u, f, ok = self._one(theta, u0)
            if not np.isfinite(f):
                continue
            if best is None or f < best.ssr - 1e-12:
                best = ProfilePoint(theta, f, ok, label, u)
            elif f <= best.ssr + self.abs_tol:
                best.converged = best.converged or ok
            if i == 0 and ok and f - f0 < thr:
                break
        if best is None:
            best = ProfilePoint(theta, np.inf, False, "none", np.asarray(starts[0][1], float))
        self.points.append(best)
        return best


def profile_interval(problem, u_best, name: str, *, confidence: float = 0.95, ssr_min=None,
                     rel_tol: float = 1e-3, abs_tol: float = 0.02, max_points: int = 40,
                     max_iter: int = 400) -> ProfileInterval:
    """Profile-likelihood confidence interval of flux ``name`` by continuation.

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
        distance from the optimum. ``abs_tol`` (SSR units) is also the
        convergence test of every point: a refit from the point's own
        solution may lower its SSR by at most this much.
    max_points
        Most refitted points per side.
    max_iter
        Iterations per constrained refit. The default 400 (was 100) lets the
        refits converge on networks of MCF-7's size: PGI.exch of mfapy's
        MCF-7 example at its best fit, 100 -> 400: one point unconverged and
        neither side found -> every point converged, upper side found at
        926.5 (2.4 -> 6.1 s); a refit that converges early stops early.

    Returns
    -------
    ProfileInterval
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
    lin = linearized_interval(problem, u_best, J, name, confidence, flux_range=(lo_lim, hi_lim))
    if lin.fixed:
        return ProfileInterval(name, theta0, theta0, theta0, True, True, [], f0, thr, fixed=True)
    sub = data_subspace(J)
    cov = sub.covariance()
    ca = cov @ a
    aca = float(a @ ca)
    # tangent predictor at the optimum: the other parameters move with the profiled flux as the
    # data correlate them (conditional mean of the linearised model); min-norm if undetermined
    tangent = ca / aca if aca > 0 and lin.determined else a / float(a @ a)
    prof = _Profiler(problem, u_best, a, off, abs_tol, max_iter)
    prof.points.append(ProfilePoint(theta0, f0, True, "best", u_best))

    def best_on(theta):
        return u_best + tangent * (theta - theta0)

    out = {}
    for sign, limit in ((+1, hi_lim), (-1, lo_lim)):
        span = abs(limit - theta0)
        finite = np.isfinite(span)
        half = (lin.upper - lin.lower) / 2.0
        step = half if np.isfinite(half) and half > 0 else 1e-2 * max(abs(theta0), 1.0)
        if finite and span > 0:
            step = min(step, span / 4.0)  # continuation: never jump to the bound in one step
        step = max(step, 1e-6 * max(abs(theta0), 1.0))
        trail = [(theta0, u_best)]  # converged points of this side, inner to outer
        prev_d = 0.0
        found, bound, n = False, limit, 0
        while n < max_points and span > 0:
            prev_t, prev_u = trail[-1]
            t = theta0 + sign * min(abs(prev_t - theta0) + step, span)
            if len(trail) >= 2:  # secant predictor from the last two points
                (t1, u1), (t2, u2) = trail[-2], trail[-1]
                pred = u2 + (u2 - u1) * (t - t2) / (t2 - t1)
            else:
                pred = best_on(t)
            starts = [("continuation", pred), ("neighbour", prev_u), ("best", best_on(t))]
            pt = prof.refit(t, starts, thr, f0)
            n += 1
            d = max(pt.ssr - f0, 0.0)
            if d >= thr and pt.converged:
                lo_t, lo_d, lo_u, hi_t, hi_d, hi_u = prev_t, prev_d, prev_u, t, d, pt.u
                side, mid, dm = 0, t, d
                while n < max_points:
                    a_, b_ = np.sqrt(lo_d), np.sqrt(hi_d)
                    frac = (np.sqrt(thr) - a_) / (b_ - a_) if b_ > a_ else 0.5
                    mid = lo_t + (hi_t - lo_t) * min(max(frac, 0.05), 0.95)
                    w = (mid - lo_t) / (hi_t - lo_t)
                    starts = [("continuation", lo_u + w * (hi_u - lo_u)), ("neighbour", lo_u),
                              ("best", best_on(mid))]
                    pm = prof.refit(mid, starts, thr, f0)
                    n += 1
                    dm = max(pm.ssr - f0, 0.0)
                    if dm >= thr and pm.converged:
                        hi_t, hi_d, hi_u = mid, dm, pm.u
                        if side == +1:
                            lo_d *= 0.5
                        side = +1
                    else:  # below the threshold (an upper bound of the profile: inside) or unconverged
                        lo_t, lo_d = mid, min(dm, thr)
                        if pm.converged:
                            lo_u = pm.u
                        if side == -1:
                            hi_d = thr + (hi_d - thr) * 0.5
                        side = -1
                    if (abs(dm - thr) < abs_tol and pm.converged) or \
                            abs(hi_t - lo_t) < rel_tol * max(abs(hi_t - theta0), 1e-12):
                        break
                bound = mid if (abs(dm - thr) < abs_tol and pm.converged) else 0.5 * (lo_t + hi_t)
                found = True
                break
            if finite and abs(t - theta0) >= span - 1e-12 * max(1.0, span):
                bound = limit
                break
            if pt.converged and d < thr:
                trail.append((t, pt.u))
                prev_d = d
            else:
                # above the threshold without converging: it cannot close the interval; walk on
                trail.append((t, pt.u if np.all(np.isfinite(pt.u)) else prev_u))
            step *= 2.0
        if not found and n >= max_points and span > 0:
            bound = limit  # ran out of points before the threshold: the side stays open
        out[sign] = (bound, found)
    points = sorted(prof.points, key=lambda p: p.value)
    return ProfileInterval(name, theta0, out[-1][0], out[+1][0], out[-1][1], out[+1][1], points, f0, thr)
