"""What limits growth: the bounds and constraints active at maximum growth, with their prices.

At the optimum of the growth LP every active bound or constraint has a dual
value: the growth gained per unit it is relaxed. :func:`growth_limits` reads
them and names each: an uptake ceiling (an exchange at its uptake limit), a
measured rate (a reaction bounded by :func:`fluxasn.analysis.rates.constrain_with_measurements`),
the enzyme pool (:mod:`fluxasn.analysis.capacity`), a redox constraint, another
reaction bound (ATP maintenance, a bound a scenario set) or another added
constraint. The lower bound 0 of an internal reaction is its direction, not
a limit, and is not listed. A growth that no such limit holds back (all prices zero) is
limited by nothing in the model: the report then says so.

At a degenerate optimum the duals are one valid set among several; a limit
with price zero may still bind in another optimum. Prices are in (1/h) per
unit of the bound (mmol/gDW/h for fluxes, g/gDW for the pool).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, List, Optional

import cobra
import pandas as pd

from fluxasn.analysis.capacity import POOL_CONSTRAINT, POOL_ROW_SCALE, REVERSE_PREFIX
from fluxasn.analysis.redox import REDOX_PREFIX
from fluxasn.analysis.readouts._common import _resolver
from fluxasn.config import ZERO
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError
from fluxasn.views import ResultView

__all__ = ["GrowthLimits", "growth_limits", "LIMIT_COLUMNS"]

#: Columns of :meth:`GrowthLimits.to_frame`.
LIMIT_COLUMNS = ("limit", "kind", "id", "bound", "value", "shadow_price", "unit")



@dataclass(repr=False)
class GrowthLimits(ResultView):
    """The active limits of maximum growth, largest price first.

    Attributes
    ----------
    frame
        Columns :data:`LIMIT_COLUMNS`: ``limit`` (a readable name), ``kind``
        (``uptake limit``, ``measured rate``, ``enzyme pool``, ``redox``,
        ``reaction bound``, ``constraint``), ``id`` (reaction or constraint),
        ``bound`` (``lower``/``upper``), ``value`` (the bound), ``shadow_price``
        (growth gained per unit relaxed, (1/h) per unit) and ``unit``.
    growth
        Maximum growth (1/h).
    status
        Solver status of the growth maximisation.
    """

    frame: pd.DataFrame
    growth: float
    status: str
    model_id: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def summary(self, top: int = 3) -> str:
        """The ``top`` limits as one line (``"none"`` when no limit has a price)."""
        if self.status != "optimal":
            return f"no optimum ({self.status})"
        if not len(self.frame):
            return "none (no bound or constraint with a price)"
        return "; ".join(f"{r.limit} ({r.shadow_price:.3g})" for r in self.frame.head(top).itertuples())

    def _title(self) -> str:
        return (f"what limits growth of {self.model_id or 'the model'} ({self.growth:.4g} 1/h, {self.status}): "
                f"{len(self.frame)} active limits; shadow price = growth gained per unit relaxed")


def _kind(reaction: cobra.Reaction, measured: set) -> str:
    if reaction.id in measured:
        return "measured rate"
    if reaction.boundary:
        return "uptake limit"
    return "reaction bound"


def _name(reaction: cobra.Reaction, kind: str, at_lower: bool) -> str:
    """A readable name: ``uptake of L-Phenylalanine``, ``measured uptake of Choline``, or the reaction id."""
    if not reaction.boundary or len(reaction.metabolites) != 1:
        return f"{kind} {reaction.id}" if kind == "measured rate" else reaction.id
    met, coefficient = next(iter(reaction.metabolites.items()))
    # an exchange "met <=>" takes up at negative flux: its lower bound is the uptake side
    uptake = at_lower if coefficient < 0 else not at_lower
    what = ("uptake" if uptake else "secretion") + f" of {met.name or met.id}"
    return f"measured {what}" if kind == "measured rate" else what


def _bound_price(reaction: cobra.Reaction):
    """Growth gained per unit a reaction's active bound is relaxed, and which bound (a maximisation).

    cobra splits a reaction into a forward and a reverse variable; the active
    bound sits on one of them, and that variable's reduced cost is the price
    (the other variable's is its mirror, so their difference would count it
    twice).
    """
    flux = reaction.flux
    tolerance = 1e-6 * max(1.0, abs(flux))
    forward, reverse = float(reaction.forward_variable.dual), float(reaction.reverse_variable.dual)
    if abs(flux - reaction.upper_bound) <= tolerance:
        price = forward if reaction.upper_bound > 0 else -reverse
        if price > ZERO:
            return price, "upper"
    if abs(flux - reaction.lower_bound) <= tolerance:
        price = reverse if reaction.lower_bound < 0 else -forward
        if price > ZERO:
            return price, "lower"
    return 0.0, ""


def growth_limits(
    model: cobra.Model,
    *,
    measured: Optional[Iterable[str]] = None,
    resolver: Optional[ModelResolver] = None,
    objective: str = "biomass",
) -> GrowthLimits:
    """The bounds and constraints that hold maximum growth back, with their shadow prices.

    Parameters
    ----------
    model
        Any cobra model (not changed).
    measured
        Reaction ids whose bounds are measured rates (e.g. the ``reaction``
        column of a :class:`~fluxasn.analysis.rates.ConstraintResult` table),
        so that they are named as such.
    objective
        ``"biomass"`` (default): maximise the model's biomass reaction (found
        by the resolver); ``"model"``: the model's own objective as it is
        (as :func:`fluxasn.report.summarize` reports it).

    Returns
    -------
    GrowthLimits
        A non-optimal status is recorded, not raised.
    """
    if objective not in ("biomass", "model"):
        raise FluxasnInputError(f"objective must be 'biomass' or 'model', got {objective!r}",
                                identifier="objective")
    objective_ids = set()
    if objective == "biomass":
        biomass = _resolver(model, resolver).biomass()
        objective_ids = {biomass.id}
    measured = set(measured or ())
    rows: List[dict] = []
    with model:
        if objective == "biomass":
            model.objective = biomass
            model.objective_direction = "max"
        else:
            objective_ids = {r.id for r in model.reactions if r.objective_coefficient != 0}
            if model.objective_direction != "max":
                empty = pd.DataFrame(columns=list(LIMIT_COLUMNS))
                return GrowthLimits(empty, math.nan, "not computed: the objective is minimised", str(model.id))
        growth = model.slim_optimize(error_value=math.nan)
        status = str(model.solver.status)
        if status == "optimal":
            for reaction in model.reactions:
                if reaction.id in objective_ids:
                    continue
                price, bound = _bound_price(reaction)
                if price <= ZERO:
                    continue
                if bound == "lower" and reaction.lower_bound == 0 and not reaction.boundary:
                    continue  # a reaction's direction (irreversibility), not a capacity
                at_lower = bound == "lower"
                kind = _kind(reaction, measured)
                name = _name(reaction, kind, at_lower)
                rows.append({"limit": name, "kind": kind, "id": reaction.id, "bound": bound,
                             "value": reaction.lower_bound if at_lower else reaction.upper_bound,
                             "shadow_price": price, "unit": "mmol/gDW/h"})
            metabolites = {m.id for m in model.metabolites}
            for constraint in model.constraints:
                if (constraint.name in metabolites or constraint.dual is None
                        or constraint.name.startswith(REVERSE_PREFIX)):
                    continue  # mass balances; the pool's reverse-part links are its own accounting
                dual = float(constraint.dual)
                if abs(dual) <= ZERO:
                    continue
                name = constraint.name
                scale = 1.0
                if name == POOL_CONSTRAINT:
                    kind, label, unit, scale = "enzyme pool", "enzyme pool", "g/gDW", POOL_ROW_SCALE
                elif name.startswith(REDOX_PREFIX):
                    kind, label, unit = "redox", name[len(REDOX_PREFIX):].replace("_", " "), "mmol/gDW/h"
                else:
                    kind, label, unit = "constraint", name, "-"
                bound = "upper" if dual > 0 else "lower"
                rows.append({"limit": label, "kind": kind, "id": name, "bound": bound,
                             "value": (constraint.ub if dual > 0 else constraint.lb) / scale,
                             "shadow_price": abs(dual) * scale, "unit": unit})
    frame = pd.DataFrame(rows, columns=list(LIMIT_COLUMNS))
    frame = frame.sort_values("shadow_price", ascending=False, kind="stable").reset_index(drop=True)
    return GrowthLimits(frame, growth, status, str(model.id))
