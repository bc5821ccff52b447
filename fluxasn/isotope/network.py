"""A 13C labelling network: gross fluxes, stoichiometry, atom transitions, bounds.

Every reaction direction is one *gross* flux (>= 0). A reversible reaction
``R`` becomes the gross fluxes ``R.f`` and ``R.b``; its *net* flux is
``R.f - R.b`` and its *exchange* flux is ``R.b`` (INCA's convention: exchange
= reverse flux). Published models that already split directions (mfapy) declare
the pair with :meth:`LabelingNetwork.add_reversible`.

Units: fluxes are in the network's own scale (e.g. per 100 glucose uptake);
:func:`fluxasn.isotope.bridge.add_13c_constraints` converts them to
mmol/gDW/h with an explicit, named scale.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import AtomTransition, parse_transition

__all__ = ["GrossFlux", "LabelingNetwork", "network_from_cobra", "traced_carbons"]


@dataclass
class GrossFlux:
    """One reaction direction."""

    id: str
    stoichiometry: Dict[str, float]
    transition: Optional[AtomTransition]
    lower: float = 0.0
    upper: float = 1000.0


@dataclass
class _Pair:
    forward: str
    backward: Optional[str]
    lower: float = -np.inf
    upper: float = np.inf


class LabelingNetwork:
    """Atom-mapped metabolic network for 13C-MFA.

    Parameters
    ----------
    name
        Label used in reports.
    symmetric
        Rotationally symmetric metabolites (succinate, fumarate).

    Notes
    -----
    Balanced metabolites default to those that are both produced and
    consumed; labelled sources default to carbon-carrying metabolites no atom
    transition produces, plus the species of boundary (exchange) transitions
    such as ``glc_e(abcdef) ->`` (medium compounds). Both can be set explicitly (``balanced``,
    ``sources``).
    """

    def __init__(self, name: str = "", *, symmetric: Sequence[str] = ()) -> None:
        self.name = name
        self.symmetric = set(symmetric)
        self.fluxes: List[GrossFlux] = []
        self._index: Dict[str, int] = {}
        self.pairs: Dict[str, _Pair] = {}
        self.carbons: Dict[str, int] = {}
        self._balanced: Optional[set] = None
        self._sources: Optional[set] = None
        self.excluded: set = set()

    # -- building ---------------------------------------------------------
    def _add_gross(self, flux: GrossFlux, *, source=None, line=None) -> None:
        if flux.id in self._index:
            raise FluxasnInputError(
                "reaction id is used twice", source=source, line=line, identifier=flux.id
            )
        if flux.transition is not None:
            for met, n in flux.transition.metabolites().items():
                if self.carbons.setdefault(met, n) != n:
                    raise FluxasnInputError(
                        f"{met} carries {n} traced atoms here but {self.carbons[met]} elsewhere",
                        source=source, line=line, identifier=flux.id,
                    )
        self._index[flux.id] = len(self.fluxes)
        self.fluxes.append(flux)

    def add_reaction(
        self,
        rid: str,
        transition: Union[str, AtomTransition, None],
        *,
        stoichiometry: Optional[Mapping[str, float]] = None,
        reversible: Optional[bool] = None,
        lower: float = 0.0,
        upper: float = 1000.0,
        source=None,
        line: Optional[int] = None,
    ) -> None:
        """Add a reaction; a reversible one becomes gross fluxes ``rid.f``/``rid.b``.

        Parameters
        ----------
        rid
            Reaction id.
        transition
            Atom transition (text or parsed) or None for a reaction without
            traced carbon (then ``stoichiometry`` is required).
        stoichiometry
            Metabolite -> coefficient (negative = consumed). Defaults to one
            per species occurrence of the transition.
        reversible
            Overrides the arrow of the transition.
        lower, upper
            Bounds of the (net) flux; for a reversible reaction they bound the
            net flux, and each direction is bounded by ``[0, max(abs(lower), abs(upper), 1000)]``.
        """
        t = None
        if isinstance(transition, str):
            t = parse_transition(transition, reaction=rid, symmetric=self.symmetric, source=source, line=line)
        elif isinstance(transition, AtomTransition):
            t = transition
        if stoichiometry is None:
            if t is None:
                raise FluxasnInputError(
                    "a reaction without atom transition needs its stoichiometry",
                    source=source, line=line, identifier=rid,
                )
            st: Dict[str, float] = {}
            for m, _ in t.substrates:
                st[m] = st.get(m, 0.0) - 1.0
            for m, _ in t.products:
                st[m] = st.get(m, 0.0) + 1.0
        else:
            st = {m: float(c) for m, c in stoichiometry.items()}
        rev = t.reversible if (reversible is None and t is not None) else bool(reversible)
        if not rev:
            self._add_gross(GrossFlux(rid, st, t, max(lower, 0.0), upper), source=source, line=line)
            self.pairs[rid] = _Pair(rid, None, max(lower, 0.0), upper)
            return
        cap = max(abs(lower), abs(upper), 1000.0) * 10
        self._add_gross(GrossFlux(rid + ".f", st, t, 0.0, cap), source=source, line=line)
        back = t.reverse(self.symmetric) if t is not None else None
        self._add_gross(GrossFlux(rid + ".b", {m: -c for m, c in st.items()}, back, 0.0, cap), source=source, line=line)
        self.pairs[rid] = _Pair(rid + ".f", rid + ".b", lower, upper)

    def add_gross(self, flux: GrossFlux, *, source=None, line=None) -> None:
        """Add one irreversible direction as given (mfapy style)."""
        self._add_gross(flux, source=source, line=line)
        self.pairs[flux.id] = _Pair(flux.id, None, flux.lower, flux.upper)

    def add_reversible(self, name: str, forward: str, backward: str, *, lower=-np.inf, upper=np.inf,
                       source=None, line=None) -> None:
        """Declare two gross fluxes as the directions of reversible reaction ``name``."""
        for r in (forward, backward):
            if r not in self._index:
                raise FluxasnInputError(
                    f"reversible reaction {name!r} names unknown reaction {r!r}",
                    source=source, line=line, identifier=r,
                )
        self.pairs.pop(forward, None)
        self.pairs.pop(backward, None)
        self.pairs[name] = _Pair(forward, backward, lower, upper)

    # -- properties -------------------------------------------------------
    @property
    def flux_ids(self) -> List[str]:
        return [f.id for f in self.fluxes]

    def flux_index(self, fid: str) -> int:
        return self._index[fid]

    @property
    def metabolites(self) -> List[str]:
        mets = {}
        for f in self.fluxes:
            for m in f.stoichiometry:
                mets[m] = None
        return list(mets)

    @property
    def balanced(self) -> set:
        if self._balanced is not None:
            return set(self._balanced)
        prod, cons = set(), set()
        for f in self.fluxes:
            for m, c in f.stoichiometry.items():
                (prod if c > 0 else cons).add(m)
        return (prod & cons) - self.excluded

    @balanced.setter
    def balanced(self, mets) -> None:
        self._balanced = set(mets)

    @property
    def sources(self) -> set:
        if self._sources is not None:
            return set(self._sources)
        produced, boundary = set(), set()
        for f in self.fluxes:
            t = f.transition
            if t is None:
                continue
            if t.substrates and t.products:
                produced.update(m for m, _ in t.products)
            else:  # exchange with the medium: its species are labelled inputs
                boundary.update(m for m, _ in t.substrates + tuple((m, a[0]) for m, a in t.products))
        return (set(self.carbons) - produced) | boundary

    @sources.setter
    def sources(self, mets) -> None:
        self._sources = set(mets)

    def stoichiometric_matrix(self) -> Tuple[np.ndarray, List[str]]:
        """Balanced metabolites x gross fluxes."""
        mets = sorted(self.balanced)
        row = {m: i for i, m in enumerate(mets)}
        s = np.zeros((len(mets), len(self.fluxes)))
        for j, f in enumerate(self.fluxes):
            for m, c in f.stoichiometry.items():
                if m in row:
                    s[row[m], j] += c
        return s, mets

    def flux_vector(self, name: str) -> np.ndarray:
        """Row vector giving flux ``name`` (gross id, net reaction, or ``R.exch``) from gross fluxes."""
        vec = np.zeros(len(self.fluxes))
        if name in self.pairs:
            p = self.pairs[name]
            vec[self._index[p.forward]] = 1.0
            if p.backward is not None:
                vec[self._index[p.backward]] = -1.0
            return vec
        if name.endswith(".exch") and name[:-5] in self.pairs and self.pairs[name[:-5]].backward:
            vec[self._index[self.pairs[name[:-5]].backward]] = 1.0
            return vec
        if name in self._index:
            vec[self._index[name]] = 1.0
            return vec
        raise FluxasnInputError(
            "unknown flux; expected a reaction id, a reversible reaction's net id or 'ID.exch'",
            identifier=name,
        )

    def reported_fluxes(self) -> List[Tuple[str, str]]:
        """(name, kind) of every net and exchange flux reported by a fit."""
        out = [(name, "net") for name in self.pairs]
        out += [(name + ".exch", "exchange") for name, p in self.pairs.items() if p.backward]
        return out

    def transitions(self) -> List[Tuple[int, AtomTransition]]:
        return [(i, f.transition) for i, f in enumerate(self.fluxes) if f.transition is not None]

    def __repr__(self) -> str:
        return (f"<LabelingNetwork {self.name!r}: {len(self.fluxes)} gross fluxes, "
                f"{len(self.balanced)} balanced metabolites, sources {sorted(self.sources)}>")


def traced_carbons(metabolite) -> Optional[int]:
    """Traced atoms of a cobra metabolite: ``notes["traced_carbons"]`` or the formula's C count."""
    notes = getattr(metabolite, "notes", {}) or {}
    if notes.get("traced_carbons"):
        return int(notes["traced_carbons"])
    formula = metabolite.formula or ""
    m = re.search(r"C(\d*)(?![a-z])", formula)
    if not m:
        return 0
    return int(m.group(1)) if m.group(1) else 1


def network_from_cobra(model, *, reactions: Optional[Sequence[str]] = None) -> LabelingNetwork:
    """Labelling network from the atom transitions stored on a cobra model.

    Reads ``reaction.notes["carbon_transitions"]`` (the notation of
    :mod:`fluxasn.isotope.atommap`), symmetric species from
    ``metabolite.notes["symmetric"] == "true"`` and checks each species'
    traced atoms against :func:`traced_carbons`. Only traced metabolites enter
    the mass balances; a reaction with a negative lower bound is reversible.
    Species of the model's boundary reactions (medium compounds) are the
    labelled sources and are not balanced.
    """
    symmetric = {m.id for m in model.metabolites if str((m.notes or {}).get("symmetric", "")).lower() == "true"}
    net = LabelingNetwork(model.id, symmetric=symmetric)
    chosen = [model.reactions.get_by_id(r) for r in reactions] if reactions else list(model.reactions)
    for rxn in chosen:
        text = (rxn.notes or {}).get("carbon_transitions")
        if not text:
            continue
        carbons = {m.id: traced_carbons(m) for m in rxn.metabolites}
        t = parse_transition(text, reaction=rxn.id, symmetric=symmetric, carbons=carbons, source=model.id)
        net.add_reaction(rxn.id, t, reversible=rxn.lower_bound < 0, lower=rxn.lower_bound,
                         upper=rxn.upper_bound, source=model.id)
    medium = {m.id for r in model.boundary for m in r.metabolites if m.id in net.carbons}
    sources = net.sources | medium
    net.sources = sources
    net.balanced = net.balanced - sources
    return net
