"""The result of a knockout screen: one row per deletion, three views, a gene x gene matrix.

The result also reads like the frame cobra's ``single_gene_deletion`` /
``double_gene_deletion`` return (``result["growth"]``, ``result.loc[...]``,
``result.knockout["ASNS"]``, ``len``, iteration over the column names), so
cobra scripts carry over unchanged.
"""
from __future__ import annotations

from typing import Any, Iterator, List, Optional

import cobra.flux_analysis.deletion  # noqa: F401  (registers cobra's DataFrame accessor ``.knockout``)
import numpy as np
import pandas as pd

from fluxasn.config import NO_GROWTH
from fluxasn.views import ResultView

__all__ = ["KnockoutResult"]


class KnockoutResult(ResultView):
    """The result of :func:`knockout_screen`: one row per deletion.

    Views: ``str(result)`` (terminal), ``result._repr_html_()`` (notebook),
    :meth:`to_frame` (scripts), :meth:`matrix` (gene x gene growth, pairs).

    cobra compatibility: the result indexes like the DataFrame cobra's
    deletion functions return (columns ``ids``, ``growth``, ``status``;
    a 0..n-1 row index). ``result["growth"]``, ``result[mask]``,
    ``result.loc[...]``, ``result.iloc[...]``, ``result.growth``,
    ``result.knockout["ASNS"]`` or ``result.knockout[{"GOT1", "GOT2"}]``
    (cobra's accessor), ``len(result)``, ``for column in result`` and any
    other DataFrame attribute (``sort_values``, ``to_csv`` ...) act on
    :attr:`frame` and return what they return for a DataFrame. Where a
    real :class:`pandas.DataFrame` is needed (``pd.concat``,
    ``isinstance``), use :meth:`to_frame`. ``str()`` and the notebook view
    stay fluxasn's summary. Differences from cobra: ``ids`` holds
    frozensets (cobra: sets; they compare equal), and a pair screen holds
    only the pairs (the singles are in :attr:`singles`).

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

    # --- cobra-frame compatibility: index, iterate and look up attributes as on the frame ------

    def __getitem__(self, key: Any) -> Any:
        return self.frame[key]

    def __iter__(self) -> Iterator:
        return iter(self.frame)

    def __contains__(self, key: Any) -> bool:
        return key in self.frame

    def __getattr__(self, name: str) -> Any:
        # only called when normal lookup fails: DataFrame attributes (loc, knockout, columns ...)
        if name.startswith("__") or name == "frame" or "frame" not in self.__dict__:
            raise AttributeError(name)
        try:
            return getattr(self.frame, name)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__name__!r} object (and its frame) has no attribute {name!r}") from None

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(dir(self.frame)))

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
