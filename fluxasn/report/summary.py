"""Flux summary of a model: growth, ASNS flux and the key exchanges, with FVA ranges.

This is what ``fluxasn report`` prints. Fluxes are in mmol/gDW/h (exchange
fluxes negative for uptake, positive for secretion), growth in 1/h and the
doubling time in h.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import cobra
import pandas as pd
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from fluxasn.config import config
from fluxasn.core.units import FLUX_UNIT, GROWTH_UNIT
from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.views import ResultView, format_number

__all__ = [
    "FluxSummary",
    "summarize",
    "doubling_time_h",
    "KEY_FLUXES",
    "SUMMARY_COLUMNS",
]

#: Rows of a flux summary as (quantity, role): the role is looked up with
#: :func:`fluxasn.core.roles.find_roles`. Display order.
KEY_FLUXES: Tuple[Tuple[str, str], ...] = (
    ("ASNS flux", "ASNS"),
    ("Asn exchange", "EX_asn"),
    ("Asp exchange", "EX_asp"),
    ("Gln exchange", "EX_gln"),
    ("glucose exchange", "EX_glc"),
    ("lactate exchange", "EX_lac"),
    ("O2 exchange", "EX_o2"),
)

#: Columns of :meth:`FluxSummary.to_frame` (stable; scripts may rely on them).
SUMMARY_COLUMNS = ("quantity", "role", "reaction", "flux", "minimum", "maximum", "unit")



def doubling_time_h(growth_rate_per_h: float) -> float:
    """Doubling time (h) of exponential growth at ``growth_rate_per_h`` (1/h).

    ``t_d = ln(2) / mu``; ``inf`` for no growth, ``nan`` for a missing or
    negative rate.
    """
    if growth_rate_per_h is None:
        return math.nan
    mu = float(growth_rate_per_h)
    if math.isnan(mu) or mu < 0:
        return math.nan
    if mu == 0:
        return math.inf
    return math.log(2.0) / mu


@dataclass(repr=False)
class FluxSummary(ResultView):
    """Growth and key fluxes of one model under one set of constraints.

    Attributes
    ----------
    model_id
        Identifier of the model analysed.
    medium
        Name of the medium applied, if known.
    status
        Solver status of the growth optimisation (``"optimal"`` or another).
    growth
        Optimal objective (growth rate, 1/h); ``nan`` unless optimal.
    objective
        Identifier of the objective (biomass) reaction.
    table
        One row per quantity, columns :data:`SUMMARY_COLUMNS`.
    fluxes
        Every reaction flux of the reported flux distribution (mmol/gDW/h),
        for export.
    provenance
        Where the model and data came from (free-form, string values).
    flux_method
        How the reported flux distribution was chosen among the optimal ones:
        ``"pfba"`` (least total flux at maximum growth; reproducible) or
        ``"fba"`` (the solver's optimum, which depends on what ran before).
    limits
        What holds maximum growth back
        (:class:`fluxasn.analysis.readouts.GrowthLimits`), or ``None`` when not
        computed.
    """

    model_id: str
    medium: Optional[str]
    status: str
    growth: float
    objective: str
    table: pd.DataFrame
    fluxes: pd.Series = field(repr=False)
    provenance: Dict[str, str] = field(default_factory=dict)
    flux_method: str = "pfba"
    limits: Any = None

    @property
    def flux_caption(self) -> str:
        """What the flux and minimum/maximum columns are (one line)."""
        chosen = ("pFBA, the least total flux at maximum growth" if self.flux_method == "pfba"
                  else "one optimum of the solver")
        if "fva_fraction_of_optimum" not in self.provenance:
            return f"flux: {chosen}"
        return f"flux: {chosen}; minimum/maximum: FVA range at the optimum"

    @property
    def limits_line(self) -> str:
        """What limits growth, one line (empty when not computed)."""
        if self.limits is None:
            return ""
        return "growth limited by: " + self.limits.summary()

    @property
    def doubling_time(self) -> float:
        """Doubling time in h (``ln 2 / growth``)."""
        return doubling_time_h(self.growth)

    # --- views ---------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """The summary table: one row per quantity, columns :data:`SUMMARY_COLUMNS`."""
        return self.table.copy()

    def to_dict(self) -> Dict[str, Any]:
        """JSON-ready dictionary (stable keys; NaN and infinity become ``None``)."""

        def clean(value):
            if isinstance(value, float) and not math.isfinite(value):
                return None
            return value

        rows = []
        for record in self.table.to_dict(orient="records"):
            rows.append({k: clean(v) for k, v in record.items()})
        return {
            "model": self.model_id,
            "medium": self.medium,
            "status": self.status,
            "objective": self.objective,
            "growth_per_h": clean(float(self.growth)),
            "doubling_time_h": clean(float(self.doubling_time)),
            "flux_method": self.flux_method,
            "growth_limits": ([] if self.limits is None else
                              [{k: clean(v) for k, v in r.items()}
                               for r in self.limits.to_frame().to_dict(orient="records")]),
            "fluxes": rows,
            "provenance": dict(self.provenance),
        }

    def _title(self) -> str:
        medium = self.medium or "as in the model"
        return (
            f"model {self.model_id}, medium {medium}: status {self.status}, growth "
            f"{format_number(self.growth)} 1/h, doubling time {format_number(self.doubling_time)} h"
        )

    def _display(self) -> pd.DataFrame:
        frame = self.table[["quantity", "reaction", "flux", "minimum", "maximum", "unit"]].copy()
        frame["reaction"] = frame["reaction"].fillna("-")
        return frame

    def _notes(self):
        notes = ["exchange fluxes: negative = uptake, positive = secretion; " + self.flux_caption]
        return notes + ([self.limits_line] if self.limits_line else [])

    def plot(self, ax=None):
        """Horizontal bars of each flux with its FVA range; returns the Axes."""
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6, 0.45 * len(self.table) + 1.2))
        plot_flux_ranges(self.table[self.table["unit"] == FLUX_UNIT], ax=ax)
        ax.set_title(f"{self.model_id} on {self.medium or 'model bounds'}")
        return ax


def plot_flux_ranges(frame: pd.DataFrame, *, ax, label_column: str = "quantity"):
    """Draw ``flux`` as bars and ``minimum``..``maximum`` as range lines on ``ax``."""
    frame = frame.iloc[::-1]
    positions = list(range(len(frame)))
    fluxes = frame["flux"].astype(float).fillna(0.0)
    ax.barh(positions, fluxes, color="#4c78a8", height=0.6, label="flux at optimum")
    if {"minimum", "maximum"} <= set(frame.columns):
        lows = frame["minimum"].astype(float)
        highs = frame["maximum"].astype(float)
        shown = False
        for y, lo, hi in zip(positions, lows, highs):
            if math.isfinite(lo) and math.isfinite(hi):
                ax.plot(
                    [lo, hi], [y, y], color="#e45756", lw=2.5, marker="|", ms=12,
                    label=None if shown else "FVA range",
                )
                shown = True
    ax.axvline(0.0, color="black", lw=0.8)
    ax.set_yticks(positions)
    ax.set_yticklabels(list(frame[label_column]))
    ax.set_xlabel(f"flux ({FLUX_UNIT}; negative = uptake)")
    ax.legend(loc="best", fontsize="small")
    return ax


def resolve_roles(model: cobra.Model, roles) -> Dict[str, Tuple[str, ...]]:
    """Role -> reaction ids, from a :class:`fluxasn.core.roles.Roles`, a mapping, or find_roles."""
    if roles is None:
        from fluxasn.core.roles import find_roles

        roles = find_roles(model)
    if hasattr(roles, "reactions") and hasattr(roles, "table"):  # a Roles result
        return {str(role): tuple(roles.reactions(role)) for role in roles.table["role"]}
    out: Dict[str, Tuple[str, ...]] = {}
    for role, value in dict(roles).items():
        if value is None:
            out[str(role)] = ()
        elif isinstance(value, str):
            out[str(role)] = (value,)
        else:
            out[str(role)] = tuple(str(v) for v in value)
    return out


def _fva_ranges(model: cobra.Model, reaction_ids: Sequence[str], fraction: float) -> pd.DataFrame:
    from fluxasn.analysis.fva import fva

    return fva(model, list(reaction_ids), fraction_of_optimum=fraction, processes=1)


def summarize(
    model: cobra.Model,
    *,
    roles: Any = None,
    rows: Sequence[Tuple[str, str]] = KEY_FLUXES,
    fva: bool = True,
    fraction_of_optimum: float = 1.0,
    medium: Optional[str] = None,
    provenance: Optional[Mapping[str, str]] = None,
    include_growth: bool = True,
    flux_method: str = "pfba",
    limits: bool = True,
    measured: Optional[Iterable[str]] = None,
) -> FluxSummary:
    """Optimise growth and summarise the key fluxes of ``model``.

    Parameters
    ----------
    model
        A model with its medium and measurements already applied. It is not
        changed.
    roles
        A :class:`fluxasn.core.roles.Roles` result or a mapping role ->
        reaction id (or ids); by default :func:`fluxasn.core.roles.find_roles`
        of ``model``. A role with several reactions gives one row per reaction.
    rows
        (quantity, role) pairs to report; default :data:`KEY_FLUXES`. A role
        the model lacks gives a row with no reaction and ``nan`` fluxes.
    fva
        Also compute each reported flux's range at ``fraction_of_optimum`` of
        the optimal growth (flux variability analysis).
    fraction_of_optimum
        Fraction of the optimal objective kept during FVA (0..1).
    medium
        Name of the medium applied, for display.
    provenance
        Extra ``key: value`` strings recorded with the result.
    include_growth
        Start the table with a ``growth`` row (1/h).
    flux_method
        The flux distribution reported in the ``flux`` column and in
        ``fluxes``: ``"pfba"`` (default; parsimonious FBA, the least total
        flux at maximum growth, Lewis et al. 2010) or ``"fba"`` (the solver's
        optimum, one vertex among many that depends on earlier solves).
    limits
        Also name what limits growth: the active bounds and constraints with
        their shadow prices (:func:`fluxasn.analysis.readouts.growth_limits`).
    measured
        Reaction ids bounded by measured rates (named as such in the limits).

    Returns
    -------
    FluxSummary
        Status other than optimal is recorded (growth and fluxes ``nan``),
        not raised.

    Notes
    -----
    Growth is the model's objective; the doubling time is ``ln 2 / growth``.
    The FVA ranges (Mahadevan & Schilling, 2003) hold the same constraints as
    the optimisation; they are computed by :func:`fluxasn.analysis.fva.fva`
    (its own warm LP, GLPK or HiGHS by model size). Every flux of the pFBA
    distribution lies inside its FVA range.

    References
    ----------
    Lewis NE et al. (2010) Omic data from evolved E. coli are consistent with
    computed optimal growth from genome-scale models. Mol Syst Biol 6:390.
    Mahadevan R, Schilling CH (2003) The effects of alternate optimal
    solutions in constraint-based genome-scale metabolic models. Metab Eng
    5:264-276.
    """
    if not 0.0 <= float(fraction_of_optimum) <= 1.0:
        raise FluxasnInputError(
            f"fraction_of_optimum must lie in [0, 1], got {fraction_of_optimum}",
            identifier="fraction_of_optimum",
        )
    if flux_method not in ("pfba", "fba"):
        raise FluxasnInputError(f"flux_method must be 'pfba' or 'fba', got {flux_method!r}",
                                identifier="flux_method")
    role_map = resolve_roles(model, roles)
    with model:
        solution = model.optimize(raise_error=False)
    status = solution.status
    optimal = status == "optimal"
    growth = float(solution.objective_value) if optimal else math.nan
    if optimal and flux_method == "pfba":
        with model:
            try:
                solution = pfba(model, fraction_of_optimum=1.0)
            except OptimizationError:  # pFBA failed numerically: report the FBA optimum, and say so
                flux_method = "fba"
            else:
                status = solution.status
                optimal = status == "optimal"
    objective = ",".join(
        r.id for r in model.reactions if r.objective_coefficient != 0
    ) or "(none)"

    records = [] if not include_growth else [
        {
            "quantity": "growth",
            "role": "biomass",
            "reaction": objective,
            "flux": growth,
            "minimum": math.nan,
            "maximum": math.nan,
            "unit": GROWTH_UNIT,
        }
    ]
    present = []
    for quantity, role in rows:
        rids = role_map.get(role, ())
        for rid in rids:
            if rid not in model.reactions:
                raise RoleError(f"role {role!r} maps to {rid!r}, which is not in model {model.id!r}")
        for rid in rids or (None,):
            label = quantity if len(rids) <= 1 else f"{quantity} [{rid}]"
            flux = float(solution.fluxes[rid]) if (optimal and rid is not None) else math.nan
            records.append(
                {
                    "quantity": label,
                    "role": role,
                    "reaction": rid,
                    "flux": flux,
                    "minimum": math.nan,
                    "maximum": math.nan,
                    "unit": FLUX_UNIT,
                }
            )
            if rid is not None:
                present.append(rid)
    table = pd.DataFrame.from_records(records, columns=list(SUMMARY_COLUMNS))
    if fva and optimal and present:
        ranges = _fva_ranges(model, sorted(set(present)), fraction_of_optimum)
        for i, rid in enumerate(table["reaction"]):
            if rid in ranges.index and table.at[i, "unit"] == FLUX_UNIT:
                table.at[i, "minimum"] = float(ranges.at[rid, "minimum"])
                table.at[i, "maximum"] = float(ranges.at[rid, "maximum"])
    growth_limits = None
    if limits and optimal:
        from fluxasn.analysis.readouts import growth_limits as _growth_limits

        growth_limits = _growth_limits(model, measured=measured, objective="model")
    info = {
        "model": str(model.id),
        "reactions": str(len(model.reactions)),
        "metabolites": str(len(model.metabolites)),
        "genes": str(len(model.genes)),
        "solver": _solver_name(model),
        "cobra": cobra.__version__,
    }
    if fva:
        info["fva_fraction_of_optimum"] = str(fraction_of_optimum)
        from fluxasn.analysis.fva import default_solver

        info["fva_solver"] = default_solver(model) + " (fluxasn's warm net-flux LP, not model.solver)"
    info.update({str(k): str(v) for k, v in (provenance or {}).items()})
    return FluxSummary(
        model_id=str(model.id),
        medium=medium,
        status=status,
        growth=growth,
        objective=objective,
        table=table,
        fluxes=solution.fluxes.copy() if optimal else pd.Series(dtype=float),
        provenance=info,
        flux_method=flux_method,
        limits=growth_limits,
    )


def _solver_name(model: cobra.Model) -> str:
    interface = model.solver.interface.__name__.rsplit(".", 1)[-1]
    return interface.replace("_interface", "")
