"""Enzyme costs as data: turnover numbers, molecular weights and the protein pool, with sources.

The capacity layer (:mod:`fluxasn.analysis.capacity`) limits the total enzyme
mass a cell can spend on the model's reactions (GECKO's and sMOMENT's protein
pool). Each reaction ``j`` costs

    cost_j = MW_j / (kcat_j x 3600 x sigma)    [g enzyme / gDW per mmol/gDW/h]

per unit of flux in a direction, with ``MW_j`` in kDa (= g/mmol), ``kcat_j``
in 1/s and ``sigma`` the average saturation. A reversible reaction may have
another kcat for its reverse direction (default: the same). This module reads
and validates the tables that hold these numbers and resolves them on a model:

* the bundled table of the core model (``data/enzymes/core_enzyme_costs.tsv``,
  one row per reaction, each number with its source and rule);
* for any other model, turnover numbers by EC number
  (``data/enzymes/kcat_by_ec.tsv.gz``, BRENDA 2026.1) and molecular weights by
  gene (``data/enzymes/enzyme_mw.tsv.gz``, ecHumanGEM): a reaction's enzyme
  follows its gene rule as in sMOMENT (a complex ``A and B`` weighs the sum of
  its subunits, of isozymes ``A or B`` the cheapest counts);
* a user's table (CSV/TSV with the columns :data:`ENZYME_TABLE_COLUMNS`),
  checked row by row: every error names the file, the line and the reaction.

The pool parameters (protein content, enzyme mass fraction, saturation) come
from ``data/enzymes/pool_parameters.tsv`` with their sources
(:func:`pool_parameters`). Units are explicit in every column name.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple, Union

import cobra
import pandas as pd

from fluxasn.core.paths import bundled_data_path
from fluxasn.exceptions import FluxasnInputError
from fluxasn.io.tables import read_table
from fluxasn.views import ResultView

__all__ = [
    "ENZYME_TABLE_COLUMNS",
    "SECONDS_PER_HOUR",
    "EnzymeCosts",
    "PoolParameters",
    "enzyme_costs",
    "pool_parameters",
    "read_enzyme_table",
]

#: Columns a user's enzyme table must have (``kcat_reverse_per_s``, ``source`` are optional).
ENZYME_TABLE_COLUMNS = ("reaction", "kcat_per_s", "mw_kda")

SECONDS_PER_HOUR = 3600.0

_COST_COLUMNS = ("reaction", "kcat_per_s", "kcat_reverse_per_s", "mw_kda", "saturation", "cost_forward",
                 "cost_reverse", "kcat_rule", "source")


# --- the pool parameters --------------------------------------------------------------------


@dataclass(frozen=True)
class PoolParameters:
    """The protein-pool parameters and where each comes from.

    Attributes
    ----------
    protein_content
        Total protein per dry mass (g protein / gDW).
    enzyme_fraction
        Mass fraction of total protein that the model's enzymes may take.
    saturation
        Average saturation of the enzymes (sigma, 0..1).
    sources
        Parameter name -> source (citation or file).
    """

    protein_content: float
    enzyme_fraction: float
    saturation: float
    sources: Mapping[str, str]

    @property
    def pool(self) -> float:
        """The enzyme pool: protein content x enzyme fraction (g / gDW)."""
        return self.protein_content * self.enzyme_fraction


def pool_parameters(path: Optional[Union[str, os.PathLike]] = None) -> PoolParameters:
    """The protein-pool parameters (default: the bundled ``data/enzymes/pool_parameters.tsv``).

    Raises
    ------
    FluxasnInputError
        A missing parameter, a value that is not a number in its range (named
        with file and line).
    """
    path = bundled_data_path("enzymes", "pool_parameters.tsv") if path is None else path
    table = read_table(path, columns=("parameter", "value", "unit", "source"), require_rows=True)
    frame = table.frame
    for column in ("parameter", "value", "source"):
        if column not in frame.columns:
            raise FluxasnInputError(f"missing column {column!r}", source=table.source, line=table.header_line,
                                    identifier=column)
    values: Dict[str, float] = {}
    sources: Dict[str, str] = {}
    for line, name, value, source in zip(table.lines, frame["parameter"], frame["value"], frame["source"]):
        number = _number(value, source=table.source, line=line, identifier=name)
        values[name.strip()] = number
        sources[name.strip()] = source.strip()
    limits = {"protein_content": (0.0, 1.0), "enzyme_fraction": (0.0, 1.0), "saturation": (0.0, 1.0)}
    for name, (low, high) in limits.items():
        if name not in values:
            raise FluxasnInputError(f"parameter {name!r} is missing; expected " + ", ".join(limits),
                                    source=table.source, identifier=name)
        if not low < values[name] <= high:
            raise FluxasnInputError(f"{name} must lie in ({low}, {high}], got {values[name]}",
                                    source=table.source, identifier=name)
    return PoolParameters(values["protein_content"], values["enzyme_fraction"], values["saturation"], sources)


# --- costs on a model ------------------------------------------------------------------------


@dataclass(repr=False)
class EnzymeCosts(ResultView):
    """The enzyme cost of each reaction of one model.

    Attributes
    ----------
    table
        One row per costed reaction: ``reaction``, ``kcat_per_s``,
        ``kcat_reverse_per_s``, ``mw_kda``, ``saturation``, ``cost_forward`` and
        ``cost_reverse`` (g enzyme / gDW per mmol/gDW/h), ``kcat_rule`` and
        ``source``.
    source
        Where the numbers came from.
    uncosted
        Reactions with a gene rule that got no cost, with the reason.
    """

    table: pd.DataFrame
    source: str
    uncosted: Dict[str, str]

    def __len__(self) -> int:
        return len(self.table)

    def costs(self) -> Dict[str, Tuple[float, float]]:
        """Reaction id -> (forward cost, reverse cost)."""
        return {r.reaction: (float(r.cost_forward), float(r.cost_reverse))
                for r in self.table.itertuples(index=False)}

    def coverage(self) -> pd.DataFrame:
        """How many reactions each kcat rule costed (and how many got no cost)."""
        counts = self.table["kcat_rule"].value_counts().rename_axis("kcat_rule").reset_index(name="reactions")
        if self.uncosted:
            counts.loc[len(counts)] = ("no cost (gene rule but no number)", len(self.uncosted))
        return counts

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _title(self) -> str:
        return (f"enzyme costs of {len(self.table)} reactions from {self.source}"
                f" ({len(self.uncosted)} with a gene rule but no cost)")

    def _display(self) -> pd.DataFrame:
        return self.coverage()


def _number(text, *, source, line, identifier, column: str = "value") -> float:
    raw = str(text).strip()
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if raw == "" or not math.isfinite(value):
        what = "missing" if raw in ("", "nan", "NaN") else f"{raw!r} is not a number"
        raise FluxasnInputError(f"column {column!r}: {what}; expected a finite number", source=source, line=line,
                                identifier=identifier)
    return value


def read_enzyme_table(
    source: Union[str, os.PathLike, pd.DataFrame],
    *,
    model: Optional[cobra.Model] = None,
) -> pd.DataFrame:
    """Read and check an enzyme table: one row per reaction with kcat (1/s) and MW (kDa).

    Parameters
    ----------
    source
        A CSV/TSV file (lines starting with ``#`` are comments) or a
        DataFrame with the columns :data:`ENZYME_TABLE_COLUMNS`; optional
        columns ``kcat_reverse_per_s`` (the reverse direction's kcat; default
        ``kcat_per_s``), ``kcat_rule`` and ``source``.
    model
        If given, every reaction must be one of its reactions.

    Returns
    -------
    pandas.DataFrame
        ``reaction``, ``kcat_per_s``, ``kcat_reverse_per_s``, ``mw_kda``,
        ``kcat_rule``, ``source`` and ``line`` (the file line of each row).

    Raises
    ------
    FluxasnInputError
        Naming the file, the line and the reaction: a missing column, a
        missing, zero, negative or non-numeric kcat or MW, an unknown
        reaction, a duplicate row.
    """
    if isinstance(source, pd.DataFrame):
        frame = source.astype(str)
        name = "DataFrame"
        lines = [i + 2 for i in range(len(frame))]
        header_line = 1
    else:
        table = read_table(source, columns=ENZYME_TABLE_COLUMNS, require_rows=True)
        frame, lines, header_line, name = table.frame, table.lines, table.header_line, table.source
    missing = [c for c in ENZYME_TABLE_COLUMNS if c not in frame.columns]
    if missing:
        raise FluxasnInputError("missing column(s) " + ", ".join(missing) + "; expected "
                                + ", ".join(ENZYME_TABLE_COLUMNS), source=name, line=header_line,
                                identifier=missing[0])
    rows = []
    seen: Dict[str, int] = {}
    for position, line in enumerate(lines):
        record = frame.iloc[position]
        reaction = str(record["reaction"]).strip()
        if not reaction:
            raise FluxasnInputError("empty reaction id", source=name, line=line, identifier="reaction")
        if reaction in seen:
            raise FluxasnInputError(f"duplicate row: reaction also on line {seen[reaction]}", source=name, line=line,
                                    identifier=reaction)
        seen[reaction] = line
        if model is not None and reaction not in model.reactions:
            raise FluxasnInputError(f"unknown reaction: not in model {model.id!r}", source=name, line=line,
                                    identifier=reaction)
        values = {}
        for column in ("kcat_per_s", "mw_kda", "kcat_reverse_per_s"):
            if column == "kcat_reverse_per_s" and (column not in frame.columns
                                                   or str(record[column]).strip() in ("", "nan")):
                values[column] = values["kcat_per_s"]
                continue
            value = _number(record[column], source=name, line=line, identifier=reaction, column=column)
            if value <= 0:
                raise FluxasnInputError(f"column {column!r}: {value:g} must be > 0", source=name, line=line,
                                        identifier=reaction)
            values[column] = value
        rows.append({
            "reaction": reaction, **values,
            "kcat_rule": str(record["kcat_rule"]).strip() if "kcat_rule" in frame.columns else "table",
            "source": str(record["source"]).strip() if "source" in frame.columns else name,
            "line": line,
        })
    return pd.DataFrame(rows, columns=["reaction", "kcat_per_s", "kcat_reverse_per_s", "mw_kda", "kcat_rule",
                                       "source", "line"])


def _costed(table: pd.DataFrame, saturation: float) -> pd.DataFrame:
    out = table.copy()
    out["saturation"] = saturation
    out["cost_forward"] = out["mw_kda"] / (out["kcat_per_s"] * SECONDS_PER_HOUR * saturation)
    out["cost_reverse"] = out["mw_kda"] / (out["kcat_reverse_per_s"] * SECONDS_PER_HOUR * saturation)
    return out[list(_COST_COLUMNS)].reset_index(drop=True)


def _core_table() -> pd.DataFrame:
    path = bundled_data_path("enzymes", "core_enzyme_costs.tsv")
    table = read_table(path, columns=("reaction", "kcat_per_s", "mw_kda"), require_rows=True)
    frame = table.frame.copy()
    frame["source"] = [f"{k}; MW {m}" for k, m in zip(frame["kcat_source"], frame["mw_source"])]
    return read_enzyme_table(frame[["reaction", "kcat_per_s", "kcat_reverse_per_s", "mw_kda", "kcat_rule",
                                    "source"]])


def _is_core(model: cobra.Model) -> bool:
    from fluxasn.core.coremodel import BIOMASS_REACTION

    return BIOMASS_REACTION in model.reactions


def enzyme_costs(
    model: cobra.Model,
    table: Optional[Union[str, os.PathLike, pd.DataFrame]] = None,
    *,
    saturation: Optional[float] = None,
) -> EnzymeCosts:
    """The enzyme cost of each reaction of ``model``.

    Parameters
    ----------
    model
        Any cobra model (not changed).
    table
        A user's enzyme table (:func:`read_enzyme_table`). Default: the bundled
        core-model table when ``model`` is the core model, otherwise
        turnover numbers by EC number and molecular weights by gene
        (module docstring); the coverage says how many reactions each rule
        costed.
    saturation
        Average enzyme saturation sigma (default: :func:`pool_parameters`).

    Returns
    -------
    EnzymeCosts

    Raises
    ------
    FluxasnInputError
        A bad table (named file, line and reaction) or a saturation outside (0, 1].
    """
    sigma = pool_parameters().saturation if saturation is None else float(saturation)
    if not 0.0 < sigma <= 1.0:
        raise FluxasnInputError(f"saturation must lie in (0, 1], got {saturation!r}", identifier="saturation")
    if table is not None:
        frame = read_enzyme_table(table, model=model)
        source = "DataFrame" if isinstance(table, pd.DataFrame) else str(table)
        uncosted = {}
    elif _is_core(model):
        frame = _core_table()
        frame = frame[frame["reaction"].isin([r.id for r in model.reactions])]
        source = "bundled core-model table (data/enzymes/core_enzyme_costs.tsv)"
        uncosted = {r.id: "not in the core-model table" for r in model.reactions
                    if r.genes and r.id not in set(frame["reaction"])}
    else:
        frame, uncosted = _match_by_gene_and_ec(model)
        source = "BRENDA 2026.1 kcat by EC number and ecHumanGEM MW by gene (data/enzymes)"
    return EnzymeCosts(_costed(frame, sigma), source, uncosted)


# --- genome-scale models: matching by gene and EC number -----------------------------------


def _kcat_table() -> pd.DataFrame:
    return pd.read_csv(bundled_data_path("enzymes", "kcat_by_ec.tsv.gz"), sep="\t", dtype=str,
                       keep_default_na=False, comment="#")


def _mw_table() -> pd.DataFrame:
    return pd.read_csv(bundled_data_path("enzymes", "enzyme_mw.tsv.gz"), sep="\t", dtype=str,
                       keep_default_na=False, comment="#")


def _humangem_ec() -> Dict[str, List[str]]:
    table = pd.read_csv(bundled_data_path("enzymes", "humangem_ec.tsv.gz"), sep="\t", dtype=str,
                        keep_default_na=False, comment="#")
    return {r: _split_ec(e) for r, e in zip(table["reaction"], table["ec"])}


def _split_ec(text) -> List[str]:
    out = []
    for value in str(text).replace(",", ";").split(";"):
        value = value.strip()
        if value.upper().startswith("EC:"):
            value = value[3:]
        if value:
            out.append(value)
    return out


def _ec_numbers(reaction: cobra.Reaction, humangem: Mapping[str, List[str]]) -> List[str]:
    """The reaction's EC numbers: its annotation, else Human-GEM's for its id or its metatlas annotation."""
    values = reaction.annotation.get("ec-code", reaction.annotation.get("ec", []))
    values = [values] if isinstance(values, str) else list(values)
    out = [ec for value in values for ec in _split_ec(value)]
    if out:
        return out
    keys = [reaction.id]
    atlas = reaction.annotation.get("metatlas", [])
    keys.extend([atlas] if isinstance(atlas, str) else list(atlas))
    for key in keys:
        if key in humangem:
            return list(humangem[key])
    return []


def _gene_weights(model: cobra.Model, mw: pd.DataFrame) -> Dict[str, float]:
    """Model gene id -> MW (kDa), matched by Ensembl id, then by symbol, then by UniProt."""
    by_ensembl = dict(zip(mw["ensembl"], mw["mw_kda"].astype(float)))
    by_symbol = {s.upper(): float(w) for s, w in zip(mw["symbol"], mw["mw_kda"]) if s}
    by_uniprot = dict(zip(mw["uniprot"], mw["mw_kda"].astype(float)))
    out = {}
    for gene in model.genes:
        keys = [gene.id.split(".")[0], gene.name or ""]
        for value in gene.annotation.values():
            keys.extend([value] if isinstance(value, str) else list(value))
        for key in keys:
            key = str(key)
            if key in by_ensembl:
                out[gene.id] = by_ensembl[key]
                break
            if key.upper() in by_symbol:
                out[gene.id] = by_symbol[key.upper()]
                break
            if key in by_uniprot:
                out[gene.id] = by_uniprot[key]
                break
    return out


def _rule_weight(node, weights: Mapping[str, float]) -> Optional[float]:
    """MW of a gene rule as sMOMENT weighs it: and = sum of subunits, or = the lightest (None if unknown)."""
    import ast

    if isinstance(node, ast.Name):
        return weights.get(node.id)
    if isinstance(node, ast.BoolOp):
        parts = [_rule_weight(v, weights) for v in node.values]
        if isinstance(node.op, ast.And):
            return None if any(p is None for p in parts) else sum(parts)
        known = [p for p in parts if p is not None]
        return min(known) if known else None
    if isinstance(node, ast.Expression):
        return _rule_weight(node.body, weights)
    return None


#: Preference among the kcat rules of ``kcat_by_ec.tsv.gz`` (lower first).
_KCAT_PREFERENCE = {"human": 0, "mammal": 1, "any organism": 2}


def _match_by_gene_and_ec(model: cobra.Model) -> Tuple[pd.DataFrame, Dict[str, str]]:
    """Costs of a model's gene-associated reactions by the rules of the bundled core table.

    kcat: over the reaction's complete EC numbers (its annotation, else
    Human-GEM's by id or metatlas annotation), a human value before a mammal
    median before an all-organism median, the largest within that class; a
    reaction with a gene rule and no EC value gets the median human kcat.
    MW: the gene rule as sMOMENT weighs it (and = sum, or = lightest), a gene
    without an ecHumanGEM weight counted at the median ecHumanGEM weight.
    """
    kcat = _kcat_table()
    by_ec = {r.ec: r for r in kcat.itertuples(index=False)}
    human = kcat.loc[kcat["rule"] == "human", "kcat_per_s"].astype(float)
    median_kcat = float(human.median())
    mw = _mw_table()
    median_mw = float(mw["mw_kda"].astype(float).median())
    weights = _gene_weights(model, mw)
    humangem = _humangem_ec()
    rows, uncosted = [], {}
    for reaction in model.reactions:
        if not reaction.genes or reaction.boundary or reaction.gpr.body is None:
            continue
        unknown = [g.id for g in reaction.genes if g.id not in weights]
        weight = _rule_weight(reaction.gpr.body, {g.id: weights.get(g.id, median_mw) for g in reaction.genes})
        if weight is None:
            uncosted[reaction.id] = "gene rule could not be weighed"
            continue
        hits = [by_ec[ec] for ec in _ec_numbers(reaction, humangem) if ec in by_ec]
        if hits:
            rank = min(_KCAT_PREFERENCE.get(h.rule, 3) for h in hits)
            best = max((h for h in hits if _KCAT_PREFERENCE.get(h.rule, 3) == rank),
                       key=lambda h: float(h.kcat_per_s))
            value, rule = float(best.kcat_per_s), best.rule
            source = f"BRENDA 2026.1 EC {best.ec} {best.organism}"
        else:
            value, rule, source = median_kcat, "median human kcat (no EC value)", "BRENDA 2026.1 human median"
        mw_note = f" ({len(unknown)} gene(s) at the median MW {median_mw:.4g} kDa)" if unknown else ""
        rows.append({"reaction": reaction.id, "kcat_per_s": value, "kcat_reverse_per_s": value, "mw_kda": weight,
                     "kcat_rule": f"{rule}; reverse = forward",
                     "source": f"{source}; MW ecHumanGEM by gene rule{mw_note}"})
    frame = pd.DataFrame(rows, columns=["reaction", "kcat_per_s", "kcat_reverse_per_s", "mw_kda", "kcat_rule",
                                        "source"])
    return frame, uncosted
