"""Resolve what the asparagine analyses need in any model: roles, metabolites, exchanges.

Scenario and readout code never names a model identifier. It asks this module
for

* the reactions of a *role* (``"ASNS"``, ``"GOT1"``, ``"complex I"`` ...), through
  :func:`fluxasn.core.roles.find_roles` (the shared role mapping);
* a *metabolite* in a compartment (cytosolic aspartate, mitochondrial
  oxaloacetate, cytosolic IMP ...), through the bundled metabolite dictionary
  and the public matching helpers of :mod:`fluxasn.core.matching`;
* an *exchange* reaction for a medium component or supplement
  (:class:`fluxasn.core.matching.ExchangeIndex`);
* the transport reactions of a gene (e.g. SLC1A3 for aspartate uptake).

Every miss raises :class:`fluxasn.exceptions.RoleError` (a role or reaction the
model lacks) or :class:`fluxasn.exceptions.FluxasnInputError` (a name that is
not understood), naming what was asked for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import cobra

from fluxasn.core.compartments import Compartments, compartment_id, find_compartments
from fluxasn.core.matching import (
    ExchangeIndex,
    MetaboliteEntry,
    exchange_sign,
    identify_metabolite,
    lookup_entry,
    normalize_name,
    normalize_xref,
)
from fluxasn.exceptions import FluxasnInputError, RoleError

__all__ = [
    "ModelResolver",
    "EXTRA_METABOLITES",
    "ROLE_ALIASES",
    "gene_matches",
]

#: Metabolites the analyses need that are not medium components (so not in the
#: bundled media dictionary): cofactors and pathway end points. Identifiers are
#: BiGG, KEGG, ChEBI and MetaNetX (public identifiers, not model ids).
EXTRA_METABOLITES: Dict[str, MetaboliteEntry] = {
    "nad": MetaboliteEntry(
        id="nad", name="NAD+", synonyms=("nicotinamide adenine dinucleotide", "NAD"),
        bigg=("nad",), kegg=("C00003",), chebi=("CHEBI:15846", "CHEBI:57540"), metanetx=("MNXM8",),
    ),
    "nadh": MetaboliteEntry(
        id="nadh", name="NADH", synonyms=("nicotinamide adenine dinucleotide - reduced",),
        bigg=("nadh",), kegg=("C00004",), chebi=("CHEBI:16908", "CHEBI:57945"), metanetx=("MNXM10",),
    ),
    "nadp": MetaboliteEntry(
        id="nadp", name="NADP+", synonyms=("nicotinamide adenine dinucleotide phosphate", "NADP"),
        bigg=("nadp",), kegg=("C00006",), chebi=("CHEBI:18009", "CHEBI:58349"), metanetx=("MNXM5",),
    ),
    "nadph": MetaboliteEntry(
        id="nadph", name="NADPH", synonyms=("nicotinamide adenine dinucleotide phosphate - reduced",),
        bigg=("nadph",), kegg=("C00005",), chebi=("CHEBI:16474", "CHEBI:57783"), metanetx=("MNXM6",),
    ),
    "oaa": MetaboliteEntry(
        id="oaa", name="oxaloacetate", synonyms=("OAA", "oxaloacetic acid"),
        bigg=("oaa",), kegg=("C00036",), chebi=("CHEBI:30744", "CHEBI:16452"), metanetx=("MNXM46",),
    ),
    "imp": MetaboliteEntry(
        id="imp", name="IMP", synonyms=("inosine monophosphate", "inosinic acid", "inosine 5'-monophosphate"),
        bigg=("imp",), kegg=("C00130",), chebi=("CHEBI:17202", "CHEBI:58053"), metanetx=("MNXM536",),
    ),
    "ump": MetaboliteEntry(
        id="ump", name="UMP", synonyms=("uridine monophosphate", "uridylic acid", "uridine 5'-monophosphate"),
        bigg=("ump",), kegg=("C00105",), chebi=("CHEBI:16695", "CHEBI:57865"), metanetx=("MNXM80",),
    ),
    "icit": MetaboliteEntry(
        id="icit", name="isocitrate", synonyms=("isocitric acid", "threo-D-isocitrate"),
        bigg=("icit",), kegg=("C00311",), chebi=("CHEBI:16087", "CHEBI:30887"), metanetx=("MNXM89661",),
    ),
    "2obut": MetaboliteEntry(
        id="2obut", name="2-oxobutanoate",
        synonyms=("alpha-ketobutyrate", "2-oxobutyrate", "2-ketobutyrate", "AKB", "alpha-ketobutyric acid"),
        bigg=("2obut",), kegg=("C00109",), chebi=("CHEBI:16763", "CHEBI:30831"), metanetx=("MNXM159",),
    ),
}

#: Role names accepted here -> role names of :mod:`fluxasn.core.roles`.
ROLE_ALIASES: Dict[str, str] = {
    "complex I": "CI",
    "complex II": "CII",
    "complex III": "CIII",
    "complex IV": "CIV",
    "complex V": "CV",
}


def _entry(query: str) -> Optional[MetaboliteEntry]:
    key = str(query).strip()
    entry = lookup_entry(key)
    if entry is not None:
        return entry
    if key in EXTRA_METABOLITES:
        return EXTRA_METABOLITES[key]
    wanted = normalize_name(key)
    for extra in EXTRA_METABOLITES.values():
        if any(normalize_name(n) == wanted for n in extra.names):
            return extra
    return None


def gene_matches(gene: cobra.Gene, symbols: Iterable[str]) -> bool:
    """True if a model gene is one of ``symbols`` (by id, name or annotation)."""
    wanted = {s.upper() for s in symbols}
    names = {gene.id.upper(), (gene.name or "").upper()}
    for value in gene.annotation.values():
        if isinstance(value, str):
            names.add(value.upper())
        else:
            names.update(str(v).upper() for v in value)
    return bool(wanted & names)


@dataclass
class ModelResolver:
    """Finds roles, metabolites and exchanges of one model (cached per model).

    Parameters
    ----------
    model
        Any cobra model.
    overrides
        Role name -> reaction id(s), passed on to :func:`fluxasn.core.roles.find_roles`.
    compartment_overrides
        Compartment kind -> id, passed on to
        :func:`fluxasn.core.compartments.find_compartments`.
    roles
        Already computed :class:`fluxasn.core.roles.Roles` of this model (to
        share one role search between scenarios).
    """

    model: cobra.Model
    overrides: Optional[Mapping[str, object]] = None
    roles_: Optional[object] = field(default=None, repr=False)
    compartment_overrides: Optional[Mapping[str, str]] = field(default=None, repr=False)
    _compartments: Optional[Compartments] = field(default=None, repr=False)
    _exchanges: Optional[ExchangeIndex] = field(default=None, repr=False)
    _metabolites: Dict[Tuple[str, str], cobra.Metabolite] = field(default_factory=dict, repr=False)
    _symbols: Optional[Dict[str, str]] = field(default=None, repr=False)
    dry_run: bool = field(default=False, repr=False)
    #: Analysis caches of this model (e.g. the warm growth LP of :mod:`fluxasn.lp.cache`,
    #: which checks the model's state before reusing anything).
    cache: Dict[str, object] = field(default_factory=dict, repr=False)

    # -- roles ---------------------------------------------------------------

    @property
    def roles(self):
        """The :class:`fluxasn.core.roles.Roles` of the model (computed once)."""
        if self.roles_ is None:
            from fluxasn.core.roles import find_roles

            self.roles_ = find_roles(self.model, overrides=self.overrides)
        return self.roles_

    def role_reactions(self, role: str) -> List[cobra.Reaction]:
        """The model's reactions for ``role`` (never empty; raises :class:`RoleError`).

        ``role`` is a role of :data:`fluxasn.core.roles.ROLES` (``ASNS``,
        ``GOT1``, ``CI`` ...) or an alias (``"complex I"``).
        """
        name = ROLE_ALIASES.get(role, role)
        roles = self.roles
        ids = roles.reactions(name)  # RoleError for an unknown role
        if not ids:
            roles[name]  # raises RoleError naming the role, the model and the candidates
        return [self.model.reactions.get_by_id(i) for i in ids]

    def _involves(self, reaction: cobra.Reaction, query: str) -> bool:
        entry = _entry(query)
        return any(self._metabolite_is(m, entry) for m in reaction.metabolites)

    # -- genes ---------------------------------------------------------------

    def gene_index(self):
        """The :class:`fluxasn.core.genes.GeneIndex` of the model (built once)."""
        from fluxasn.core.genes import GeneIndex

        index = self.cache.get("gene_index")
        if index is None:
            index = self.cache["gene_index"] = GeneIndex(self.model)
            self._symbols = index.symbol_map()
        return index

    def gene_match(self, query: str):
        """The :class:`fluxasn.core.genes.GeneMatch` of a gene query in any id scheme.

        Raises
        ------
        GeneError
            The query matches no model gene (naming the id schemes tried) or
            genes of several human genes (naming them).
        """
        return self.gene_index().resolve(query)

    def genes(self, symbol: str) -> List[cobra.Gene]:
        """The model genes of a gene query (HGNC symbol or any scheme of
        :func:`fluxasn.core.genes.resolve_genes`); empty when nothing matches,
        where the gene's annotation values are tried last."""
        from fluxasn.exceptions import GeneError

        try:
            ids = self.gene_match(symbol).genes
        except GeneError as error:
            if error.candidates:  # ambiguous: never guess
                raise
            return [g for g in self.model.genes if gene_matches(g, [symbol])]
        return [self.model.genes.get_by_id(i) for i in ids]

    def gene_reactions(self, symbol: str, *, metabolite: Optional[str] = None) -> List[cobra.Reaction]:
        """Reactions whose gene rule names the gene ``symbol`` (HGNC), optionally
        only those involving ``metabolite``.

        Genes are found by :meth:`genes` (:class:`fluxasn.core.genes.GeneIndex`:
        any id scheme, mouse and rat orthologs).
        """
        genes = self.genes(symbol)
        reactions = sorted({r for g in genes for r in g.reactions}, key=lambda r: r.id)
        if metabolite is not None:
            reactions = [r for r in reactions if self._involves(r, metabolite)]
        return reactions

    # -- metabolites ---------------------------------------------------------

    def is_metabolite(self, met: cobra.Metabolite, query: str) -> bool:
        """True if model metabolite ``met`` is ``query`` (a name or dictionary id), in any compartment."""
        return self._metabolite_is(met, _entry(query))

    def _metabolite_is(self, met: cobra.Metabolite, entry: Optional[MetaboliteEntry]) -> bool:
        if entry is None:
            return False
        if lookup_entry(entry.id) is not None:  # a dictionary entry: the shared identification
            return identify_metabolite(met) == entry.id
        base = met.id
        for suffix in (f"_{met.compartment}", f"[{met.compartment}]", f"({met.compartment})"):
            if met.compartment and base.endswith(suffix):
                base = base[: -len(suffix)]
                break
        biggs = set(entry.bigg or (entry.id,))
        if base in biggs:
            return True
        for key, value in met.annotation.items():
            key = str(key).lower()
            values = [value] if isinstance(value, str) else list(value)
            if key in ("bigg.metabolite", "bigg"):
                if {normalize_xref("bigg", v) for v in values} & biggs:
                    return True
            for database, annotation_key in (("kegg", "kegg.compound"), ("chebi", "chebi"), ("metanetx", "metanetx.chemical")):
                if key == annotation_key:
                    if {normalize_xref(database, v) for v in values} & entry.xrefs(database):
                        return True
        name = normalize_name(met.name or "", met.formula)
        return bool(name) and any(normalize_name(n) == name for n in entry.names)

    # -- compartments --------------------------------------------------------

    @property
    def compartments(self) -> Compartments:
        """The model's cytosol, mitochondrion and extracellular ids (found once)."""
        if self._compartments is None:
            self._compartments = find_compartments(self.model, overrides=self.compartment_overrides)
        return self._compartments

    def compartment(self, compartment: str) -> str:
        """The model's compartment id for an id or a kind (``cytosol``, ``mitochondrion``, ``extracellular``).

        Raises :class:`RoleError` naming the model's compartments when there is
        none (see :func:`fluxasn.core.compartments.compartment_id`).
        """
        return compartment_id(self.model, compartment, found=self.compartments)

    def metabolite(self, query: str, compartment: str) -> cobra.Metabolite:
        """The model metabolite ``query`` (a name or dictionary id) in ``compartment``.

        ``compartment`` is a compartment id of the model or a kind
        (``cytosol``, ``mitochondrion``, ``extracellular``; a usual letter such
        as ``c`` that the model does not use is read as its kind).
        """
        key = (query, compartment)
        if key in self._metabolites:
            return self._metabolites[key]
        compartment = self.compartment(compartment)
        entry = _entry(query)
        if entry is None:
            raise FluxasnInputError(
                "unknown metabolite; expected a name or identifier of the bundled dictionary",
                identifier=query,
            )
        hits = [
            m for m in self.model.metabolites
            if m.compartment == compartment and self._metabolite_is(m, entry)
        ]
        if not hits:
            raise RoleError(
                f"model {self.model.id!r} has no metabolite {entry.name!r} in compartment {compartment!r}"
            )
        if len(hits) > 1:
            # prefer an exact BiGG id match, then fail loudly
            exact = [m for m in hits if m.id.rsplit("_", 1)[0] in (entry.bigg or (entry.id,))]
            if len(exact) != 1:
                raise RoleError(
                    f"metabolite {entry.name!r} in compartment {compartment!r} is ambiguous in model "
                    f"{self.model.id!r}: " + ", ".join(m.id for m in hits)
                )
            hits = exact
        self._metabolites[key] = hits[0]
        return hits[0]

    # -- exchanges -----------------------------------------------------------

    def exchange(self, query: str) -> cobra.Reaction:
        """The exchange reaction of a medium component or supplement."""
        if self._exchanges is None:
            self._exchanges = ExchangeIndex(self.model)
        found = self._exchanges.match(query)
        if not found.found:
            entry = _entry(query)
            if entry is not None and entry.id in EXTRA_METABOLITES:
                hits = tuple(
                    r.id for r in self._exchanges.reactions
                    if len(r.metabolites) == 1 and self._metabolite_is(next(iter(r.metabolites)), entry)
                )
                if len(hits) == 1:
                    return self.model.reactions.get_by_id(hits[0])
            if found.ambiguous:
                raise FluxasnInputError(
                    f"matches several exchanges of model {self.model.id!r}: " + ", ".join(found.exchanges),
                    identifier=query,
                )
            raise FluxasnInputError(
                f"model {self.model.id!r} has no exchange reaction for this metabolite",
                identifier=query,
            )
        return self.model.reactions.get_by_id(found.exchange)

    def uptake_limit(self, reaction: cobra.Reaction) -> float:
        """Current uptake limit (>= 0, mmol/gDW/h) of an exchange."""
        if exchange_sign(reaction) < 0:
            return max(0.0, -reaction.lower_bound)
        return max(0.0, reaction.upper_bound)

    def set_uptake_limit(self, reaction: cobra.Reaction, limit: float) -> None:
        """Set an exchange's uptake limit (mmol/gDW/h), keeping its secretion bound.

        A bound that forced more uptake than the new limit (e.g. a measured
        uptake rate applied as bounds) is moved to the new limit: the
        scenario overrides the measurement instead of leaving lower > upper.
        """
        limit = float(limit)
        if exchange_sign(reaction) < 0:
            reaction.bounds = (-limit, max(reaction.upper_bound, -limit))
        else:
            reaction.bounds = (min(reaction.lower_bound, limit), limit)

    def uptake_flux(self, reaction: cobra.Reaction, flux: float) -> float:
        """Uptake (>0) for a flux value of an exchange."""
        return -flux if exchange_sign(reaction) < 0 else flux

    # -- biomass -------------------------------------------------------------

    def biomass(self) -> cobra.Reaction:
        """The growth reaction (role ``biomass``; raises :class:`RoleError` if missing or several)."""
        ids = self.roles.reactions("biomass")
        if len(ids) != 1:
            self.roles["biomass"]  # raises RoleError naming the candidates
        return self.model.reactions.get_by_id(ids[0])
