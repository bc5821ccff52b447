"""The rules :func:`fluxasn.core.media.apply_medium` follows on any model, and the options of a session.

Duplicate exchanges
    Two or more exchanges of one metabolite (the same model metabolite, or
    metabolites whose ids differ only in the compartment tag) that a medium
    component matches: the medium's bound goes on one of them, chosen by
    :func:`choose_exchange` (first one whose shipped bounds allow uptake, then
    an id starting with ``EX_``, then the shortest id, then alphabetical
    order); the others are closed for uptake (secretion stays open). The
    choice is reported in :attr:`fluxasn.core.media.MediumResult.duplicates`.

Sinks the biomass needs
    Closing every sink (``close_sinks=True``) can stop growth when the model's
    biomass draws a metabolite that only a sink supplies. :func:`needed_sinks`
    decides which sinks stay open: if growth (the biomass role) is positive
    with the medium and the sinks open and zero with them closed, and still
    zero with the sinks closed and every exchange as shipped (so no medium
    could supply what the sinks did: otherwise the medium lacks a nutrient,
    which is reported and no sink is kept), the sinks
    that carry uptake in a least-total-sink-uptake solution at growth are the
    candidates, and each candidate is closed again (smallest uptake first)
    whenever growth stays positive without it. What remains open is a minimal
    set (no sink of it can be closed without stopping growth), reported by id
    with a warning.

Session options
    :func:`medium_options` sets, for a ``with`` block, the serum, the sinks to
    keep open and exchange bounds to set after the medium, for every
    :func:`~fluxasn.core.media.apply_medium` call inside the block (those of
    scenarios included). The command line's ``--serum``, ``--keep-sinks`` and
    ``--exchange`` are this.
"""
from __future__ import annotations

import contextlib
import contextvars
import math
import re
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import cobra

from fluxasn.config import NO_GROWTH, ZERO
from fluxasn.core.matching import exchange_sign
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "MediumOptions",
    "medium_options",
    "current_medium_options",
    "growth_or_zero",
    "choose_exchange",
    "needed_sinks",
    "parse_serum",
    "parse_exchange_bound",
    "SinkTest",
]

Bounds = Tuple[Optional[float], Optional[float]]


@dataclass(frozen=True)
class MediumOptions:
    """Options that every :func:`~fluxasn.core.media.apply_medium` call of a ``with`` block follows.

    Attributes
    ----------
    serum
        ``(serum, fraction)`` replacing the call's serum arguments, or ``None``
        to leave them.
    keep_sinks
        Sink reaction ids kept open, added to the call's ``keep_sinks``.
    bounds
        Reaction id -> (lower, upper) in mmol/gDW/h set after the medium
        (``None``: the bound the medium left).
    """

    serum: Optional[Tuple[Optional[str], float]] = None
    keep_sinks: Tuple[str, ...] = ()
    bounds: Mapping[str, Bounds] = field(default_factory=dict)


#: Carried into pool workers (``fluxasn._parallel``), so parallel scenario rows use the same options.
_OPTIONS: contextvars.ContextVar = contextvars.ContextVar("fluxasn_medium_options", default=MediumOptions())


def current_medium_options() -> MediumOptions:
    """The :class:`MediumOptions` in force (defaults outside :func:`medium_options`)."""
    return _OPTIONS.get()


@contextlib.contextmanager
def medium_options(
    *,
    serum: Optional[Tuple[Optional[str], float]] = None,
    keep_sinks: Sequence[str] = (),
    bounds: Optional[Mapping[str, Bounds]] = None,
) -> Iterator[MediumOptions]:
    """Set the serum, sinks kept open and exchange bounds of every medium applied in a ``with`` block.

    Parameters
    ----------
    serum
        ``(name or None, volume fraction)``, e.g. ``("FBS", 0.05)`` or
        ``(None, 0.0)`` for no serum (:func:`parse_serum` reads
        ``"FBS-5%"``); ``None`` leaves each call's own serum.
    keep_sinks
        Sink reaction ids to keep open (each must be a sink of the model).
    bounds
        Reaction id -> (lower, upper) in mmol/gDW/h, set after the medium;
        ``None`` for a bound keeps the medium's (:func:`parse_exchange_bound`).

    Yields
    ------
    MediumOptions
    """
    options = MediumOptions(serum=serum, keep_sinks=tuple(keep_sinks), bounds=dict(bounds or {}))
    token = _OPTIONS.set(options)
    try:
        yield options
    finally:
        _OPTIONS.reset(token)


def parse_serum(text: str, *, sera: Sequence[str], default_fraction: float) -> Tuple[Optional[str], float]:
    """Read ``none``, ``FBS``, ``FBS-10%`` or ``dFBS-5%`` into (serum or None, volume fraction).

    Parameters
    ----------
    text
        The serum, optionally with ``-<percent>%``.
    sera
        Names of the bundled sera (matched case-insensitively).
    default_fraction
        Fraction when no percentage is given.

    Raises
    ------
    FluxasnInputError
        An unknown serum or a percentage outside 0-100.
    """
    value = str(text).strip()
    if value.lower() in ("none", "no", "0", "serum-free"):
        return None, 0.0
    match = re.fullmatch(r"(.+?)(?:[\s\-_@]*(\d+(?:\.\d+)?)\s*%)?", value)
    name, percent = match.group(1).strip(), match.group(2)
    names = {s.lower(): s for s in sera}
    if name.lower() not in names:
        raise FluxasnInputError(
            "unknown serum; expected none or one of " + ", ".join(sera) + " (optionally with a percentage, "
            f"e.g. {sera[0] if sera else 'FBS'}-10%)", identifier=value)
    fraction = default_fraction if percent is None else float(percent) / 100.0
    if not 0.0 <= fraction <= 1.0:
        raise FluxasnInputError("serum percentage must be between 0 and 100", identifier=value)
    return names[name.lower()], fraction


def parse_exchange_bound(text: str) -> Tuple[str, Bounds]:
    """Read ``ID=LB[,UB]`` (mmol/gDW/h) into ``(id, (lower, upper))``; a missing UB is ``None``.

    Raises
    ------
    FluxasnInputError
        Not of that form, a bound that is not a number, or LB > UB.
    """
    value = str(text).strip()
    if "=" not in value:
        raise FluxasnInputError("expected ID=LB[,UB] (mmol/gDW/h), e.g. EX_glc__D_e=-1,1000", identifier=value)
    reaction_id, _, numbers = value.rpartition("=")
    parts = [p.strip() for p in numbers.split(",")]
    if not reaction_id.strip() or len(parts) not in (1, 2):
        raise FluxasnInputError("expected ID=LB[,UB] (mmol/gDW/h), e.g. EX_glc__D_e=-1,1000", identifier=value)
    try:
        numbers_ = [float(p) for p in parts]
    except ValueError:
        raise FluxasnInputError("bounds of ID=LB[,UB] must be numbers (mmol/gDW/h)", identifier=value) from None
    if any(math.isnan(n) for n in numbers_) or (len(numbers_) == 2 and numbers_[0] > numbers_[1]):
        raise FluxasnInputError("lower bound must be a number <= the upper bound", identifier=value)
    return reaction_id.strip(), (numbers_[0], numbers_[1] if len(numbers_) == 2 else None)


def _allows_uptake(reaction: cobra.Reaction) -> bool:
    lower, upper = reaction.bounds
    return lower < 0 if exchange_sign(reaction) < 0 else upper > 0


def choose_exchange(model: cobra.Model, exchanges: Sequence[str]) -> str:
    """The exchange that carries the medium bound among duplicates of one metabolite.

    Order: an exchange whose current bounds allow uptake, then an id starting
    with ``EX_``, then the shortest id, then alphabetical order.
    """
    def key(reaction_id: str):
        reaction = model.reactions.get_by_id(reaction_id)
        return (not _allows_uptake(reaction), not reaction_id.startswith("EX_"), len(reaction_id), reaction_id)

    return min(exchanges, key=key)


@dataclass
class SinkTest:
    """What :func:`needed_sinks` found.

    Attributes
    ----------
    kept
        Sinks left open because growth needs them (minimal set).
    growth_open, growth_closed
        Growth (1/h) with the medium and every sink open, and with them closed
        (``nan`` when not tested).
    note
        Why no test was made, or ``""``.
    """

    kept: List[str] = field(default_factory=list)
    growth_open: float = float("nan")
    growth_closed: float = float("nan")
    note: str = ""


def _biomass(model: cobra.Model) -> Tuple[Optional[str], str]:
    from fluxasn.core.roles import find_roles

    ids = find_roles(model, roles=["biomass"]).reactions("biomass")
    if len(ids) == 1:
        return ids[0], ""
    objective = [r.id for r in model.reactions if r.objective_coefficient != 0]
    if len(objective) == 1 and objective[0] in ids:
        return objective[0], ""
    if not ids:
        return None, "sink test skipped: no biomass reaction found"
    return None, "sink test skipped: several biomass reactions (" + ", ".join(ids) + ")"


def growth_or_zero(model: cobra.Model) -> float:
    """The optimum of the model's objective (growth), 0.0 when it is not optimal or not finite."""
    value = model.slim_optimize(error_value=0.0)
    return 0.0 if value is None or not math.isfinite(value) else float(value)


def needed_sinks(
    model: cobra.Model,
    *,
    new_bounds: Mapping[str, Tuple[float, float]],
    closed_sinks: Sequence[str],
) -> SinkTest:
    """Which of ``closed_sinks`` growth needs, once ``new_bounds`` (the medium) are applied.

    The model is left as it was (everything happens inside ``with model:``).
    See the module notes for the rule.

    Parameters
    ----------
    model
        The model, before the medium is applied.
    new_bounds
        Reaction id -> bounds the medium sets, sink closures included.
    closed_sinks
        The sinks whose uptake ``new_bounds`` closes.

    Returns
    -------
    SinkTest
    """
    if not closed_sinks:
        return SinkTest()
    biomass, note = _biomass(model)
    if biomass is None:
        return SinkTest(note=note)
    closed = set(closed_sinks)
    shipped_all = {rid: model.reactions.get_by_id(rid).bounds for rid in new_bounds}
    with model:
        model.objective = biomass
        model.objective_direction = "max"
        for reaction_id, bounds in new_bounds.items():
            if reaction_id not in closed:
                model.reactions.get_by_id(reaction_id).bounds = bounds
        growth_open = growth_or_zero(model)
        if growth_open <= NO_GROWTH:
            return SinkTest(growth_open=growth_open, growth_closed=0.0)  # nothing a sink could restore
        shipped = {rid: model.reactions.get_by_id(rid).bounds for rid in closed_sinks}
        for rid in closed_sinks:
            model.reactions.get_by_id(rid).bounds = new_bounds[rid]
        growth_closed = growth_or_zero(model)
        if growth_closed > NO_GROWTH:
            return SinkTest(growth_open=growth_open, growth_closed=growth_closed)
        # needed by the model, or standing in for what the medium lacks? the exchanges as shipped
        for rid, bounds in shipped_all.items():
            if rid not in closed:
                model.reactions.get_by_id(rid).bounds = bounds
        if growth_or_zero(model) > NO_GROWTH:
            return SinkTest(growth_open=growth_open, growth_closed=growth_closed,
                            note="growth stops when the sinks close, but not with every exchange open: the sinks "
                                 "supplied something the medium lacks; no sink kept")
        growth_open = max(growth_open, 0.0)
        # least total sink uptake at a positive growth: the candidates
        for rid in closed_sinks:
            model.reactions.get_by_id(rid).bounds = shipped[rid]
        target = model.reactions.get_by_id(biomass)
        shipped_lower = target.lower_bound
        target.lower_bound = max(shipped_lower, 0.5 * growth_open)
        uptake = {}
        for rid in closed_sinks:
            reaction = model.reactions.get_by_id(rid)
            uptake[rid] = reaction.reverse_variable if exchange_sign(reaction) < 0 else reaction.forward_variable
        model.objective = model.problem.Objective(sum(uptake.values()), direction="min")
        model.slim_optimize(error_value=float("nan"))
        used = sorted((rid for rid in closed_sinks if model.solver.status == "optimal"
                       and uptake[rid].primal > ZERO), key=lambda rid: (uptake[rid].primal, rid))
        used = used or list(closed_sinks)
        model.objective = biomass
        model.objective_direction = "max"
        target.lower_bound = shipped_lower
        for rid in closed_sinks:  # only the candidates open
            if rid not in used:
                model.reactions.get_by_id(rid).bounds = new_bounds[rid]
        kept = list(used)
        for rid in used:  # deletion filter: close each one whose loss growth survives
            model.reactions.get_by_id(rid).bounds = new_bounds[rid]
            if growth_or_zero(model) > NO_GROWTH:
                kept.remove(rid)
            else:
                model.reactions.get_by_id(rid).bounds = shipped[rid]
        if growth_or_zero(model) <= NO_GROWTH:  # the sinks alone do not explain it
            return SinkTest(growth_open=growth_open, growth_closed=growth_closed,
                            note="growth stops with the sinks closed, but no set of sinks restores it")
    return SinkTest(kept=sorted(kept), growth_open=growth_open, growth_closed=growth_closed)
