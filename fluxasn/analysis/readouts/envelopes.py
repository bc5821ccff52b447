"""Growth envelopes: growth (minimum and maximum) against a controlled flux.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import cobra
import numpy as np
import pandas as pd

from fluxasn.analysis.readouts._common import _expression_range, _optimize, _resolver
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.views import ResultView

__all__ = ['Envelope', 'growth_envelope', 'FLAT']

#: A growth range (1/h) below this, relative to max(abs(growth), 1), is drawn as flat (solver noise).
FLAT = 1e-6


@dataclass(repr=False)
class Envelope(ResultView):
    """Growth against a controlled flux (ASNS flux or aspartate supply).

    Attributes
    ----------
    frame
        Columns ``x`` (the controlled flux, mmol/gDW/h), ``growth_minimum``,
        ``growth_maximum`` (1/h) and ``status``.
    x_label
        What ``x`` is.
    """

    frame: pd.DataFrame
    x_label: str
    title: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def _title(self) -> str:
        return f"{self.title}: {len(self.frame)} points"

    def plot(self, ax=None):
        """Plot the envelope (matplotlib); returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.5))
        frame = self.frame
        ax.fill_between(frame["x"], frame["growth_minimum"], frame["growth_maximum"], alpha=0.3)
        ax.plot(frame["x"], frame["growth_maximum"], marker="o", ms=3)
        ax.set_xlabel(self.x_label)
        ax.set_ylabel("growth [1/h]")
        ax.set_title(self.title, fontsize=9)
        ax.ticklabel_format(axis="y", useOffset=False)  # never "1e-7 + 0.0323"
        values = pd.concat([frame["growth_minimum"], frame["growth_maximum"]]).dropna()
        if len(values) and float(values.max() - values.min()) <= FLAT * max(float(values.abs().max()), 1.0):
            # growth does not depend on x: solver noise is not drawn as a slope
            top = float(values.max())
            ax.set_ylim(min(0.0, 1.1 * top), max(1.1 * top, 1e-9))
            ax.text(0.5, 0.5, "growth constant (within solver tolerance)", transform=ax.transAxes,
                    ha="center", va="center", fontsize=8, alpha=0.7)
        return ax


def _growth_bounds(model) -> Tuple[float, float, str]:
    """Minimum and maximum of the current (growth) objective: (low, high, status); the
    status is the maximisation's unless that was optimal and the minimisation's was not."""
    model.objective_direction = "max"
    high, status = _optimize(model)
    model.objective_direction = "min"
    low, status_min = _optimize(model)
    model.objective_direction = "max"
    return low, high, status if status != "optimal" else status_min


def growth_envelope(
    model: cobra.Model,
    *,
    against: str = "ASNS",
    points: int = 15,
    maximum: Optional[float] = None,
    biomass: Optional[str] = None,
    resolver: Optional[ModelResolver] = None,
) -> Envelope:
    """Growth (minimum and maximum) at fixed values of a flux, or at each aspartate supply.

    Parameters
    ----------
    against
        ``"aspartate"``: the uptake limit of aspartate from the medium, scanned
        from 0 to ``maximum`` (default: 10 x the current uptake limit, at least
        1 mmol/gDW/h), transport reactions as in the model. Otherwise a role
        (``"ASNS"``, ``"EX_glc"`` ...) or a reaction id: the total flux of its
        reactions, fixed at each point of its feasible range (up to
        ``maximum`` if given).
    points
        Number of values scanned (>= 2).
    biomass
        Reaction id of growth (default: the model's biomass role).

    Returns
    -------
    Envelope

    Notes
    -----
    For a flux, each point fixes it and minimises then maximises growth, as
    :func:`cobra.flux_analysis.production_envelope` does with growth as the
    objective (a phenotypic phase plane in one dimension; tested against it).
    For aspartate each point sets the uptake *limit* (supply available, not
    forced), so ``growth_maximum`` is the growth the supply allows.

    References
    ----------
    Edwards JS, Ramakrishna R, Palsson BO (2002) Characterizing the metabolic
    phenotype: a phenotype phase plane analysis. Biotechnol Bioeng 77:27-36.
    """
    if not isinstance(points, int) or points < 2:
        raise FluxasnInputError(f"points must be an integer >= 2, got {points!r}", identifier="points")
    resolver = _resolver(model, resolver)
    if biomass is None:
        growth_reaction = resolver.biomass()
    elif biomass in model.reactions:
        growth_reaction = model.reactions.get_by_id(biomass)
    else:
        raise FluxasnInputError(f"reaction not in model {model.id!r}", identifier=str(biomass))
    supply = against == "aspartate"
    if not supply:
        reactions = _controlled(model, resolver, against)
    rows = []
    with model:
        if supply:
            exchange = resolver.exchange("aspartate")
            top = maximum if maximum is not None else max(1.0, 10.0 * resolver.uptake_limit(exchange))
            values = np.linspace(0.0, float(top), points)
            label, name = "aspartate uptake [mmol/gDW/h]", "aspartate supply"
        else:
            name = f"{against} flux"
            label = f"{name} [mmol/gDW/h]"
            low, high, status = _expression_range(
                model, {r.id: 1.0 for r in reactions}, biomass=growth_reaction, fraction=0.0)
            if status != "optimal":
                frame = pd.DataFrame({"x": [], "growth_minimum": [], "growth_maximum": [], "status": []})
                return Envelope(frame, label, f"growth vs {name} ({status})")
            values = np.linspace(low, high if maximum is None else min(high, maximum), points)
            constraint = model.problem.Constraint(sum(r.flux_expression for r in reactions), lb=low, ub=high,
                                                  name="_fluxasn_envelope_total")
            model.add_cons_vars(constraint)
        for x in values:
            if supply:
                resolver.set_uptake_limit(exchange, float(x))
            else:
                constraint.lb = float(low)
                constraint.ub = float(x)
                constraint.lb = float(x)
            model.objective = growth_reaction
            rows.append((float(x),) + _growth_bounds(model))
    frame = pd.DataFrame(rows, columns=["x", "growth_minimum", "growth_maximum", "status"])
    return Envelope(frame, label, f"growth vs {name} ({model.id})")


def _controlled(model, resolver: ModelResolver, against: str):
    """The reactions whose total flux an envelope scans: a reaction id or a role's reactions."""
    if not isinstance(against, str) or not against.strip():
        raise FluxasnInputError(f"envelope against {against!r}: expected 'aspartate', a role or a reaction id",
                                identifier="against")
    if against in model.reactions:
        return [model.reactions.get_by_id(against)]
    try:
        return resolver.role_reactions(against)
    except RoleError as error:
        raise FluxasnInputError(
            f"envelope against {against!r}: expected 'aspartate', a role or a reaction id of model "
            f"{model.id!r} ({error})", identifier="against") from None
