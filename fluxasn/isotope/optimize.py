"""The local optimiser of 13C-MFA fits, and the starts run in parallel.

A constrained Gauss-Newton / Levenberg-Marquardt iteration: each step
minimises ``|r + J d|^2 + mu |D d|^2`` (Marquardt scaling ``D``) subject to the
linear inequalities of the free fluxes, a small convex QP solved exactly as a
least-distance problem by non-negative least squares (Lawson & Hanson), with
the analytic Jacobian ``J`` from the EMU sensitivities, factorised by QR of
``[J; sqrt(mu) D]`` (never ``J^T J``). Starts run in this
process or over a process pool (:mod:`fluxasn._parallel`).

References
----------
Lawson CL, Hanson RJ (1974). Solving Least Squares Problems, ch. 23 (LDP).
Marquardt DW (1963). An algorithm for least-squares estimation of nonlinear
parameters. J Soc Ind Appl Math 11:431-441.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
import scipy.linalg as sla
from scipy.optimize import linprog, nnls

from fluxasn._parallel import new_pool, resolve_processes
from fluxasn.isotope.problem import MFAProblem
from fluxasn.progress import ProgressCallback

__all__ = ["FitStart", "local_fit", "run_starts", "single_blas_thread"]


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
    """min |r + J d|^2 + mu |D d|^2  s.t.  G d <= slack (least-distance QP via NNLS).

    ``H = J^T J + mu D^2`` is factorised as ``R^T R`` by a QR decomposition of
    ``[J; sqrt(mu) D]``, not by forming ``J^T J``: the normal equations square
    the condition number (1e16 on influx_si's E. coli model, where the SSR
    changes as 1/x along an exchange flux x near its cap), and the direction
    the data barely determine is lost in rounding.
    """
    dg = np.sum(J * J, axis=0)
    damp = np.sqrt(mu * (dg + 1e-6 * max(float(dg.max(initial=0.0)), 1e-12)))
    A = np.vstack([J, np.diag(damp)])
    Q, R = np.linalg.qr(A)
    qr_ = Q[: J.shape[0]].T @ r
    g = J.T @ r
    H = R.T @ R
    diag_ok = np.abs(np.diag(R)) > 1e-14 * max(float(np.abs(np.diag(R)).max(initial=0.0)), 1e-300)
    if np.all(diag_ok):
        d_free = -sla.solve_triangular(R, qr_, lower=False)
    else:
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
    if not np.all(diag_ok):
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
    # Chebyshev centre within the plane: maximise the smallest slack per unit distance in the
    # plane (row norms of G projected on the plane; a bound constant on the plane, e.g. the
    # profiled flux's own bound, is kept as a plain inequality and does not pin the radius to 0)
    norms = np.linalg.norm(problem.G @ sla.null_space(a), axis=1)
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


_MU_MIN = 1e-18  # relative to Marquardt's scaling (column norms of J squared)
_RESETS = 5  # undamped retries per local fit (each costs at most a few rejected steps)


def local_fit(problem: MFAProblem, u0: np.ndarray, *, max_iter: int = 200, tol: float = 1e-8,
              atol: float = 1e-2, window: int = 5,
              extra_eq: Optional[Tuple[np.ndarray, np.ndarray]] = None):
    """Constrained Levenberg-Marquardt from ``u0``.

    Stops when an accepted step lowers the SSR by less than ``tol`` (relative),
    or the last ``window`` accepted steps together by less than ``atol`` (SSR
    units: a slow crawl along a flat valley, e.g. an exchange flux drifting
    to its bound, changes nothing a chi-square test or interval can see),
    provided the undamped Gauss-Newton step (damping at its floor) also
    promises less than that: otherwise the damping, not the data, made the
    steps small, and the iteration goes on nearly undamped (at most a few
    times per fit).

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
    resets = 0
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
            if mu > _MU_MIN and resets < _RESETS:
                # damping can hide a descent direction the data barely determine: retry undamped
                mu, resets = _MU_MIN, resets + 1
                continue
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
            mu = max(mu, _MU_MIN)
            gains.append(gain)
            if gain < tol * max(f, 1.0) or (len(gains) >= window and sum(gains[-window:]) < atol):
                # small gains may only reflect the damping (Marquardt's scaling damps a direction
                # the data barely determine, e.g. an exchange flux far out where the SSR changes as
                # 1/x, by the curvature of the others): stop only if the undamped Gauss-Newton step
                # also promises less than the stopping threshold
                if mu > _MU_MIN and resets < _RESETS:
                    Jz = J if Z is None else J @ Z
                    slack = np.maximum(h - G @ u, 0.0)
                    d0 = _qp_step(Jz, r, _MU_MIN, G if Z is None else G @ Z, slack)
                    if f - float(np.sum((r + Jz @ d0) ** 2)) > max(atol, tol * max(f, 1.0)):
                        mu, resets = _MU_MIN, resets + 1
                        gains.clear()
                        continue
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


def _worker_init(problem: MFAProblem) -> None:
    """Pool initialiser: the problem, and one BLAS thread for the worker's lifetime."""
    global _WORKER_PROBLEM, _WORKER_BLAS
    _WORKER_PROBLEM = problem
    _WORKER_BLAS = single_blas_thread()
    _WORKER_BLAS.__enter__()


_WORKER_BLAS = None


def run_starts(problem: MFAProblem, starts: Sequence[np.ndarray], *, processes: Optional[int] = 1,
               max_iter: int = 200, progress: Optional[ProgressCallback] = None) -> List[FitStart]:
    """Run local fits from each start, in this process or over ``processes`` workers.

    ``progress(done, total)`` is called as starts finish (in start order).
    """
    global _WORKER_PROBLEM
    jobs = [(i, u0, max_iter) for i, u0 in enumerate(starts)]
    n = resolve_processes(processes, len(jobs) or 1)
    out: List[FitStart] = []
    if n > 1:
        with new_pool(n, initializer=_worker_init, initargs=(problem,)) as pool:
            for start in pool.map(_worker, jobs):
                out.append(start)
                if progress is not None:
                    progress(len(out), len(jobs))
        return out
    _WORKER_PROBLEM = problem
    for job in jobs:
        out.append(_worker(job))
        if progress is not None:
            progress(len(out), len(jobs))
    return out
