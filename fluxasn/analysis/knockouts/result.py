"""The result of a knockout screen: one row per deletion, three views, a gene x gene matrix."""
from __future__ import annotations

from typing import List, Optional

import numpy as np
import pandas as pd

from fluxasn.config import NO_GROWTH
from fluxasn.views import ResultView

__all__ = ["KnockoutResult"]


class KnockoutResult(ResultView):
    """The result of :func:`knockout_screen`: one row per deletion.

    Views: ``str(result)`` (terminal), ``result._repr_html_()`` (notebook),
    :meth:`to_frame` (scripts), :meth:`matrix` (gene x gene growth, pairs).

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``ids`` (frozenset of gene or reaction ids, as cobra's
        ``ids`` column holds sets), ``growth`` (objective value, 1/h for a
        biomass objective; NaN unless optimal) and ``status``.
    singles : pandas.DataFrame or None
        For pair screens, the single deletions of the listed items.
    reference_growth : float
        Growth before any knockout.
    lps_solved : int
        LPs actually solved (reference included).
    genes_resolved : pandas.DataFrame or None
        Gene queries that were not model gene ids (symbols, Entrez, Ensembl,
        orthologs ...): ``query``, ``genes`` (model gene ids), ``symbol``,
        ``scheme`` (the id scheme that matched).
    """

    def __init__(self, frame: pd.DataFrame, *, kind: str, order: int, method: str,
                 reference_growth: float, lps_solved: int,
                 singles: Optional[pd.DataFrame] = None,
                 genes_resolved: Optional[pd.DataFrame] = None) -> None:
        self.frame = frame
        self.kind = kind
        self.order = order
        self.method = method
        self.reference_growth = reference_growth
        self.lps_solved = lps_solved
        self.singles = singles
        self.genes_resolved = genes_resolved

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame (columns ``ids``, ``growth``, ``status``)."""
        return self.frame.copy()

    def __len__(self) -> int:
        return len(self.frame)

    def matrix(self) -> pd.DataFrame:
        """Gene x gene (or reaction x reaction) growth; the diagonal holds singles."""
        if self.order != 2:
            raise ValueError("matrix() is for pair screens (order=2)")
        names: List[str] = list(self.singles["id"]) if self.singles is not None else []
        out = pd.DataFrame(np.nan, index=pd.Index(names, name=self.kind),
                           columns=pd.Index(names, name=self.kind))
        if self.singles is not None:
            for i, g in zip(self.singles["id"], self.singles["growth"]):
                out.at[i, i] = g
        for ids, growth in zip(self.frame["ids"], self.frame["growth"]):
            a, b = sorted(ids)
            out.at[a, b] = growth
            out.at[b, a] = growth
        return out

    def _summary_rows(self):
        frame = self.frame
        n = len(frame)
        ok = frame["status"] == "optimal"
        lethal = ok & (frame["growth"].abs() < NO_GROWTH)
        return [
            ("deletions", n),
            ("reference growth [1/h]", self.reference_growth),
            ("optimal", int(ok.sum())),
            ("not optimal", int((~ok).sum())),
            (f"lethal (growth < {NO_GROWTH:g})", int(lethal.sum())),
            ("LPs solved", self.lps_solved),
        ]

    def _title(self) -> str:
        what = {1: "single", 2: "double"}[self.order]
        return f"{what} {self.kind} deletion screen ({self.method})"

    def _display(self) -> pd.DataFrame:
        return pd.DataFrame(self._summary_rows(), columns=["", "value"])
