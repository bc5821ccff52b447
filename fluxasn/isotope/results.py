"""The result of a 13C-MFA fit: one object, three views (terminal, notebook, frame)."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from fluxasn.views import ResultView
from fluxasn.isotope.emu import emu_name
from fluxasn.isotope.optimize import single_blas_thread
from fluxasn.isotope.montecarlo import MonteCarloIntervals, monte_carlo_intervals
from fluxasn.isotope.stats import (LinearizedInterval, ProfileInterval, chi2_range, data_subspace,
                                   linearized_interval, profile_interval)

__all__ = ["MFAResult"]


class MFAResult(ResultView):
    """Fitted fluxes, their intervals and the goodness of fit.

    Each flux has a linearised interval on the data-determined subspace
    (clipped to the range the constraints allow; a flux along a direction the
    data do not determine gets its whole feasible range) until
    :meth:`profile` or :meth:`monte_carlo` replaces it. ``identifiable``
    means the data bound the flux on both sides strictly inside its feasible
    range, by the method named in the ``method`` column: for a profile, both
    sides reach the chi-square threshold; for a linearised interval, the
    flux has no component along an undetermined direction and its interval
    ends inside the range on both sides (fluxes fixed by the constraints
    count as identifiable).

    Attributes
    ----------
    ssr
        Weighted sum of squared residuals at the best fit.
    dof
        Measured values - free fluxes - fitted scale factors.
    chi2_range
        Two-sided acceptance range of the SSR (``confidence``).
    passed
        True if the SSR lies in :attr:`chi2_range`.
    scales
        Fitted scale factor per (experiment, fragment).
    runs
        One :class:`~fluxasn.isotope.optimize.FitStart` per start.
    search
        How the starts ended (set by :func:`~fluxasn.isotope.fit.fit_13c`):
        ``starts``, ``within`` (starts ending within ``threshold`` =
        chi2.ppf(0.95, 1) of the best SSR; ``fraction`` = within / starts) and ``optima`` (distinct optima:
        ``ssr``, ``starts``, ``distance`` = largest net-flux difference from
        the best fit).
    """

    def __init__(self) -> None:
        self.profiles: Dict[str, ProfileInterval] = {}
        self.seconds = float("nan")
        self.search: Optional[dict] = None

    @classmethod
    def from_fit(cls, problem, u, *, runs=(), confidence=0.95) -> "MFAResult":
        self = cls()
        self.problem = problem
        self.network = problem.network
        self.u = np.asarray(u, float)
        self.v = problem.fluxes(self.u)
        r, J, scales = problem.residuals(self.u)
        self.residuals, self.jacobian, self.scales = r, J, scales
        self.ssr = float(r @ r)
        self.n_measurements = problem.n_res
        self.n_parameters = problem.p + problem.n_scale
        self.dof = self.n_measurements - self.n_parameters
        self.confidence = confidence
        self.chi2_range = chi2_range(self.dof, confidence)
        self.chi2_threshold = float(sps.chi2.ppf(confidence, self.dof)) if self.dof > 0 else np.inf
        self.passed = bool(self.chi2_range[0] <= self.ssr <= self.chi2_range[1])
        self.runs = list(runs)
        self.subspace = data_subspace(J)
        self.linearized: Dict[str, LinearizedInterval] = {}
        self.monte_carlo_result = None
        rows = []
        for name, kind in problem.network.reported_fluxes():
            lin = linearized_interval(problem, self.u, J, name, confidence, subspace=self.subspace)
            self.linearized[name] = lin
            rows.append({"id": name, "kind": kind, "flux": lin.value, "lower": lin.lower, "upper": lin.upper,
                         "method": "linearized", "identifiable": lin.identifiable, "unconverged": 0})
        self._frame = pd.DataFrame(rows).set_index("id")
        return self

    # -- intervals ---------------------------------------------------------
    def set_profile(self, name: str, prof: ProfileInterval) -> None:
        """Replace the linearised interval of ``name`` by its profile interval."""
        self.profiles[name] = prof
        if name not in self._frame.index:  # e.g. a gross flux: add its row
            self._frame.loc[name, ["kind", "flux"]] = ["gross", self.flux(name)]
        self._frame.loc[name, ["lower", "upper"]] = [prof.lower, prof.upper]
        self._frame.loc[name, "method"] = "profile"
        self._frame.loc[name, "identifiable"] = prof.identifiable
        self._frame.loc[name, "unconverged"] = len(prof.unconverged)

    def profile(self, name: str, **kwargs) -> ProfileInterval:
        """Compute (and store) the profile-likelihood interval of flux ``name``."""
        with single_blas_thread():
            prof = profile_interval(self.problem, self.u, name, confidence=self.confidence,
                                    ssr_min=self.ssr, **kwargs)
        self.set_profile(name, prof)
        return prof

    def monte_carlo(self, *, n: int = 100, seed: int = 0, processes: Optional[int] = 1,
                    names: Optional[Sequence[str]] = None, max_iter: int = 200) -> MonteCarloIntervals:
        """Monte Carlo intervals (refits of data resampled at the best fit) for ``names``.

        Parameters
        ----------
        n
            Replicates.
        seed
            Seed of the resampling (results do not depend on ``processes``).
        processes
            Worker processes (1: in this process; None: the configured default).
        names
            Fluxes (default: every net and exchange flux).
        max_iter
            Iterations per refit.

        Notes
        -----
        Each refit starts at the best fit, so it does not move along a
        direction the data do not determine: a flux the linearised analysis
        finds non-identifiable keeps its whole feasible range and its flag.
        Rows of profiled fluxes are left as they are.
        """
        names = list(self._frame.index if names is None else names)
        with single_blas_thread():
            mc = monte_carlo_intervals(self.problem, self.u, names, n=n, seed=seed, processes=processes,
                                       confidence=self.confidence, max_iter=max_iter)
        self.monte_carlo_result = mc
        for name in names:
            if name in self.profiles:
                continue
            lin = self.linearized.get(name)
            if lin is None:
                lin = linearized_interval(self.problem, self.u, self.jacobian, name, self.confidence,
                                          subspace=self.subspace)
                self._frame.loc[name, ["kind", "flux"]] = ["gross", lin.value]
            if lin.determined and not lin.fixed:
                lo, hi = mc.interval(name)
                fmin, fmax = self.problem.flux_range(name)
                scale = max(abs(fmin), abs(fmax), abs(lin.value), 1.0)
                ident = bool(lo - fmin > 1e-6 * scale and fmax - hi > 1e-6 * scale)
            else:
                lo, hi, ident = lin.lower, lin.upper, lin.identifiable
            self._frame.loc[name, ["lower", "upper"]] = [lo, hi]
            self._frame.loc[name, "method"] = "monte-carlo"
            self._frame.loc[name, "identifiable"] = ident
            self._frame.loc[name, "unconverged"] = int(np.sum(~mc.converged))
        return mc

    def flux(self, name: str) -> float:
        """Fitted value of any flux (net id, gross id or ``R.exch``)."""
        return float(self.network.flux_vector(name) @ self.v)

    # -- views -------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Fluxes: index id; columns flux, lower, upper, identifiable, kind, method, unconverged.

        ``method`` says where the interval and the identifiability flag come
        from (linearized, profile, monte-carlo); ``unconverged`` counts
        profile points (or Monte Carlo refits) that did not converge.
        """
        frame = self._frame[["flux", "lower", "upper", "identifiable", "kind", "method", "unconverged"]].copy()
        frame["identifiable"] = frame["identifiable"].astype(bool)
        frame["unconverged"] = frame["unconverged"].fillna(0).astype(int)
        return frame

    def mids_frame(self) -> pd.DataFrame:
        """Measured vs simulated MIDs: experiment, fragment, emu, mass, measured, simulated, sd."""
        rows = []
        for ei, m, sl, _ in self.problem.layout:
            exp = self.problem.experiments[ei].name
            sd = m.sd
            res = self.residuals[sl]
            sim = m.mid + res * sd
            for k in range(m.mid.size):
                rows.append({"experiment": exp, "fragment": m.id, "emu": emu_name(m.emu),
                             "mass": f"M+{k}", "measured": m.mid[k], "simulated": sim[k],
                             "sd": sd[k], "weighted_residual": res[k]})
        return pd.DataFrame(rows)

    def _summary_lines(self) -> List[str]:
        lo, hi = self.chi2_range
        return [
            f"13C-MFA fit of {self.network.name or 'network'}: SSR {self.ssr:.4g} "
            f"(dof {self.dof}, {self.confidence:.0%} range [{lo:.4g}, {hi:.4g}]: "
            f"{'accepted' if self.passed else 'rejected'})",
            f"{self.n_measurements} measured values, {self.problem.p} free fluxes, "
            f"{self.problem.n_scale} scale factors, {len(self.runs)} starts",
        ] + ([] if not self.search else [
            f"{self.search['within']} of {self.search['starts']} starts ended within "
            f"{self.search['threshold']:.3g} of the best SSR; {len(self.search['optima'])} distinct optima"
            + (f" (next best SSR {self.search['optima'][1]['ssr']:.4g}, net fluxes up to "
               f"{self.search['optima'][1]['distance']:.3g} away)" if len(self.search['optima']) > 1 else "")]) + [
            f"profile of {name} reached SSR {prof.better_fit.ssr:.6g} at {prof.better_fit.value:.6g}, below the "
            "best fit's: the fit missed the optimum (refit from there)"
            for name, prof in self.profiles.items() if prof.better_fit is not None] + [
            f"profile of {name}: {len(prof.unconverged)} point(s) did not converge from any start "
            "(not used to close the interval)" for name, prof in self.profiles.items() if prof.unconverged]

    def _title(self) -> str:
        return "\n".join(self._summary_lines())

    def __repr__(self) -> str:
        return f"<MFAResult SSR={self.ssr:.4g} dof={self.dof} passed={self.passed}>"

    def plot(self, ax=None):
        """Measured (with sd) vs simulated MIDs, one bar group per fragment mass."""
        import matplotlib.pyplot as plt

        df = self.mids_frame()
        if ax is None:
            _, ax = plt.subplots(figsize=(max(6, 0.18 * len(df)), 4))
        x = np.arange(len(df))
        ax.bar(x - 0.2, df["measured"], 0.4, yerr=df["sd"], label="measured", capsize=1)
        ax.bar(x + 0.2, df["simulated"], 0.4, label="simulated")
        ax.set_xticks(x)
        ax.set_xticklabels(df["experiment"] + " " + df["fragment"] + " " + df["mass"], rotation=90, fontsize=6)
        ax.set_ylabel("fraction")
        ax.set_title(f"SSR {self.ssr:.4g} (dof {self.dof})")
        ax.legend()
        return ax
