"""Which reaction of a model is its growth (biomass) reaction, with how it was found.

Genome-scale models ship several biomass-like reactions: closed variants
(Rat-GEM, Human-GEM), maintenance variants (Recon3D's objective), pools of
precursors assembled into the biomass (Human-GEM's protein, lipid,
small-metabolite and cofactor pools), drains and exchanges of a "biomass"
metabolite (iHsa's objective ``RCR99999`` "biomass demand"). :func:`find_biomass`
applies the same stated rules to every model, in this order; no model is
special-cased.

1. **Candidates**: reactions with SBO:0000629 ("biomass production"), with
   "biomass" or "growth" in their id or name, or that make a *biomass
   metabolite* (a metabolite with "biomass" in its id or name, or SBO:0000649).
2. **Pseudo-reactions** are not growth: a boundary reaction (one metabolite),
   or a reaction all of whose metabolites are biomass metabolites (a drain,
   demand, exchange or transport of biomass, e.g. ``biomass[c] ->`` or
   ``biomass[c] -> biomass[e]``).
3. When the objective is such a pseudo-reaction it is *followed* to the
   reaction(s) that make the metabolite it drains (through transports), and
   those stand for the objective (method ``objective drain X -> Y``).
4. **Components** are not growth: a candidate that makes a metabolite used
   only by candidate reactions (a dedicated intermediate) and consumed by
   another candidate (the protein pool assembled into the biomass).
5. Reactions named "maintenance", "pool", "component", "drain", "demand",
   "sink", "exchange" or "transport" are not growth.
6. **Closed** reactions (bounds 0, 0) are dropped when an open one remains.
7. The objective (or what it was followed to) wins if it is still a growth
   candidate.
8. Otherwise a single remaining candidate is the biomass; among several, the
   one with the most reactants wins if it has at least twice as many as any
   other (a growth reaction consumes many precursors; a single-precursor
   "drain into biomass" does not). Anything else is genuinely ambiguous:
   status ``multiple``, all of them returned.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import cobra

__all__ = ["BIOMASS_SBO", "NOT_GROWTH_WORDS", "BiomassChoice", "find_biomass", "is_biomass_metabolite"]

#: SBO term of a biomass production reaction.
BIOMASS_SBO = "SBO:0000629"
#: SBO term of a biomass metabolite.
_BIOMASS_MET_SBO = "SBO:0000649"
#: Words in a reaction's id or name that make a biomass-like reaction not the growth reaction.
NOT_GROWTH_WORDS: Tuple[str, ...] = (
    "maintenance", "pool", "component", "drain", "demand", "sink", "exchange", "transport",
)
#: The reaction with most reactants wins among several when it has this many times more than any other.
_DOMINANCE = 2.0


@dataclass(frozen=True)
class BiomassChoice:
    """The biomass reaction(s) of a model and how they were found.

    Attributes
    ----------
    reactions
        The chosen reaction id (one), several ids when ambiguous, or none.
    method
        How it was found: ``objective``, ``objective drain X -> Y``,
        ``SBO:0000629/name``, ``... most reactants ...``, with a note when the
        objective is not the biomass; or why nothing was chosen.
    candidates
        Every biomass-like reaction considered (rule 1 of the module).
    reasons
        Candidate id -> why it was set aside or chosen (``closed``,
        ``component of X``, ``drain/exchange of a biomass metabolite`` ...).
    """

    reactions: Tuple[str, ...]
    method: str
    candidates: Tuple[str, ...] = ()
    reasons: Dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """``found`` (one reaction), ``multiple`` or ``missing``."""
        return "found" if len(self.reactions) == 1 else ("multiple" if self.reactions else "missing")


def _sbo(annotation) -> Set[str]:
    value = annotation.get("sbo", ()) if annotation else ()
    values = [value] if isinstance(value, str) else list(value)
    return {str(v).strip().upper().replace("_", ":") for v in values}


def is_biomass_metabolite(metabolite: cobra.Metabolite) -> bool:
    """Whether ``metabolite`` stands for biomass (or a biomass part).

    Parameters
    ----------
    metabolite
        Any cobra metabolite.

    Returns
    -------
    bool
        True when "biomass" is in its id or name, or it carries SBO:0000649.
    """
    text = f"{metabolite.id} {metabolite.name or ''}".lower()
    return "biomass" in text or _BIOMASS_MET_SBO in _sbo(metabolite.annotation)


def _text(reaction: cobra.Reaction) -> str:
    return f"{reaction.id} {reaction.name or ''}".lower()


def _evidence(reaction: cobra.Reaction) -> List[str]:
    """Why ``reaction`` is a candidate (empty when it is not)."""
    found = []
    if BIOMASS_SBO in _sbo(reaction.annotation):
        found.append(BIOMASS_SBO)
    text = _text(reaction)
    if "biomass" in text or "growth" in text:
        found.append("name")
    made = [m.id for m, c in reaction.metabolites.items() if c > 0 and is_biomass_metabolite(m)]
    if made:
        found.append(f"makes {made[0]}")
    return found


def _is_pseudo(reaction: cobra.Reaction) -> bool:
    """A drain, demand, exchange or transport of biomass (never the growth reaction)."""
    metabolites = list(reaction.metabolites)
    if len(metabolites) == 1:
        return True
    return bool(metabolites) and all(is_biomass_metabolite(m) for m in metabolites)


def _closed(reaction: cobra.Reaction) -> bool:
    return reaction.lower_bound == 0 and reaction.upper_bound == 0


def _follow(objective: cobra.Reaction, limit: int = 5) -> List[cobra.Reaction]:
    """The reactions that make what the pseudo-reaction ``objective`` drains (through transports)."""
    found: List[cobra.Reaction] = []
    seen = {objective.id}
    frontier = [objective]
    for _ in range(limit):
        following = []
        for reaction in frontier:
            drained = [m for m, c in reaction.metabolites.items() if c < 0] or list(reaction.metabolites)
            for met in drained:
                for producer in sorted(met.reactions, key=lambda r: r.id):
                    if producer.id in seen or producer.metabolites.get(met, 0) <= 0:
                        continue
                    seen.add(producer.id)
                    (following if _is_pseudo(producer) else found).append(producer)
        if not following:
            break
        frontier = following
    return found


def _components(candidates: Sequence[cobra.Reaction], ids: Set[str]) -> Dict[str, str]:
    """Candidate id -> the candidate it is a component of (its dedicated product is consumed there)."""
    out: Dict[str, str] = {}
    for reaction in candidates:
        for met, coefficient in reaction.metabolites.items():
            if coefficient <= 0 or not all(r.id in ids for r in met.reactions):
                continue  # a metabolite also used elsewhere (ADP, H+, tRNA) says nothing
            users = sorted(r.id for r in met.reactions
                           if r.id != reaction.id and r.metabolites[met] < 0 and not _is_pseudo(r))
            if users:
                out[reaction.id] = users[0]
                break
    return out


def _objective_reactions(model: cobra.Model) -> List[cobra.Reaction]:
    return [r for r in model.reactions if r.objective_coefficient != 0]


def find_biomass(model: cobra.Model) -> BiomassChoice:
    """Find the growth (biomass) reaction of ``model`` by the rules of :mod:`fluxasn.core.biomass`.

    Parameters
    ----------
    model
        Any cobra model (only read).

    Returns
    -------
    BiomassChoice
        The chosen reaction id(s), how they were found, the candidates
        considered and why each candidate was set aside.

    Notes
    -----
    Nothing is guessed: two open growth candidates of similar size (neither
    the objective) give status ``multiple`` with both ids, no candidate gives
    ``missing``.
    """
    candidates = [r for r in model.reactions if _evidence(r)]
    ids = {r.id for r in candidates}
    reasons: Dict[str, str] = {}
    objective = _objective_reactions(model)
    objective_one = objective[0] if len(objective) == 1 else None

    targets: List[cobra.Reaction] = []
    how_objective = "objective"
    if objective_one is not None and _is_pseudo(objective_one) and (
            objective_one.id in ids or any(is_biomass_metabolite(m) for m in objective_one.metabolites)):
        targets = _follow(objective_one)
        how_objective = f"objective drain {objective_one.id} -> " + ", ".join(r.id for r in targets)
        for reaction in targets:  # followed to a reaction not named biomass: it is a candidate now
            if reaction.id not in ids:
                candidates.append(reaction)
                ids.add(reaction.id)
    elif objective_one is not None:
        targets = [objective_one]

    growth = []
    components = _components([r for r in candidates if not _is_pseudo(r)], ids)
    for reaction in candidates:
        text = _text(reaction)
        word = next((w for w in NOT_GROWTH_WORDS if w in text), None)
        if _is_pseudo(reaction):
            reasons[reaction.id] = "drain/exchange/transport of a biomass metabolite"
        elif reaction.id in components:
            reasons[reaction.id] = f"component of {components[reaction.id]}"
        elif word:
            reasons[reaction.id] = f"named {word!r}: not growth"
        else:
            growth.append(reaction)
    open_ = [r for r in growth if not _closed(r)]
    if open_ and len(open_) < len(growth):
        for reaction in growth:
            if _closed(reaction):
                reasons[reaction.id] = "closed (bounds 0, 0) while an open candidate exists"
        growth = open_

    names = tuple(r.id for r in candidates)
    hits = [r for r in targets if r in growth]
    if len(hits) == 1:
        for reaction in growth:
            reasons[reaction.id] = "open growth candidate, but the objective wins"
        reasons[hits[0].id] = "chosen: " + how_objective
        return BiomassChoice((hits[0].id,), how_objective, names, reasons)
    note = ""
    if hits:  # the objective drains several growth reactions: choose among them
        growth = hits
        note = f" (among the reactions the {how_objective.split(' ->')[0]} drains)"
    elif objective_one is not None:
        why = reasons.get(objective_one.id, "not a biomass reaction")
        note = f" (objective {objective_one.id} is not the biomass reaction: {why})"
    elif len(objective) > 1:
        note = f" (the objective has {len(objective)} reactions)"
    else:
        note = " (the model has no objective)"
    if len(growth) == 1:
        chosen = growth[0]
        how = "/".join("biomass product" if e.startswith("makes") else e for e in _evidence(chosen))
        reasons[chosen.id] = "chosen: the only growth candidate left"
        return BiomassChoice((chosen.id,), how + note, names, reasons)
    if not growth:
        return BiomassChoice((), "no biomass reaction" + note, names, reasons)
    ranked = sorted(growth, key=lambda r: -len(r.reactants))
    first, second = len(ranked[0].reactants), len(ranked[1].reactants)
    if first >= _DOMINANCE * max(second, 1):
        reasons[ranked[0].id] = "chosen: most reactants"
        how = f"SBO:0000629/name, most reactants ({first} vs at most {second})"
        return BiomassChoice((ranked[0].id,), how + note, names, reasons)
    return BiomassChoice(tuple(r.id for r in growth), "several biomass reactions" + note, names, reasons)
