"""Route capacities: how much flux a reaction group must carry for growth, and growth when it has less.

Units: fluxes in mmol/gDW/h, growth in 1/h.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import cobra
import pandas as pd

from fluxasn.analysis.readouts._common import _check_fraction, _fix_growth, _optimize, _resolver, _set_objective
from fluxasn.analysis.readouts.envelopes import Envelope, _growth_bounds
from fluxasn.core.resolver import ModelResolver, _entry
from fluxasn.exceptions import FluxasnInputError, RoleError

__all__ = ['CapacityGroup', 'capacity_group', 'minimum_capacity', 'capacity_scan']


@dataclass(frozen=True)
class CapacityGroup:
    """A group of reactions, each with the directional flux variable that counts.

    Attributes
    ----------
    terms
        ``(reaction, "forward" | "reverse")`` pairs: the flux that counts is
        the reaction's forward (or reverse) irreversible part, so a reversible
        reaction contributes only in the chosen direction.
    label
        What the group is (for tables and plots).
    """

    terms: Tuple[Tuple[cobra.Reaction, str], ...]
    label: str

    def expression(self):
        """The group's total directional flux (an optlang expression, mmol/gDW/h)."""
        return sum(r.forward_variable if side == "forward" else r.reverse_variable for r, side in self.terms)

    def describe(self) -> str:
        return ", ".join(f"{r.id} ({side})" for r, side in self.terms)


def _members(model, resolver: ModelResolver, item, metabolite: Optional[str]) -> List[cobra.Reaction]:
    """Reactions named by ``item``: a Reaction, a reaction id, a role or a gene symbol."""
    if isinstance(item, cobra.Reaction):
        if item.id not in model.reactions:
            raise FluxasnInputError(f"reaction {item.id!r} is not in model {model.id!r}", identifier=item.id)
        return [model.reactions.get_by_id(item.id)]
    if not isinstance(item, str) or not item.strip():
        raise FluxasnInputError(
            f"a capacity group member is a reaction id, a role or a gene symbol; got {item!r}", identifier=str(item)
        )
    if item in model.reactions:
        return [model.reactions.get_by_id(item)]
    try:
        return resolver.role_reactions(item)
    except RoleError:
        pass
    reactions = resolver.gene_reactions(item, metabolite=metabolite)
    if reactions:
        return reactions
    raise FluxasnInputError(
        f"{item!r} is neither a reaction of model {model.id!r}, a role it has, nor a gene with "
        + (f"reactions involving {metabolite!r}" if metabolite else "reactions"),
        identifier=item,
    )


def capacity_group(
    model: cobra.Model,
    reactions: Sequence,
    *,
    producing: Optional[str] = None,
    direction: Optional[str] = None,
    label: Optional[str] = None,
    resolver: Optional[ModelResolver] = None,
) -> CapacityGroup:
    """Resolve reactions (ids, roles or gene symbols) into a directional :class:`CapacityGroup`.

    Parameters
    ----------
    reactions
        Reaction ids, :class:`cobra.Reaction` objects, role names
        (:data:`fluxasn.core.roles.ROLES`, e.g. ``"PC"``) or HGNC gene symbols
        (e.g. ``"IDH1"``: the reactions of that gene).
    producing
        A metabolite (name or dictionary id, e.g. ``"isocitrate"``): each
        reaction counts in the direction that produces it, whichever way the
        model writes the reaction, and gene members keep only reactions that
        involve it. This makes a group mean the same on every model:
        ``["IDH1", "IDH2"]`` producing isocitrate is reductive carboxylation.
    direction
        ``"forward"`` or ``"reverse"`` as the reactions are written (instead
        of ``producing``; default ``"forward"``).

    Raises
    ------
    FluxasnInputError
        An unknown member (named), an empty list, both ``producing`` and
        ``direction`` given, an unknown direction or metabolite, or a reaction
        in which ``producing`` does not occur exactly once (named).
    """
    resolver = _resolver(model, resolver)
    if producing is not None and direction is not None:
        raise FluxasnInputError("give either producing= or direction=, not both", identifier="direction")
    direction = "forward" if producing is None and direction is None else direction
    if direction is not None and direction not in ("forward", "reverse"):
        raise FluxasnInputError(
            f"direction must be 'forward' or 'reverse', got {direction!r}", identifier="direction"
        )
    if isinstance(reactions, (str, cobra.Reaction)):
        reactions = [reactions]
    if not len(reactions):
        raise FluxasnInputError("a capacity group needs at least one reaction", identifier="reactions")
    entry = None
    if producing is not None:
        entry = _entry(producing)
        if entry is None:
            raise FluxasnInputError(
                "unknown metabolite; expected a name or identifier of the bundled dictionary", identifier=producing
            )
    terms: List[Tuple[cobra.Reaction, str]] = []
    for item in reactions:
        for reaction in _members(model, resolver, item, producing):
            if any(reaction is r for r, _ in terms):
                continue
            if producing is None:
                terms.append((reaction, direction))
                continue
            signs = [c for m, c in reaction.metabolites.items() if resolver._metabolite_is(m, entry)]
            if len(signs) != 1:
                raise FluxasnInputError(
                    f"reaction {reaction.id!r} of {item!r} has {producing!r} {len(signs)} times; "
                    "expected exactly once to tell which direction produces it",
                    identifier=reaction.id,
                )
            terms.append((reaction, "forward" if signs[0] > 0 else "reverse"))
    if label is None:
        label = " + ".join(str(getattr(i, "id", i)) for i in reactions)
        label += f" (producing {producing})" if producing else f" ({direction})"
    return CapacityGroup(tuple(terms), label)


def minimum_capacity(
    model: cobra.Model,
    group: CapacityGroup,
    *,
    fraction_of_optimum: float = 1.0,
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """The smallest total flux a reaction group must carry for a fraction of maximum growth.

    Parameters
    ----------
    group
        From :func:`capacity_group` (e.g. IDH1 + IDH2 producing isocitrate).
    fraction_of_optimum
        Growth is held at this fraction of its maximum (1.0: the optimum).

    Returns
    -------
    pandas.Series
        ``minimum_capacity`` (mmol/gDW/h; NaN unless optimal), ``growth``
        (the maximum, 1/h) and ``status``.

    Notes
    -----
    One LP: minimise the group's directional flux subject to growth at
    least ``fraction_of_optimum`` of its maximum. A capacity (enzyme amount
    x kcat) below this value lowers growth; at or above it growth is the
    maximum. For a single reversible reaction counted in reverse this is
    ``max(0, -v_max)`` with ``v_max`` the FVA maximum of its net flux at the
    same fraction (tested against cobra's FVA).
    """
    _check_fraction(fraction_of_optimum)
    fraction = float(fraction_of_optimum)
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    with model:
        optimum, status = _fix_growth(model, biomass, fraction)
        if status != "optimal":
            return pd.Series({"minimum_capacity": float("nan"), "growth": float("nan"), "status": status})
        _set_objective(model, group.expression(), "min")
        value, status = _optimize(model)
    return pd.Series({"minimum_capacity": value, "growth": optimum, "status": status})


def capacity_scan(
    model: cobra.Model,
    group: CapacityGroup,
    *,
    capacities: Sequence[float],
    resolver: Optional[ModelResolver] = None,
) -> Envelope:
    """Growth when a reaction group's total directional flux is capped at each capacity.

    Parameters
    ----------
    group
        From :func:`capacity_group`.
    capacities
        Caps in mmol/gDW/h (each >= 0).

    Returns
    -------
    Envelope
        ``x`` = capacity, ``growth_minimum`` / ``growth_maximum`` (1/h) with
        the group's flux at most ``x``, and ``status``.

    Notes
    -----
    The cap is one added constraint (``sum of directional fluxes <= x``),
    removed on leaving the function's ``with model:`` block. With
    :func:`minimum_capacity` the scan shows how much of a route a cell
    needs: below the minimum capacity growth falls, above it nothing changes.
    """
    values = []
    for c in capacities:
        try:
            value = float(c)
        except (TypeError, ValueError):
            value = float("nan")
        if not value >= 0:
            raise FluxasnInputError(f"capacities must be numbers >= 0 (mmol/gDW/h), got {c!r}", identifier="capacities")
        values.append(value)
    if not values:
        raise FluxasnInputError("capacities is empty", identifier="capacities")
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    rows = []
    with model:
        cap = model.problem.Constraint(group.expression(), lb=None, ub=values[0], name="_fluxasn_capacity")
        model.add_cons_vars(cap)
        model.objective = biomass
        for value in values:
            cap.ub = value
            rows.append((value,) + _growth_bounds(model))
    frame = pd.DataFrame(rows, columns=["x", "growth_minimum", "growth_maximum", "status"])
    return Envelope(frame, f"capacity of {group.label} [mmol/gDW/h]", f"growth vs capacity of {group.label} ({model.id})")
