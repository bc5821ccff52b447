"""Flux summary of a model: growth, ASNS flux and the key exchanges, with FVA ranges.

This is what ``fluxasn report`` prints. Fluxes are in mmol/gDW/h (exchange
fluxes negative for uptake, positive for secretion), growth in 1/h and the
doubling time in h.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import cobra
import pandas as pd
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from fluxasn.core.measurement_checks import relaxation_warning
from fluxasn.core.units import FLUX_UNIT, GROWTH_UNIT
from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.report.checks import (FASTEST_DOUBLING_H, UNBOUNDED_UPTAKE, doubling_time_h,
                                   growth_reaction, medium_warnings, resolve_roles)
from fluxasn.views import ResultView, format_number

__all__ = [
    "FluxSummary",
    "summarize",
    "KEY_FLUXES",
    "SUMMARY_COLUMNS",
    "VENT_AUDIT_MAX_REACTIONS",
]
# also importable from here (their home is fluxasn.report.checks): FASTEST_DOUBLING_H,
# UNBOUNDED_UPTAKE, doubling_time_h, growth_reaction, medium_warnings, resolve_roles

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

#: The flux report audits electron vents by default on models up to this size: the audit is
#: one LP with dual values per compartment (core model 1.2 s; Human-GEM, 6 compartments, ~50 s).
VENT_AUDIT_MAX_REACTIONS = 5000

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
        Identifier of the reaction reported as growth: the model's biomass
        reaction (:func:`fluxasn.core.roles.find_roles`), which is maximised
        whatever the model's own objective is; the objective only when the
        model has no single biomass reaction (and then a warning says so).
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
    growth_found_by
        How the growth reaction was found (the biomass role's method).
    warnings
        What may make the numbers wrong, one sentence each with the fix: the
        model's objective is not its biomass reaction, no or several biomass
        reactions, no medium applied (the file's own exchange bounds), growth
        faster than :data:`FASTEST_DOUBLING_H` allows, a free electron vent.
    vents
        The electron-vent audit
        (:class:`fluxasn.analysis.readouts.ElectronVents`, no routes), or
        ``None`` when not run.
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
    growth_found_by: str = ""
    warnings: Tuple[str, ...] = ()
    vents: Any = None

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

        def records(frame) -> list:
            return [{k: clean(v) for k, v in r.items()} for r in frame.to_dict(orient="records")]

        return {
            "model": self.model_id,
            "medium": self.medium,
            "status": self.status,
            "objective": self.objective,
            "growth_reaction": self.objective,
            "growth_found_by": self.growth_found_by,
            "warnings": list(self.warnings),
            "growth_per_h": clean(float(self.growth)),
            "doubling_time_h": clean(float(self.doubling_time)),
            "flux_method": self.flux_method,
            "growth_limits": [] if self.limits is None else records(self.limits.to_frame()),
            "electron_vents": [] if self.vents is None else records(self.vents.to_frame()),
            "fluxes": records(self.table),
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

    @property
    def growth_line(self) -> str:
        """What is called growth and how it was found (one line)."""
        how = f", found by {self.growth_found_by}" if self.growth_found_by else ""
        return f"growth = flux of {self.objective}{how}"

    def _notes(self):
        notes = ["exchange fluxes: negative = uptake, positive = secretion; " + self.flux_caption,
                 self.growth_line]
        notes += [f"WARNING: {w}" for w in self.warnings]
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
    vents: Optional[bool] = None,
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
    vents
        Audit the model for free electron vents (NADH reoxidised without O2
        at no cost, :func:`fluxasn.analysis.readouts.electron_vents`, one LP
        per compartment with NAD+/NADH): a free vent is named in a warning,
        since respiration loss then costs nothing whatever else is right; the
        audit is kept in ``vents`` and summarised in the provenance
        (``electron_vents``). ``None`` (default): audit models of at most
        :data:`VENT_AUDIT_MAX_REACTIONS` reactions; larger ones get a
        provenance line saying the audit was not run and how to run it.

    Returns
    -------
    FluxSummary
        Status other than optimal is recorded (growth and fluxes ``nan``),
        not raised.

    Notes
    -----
    Growth is the biomass reaction (:func:`growth_reaction`), maximised whatever
    the model's objective; the doubling time is ``ln 2 / growth``.
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
    if roles is None:
        from fluxasn.core.roles import find_roles

        roles = find_roles(model)
    role_map = resolve_roles(model, roles)
    growth_id, found_by, warnings = growth_reaction(model, roles=roles)
    with model:
        if growth_id is not None:
            model.objective = growth_id
            model.objective_direction = "max"
        summary = _summarize_growth(model, role_map, rows, fva, fraction_of_optimum, include_growth,
                                    flux_method, limits, measured, growth_id)
    status, growth, table, fluxes, flux_method, growth_limits = summary
    warnings = list(warnings) + medium_warnings(model, medium=medium, growth=growth) + relaxation_warning(provenance)
    audit = None
    vent_line = None
    if vents is None:
        vents = len(model.reactions) <= VENT_AUDIT_MAX_REACTIONS
        if not vents:
            vent_line = (f"not audited ({len(model.reactions)} reactions; `fluxasn vents --no-routes` "
                         "runs the audit, about a minute on Human-GEM)")
    if vents and status == "optimal":
        from fluxasn.analysis.readouts import electron_vents

        audit = electron_vents(model, routes=None, measured=measured)
        warnings += audit.warnings()
        vent_line = audit.summary_line()
    info = {
        "model": str(model.id),
        "reactions": str(len(model.reactions)),
        "metabolites": str(len(model.metabolites)),
        "genes": str(len(model.genes)),
        "growth_reaction": f"{growth_id or '(none)'} ({found_by})",
        "solver": _solver_name(model),
        "cobra": cobra.__version__,
    }
    if medium is not None:
        info["medium"] = str(medium)
    if fva:
        info["fva_fraction_of_optimum"] = str(fraction_of_optimum)
        from fluxasn.analysis.fva import default_solver

        info["fva_solver"] = default_solver(model) + " (fluxasn's warm net-flux LP, not model.solver)"
    if vent_line is not None:
        info["electron_vents"] = vent_line
    info.update({str(k): str(v) for k, v in (provenance or {}).items()})
    return FluxSummary(
        model_id=str(model.id),
        medium=medium,
        status=status,
        growth=growth,
        objective=growth_id or "(none)",
        table=table,
        fluxes=fluxes,
        provenance=info,
        flux_method=flux_method,
        limits=growth_limits,
        growth_found_by=found_by,
        warnings=tuple(warnings),
        vents=audit,
    )


def _summarize_growth(model, role_map, rows, fva, fraction_of_optimum, include_growth, flux_method,
                      limits, measured, growth_id):
    """Optimise the objective set by :func:`summarize` and read the key fluxes (model as given)."""
    import warnings as _warnings

    with _warnings.catch_warnings():  # a non-optimal status is recorded in the result, not warned
        _warnings.simplefilter("ignore", UserWarning)
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
    records = [] if not include_growth else [
        {
            "quantity": "growth",
            "role": "biomass",
            "reaction": growth_id or "(none)",
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
    fluxes = solution.fluxes.copy() if optimal else pd.Series(dtype=float)
    return status, growth, table, fluxes, flux_method, growth_limits


def _solver_name(model: cobra.Model) -> str:
    interface = model.solver.interface.__name__.rsplit(".", 1)[-1]
    return interface.replace("_interface", "")
