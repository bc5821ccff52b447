"""Gene identity across id schemes and species: one resolver for every API that takes genes.

A model names its genes in one of many schemes: HGNC symbols (the core
model), HGNC ids (``HGNC:753``), Entrez ids (iHsa ``440``), Entrez with a
transcript suffix (Recon 2.04 ``440.1``, Recon3D ``440_AT1``), Ensembl gene
ids with or without a version (Human-GEM ``ENSG00000070669``), gene
annotations (``ncbigene``, ``ensembl``, ``uniprot``, ``hgnc.symbol`` ...), or
the symbols of another species (Rat-GEM ``Asns``, ``Pc``; mouse ``Pcx``).

:class:`GeneIndex` gives every model gene its human identity (HGNC symbols)
and the id scheme through which it was found, and resolves any gene query
(symbol or previous symbol, HGNC id, Entrez, Entrez.transcript / Entrez_ATn,
Ensembl with or without version, UniProt, MGI or RGD id, a mouse or rat
ortholog symbol, the model's own gene id or name) to the model genes it
denotes (:class:`GeneMatch`). A query that denotes genes of several human
symbols, or nothing, raises :class:`fluxasn.exceptions.GeneError` naming
the query, the candidates or the id schemes tried.

Tables (``data/genes/``, provenance in its README):

* ``key_genes.tsv``: the asparagine, aspartate, nucleotide and respiratory
  chain genes with HGNC ids and previous symbols (wins over the others);
* ``human_genes.tsv.gz``: the 2,887 genes of Human-GEM 1.19.0 with Entrez,
  Ensembl and UniProt ids;
* ``orthologs_mouse.tsv.gz``, ``orthologs_rat.tsv.gz``: Alliance of Genome
  Resources 6.0.0 human->mouse and human->rat orthologs (every human gene in
  them is keyed by its HGNC id, so they also translate HGNC ids).

Ortholog rule: by default only pairs with ``best = Yes`` **and**
``bestReverse = Yes`` are used (each gene is the other's best match; some
such pairs are one-to-many, e.g. human ADH1A/ADH1B/ADH1C -> mouse Adh1:
such a model gene carries every human symbol it pairs with, and a query
that names several of them in the model is ambiguous). ``orthologs="all"``
uses every stringent Alliance pair.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import cobra
import pandas as pd

from fluxasn.core.gene_tables import (
    _ENSEMBL, _ENTREZ, _HGNC, _MGI_RGD, _UNIPROT, ORTHOLOG_RULES, QUERY_SCHEMES, SPECIES,
    _check_rule, _entrez_scheme, annotation_values, _human, _human_symbols, _orthologs, orthologs,
)
from fluxasn.exceptions import FluxasnInputError, GeneError
from fluxasn.views import ResultView

__all__ = [
    "GeneMatch",
    "GeneIndex",
    "GeneMatches",
    "ORTHOLOG_RULES",
    "SPECIES",
    "gene_symbols",
    "resolve_genes",
    "orthologs",
]


# --- one model -------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneMatch:
    """The model genes a gene query denotes.

    Attributes
    ----------
    query
        The query as given.
    genes
        Model gene ids, in model order.
    symbol
        The HGNC symbol they share (empty when the query named a model gene
        that no table identifies).
    scheme
        The id scheme the query matched in (``"HGNC symbol"``, ``"Ensembl"``,
        ``"model gene id"``, ``"rat ortholog symbol"`` ...).
    gene_schemes
        For each gene of ``genes``, the scheme through which the gene itself
        was identified as ``symbol`` (e.g. ``"Ensembl"`` for Human-GEM).
    """

    query: str
    genes: Tuple[str, ...]
    symbol: str
    scheme: str
    gene_schemes: Tuple[str, ...] = ()


class GeneMatches(ResultView):
    """Several :class:`GeneMatch` (what :func:`resolve_genes` returns), one row each."""

    def __init__(self, matches: Sequence[GeneMatch], model_id: str) -> None:
        self.matches = list(matches)
        self.model_id = model_id

    def __iter__(self):
        return iter(self.matches)

    def __len__(self) -> int:
        return len(self.matches)

    def __getitem__(self, i: int) -> GeneMatch:
        return self.matches[i]

    def gene_ids(self) -> List[str]:
        """Every matched model gene id, in query order, each once."""
        return list(dict.fromkeys(g for m in self.matches for g in m.genes))

    def to_frame(self) -> pd.DataFrame:
        """Columns ``query``, ``genes`` (``", "``-joined ids), ``symbol``, ``scheme``, ``gene_schemes``."""
        return pd.DataFrame({
            "query": [m.query for m in self.matches],
            "genes": [", ".join(m.genes) for m in self.matches],
            "symbol": [m.symbol for m in self.matches],
            "scheme": [m.scheme for m in self.matches],
            "gene_schemes": [", ".join(dict.fromkeys(m.gene_schemes)) for m in self.matches],
        })

    def _title(self) -> str:
        return f"{len(self.matches)} gene queries resolved in {self.model_id}"


class GeneIndex:
    """The human identity of every gene of one model, and the resolver of gene queries.

    Parameters
    ----------
    model
        Any cobra model (not changed).
    species
        ``"human"``, ``"mouse"`` or ``"rat"``: whose gene symbols the model
        uses. Default: guessed from how many gene ids or names are human,
        mouse or rat symbols (exact case) or MGI/RGD ids.
    orthologs
        Ortholog rule, ``"best"`` (default) or ``"all"`` (module docstring).
    """

    def __init__(self, model: cobra.Model, *, species: Optional[str] = None, orthologs: str = "best") -> None:
        _check_rule(orthologs)
        if species is not None and species not in ("human",) + SPECIES:
            raise FluxasnInputError(f"unknown species {species!r}; expected human, mouse or rat",
                                    identifier=str(species))
        self.model_id = model.id
        self.rule = orthologs
        self._gene_ids = [g.id for g in model.genes]
        self.species = species or _guess_species(model, orthologs)
        self._symbols: Dict[str, Tuple[str, ...]] = {}
        self._scheme: Dict[str, str] = {}
        self._keys: Dict[Tuple[str, str], List[str]] = {}
        self._by_symbol: Dict[str, List[str]] = {}
        self._name: Dict[str, str] = {g.id: g.name or "" for g in model.genes}
        for gene in model.genes:
            keys, (scheme, symbols) = self._identify(gene)
            if symbols:
                self._symbols[gene.id] = tuple(sorted(symbols))
                self._scheme[gene.id] = scheme
                for symbol in symbols:
                    self._by_symbol.setdefault(symbol, []).append(gene.id)
            for key in keys:
                self._keys.setdefault(key, []).append(gene.id)

    # -- identity of model genes -------------------------------------------------------

    def _species_tables(self) -> List[Tuple[str, _Orthologs]]:
        if self.species in SPECIES:
            return [(self.species, _orthologs(self.species, self.rule))]
        if self.species == "mouse/rat":
            return [(s, _orthologs(s, self.rule)) for s in SPECIES]
        return []

    def _identify(self, gene: cobra.Gene) -> Tuple[Set[Tuple[str, str]], Tuple[str, Set[str]]]:
        """Index keys of a gene, and (scheme, HGNC symbols) of its identity."""
        human = _human()
        keys: Set[Tuple[str, str]] = set()
        found: List[Tuple[str, Set[str]]] = []
        annotation = {str(k).lower(): annotation_values(v) for k, v in gene.annotation.items()}
        for value in annotation.get("hgnc.symbol", []) + annotation.get("refseq_name", []):
            if value.upper() in human.symbol:
                found.append(("annotation hgnc.symbol", {human.symbol[value.upper()]}))
        for field in ("hgnc", "hgnc.id"):
            for value in annotation.get(field, []):
                value = value if value.upper().startswith("HGNC:") else f"HGNC:{value}"
                keys.add(("hgnc", value.upper()))
                if value.upper() in human.hgnc:
                    found.append(("annotation HGNC id", human.hgnc[value.upper()]))
        for value in annotation.get("ncbigene", []) + annotation.get("entrez", []):
            keys.add(("entrez", value))
            if value in human.entrez:
                found.append(("annotation Entrez", human.entrez[value]))
        for value in annotation.get("ensembl", []):
            match = _ENSEMBL.fullmatch(value)
            if match:
                keys.add(("ensembl", match.group(1).upper()))
                if match.group(1).upper() in human.ensembl:
                    found.append(("annotation Ensembl", human.ensembl[match.group(1).upper()]))
        for value in annotation.get("uniprot", []):
            keys.add(("uniprot", value.upper()))
            if value.upper() in human.uniprot:
                found.append(("annotation UniProt", human.uniprot[value.upper()]))
        for field in ("mgi", "rgd"):
            for value in annotation.get(field, []):
                value = value if ":" in value else f"{field.upper()}:{value}"
                keys.add(("orthoid", value.upper()))
                species = "mouse" if field == "mgi" else "rat"
                hits = _orthologs(species, self.rule).gene_id.get(value.upper())
                if hits:
                    found.append((f"annotation {field.upper()} id", hits))
        for text, where in ((gene.id, ""), (gene.name or "", " (gene name)")):
            if not text:
                continue
            if _HGNC.fullmatch(text):
                keys.add(("hgnc", text.upper()))
                if text.upper() in human.hgnc:
                    found.append(("HGNC id" + where, human.hgnc[text.upper()]))
                continue
            match = _ENSEMBL.fullmatch(text)
            if match:
                keys.add(("ensembl", match.group(1).upper()))
                if match.group(1).upper() in human.ensembl:
                    found.append(("Ensembl" + where, human.ensembl[match.group(1).upper()]))
                continue
            match = _ENTREZ.fullmatch(text)
            if match:
                keys.add(("entrez", match.group(1)))
                if match.group(1) in human.entrez:
                    found.append((_entrez_scheme(match) + where, human.entrez[match.group(1)]))
                continue
            match = _MGI_RGD.fullmatch(text)
            if match:
                keys.add(("orthoid", text.upper()))
                species = "mouse" if match.group(1).upper() == "MGI" else "rat"
                hits = _orthologs(species, self.rule).gene_id.get(text.upper())
                if hits:
                    found.append((f"{match.group(1).upper()} id" + where, hits))
                continue
            if self.species == "human" and human.symbol.get(text.upper()) == text:
                found.append(("HGNC symbol" + where, {text}))
            for species, table in self._species_tables():
                if text in table.symbol:
                    found.append((f"{species} ortholog symbol" + where, table.symbol[text]))
            if self.species == "human" and text.upper() in human.symbol and (text.isupper() or text.islower()):
                # one case throughout ("asns"); a mixed-case id ("gC") is not read as a symbol (GC)
                found.append(("HGNC symbol, other case" + where, {human.symbol[text.upper()]}))
            if self.species == "human" and text.upper() in human.previous:
                found.append(("previous HGNC symbol" + where, human.previous[text.upper()]))
        for scheme, symbols in found:
            if symbols:
                keys.update(("symbol", s) for s in symbols)
                return keys, (scheme, set(symbols))
        return keys, ("", set())

    def symbols(self, gene_id: str) -> Tuple[str, ...]:
        """HGNC symbols of a model gene (empty if unidentified; several for some orthologs)."""
        return self._symbols.get(gene_id, ())

    def scheme(self, gene_id: str) -> str:
        """The id scheme through which a model gene was identified (empty if unidentified)."""
        return self._scheme.get(gene_id, "")

    def genes_of(self, symbol: str) -> List[str]:
        """Model gene ids identified as the HGNC symbol ``symbol`` (model order)."""
        return list(self._by_symbol.get(symbol, []))

    def symbol_map(self) -> Dict[str, str]:
        """Model gene id -> HGNC symbol (genes with one symbol; several are joined by ``/``)."""
        return {g: "/".join(s) for g, s in self._symbols.items()}

    # -- resolving queries -------------------------------------------------------------

    def resolve(self, query) -> GeneMatch:
        """The model genes a query denotes.

        Parameters
        ----------
        query
            A :class:`cobra.Gene` or a string in any scheme of
            :data:`QUERY_SCHEMES`.

        Raises
        ------
        GeneError
            Nothing matched (the message names the schemes tried), or the
            query denotes genes of several human symbols (it names them with
            their model genes).
        """
        text = str(getattr(query, "id", query)).strip()
        if text in self._name:  # the model's own id wins
            symbols = self.symbols(text)
            return GeneMatch(text, (text,), symbols[0] if len(symbols) == 1 else "", "model gene id",
                             (self.scheme(text),))
        groups: Dict[str, List[str]] = {}
        schemes: Dict[str, str] = {}
        translated = _human_symbols(text)
        via = translated[0] if translated else ""
        wanted: Set[str] = set(translated[1]) if translated else set()
        if not wanted:
            wanted, via = self._ortholog_query(text)
        for symbol in sorted(wanted):
            genes = self.genes_of(symbol)
            if genes:
                groups[symbol] = genes
                schemes[symbol] = via
        direct, direct_scheme = self._direct(text)
        for gene_id in direct:
            symbols = self.symbols(gene_id)
            if len(symbols) > 1 and wanted & set(symbols):
                symbols = tuple(s for s in symbols if s in wanted)
            key = symbols[0] if len(symbols) == 1 else "/".join(symbols)
            if gene_id not in groups.get(key, []):
                groups.setdefault(key, []).append(gene_id)
            schemes.setdefault(key, direct_scheme)
        named = [k for k in groups if k]
        if "" in groups and len(named) == 1:  # unidentified genes with the same raw id
            groups[named[0]] = groups[named[0]] + [g for g in groups.pop("") if g not in groups[named[0]]]
        if not groups:
            raise GeneError(
                f"matches no gene of model {self.model_id!r}; tried: " + ", ".join(QUERY_SCHEMES)
                + (f" (it is the human gene {'/'.join(sorted(wanted))} by {via}, which the model lacks)"
                   if wanted else ""),
                identifier=text)
        if len(groups) > 1:
            listed = "; ".join(f"{k or 'unidentified'}: {', '.join(v)}" for k, v in groups.items())
            raise GeneError(
                f"is ambiguous in model {self.model_id!r}: it denotes genes of {len(groups)} human genes ({listed}); "
                "give one of these model gene ids instead", identifier=text, candidates=tuple(groups))
        symbol, genes = next(iter(groups.items()))
        order = {g: i for i, g in enumerate(self._gene_ids)}
        genes = sorted(set(genes), key=order.__getitem__)
        return GeneMatch(text, tuple(genes), symbol if "/" not in symbol else "", schemes[symbol],
                         tuple(self.scheme(g) for g in genes))

    def _ortholog_query(self, text: str) -> Tuple[Set[str], str]:
        match = _MGI_RGD.fullmatch(text)
        if match:
            species = "mouse" if match.group(1).upper() == "MGI" else "rat"
            return set(_orthologs(species, self.rule).gene_id.get(text.upper(), ())), f"{match.group(1).upper()} id"
        for species in SPECIES:
            table = _orthologs(species, self.rule)
            hits = table.symbol.get(text) or table.symbol_ci.get(text.upper())
            if hits:
                return set(hits), f"{species} ortholog symbol"
        return set(), ""

    def _direct(self, text: str) -> Tuple[List[str], str]:
        """Genes matched by raw ids (no table needed) or by model gene name."""
        for pattern, kind, scheme in ((_HGNC, "hgnc", "HGNC id"), (_MGI_RGD, "orthoid", "MGI / RGD id")):
            if pattern.fullmatch(text):
                return self._keys.get((kind, text.upper()), []), scheme
        match = _ENSEMBL.fullmatch(text)
        if match:
            return self._keys.get(("ensembl", match.group(1).upper()), []), "Ensembl"
        match = _ENTREZ.fullmatch(text)
        if match:
            return self._keys.get(("entrez", match.group(1)), []), _entrez_scheme(match)
        if _UNIPROT.fullmatch(text.upper()) and ("uniprot", text.upper()) in self._keys:
            return self._keys[("uniprot", text.upper())], "UniProt"
        named = [g for g, name in self._name.items() if name and name.upper() == text.upper()]
        return named, "model gene name"


def _guess_species(model: cobra.Model, rule: str) -> str:
    human = _human()
    counts = {"human": 0, "mouse": 0, "rat": 0}
    tables = {s: _orthologs(s, rule) for s in SPECIES}
    for gene in model.genes:
        for text in (gene.id, gene.name or ""):
            if not text:
                continue
            if human.symbol.get(text.upper()) == text or _HGNC.fullmatch(text) or _ENSEMBL.fullmatch(text):
                counts["human"] += 1
            if text.upper().startswith("MGI:"):
                counts["mouse"] += 1
            if text.upper().startswith("RGD:"):
                counts["rat"] += 1
            for species, table in tables.items():
                if text in table.symbol and human.symbol.get(text.upper()) != text:
                    counts[species] += 1
    if max(counts["mouse"], counts["rat"]) <= counts["human"]:
        return "human"
    if counts["mouse"] == counts["rat"]:
        return "mouse/rat"
    return "mouse" if counts["mouse"] > counts["rat"] else "rat"


def resolve_genes(
    model: cobra.Model,
    genes: Iterable,
    *,
    species: Optional[str] = None,
    orthologs: str = "best",
) -> GeneMatches:
    """Resolve gene queries in any id scheme to the model genes they denote.

    Parameters
    ----------
    model
        Any cobra model (not changed).
    genes
        Queries: :class:`cobra.Gene` objects, model gene ids or names, HGNC
        symbols or previous symbols, HGNC ids, Entrez (with or without a
        ``.n`` or ``_ATn`` transcript suffix), Ensembl (with or without
        version), UniProt, MGI/RGD ids or mouse/rat ortholog symbols.
    species
        Whose symbols the model's gene ids are (default: guessed;
        :class:`GeneIndex`).
    orthologs
        ``"best"`` (default: best and bestReverse Alliance pairs) or ``"all"``.

    Returns
    -------
    GeneMatches
        One :class:`GeneMatch` per query, in order.

    Raises
    ------
    GeneError
        For the first query that matches nothing or is ambiguous.

    Examples
    --------
    >>> resolve_genes(human_gem, ["ASNS"])[0].genes      # doctest: +SKIP
    ('ENSG00000070669',)
    """
    index = GeneIndex(model, species=species, orthologs=orthologs)
    return GeneMatches([index.resolve(q) for q in genes], model.id)


def gene_symbols(model: cobra.Model) -> Dict[str, str]:
    """Model gene id -> HGNC symbol, for every gene the bundled tables identify.

    A gene paired with several human genes (one-to-many orthologs) gets
    them joined by ``/``.
    """
    return GeneIndex(model).symbol_map()
