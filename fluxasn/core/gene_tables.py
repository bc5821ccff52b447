"""Bundled human gene tables and mouse/rat orthologs: lookups from any human id to HGNC symbols.

The reference side of :mod:`fluxasn.core.genes` (tables and their provenance are
described there and in ``data/genes/README.md``).
"""
from __future__ import annotations

import functools
import gzip
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

import pandas as pd

from fluxasn.core.paths import bundled_data_path
from fluxasn.exceptions import FluxasnInputError

__all__ = ["ORTHOLOG_RULES", "SPECIES", "annotation_values", "orthologs"]

#: Species whose gene symbols are translated through the bundled ortholog tables.
SPECIES = ("mouse", "rat")

#: ``"best"``: best and bestReverse pairs only (default); ``"all"``: every stringent pair.
ORTHOLOG_RULES = ("best", "all")

_ENTREZ = re.compile(r"(\d+)(?:(\.\d+)|(_AT\d+))?")
_ENSEMBL = re.compile(r"(ENSG\d{11})(?:\.\d+)?", flags=re.IGNORECASE)
_HGNC = re.compile(r"HGNC:(\d+)", flags=re.IGNORECASE)
_MGI_RGD = re.compile(r"(MGI|RGD):(\d+)", flags=re.IGNORECASE)
_UNIPROT = re.compile(r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2}")

#: Id schemes a query is tried in (named in the error when nothing matches).
QUERY_SCHEMES = (
    "model gene id", "model gene name", "HGNC symbol", "previous HGNC symbol", "HGNC id", "Entrez",
    "Entrez.transcript / Entrez_ATn", "Ensembl", "UniProt", "MGI / RGD id", "mouse / rat ortholog symbol",
)


# --- reference tables ------------------------------------------------------------------


def _read(name: str) -> pd.DataFrame:
    path = bundled_data_path("genes", name)
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False, comment="#")


def _split(value: str) -> List[str]:
    return [v.strip() for v in str(value).split(";") if v.strip()]


@dataclass(frozen=True)
class _Human:
    """Lookups onto HGNC symbols: each maps a normalised key to a set of symbols."""

    symbol: Dict[str, str]          # upper-case symbol -> symbol
    previous: Dict[str, Set[str]]   # upper-case previous symbol -> current symbols
    hgnc: Dict[str, Set[str]]       # "HGNC:n" -> symbols
    entrez: Dict[str, Set[str]]
    ensembl: Dict[str, Set[str]]    # upper-case, no version
    uniprot: Dict[str, Set[str]]    # upper-case


@functools.lru_cache(maxsize=1)
def _human() -> _Human:
    symbol: Dict[str, str] = {}
    previous: Dict[str, Set[str]] = {}
    hgnc: Dict[str, Set[str]] = {}
    entrez: Dict[str, Set[str]] = {}
    ensembl: Dict[str, Set[str]] = {}
    uniprot: Dict[str, Set[str]] = {}

    def add(table: Dict[str, Set[str]], key: str, value: str) -> None:
        if key:
            table.setdefault(key, set()).add(value)

    key = _read("key_genes.tsv")
    for row in key.itertuples(index=False):
        symbol[row.symbol.upper()] = row.symbol
        for old in _split(row.previous_symbols):
            add(previous, old.upper(), row.symbol)
        add(hgnc, row.hgnc_id.upper(), row.symbol)
        add(entrez, row.entrez, row.symbol)
        add(ensembl, row.ensembl.upper(), row.symbol)
    for row in _read("human_genes.tsv.gz").itertuples(index=False):
        symbol.setdefault(row.symbol.upper(), row.symbol)
        add(hgnc, row.hgnc_id.upper(), row.symbol)
        for value in _split(row.entrez):
            add(entrez, value, row.symbol)
        add(ensembl, row.ensembl.upper(), row.symbol)
        for value in _split(row.uniprot):
            add(uniprot, value.upper(), row.symbol)
    for species in SPECIES:
        frame = _ortholog_frame(species)
        for gene_id, name in zip(frame["fromGeneId"], frame["fromSymbol"]):
            symbol.setdefault(name.upper(), name)
            if gene_id.upper() not in hgnc:
                add(hgnc, gene_id.upper(), name)
    return _Human(symbol, previous, hgnc, entrez, ensembl, uniprot)


@functools.lru_cache(maxsize=2)
def _ortholog_frame(species: str) -> pd.DataFrame:
    return _read(f"orthologs_{species}.tsv.gz")


@dataclass(frozen=True)
class _Orthologs:
    symbol: Dict[str, Set[str]]      # exact ortholog symbol -> human symbols
    symbol_ci: Dict[str, Set[str]]   # upper-case ortholog symbol -> human symbols
    gene_id: Dict[str, Set[str]]     # upper-case MGI:/RGD: id -> human symbols
    human: Dict[str, List[Tuple[str, str]]]  # human symbol -> [(ortholog id, ortholog symbol)]


@functools.lru_cache(maxsize=4)
def _orthologs(species: str, rule: str) -> _Orthologs:
    frame = _ortholog_frame(species)
    if rule == "best":
        frame = frame[(frame["best"] == "Yes") & (frame["bestReverse"] == "Yes")]
    symbol: Dict[str, Set[str]] = {}
    symbol_ci: Dict[str, Set[str]] = {}
    gene_id: Dict[str, Set[str]] = {}
    human: Dict[str, List[Tuple[str, str]]] = {}
    for hs, to_id, to_symbol in zip(frame["fromSymbol"], frame["toGeneId"], frame["toSymbol"]):
        symbol.setdefault(to_symbol, set()).add(hs)
        symbol_ci.setdefault(to_symbol.upper(), set()).add(hs)
        gene_id.setdefault(to_id.upper(), set()).add(hs)
        human.setdefault(hs, []).append((to_id, to_symbol))
    return _Orthologs(symbol, symbol_ci, gene_id, human)


def _check_rule(rule: str) -> None:
    if rule not in ORTHOLOG_RULES:
        raise FluxasnInputError(
            f"unknown ortholog rule {rule!r}; expected one of {', '.join(ORTHOLOG_RULES)}", identifier=str(rule))


def orthologs(symbol: str, *, species: str, rule: str = "best") -> List[Tuple[str, str]]:
    """The mouse or rat orthologs of a human gene in the bundled Alliance tables.

    Parameters
    ----------
    symbol
        HGNC symbol, previous symbol or HGNC id (``"ASNS"``, ``"HGNC:753"``).
    species
        ``"mouse"`` or ``"rat"``.
    rule
        ``"best"`` (best and bestReverse pairs, default) or ``"all"``.

    Returns
    -------
    list of (str, str)
        ``(MGI or RGD id, symbol)`` pairs, e.g. ``[("MGI:1350929", "Asns")]``;
        empty when the table has none under ``rule``.

    Raises
    ------
    FluxasnInputError
        Unknown species or rule, or ``symbol`` is no human gene of the tables.
    """
    if species not in SPECIES:
        raise FluxasnInputError(f"unknown species {species!r}; expected one of {', '.join(SPECIES)}",
                                identifier=str(species))
    _check_rule(rule)
    found = _human_symbols(str(symbol).strip())
    if not found:
        raise FluxasnInputError("not a human gene symbol or HGNC id of the bundled gene tables",
                                identifier=str(symbol))
    table = _orthologs(species, rule)
    return [pair for hs in sorted(found[1]) for pair in table.human.get(hs, [])]


def _human_symbols(query: str) -> Optional[Tuple[str, Set[str]]]:
    """(scheme, HGNC symbols) of a human gene query, or None."""
    human = _human()
    q = query.strip()
    if _HGNC.fullmatch(q):
        found = human.hgnc.get(q.upper())
        return ("HGNC id", set(found)) if found else None
    match = _ENSEMBL.fullmatch(q)
    if match:
        found = human.ensembl.get(match.group(1).upper())
        return ("Ensembl", set(found)) if found else None
    match = _ENTREZ.fullmatch(q)
    if match:
        found = human.entrez.get(match.group(1))
        return (_entrez_scheme(match), set(found)) if found else None
    if q.upper() in human.symbol:
        return "HGNC symbol", {human.symbol[q.upper()]}
    if q.upper() in human.previous:
        return "previous HGNC symbol", set(human.previous[q.upper()])
    if _UNIPROT.fullmatch(q.upper()) and q.upper() in human.uniprot:
        return "UniProt", set(human.uniprot[q.upper()])
    return None


def _entrez_scheme(match: "re.Match") -> str:
    if match.group(2):
        return "Entrez.transcript"
    if match.group(3):
        return "Entrez_ATn"
    return "Entrez"


def annotation_values(value) -> List[str]:
    """An annotation entry as a list of strings (cobra stores one value or a list)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]
