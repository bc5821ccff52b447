"""Views of an INST-MFA fit: tables with units, measured vs fitted MIDs over time, one HTML file.

:class:`TimeCourseFit` wraps an :class:`~fluxasn.isotope.inst.problem.INSTResult`
with its problem and units. ``to_frame()`` lists fluxes, pool sizes and
G-values with their intervals and units; ``mids_frame()`` the measured MIDs
(with sd) beside the fitted ones at every measured time; ``curves()`` the
fitted MIDs on a fine time grid; ``plot()`` draws one panel per fragment
(measured points with sd bars, fitted curves, one colour per mass) and
``write_html(path)`` writes a self-contained page (tables and the plot as an
embedded PNG).
"""
from __future__ import annotations

import html
from pathlib import Path
from typing import Dict, Mapping, Sequence

import numpy as np
import pandas as pd

from fluxasn.views import ResultView, figure_to_data_uri, html_table
from fluxasn.isotope.inst.problem import INSTProblem, INSTResult

__all__ = ["TimeCourseFit"]


class TimeCourseFit(ResultView):
    """An INST-MFA fit with its problem and units.

    Parameters
    ----------
    problem
        The fitted problem.
    result
        Its fit (:func:`~fluxasn.isotope.inst.problem.fit_inst`).
    units
        ``time``, ``flux`` and ``pool`` unit names.
    name
        Label of the data (title).
    time_factor
        Shown time per problem time unit (e.g. 1/60 to show a fit made in
        min in h); fluxes are shown divided by it (per shown time unit).
        ``units`` name the shown units. The fit itself is unchanged.
    """

    def __init__(self, problem: INSTProblem, result: INSTResult, units: Mapping[str, str], *, name: str = "",
                 time_factor: float = 1.0) -> None:
        self.problem = problem
        self.result = result
        self.units = dict(units)
        self.name = name
        self.time_factor = float(time_factor)

    # -- tables -------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """Index id; columns kind (net, exchange, pool, G-value), value, lower, upper, unit (shown units)."""
        rows = []
        r = self.result
        for kind, table, unit in (("flux", r.fluxes, self.units.get("flux", "")),
                                  ("pool", r.pools, self.units.get("pool", "")),
                                  ("G-value", r.dilution, "fraction")):
            for name, (value, lower, upper) in table.items():
                kind_of = ("exchange" if name.endswith(".exch") else "net") if kind == "flux" else kind
                k = 1.0 / self.time_factor if kind == "flux" else 1.0
                rows.append({"id": name, "kind": kind_of, "value": float(value) * k, "lower": float(lower) * k,
                             "upper": float(upper) * k, "unit": unit})
        return pd.DataFrame(rows, columns=["id", "kind", "value", "lower", "upper", "unit"]).set_index("id")

    def _title(self) -> str:
        r = self.result
        lo, hi = r.chi2_range
        return (f"INST-MFA fit of {self.name or 'network'}: SSR {r.ssr:.4g} (dof {r.dof}, {r.confidence:.0%} range "
                f"[{lo:.4g}, {hi:.4g}]: {'accepted' if r.chi2_ok else 'rejected'}); {len(r.starts)} local fit(s)")

    def _notes(self) -> Sequence[str]:
        was = f" (converted from the file's {self.units['file_time']})" if "file_time" in self.units else ""
        return (f"time unit: {self.units.get('time', '?')}{was}; fluxes in {self.units.get('flux', '?')}; pool sizes in "
                f"{self.units.get('pool', '?')}; intervals linearized ({self.result.confidence:.0%})",)

    def _fragment_mids(self, mids: Mapping, ei: int, m, rows=slice(None)) -> np.ndarray:
        """Simulated MIDs of one fragment (times x masses) as measured: G-value, correction, cut to the masses."""
        s = np.asarray(mids[m.emu][rows], float)
        key = (self.problem.experiments[ei].name, m.id)
        col = self.problem.g_col.get(key)
        if col is not None:
            g = self.result.theta[col]
            s = g * s + (1.0 - g) * self.problem.unlabelled[key]
        if m.correction is not None:
            s = s @ m.correction.T
        return s[:, :m.mid.size]

    def mids_frame(self) -> pd.DataFrame:
        """experiment, fragment, time, mass, measured, sd, fitted (one row per measured fraction)."""
        sims = self.problem.simulate(self.result.theta)
        rows = []
        for ei, ti, m, _ in self.problem.layout:
            fitted = self._fragment_mids(sims[ei][0], ei, m, slice(ti, ti + 1))[0]
            t = float(self.problem.times[ei][ti]) * self.time_factor
            for k in range(m.mid.size):
                rows.append({"experiment": self.problem.experiments[ei].name, "fragment": m.id, "time": t,
                             "mass": f"M+{k}", "measured": float(m.mid[k]), "sd": float(m.sd[k]),
                             "fitted": float(fitted[k])})
        return pd.DataFrame(rows)

    def curves(self, points: int = 60) -> Dict[tuple, tuple]:
        """Fitted MIDs from 0 to the last measured time: ``(experiment, fragment) -> (t, mids)`` (shown time unit).

        The grid has ``points`` evenly spaced times, ``points`` log-spaced
        ones from a thousandth of the last time (the fast start) and the
        measured times.
        """
        v, q = self.problem.split(self.result.theta)
        out = {}
        for ei, ((lab, unl), times) in enumerate(zip(self.problem.src, self.problem.times)):
            end = float(times[-1])
            early = np.geomspace(1e-3 * end, end, points) if end > 0 else []  # fast early dynamics
            grid = np.unique(np.concatenate([np.linspace(0.0, end, points), early, times]))
            mids, _, _ = self.problem.system.simulate(v, q, lab, unl, grid, tol=self.problem.tol)
            for e2, _, m, _ in self.problem.layout:
                key = (self.problem.experiments[ei].name, m.id)
                if e2 == ei and key not in out:
                    out[key] = (grid * self.time_factor, self._fragment_mids(mids, ei, m))
        return out

    # -- plot and HTML ------------------------------------------------------
    def plot(self, *, points: int = 60):
        """One panel per fragment: measured points with sd bars and fitted curves, one colour per mass."""
        from matplotlib.figure import Figure

        data = self.mids_frame()
        curves = self.curves(points)
        keys = list(curves)
        cols = min(3, len(keys))
        rows = -(-len(keys) // cols)
        fig = Figure(figsize=(4.2 * cols, 3.0 * rows))
        for i, key in enumerate(keys):
            ax = fig.add_subplot(rows, cols, i + 1)
            grid, fitted = curves[key]
            sub = data[(data["experiment"] == key[0]) & (data["fragment"] == key[1])]
            for k in range(fitted.shape[1]):
                color = f"C{k % 10}"
                ax.plot(grid, fitted[:, k], color=color, lw=1.2, label=f"M+{k}")
                pts = sub[sub["mass"] == f"M+{k}"]
                ax.errorbar(pts["time"], pts["measured"], yerr=pts["sd"], fmt="o", ms=3, color=color, capsize=2)
            ax.set_title(f"{key[1]} ({key[0]})", fontsize=9)
            ax.set_xlabel(f"time ({self.units.get('time', '?')})")
            ax.set_ylabel("fraction")
            ax.set_ylim(-0.05, 1.05)
            ax.legend(fontsize=6, ncol=2)
        fig.tight_layout()
        return fig

    def write_html(self, path, *, points: int = 60) -> Path:
        """Write one self-contained HTML page: fit quality, MIDs over time (plot), fluxes and pool sizes."""
        path = Path(path)
        frame = self.to_frame().reset_index()
        uri = figure_to_data_uri(self.plot(points=points))
        title = html.escape(self._title())
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self._notes())
        page = (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>fluxasn INST-MFA</title>"
            "<style>body{font-family:sans-serif;margin:2em}table.fluxasn{border-collapse:collapse}"
            "table.fluxasn td,table.fluxasn th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
            f"<h1>{title}</h1>{notes}"
            "<h2>MIDs over time</h2><p>Measured (points, bars: sd) and fitted (lines) mass isotopomer "
            "fractions per fragment.</p>"
            f"<img src=\"{uri}\" alt=\"measured and fitted MIDs over time\">"
            "<h2>Fluxes, pool sizes and G-values</h2>"
            f"{html_table(frame)}"
            "<h2>Measured and fitted MIDs</h2>"
            f"{html_table(self.mids_frame())}"
            "</body></html>"
        )
        path.write_text(page, encoding="utf-8")
        return path
