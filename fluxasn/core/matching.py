"""Find a metabolite's exchange reaction in any model, by annotation, identifier or name.

One piece of code serves media (:mod:`fluxasn.core.media`) and measured rates
(:mod:`fluxasn.core.measurements`): a query (a metabolite dictionary entry, a
name, a database identifier, a model metabolite or reaction id) is resolved to
the exchange reaction(s) of a model, whatever identifier scheme the model uses.

Matching order (the first tier that finds anything decides):

1. ``bigg``: the BiGG identifier of the entry equals the model metabolite's
   ``bigg.metabolite`` annotation or its id without the compartment suffix
   (``asn__L_e`` -> ``asn__L``);
2. ``xref``: cross-references shared with the model metabolite's annotations
   (MetaNetX, KEGG, ChEBI, HMDB); the exchanges sharing the most databases win;
3. ``name``: the entry's name or one of its synonyms equals the model
   metabolite's name after normalisation (case, spaces, punctuation, a trailing
   formula or compartment word); earlier synonyms take precedence.

Identifiers and names of any scheme: the extracellular compartment is found by
:func:`fluxasn.core.compartments.find_compartments` (names, ids or where the
boundary reactions are). A model metabolite's *stem* is its id without the
compartment tag (``_e``, ``[e]``, ``(e)``, ``_<compartment id>``) and without
an affix shared by most ids of its compartment (:func:`shared_affixes`: a
suffix from the last separator, such as ``_ext`` in ``C00001_ext``, or a
prefix up to the first separator, such as ``M_``). The stem counts as a BiGG id
and, when it has the form of one, as a KEGG (``C00001``), MetaNetX
(``MNXM...``), HMDB or ChEBI id. Names are compared both as given and without
the affixes shared by the compartment's names (``H2O_ext`` -> ``H2O``) or the
extracellular compartment's name or bracketed id (``H+ [External]`` -> ``H+``).

Two exchanges tied in the deciding tier are an ambiguity, reported as such
(never resolved silently); :meth:`ExchangeIndex.same_metabolite` tells the
caller when the tied exchanges carry one metabolite (the same model metabolite
or the same id without its compartment tag), which :func:`fluxasn.core.media.apply_medium` resolves as
duplicate exchanges.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import cobra
import pandas as pd

from fluxasn.core.gene_tables import annotation_values
from fluxasn.core.paths import bundled_data_path
from fluxasn.exceptions import FluxasnInputError

__all__ = [
    "MetaboliteEntry",
    "Match",
    "ExchangeIndex",
    "metabolite_dictionary",
    "lookup_entry",
    "normalize_name",
    "normalize_xref",
    "exchange_sign",
    "shared_affixes",
]

#: Databases used for cross-reference matching, in the column names of
#: ``data/media/metabolites.tsv``.
XREF_DATABASES = ("metanetx", "kegg", "chebi", "hmdb")

_ANNOTATION_KEYS = {
    "bigg.metabolite": "bigg",
    "bigg": "bigg",
    "chebi": "chebi",
    "kegg.compound": "kegg",
    "kegg": "kegg",
    "metanetx.chemical": "metanetx",
    "metanetx": "metanetx",
    "hmdb": "hmdb",
}

_TRAILING_WORDS = {"c", "e", "m", "cytosol", "mitochondria", "extracellular", "extracellular space"}


def normalize_name(name: str, formula: Optional[str] = None) -> str:
    """Normalise a metabolite name for comparison.

    Lower case; a trailing copy of the formula (Recon3D: ``"Choline C5H14NO"``)
    or a compartment word (``"Fe2+ mitochondria"``) is dropped; spaces,
    hyphens, underscores, commas, quotes and brackets are removed. Charges
    (``+``) are kept so that ``Fe2+`` and ``Fe3+`` stay apart.
    """
    text = str(name).strip()
    if formula and text.endswith(" " + formula):
        text = text[: -len(formula) - 1].strip()
    words = text.split()
    while len(words) > 1 and words[-1].lower() in _TRAILING_WORDS:
        words = words[:-1]
    text = " ".join(words).lower()
    charge = re.search(r"(?<=[a-z0-9)\]])[+-]+$", text)
    suffix = charge.group(0) if charge else ""
    if suffix:
        text = text[: -len(suffix)]
    return re.sub(r"[\s\-_,'\"()\[\]{}:;.]+", "", text) + suffix


def normalize_xref(database: str, value: str) -> Optional[str]:
    """Normalise a database identifier (``CHEBI:17196``, ``HMDB0000168`` ...)."""
    text = str(value).strip()
    if not text:
        return None
    if "/" in text:  # identifiers.org URI
        text = text.rstrip("/").rsplit("/", 1)[-1]
    if database == "chebi":
        text = text.upper()
        if text.startswith("CHEBI:"):
            text = text[6:]
        return text if text.isdigit() else None
    if database == "hmdb":
        match = re.fullmatch(r"HMDB0*(\d+)", text.upper())
        return f"HMDB{int(match.group(1))}" if match else None
    if database in ("kegg", "metanetx"):
        return text.upper()
    if database == "bigg":
        return text[2:] if text.startswith("M_") else text
    return text


@dataclass(frozen=True)
class MetaboliteEntry:
    """One metabolite of the bundled dictionary (``data/media/metabolites.tsv``)."""

    id: str
    name: str
    synonyms: Tuple[str, ...] = ()
    metabolite_class: str = ""
    formula: str = ""
    bigg: Tuple[str, ...] = ()
    chebi: Tuple[str, ...] = ()
    kegg: Tuple[str, ...] = ()
    metanetx: Tuple[str, ...] = ()
    hmdb: Tuple[str, ...] = ()

    @property
    def names(self) -> Tuple[str, ...]:
        """Name then synonyms, in order of precedence."""
        return (self.name,) + tuple(s for s in self.synonyms if s != self.name)

    def xrefs(self, database: str) -> set:
        return {
            v
            for v in (normalize_xref(database, x) for x in getattr(self, database))
            if v is not None
        }


def _split(text, sep) -> Tuple[str, ...]:
    if not isinstance(text, str) or not text.strip():
        return ()
    return tuple(part.strip() for part in text.split(sep) if part.strip())


@functools.lru_cache(maxsize=1)
def metabolite_dictionary() -> Dict[str, MetaboliteEntry]:
    """The bundled metabolite dictionary, keyed by entry id (a BiGG base id)."""
    path = bundled_data_path("media", "metabolites.tsv")
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    entries = {}
    for row in table.itertuples(index=False):
        entries[row.id] = MetaboliteEntry(
            id=row.id,
            name=row.name,
            synonyms=_split(row.synonyms, ";"),
            metabolite_class=row.metabolite_class,
            formula=row.formula,
            bigg=_split(row.bigg, "|"),
            chebi=_split(row.chebi, "|"),
            kegg=_split(row.kegg, "|"),
            metanetx=_split(row.metanetx, "|"),
            hmdb=_split(row.hmdb, "|"),
        )
    return entries


@functools.lru_cache(maxsize=1)
def _dictionary_lookup() -> Dict[str, List[str]]:
    """Normalised key (id, BiGG id, name, synonym, xref) -> entry ids."""
    lookup: Dict[str, List[str]] = {}

    def add(key, entry_id):
        if key:
            ids = lookup.setdefault(key, [])
            if entry_id not in ids:
                ids.append(entry_id)

    for entry in metabolite_dictionary().values():
        add("id:" + entry.id.lower(), entry.id)
        for bigg in entry.bigg:
            add("id:" + bigg.lower(), entry.id)
        for name in entry.names:
            add("name:" + normalize_name(name), entry.id)
        for database in XREF_DATABASES:
            for value in entry.xrefs(database):
                add(f"{database}:{value}", entry.id)
    return lookup


def _query_keys(query: str) -> List[str]:
    text = str(query).strip()
    keys = ["id:" + text.lower()]
    upper = text.upper()
    if upper.startswith("CHEBI:"):
        keys.append("chebi:" + str(normalize_xref("chebi", text)))
    elif re.fullmatch(r"C\d{5}", upper):
        keys.append("kegg:" + upper)
    elif re.fullmatch(r"MNXM\d+", upper):
        keys.append("metanetx:" + upper)
    elif re.fullmatch(r"HMDB\d+", upper):
        keys.append("hmdb:" + str(normalize_xref("hmdb", text)))
    keys.append("name:" + normalize_name(text))
    return keys


def lookup_entry(query: str) -> Optional[MetaboliteEntry]:
    """The dictionary entry named by ``query`` (id, BiGG id, name, synonym or xref).

    Returns ``None`` when nothing matches. Raises :class:`FluxasnInputError`
    if ``query`` names two different entries (it never should: the dictionary
    is checked for this in the tests).
    """
    lookup = _dictionary_lookup()
    entries = metabolite_dictionary()
    for key in _query_keys(query):
        ids = lookup.get(key)
        if ids:
            if len(ids) > 1:
                raise FluxasnInputError(
                    f"names {len(ids)} metabolites of the dictionary: {', '.join(ids)}",
                    identifier=query,
                )
            return entries[ids[0]]
    return None


def exchange_sign(reaction: cobra.Reaction) -> int:
    """+1 if positive flux of a boundary reaction imports its metabolite, else -1.

    ``met <=>`` (the usual form) imports with negative flux: returns -1.
    """
    coefficient = next(iter(reaction.metabolites.values()))
    return 1 if coefficient > 0 else -1


@dataclass
class Match:
    """The exchange reaction(s) a query resolved to."""

    query: str
    exchanges: Tuple[str, ...] = ()
    method: str = ""
    entry: Optional[MetaboliteEntry] = None
    evidence: str = ""
    #: Other exchanges of the same metabolite, set aside by the caller (duplicates).
    duplicates: Tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return len(self.exchanges) == 1

    @property
    def ambiguous(self) -> bool:
        return len(self.exchanges) > 1

    @property
    def exchange(self) -> str:
        if not self.found:
            raise LookupError(f"{self.query!r} matched {len(self.exchanges)} exchanges")
        return self.exchanges[0]


@dataclass
class _ExchangeKeys:
    reaction_id: str
    metabolite_id: str
    bigg: set = field(default_factory=set)
    xrefs: Dict[str, set] = field(default_factory=dict)
    name: str = ""
    names: set = field(default_factory=set)
    base: str = ""
    stem: str = ""


_SEPARATORS = "_[(-.@"
#: Share of a compartment's ids (or names) that must carry an affix for it to count as shared.
AFFIX_SHARE = 0.5


def shared_affixes(texts: Sequence[str], *, separators: str = _SEPARATORS,
                   prefixes: bool = True) -> Tuple[str, str]:
    """The (prefix, suffix) shared by most of ``texts`` (``""`` where none is).

    Parameters
    ----------
    texts
        Metabolite ids (or names) of one compartment.
    separators
        Characters that start a suffix or end a prefix (ids: ``_[(-.@``).
    prefixes
        Also look for a shared prefix (names: no, ``L-`` is chemistry).

    Notes
    -----
    A suffix runs from the last separator to the end
    (``_ext`` in ``C00001_ext``), a prefix from the start to the first separator
    (``M_`` in ``M_glc__D_e``). It is shared when at least :data:`AFFIX_SHARE`
    of the texts, and at least 3, carry it and it leaves a non-empty stem.
    """
    texts = [t for t in texts if t]
    if len(texts) < 3:
        return "", ""
    suffix_counts: Dict[str, int] = {}
    prefix_counts: Dict[str, int] = {}
    for text in texts:
        cut = max(text.rfind(c) for c in separators)
        if cut > 0:
            suffix_counts[text[cut:]] = suffix_counts.get(text[cut:], 0) + 1
        firsts = [text.find(c) for c in separators if 0 < text.find(c) < len(text) - 1]
        if firsts and prefixes:
            prefix = text[: min(firsts) + 1]
            prefix_counts[prefix] = prefix_counts.get(prefix, 0) + 1

    def best(counts):
        if not counts:
            return ""
        value, n = max(counts.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))
        return value if n >= max(3, AFFIX_SHARE * len(texts)) else ""

    return best(prefix_counts), best(suffix_counts)


def _strip_tag(text: str, compartment: str) -> str:
    """``text`` without a trailing compartment tag (``_c``, ``[c]``, ``(c)``) of ``compartment``."""
    if compartment:
        for suffix in (f"_{compartment}", f"[{compartment}]", f"({compartment})"):
            if text.endswith(suffix) and len(text) > len(suffix):
                return text[: -len(suffix)]
    return text


def _strip_affixes(text: str, prefix: str, suffix: str) -> str:
    if suffix and text.endswith(suffix) and len(text) > len(suffix):
        text = text[: -len(suffix)]
    if prefix and text.startswith(prefix) and len(text) > len(prefix):
        text = text[len(prefix):]
    return text


def _stem_xrefs(stem: str) -> Dict[str, set]:
    """Database ids a stem has the form of (KEGG ``C00001``, ``MNXM...``, ``HMDB...``, ``CHEBI:...``)."""
    upper = stem.upper()
    if re.fullmatch(r"C\d{5}", upper):
        return {"kegg": {upper}}
    if re.fullmatch(r"MNXM\d+", upper):
        return {"metanetx": {upper}}
    if re.fullmatch(r"HMDB\d+", upper):
        return {"hmdb": {normalize_xref("hmdb", upper)}}
    if re.fullmatch(r"CHEBI[:_]?\d+", upper):
        return {"chebi": {re.sub(r"\D", "", upper)}}
    return {}


def _compartment_name_pattern(compartment: str, name: str) -> Optional[re.Pattern]:
    """A trailing mention of the extracellular compartment in a metabolite name."""
    words = [re.escape(w) for w in (name.strip(),) if len(w.strip()) > 1]
    bracketed = [re.escape(compartment)] if compartment else []
    parts = []
    if words:
        parts.append(r"[\s_\-]*[\[(]?(?:" + "|".join(words) + r")[\])]?")
    if bracketed:
        parts.append(r"\s*(?:\[|\(|_)(?:" + "|".join(bracketed) + r")[\])]?")
    return re.compile("(?:" + "|".join(parts) + r")$", re.IGNORECASE) if parts else None


class ExchangeIndex:
    """Index of a model's exchange reactions by metabolite identity.

    Parameters
    ----------
    model
        Any cobra model.
    reactions
        The exchange reactions to index; default ``model.exchanges``.
    """

    def __init__(self, model: cobra.Model, reactions: Optional[Iterable[cobra.Reaction]] = None):
        from fluxasn.core.compartments import find_compartments

        self.model = model
        self.reactions = list(model.exchanges if reactions is None else reactions)
        self._keys: List[_ExchangeKeys] = []
        self.by_reaction: Dict[str, _ExchangeKeys] = {}
        self.by_metabolite: Dict[str, List[str]] = {}
        mets = {next(iter(r.metabolites)) for r in self.reactions if len(r.metabolites) == 1}
        self.extracellular = find_compartments(model).extracellular
        affixes: Dict[str, Tuple[Tuple[str, str], Tuple[str, str]]] = {}
        for compartment in {m.compartment for m in mets}:
            members = [m for m in model.metabolites if m.compartment == compartment]
            affixes[compartment] = (
                shared_affixes([_strip_tag(m.id, compartment) for m in members]),
                shared_affixes([str(m.name or "") for m in members], separators="_[(", prefixes=False),
            )
        ext_name = str(dict(model.compartments).get(self.extracellular, "") or "") if self.extracellular else ""
        pattern = _compartment_name_pattern(self.extracellular or "", ext_name)
        for reaction in self.reactions:
            if len(reaction.metabolites) != 1:
                continue
            met = next(iter(reaction.metabolites))
            keys = _ExchangeKeys(reaction.id, met.id)
            (id_prefix, id_suffix), (name_prefix, name_suffix) = affixes[met.compartment]
            base = _strip_tag(met.id, met.compartment)
            keys.bigg.add(base)
            keys.base = base
            keys.stem = _strip_affixes(base, id_prefix, id_suffix)
            keys.bigg.add(keys.stem)
            for database, values in _stem_xrefs(keys.stem).items():
                keys.xrefs.setdefault(database, set()).update(values)
            for key, value in met.annotation.items():
                database = _ANNOTATION_KEYS.get(str(key).lower())
                if database is None:
                    continue
                normalized = {normalize_xref(database, v) for v in annotation_values(value)} - {None}
                if database == "bigg":
                    keys.bigg |= normalized
                else:
                    keys.xrefs.setdefault(database, set()).update(normalized)
            name = str(met.name or "")
            keys.name = normalize_name(name, met.formula)
            keys.names = {keys.name}
            stripped = _strip_affixes(name, name_prefix, name_suffix)
            if pattern is not None and met.compartment == self.extracellular:
                stripped = pattern.sub("", stripped).strip() or stripped
            keys.names.add(normalize_name(stripped, met.formula))
            keys.names.discard("")
            self._keys.append(keys)
            self.by_reaction[reaction.id] = keys
            self.by_metabolite.setdefault(met.id, []).append(reaction.id)

    # -- matching -------------------------------------------------------------

    def match_entry(self, entry: MetaboliteEntry) -> Match:
        """Exchange(s) of a dictionary entry (see the module notes for the order)."""
        for bigg in entry.bigg or (entry.id,):
            hits = tuple(k.reaction_id for k in self._keys if bigg in k.bigg)
            if hits:
                return Match(entry.id, hits, "bigg", entry, f"BiGG id {bigg}")
        wanted = {db: entry.xrefs(db) for db in XREF_DATABASES}
        scores = {}
        for keys in self._keys:
            shared = [db for db in XREF_DATABASES if wanted[db] & keys.xrefs.get(db, set())]
            if shared:
                scores[keys.reaction_id] = shared
        if scores:
            best = max(len(v) for v in scores.values())
            hits = tuple(r for r, v in scores.items() if len(v) == best)
            evidence = "; ".join(f"{r}: {', '.join(scores[r])}" for r in hits)
            return Match(entry.id, hits, "xref", entry, evidence)
        return self._match_names(entry.id, entry.names, entry)

    def _match_names(self, query, names: Sequence[str], entry=None) -> Match:
        for name in names:
            key = normalize_name(name)
            if not key:
                continue
            hits = tuple(k.reaction_id for k in self._keys if key in k.names)
            if hits:
                return Match(query, hits, "name", entry, f"name {name!r}")
        return Match(query, (), "", entry, "no exchange matched")

    def match(self, query: str) -> Match:
        """Resolve a user's query to exchange reaction(s).

        In order: an exchange reaction id of the model, an exchange metabolite
        id of the model, an entry of the bundled dictionary (name, synonym,
        BiGG id, ``CHEBI:...``, KEGG ``C.....``, ``MNXM...``, ``HMDB...``), then a
        plain name compared with the exchange metabolites' names.
        """
        text = str(query).strip()
        if text in self.by_reaction:
            return Match(text, (text,), "reaction id", None, "exchange reaction id")
        if text in self.by_metabolite:
            return Match(text, tuple(self.by_metabolite[text]), "metabolite id", None, "metabolite id")
        entry = lookup_entry(text)
        if entry is not None:
            found = self.match_entry(entry)
            found.query = text
            return found
        return self._match_names(text, [text])

    def match_many(self, queries: Iterable[str]) -> Dict[str, Match]:
        return {q: self.match(q) for q in queries}

    def same_metabolite(self, exchanges: Sequence[str]) -> bool:
        """True when ``exchanges`` all carry one metabolite.

        One metabolite: the same model metabolite, or metabolites of one id
        once the compartment tag is dropped (``lnlc_e`` and ``lnlc[e]``).
        """
        keys = [self.by_reaction[e] for e in exchanges if e in self.by_reaction]
        if len(keys) != len(exchanges) or not keys:
            return False
        return len({k.metabolite_id for k in keys}) == 1 or len({k.base for k in keys}) == 1


@functools.lru_cache(maxsize=1)
def _reverse_lookups():
    bigg: Dict[str, str] = {}
    xref: Dict[Tuple[str, str], List[str]] = {}
    names: Dict[str, List[str]] = {}
    for entry in metabolite_dictionary().values():
        for value in entry.bigg or (entry.id,):
            bigg.setdefault(value, entry.id)
        for database in XREF_DATABASES:
            for value in entry.xrefs(database):
                xref.setdefault((database, value), []).append(entry.id)
        for name in entry.names:
            ids = names.setdefault(normalize_name(name), [])
            if entry.id not in ids:
                ids.append(entry.id)
    return bigg, xref, names


def _base_id(met: cobra.Metabolite) -> str:
    base = met.id[2:] if met.id.startswith("M_") else met.id
    for suffix in (f"_{met.compartment}", f"[{met.compartment}]", f"({met.compartment})"):
        if met.compartment and base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def identify_metabolite(met: cobra.Metabolite) -> Optional[str]:
    """The dictionary id of a model metabolite (any compartment), or ``None``.

    Same tiers as :meth:`ExchangeIndex.match_entry`, from the model's side: BiGG
    id (annotation or id without compartment suffix), then the dictionary entry
    sharing the most cross-reference databases (a tie gives ``None``), then the
    normalised name.
    """
    bigg, xref, names = _reverse_lookups()
    candidates = [_base_id(met)]
    for key, value in met.annotation.items():
        if _ANNOTATION_KEYS.get(str(key).lower()) == "bigg":
            candidates.extend(normalize_xref("bigg", v) for v in annotation_values(value))
    for candidate in candidates:
        if candidate in bigg:
            return bigg[candidate]
    scores: Dict[str, set] = {}
    for key, value in met.annotation.items():
        database = _ANNOTATION_KEYS.get(str(key).lower())
        if database in (None, "bigg"):
            continue
        for v in annotation_values(value):
            normalized = normalize_xref(database, v)
            for entry_id in xref.get((database, normalized), ()):
                scores.setdefault(entry_id, set()).add(database)
    if scores:
        best = max(len(v) for v in scores.values())
        top = [k for k, v in scores.items() if len(v) == best]
        return top[0] if len(top) == 1 else None
    ids = names.get(normalize_name(met.name or "", met.formula), [])
    return ids[0] if len(ids) == 1 else None


__all__ += ["identify_metabolite"]
