#!/usr/bin/env python
"""Regenerate the enzyme-parameter tables in data/enzymes/ from the shared reference data.

Usage: python scripts/build_enzyme_tables.py
Reads the reference data from $FLUXASN_SHARED (default: ../shared next to the
repository) and the core model tables from models/fluxasn_core/, and writes

* data/enzymes/kcat_by_ec.tsv.gz        one turnover number per EC number (BRENDA 2026.1)
* data/enzymes/enzyme_mw.tsv.gz         ecHumanGEM enzyme molecular weights by gene
* data/enzymes/core_enzyme_costs.tsv    kcat and MW of each enzyme reaction of the core model
* data/enzymes/pool_parameters.tsv      protein content, enzyme mass fraction, saturation
* data/enzymes/README.md                what each file holds, its rules, counts and licences

The output is deterministic (no timestamps; gzip without name or mtime): a
second run gives byte-identical files. Only pandas, numpy and scipy are used
(fluxasn/core/enzymes.py reads the files; see its docstring for the formulas).
"""
from __future__ import annotations

import ast
import gzip
import io
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
import scipy.io

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FLUXASN_SHARED", REPO.parent / "shared")).resolve()
OUT = REPO / "data" / "enzymes"
CORE = REPO / "models" / "fluxasn_core"

# --- sources and their provenance --------------------------------------------------------------

BRENDA_DIR = SHARED / "enzymes" / "gecko_brenda_2026.1"
KCAT_FILE = BRENDA_DIR / "max_kcat.tsv.gz"
ECHUMAN_FILE = SHARED / "enzymes" / "ecHumanGEM" / "ecHumanGEM.mat"
HG_GENES_FILE = SHARED / "models" / "human-gem" / "genes.tsv"
HG_JSON_FILE = SHARED / "models" / "human-gem" / "Human-GEM_1.19.0.json.gz"
HG_MAT_FILE = SHARED / "models" / "human-gem" / "Human-GEM.mat"

BRENDA_RELEASE = "BRENDA 2026.1"
GECKO_COMMIT = "46c8a9a1725bb76bedd2e0771f0535b244a65716"
ECMODELS_COMMIT = "d0e2ebf0c440e81f777b069fd52af037e006ea3d"
ECMODELS_SHORT = ECMODELS_COMMIT[:7]
# the Human-GEM.mat commit as recorded in shared/bio/biomass/biomass_summary.md
HUMAN_GEM_MAT_COMMIT = "022ed5c2c971e27f739e149c4bbe1328de38337f"
GECKO_HUMAN_ADAPTER_COMMIT = "0e37b9d620c7196cf4917df36f547e562e383562"
ECHUMAN_PARAMS_COMMIT = "a3497ee0bb073dbbcea595bb7d2f824224358079"

PROV_BRENDA = (f"{BRENDA_RELEASE} snapshot 'max_kcat.tsv.gz' (header: 'BRENDA release 2026.1 generated 2026-05-18 - "
               f"CC BY 4.0 - kcat in 1/s') from GitHub SysBioChalmers/GECKO commit {GECKO_COMMIT} "
               "(branch feat/geckopy-compat; repository code MIT)")
CITE_BRENDA = "cite BRENDA: Chang A et al. (2021) Nucleic Acids Res 49:D498"
PROV_ECHUMAN = (f"ecHumanGEM.mat (ecHumanGEM_v1.5.0) from GitHub SysBioChalmers/ecModels commit {ECMODELS_COMMIT} "
                "(file last changed in a2cf0d3); fields enzymes (UniProt), MWs (kDa), enzGenes (Ensembl)")
PROV_HG = ("Human-GEM 1.19.0 (GitHub SysBioChalmers/Human-GEM): model/genes.tsv, Human-GEM_1.19.0.json.gz (gene rules) "
           f"and model/Human-GEM.mat (field eccodes; commit {HUMAN_GEM_MAT_COMMIT[:7]})")

#: Mammals other than Homo sapiens, as BRENDA 2026.1 spells them. Every name found in max_kcat.tsv.gz
#: by a search over the mammalian genera (checked by hand, 2026-06); the names marked "absent" are
#: listed for completeness (the brief's list) and occur in no row. "mammalia" is BRENDA's entry for
#: unspecified mammals.
MAMMALS = frozenset({
    "rattus norvegicus", "rattus sp.", "mus musculus", "sus scrofa", "sus scrofa domesticus", "bos taurus",
    "bubalus bubalis", "oryctolagus cuniculus", "mesocricetus auratus", "cricetulus griseus", "cricetulus sp.",
    "equus caballus", "equus asinus", "canis lupus familiaris", "cavia porcellus", "ovis aries", "ovis aries aries",
    "capra hircus", "capra capra", "camelus dromedarius", "camelus bactrianus", "felis catus",
    "macaca fuscata", "macaca fuscata fuscata", "macaca fascicularis", "saimiri sciureus", "saimiri boliviensis",
    "callithrix jacchus", "microcebus murinus", "physeter macrocephalus", "urocitellus richardsonii",
    "cervus canadensis sibiricus", "alces alces alces", "monodelphis domestica", "ornithorhynchus anatinus",
    "mammalia",
    # absent from max_kcat.tsv.gz (BRENDA 2026.1), kept so that a refresh picks them up:
    "macaca mulatta", "chlorocebus sabaeus", "pan troglodytes",
})
HUMAN = "homo sapiens"

# kcat rule classes in order of preference, and their texts in the tables
RULE_HUMAN, RULE_MAMMAL, RULE_ANY = "human", "mammal", "any organism"
RULE_CLASS = "EC class median"
RULE_ALL = "median human kcat (no EC value)"
REVERSE_NOTE = "; reverse = forward"

#: EC numbers by reaction where the annotation is not the reaction's own activity, chosen by hand
#: (reaction -> (EC to use, or None for "no EC", reason)). Everything else follows the general rule.
MAIN_EC: Dict[str, Tuple[Optional[str], str]] = {
    "GLUNm": ("3.5.1.2", "glutaminase (GLS, GLS2); the other 8 EC numbers of the list are other "
                         "glutamine-using enzymes"),
    "DUTPDP": ("3.6.1.23", "dUTP diphosphatase (DUT); 3.6.1.9 is nucleotide diphosphatase (ENPP), another enzyme"),
    "ATPS4mi": ("3.6.3.14", "F1Fo-ATP synthase (now EC 7.1.2.2); the other 11 EC numbers of the Human-GEM list "
                            "(apyrase 3.6.1.5, helicases 3.6.4.x, ...) are other ATPases"),
    "KAS8": ("2.3.1.85", "fatty-acid synthase, the lumped palmitate reaction; 2.3.1.41 is one partial activity"),
    "DHORD9": ("1.3.5.2", "dihydroorotate dehydrogenase (quinone), DHODH; the core table and Human-GEM give no EC"),
    "ATPtm": (None, "ADP/ATP carrier (SLC25A4-6); the annotated 2.7.4.6 is nucleoside-diphosphate kinase"),
    "CITtam": (None, "citrate carrier SLC25A1; Human-GEM's 4.2.1.56 (itaconyl-CoA hydratase) is no transport "
                     "activity"),
}

#: EC numbers that IUBMB transferred to class 7 (translocases) in 2018, which BRENDA 2026.1 lists only under
#: the new number; used when the old number has no row (the annotations of Human-GEM still use the old ones).
TRANSFERRED_EC = {
    "1.6.5.3": "7.1.1.2",    # NADH:ubiquinone reductase (H+-translocating), complex I
    "1.10.2.2": "7.1.1.8",   # quinol-cytochrome-c reductase, complex III
    "1.9.3.1": "7.1.1.9",    # cytochrome-c oxidase, complex IV
    "3.6.3.14": "7.1.2.2",   # H+-transporting two-sector ATPase, complex V
}

#: Pseudo-reactions without an enzyme (by SBO term): exchange, demand, biomass, ATP maintenance, sink.
PSEUDO_SBO = {"SBO:0000627", "SBO:0000628", "SBO:0000629", "SBO:0000630", "SBO:0000632"}

EC_FULL = re.compile(r"^\d+\.\d+\.\d+\.n?\d+$")


# --- small helpers --------------------------------------------------------------------------------


def fmt(value: float, digits: int = 6) -> str:
    """A number as text with ``digits`` significant digits (stable across platforms)."""
    return f"{float(value):.{digits}g}"


def ec_key(ec: str):
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in ec.split("."))


def clean(text: str) -> str:
    text = str(text)
    if "\t" in text or "\n" in text:
        raise ValueError(f"field holds a tab or newline: {text!r}")
    return text


def write_table(path: Path, header: Sequence[str], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Write ``#`` comment lines, a header and rows, tab-separated; gzip (no name, mtime 0) for .gz."""
    lines = ["# " + h for h in header]
    lines.append("\t".join(columns))
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"{path.name}: row {row!r} has {len(row)} fields, expected {len(columns)}")
        lines.append("\t".join(clean(v) for v in row))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as handle:
            handle.write(data)
        data = buffer.getvalue()
    path.write_bytes(data)


def read_core(name: str) -> pd.DataFrame:
    """A core-model table; lines starting with '#' are comments ('#' inside a field is data, e.g. R00124#2)."""
    text = (CORE / name).read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return pd.read_csv(io.StringIO(body), sep="\t", dtype=str, keep_default_na=False)


def read_brenda(path: Path) -> pd.DataFrame:
    """BRENDA snapshot rows: ec, substrate, organism, value (float), references."""
    frame = pd.read_csv(path, sep="\t", header=None, comment=None, skiprows=1, dtype=str, keep_default_na=False,
                        names=["ec", "substrate", "organism", "raw", "references"])
    with gzip.open(path, "rt") as handle:
        first = handle.readline()
    if not first.startswith("#"):
        raise ValueError(f"{path}: expected a '#' header line, got {first!r}")
    frame["value"] = pd.to_numeric(frame["raw"], errors="coerce")
    bad = frame["value"].isna() | ~(frame["value"] > 0) | ~np.isfinite(frame["value"])
    if bad.any():
        print(f"  dropped {int(bad.sum())} rows without a positive number in {path.name}")
    frame = frame[~bad].copy()
    frame["references"] = frame["references"].replace("*", "")
    for column in ("ec", "substrate", "organism", "references"):
        frame[column] = frame[column].str.strip()
    return frame.drop(columns="raw")


# --- 1. kcat by EC number -------------------------------------------------------------------------


def build_kcat_by_ec(kcat: pd.DataFrame) -> pd.DataFrame:
    """One row per EC: the human value, else the median over mammals, else over all organisms.

    Per organism the maximum over substrates is taken first (GECKO's convention).
    """
    ordered = kcat.sort_values(["ec", "organism", "value", "substrate"], ascending=[True, True, False, True],
                               kind="mergesort")
    per_org = ordered.groupby(["ec", "organism"], sort=True).agg(
        kcat=("value", "first"), substrate=("substrate", "first"), references=("references", "first"),
        n_rows=("value", "size")).reset_index()
    rows = []
    for ec, group in per_org.groupby("ec", sort=False):
        human = group[group["organism"] == HUMAN]
        mammals = group[group["organism"].isin(MAMMALS)]
        if len(human):
            h = human.iloc[0]
            rows.append((ec, float(h.kcat), RULE_HUMAN, HUMAN, int(h.n_rows), h.references))
            continue
        chosen, rule, what = (mammals, RULE_MAMMAL, "mammals") if len(mammals) else (group, RULE_ANY, "organisms")
        chosen = chosen.sort_values(["kcat", "organism"], kind="mergesort")
        values = chosen["kcat"].to_numpy(dtype=float)
        median = float(np.median(values))
        n = len(values)
        middle = [n // 2] if n % 2 else [n // 2 - 1, n // 2]
        refs = []
        for i in middle:
            for ref in str(chosen.iloc[i].references).split(";"):
                if ref and ref not in refs:
                    refs.append(ref)
        if rule == RULE_MAMMAL:
            names = ", ".join(sorted(chosen["organism"]))
            organism = f"median of {n} mammal{'s' if n > 1 else ''} ({names})"
        else:
            organism = f"median of {n} organism{'s' if n > 1 else ''}"
        rows.append((ec, median, rule, organism, int(chosen["n_rows"].sum()), ";".join(refs)))
    table = pd.DataFrame(rows, columns=["ec", "kcat_per_s", "rule", "organism", "n_values", "references"])
    return table.iloc[sorted(range(len(table)), key=lambda i: ec_key(table["ec"].iat[i]))].reset_index(drop=True)


# --- 2. enzyme MW by gene -------------------------------------------------------------------------


def build_enzyme_mw(hg_genes: pd.DataFrame) -> pd.DataFrame:
    model = scipy.io.loadmat(ECHUMAN_FILE, simplify_cells=True)["ecModel"]
    uniprot = [str(u) for u in model["enzymes"]]
    ensembl = [str(g) for g in model["enzGenes"]]
    mws = [float(w) for w in model["MWs"]]
    if not (len(uniprot) == len(ensembl) == len(mws)):
        raise ValueError("ecHumanGEM: enzymes, enzGenes and MWs differ in length")
    symbol = dict(zip(hg_genes["genes"], hg_genes["geneSymbols"]))
    table = pd.DataFrame({"uniprot": uniprot, "ensembl": ensembl,
                          "symbol": [symbol.get(e, "") for e in ensembl], "mw_kda": mws})
    if table["uniprot"].duplicated().any() or table["ensembl"].duplicated().any():
        raise ValueError("ecHumanGEM: a UniProt accession or Ensembl gene occurs twice")
    if not (table["mw_kda"] > 0).all():
        raise ValueError("ecHumanGEM: a molecular weight is not positive")
    return table.sort_values("uniprot", kind="mergesort").reset_index(drop=True)


# --- 3. the core model's enzyme costs --------------------------------------------------------------


def parse_rule(rule: str):
    """A gene rule ('A and (B or C)') as an ast node over placeholder names, and placeholder -> gene."""
    tokens = re.findall(r"\(|\)|[^\s()]+", rule)
    names: Dict[str, str] = {}
    out = []
    for token in tokens:
        low = token.lower()
        if token in "()" or low in ("and", "or"):
            out.append(low if low in ("and", "or") else token)
        else:
            key = names.setdefault(token, f"g{len(names)}")
            out.append(key)
    genes = {v: k for k, v in names.items()}
    return ast.parse(" ".join(out), mode="eval").body, genes


def dnf(node) -> List[frozenset]:
    """The complexes of a gene rule: its disjunctive normal form, one set of placeholders per clause."""
    if isinstance(node, ast.Name):
        return [frozenset([node.id])]
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        out: List[frozenset] = []
        for value in node.values:
            for clause in dnf(value):
                if clause not in out:
                    out.append(clause)
        return out
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        clauses = [frozenset()]
        for value in node.values:
            clauses = [a | b for a in clauses for b in dnf(value)]
            if len(clauses) > 100000:
                raise ValueError("gene rule too large to expand")
        out = []
        for clause in clauses:
            if clause not in out:
                out.append(clause)
        return out
    raise ValueError(f"unexpected node in gene rule: {ast.dump(node)}")


class Weights:
    """Gene -> MW lookups with the median fallback, recording which genes needed it."""

    def __init__(self, mw: pd.DataFrame):
        self.by_ensembl = dict(zip(mw["ensembl"], mw["mw_kda"]))
        self.uniprot = dict(zip(mw["ensembl"], mw["uniprot"]))
        self.median = float(np.median(mw["mw_kda"]))

    def weight(self, ensembl: str) -> Tuple[float, Optional[str]]:
        """(MW in kDa, UniProt accession or None when the median was used)."""
        if ensembl in self.by_ensembl:
            return float(self.by_ensembl[ensembl]), self.uniprot[ensembl]
        return self.median, None


def lightest_complex(clauses: List[List[str]], weigh) -> Tuple[float, List[str], int]:
    """Of the complexes (lists of genes), the one with the lowest summed MW (ties: first listed)."""
    best = None
    for i, clause in enumerate(clauses):
        total = sum(weigh(g)[0] for g in clause)
        if best is None or total < best[0] - 1e-12:
            best = (total, clause, i)
    return best


def build_core_costs(kcat_table: pd.DataFrame, mw: pd.DataFrame, hg_genes: pd.DataFrame):
    reactions, genes = read_core("reactions.tsv"), read_core("genes.tsv")
    symbol_to_ensembl = dict(zip(genes["symbol"], genes["ensembl"]))
    hg_symbol = dict(zip(hg_genes["genes"], hg_genes["geneSymbols"]))
    with gzip.open(HG_JSON_FILE, "rt") as handle:
        hg_rules = {r["id"]: r.get("gene_reaction_rule", "") for r in json.load(handle)["reactions"]}
    hg_mat = scipy.io.loadmat(HG_MAT_FILE, simplify_cells=True)["ihuman"]
    hg_ec = {str(r): (e if isinstance(e, str) else "") for r, e in zip(hg_mat["rxns"], hg_mat["eccodes"])}

    by_ec = {r.ec: r for r in kcat_table.itertuples(index=False)}
    human = kcat_table[kcat_table["rule"] == RULE_HUMAN]
    human_by_class: Dict[str, List[float]] = {}
    for ec, value in zip(human["ec"], human["kcat_per_s"]):
        human_by_class.setdefault(".".join(ec.split(".")[:3]), []).append(float(value))
    all_human = float(np.median(human["kcat_per_s"].astype(float)))
    weights = Weights(mw)

    rows, notes = [], []
    mw_categories: Counter = Counter()
    median_genes: List[str] = []
    preference = {RULE_HUMAN: 0, RULE_MAMMAL: 1, RULE_ANY: 2}
    for r in reactions.itertuples(index=False):
        if not r.gpr.strip() or r.sbo in PSEUDO_SBO or r.id.startswith("EX_"):
            continue
        # --- EC numbers and kcat
        ec_text = r.ec_code.strip()
        ec_from = "core table"
        if not ec_text and r.humangem:
            ec_text = hg_ec.get(r.humangem, "").strip()
            ec_from = f"Human-GEM {r.humangem}"
        ecs = [e.strip().replace("EC:", "") for e in re.split(r"[;,|]", ec_text) if e.strip()]
        override = MAIN_EC.get(r.id)
        if override:
            ecs = [override[0]] if override[0] else []
        complete = [e for e in ecs if EC_FULL.match(e)]
        complete = [TRANSFERRED_EC.get(e, e) if e not in by_ec else e for e in complete]
        hits = [by_ec[e] for e in complete if e in by_ec]
        if hits:
            best_class = min(preference[h.rule] for h in hits)
            candidates = [h for h in hits if preference[h.rule] == best_class]
            candidates.sort(key=lambda h: ec_key(h.ec))
            best = max(candidates, key=lambda h: float(h.kcat_per_s))  # ties: the lowest EC number
            kcat = float(best.kcat_per_s)
            rule = best.rule
            refs = f" ({best.references})" if best.references else " (no reference in BRENDA)"
            source = f"{BRENDA_RELEASE} EC {best.ec} {best.organism}{refs}"
            if len(candidates) > 1:
                source += f"; max of {len(candidates)} EC values"
            moved = [e for e, t in TRANSFERRED_EC.items() if t == best.ec and e in ecs]
            if moved:
                source += f"; EC {moved[0]} transferred to {best.ec}"
        else:
            classes = sorted({".".join(e.split(".")[:3]) for e in ecs
                              if len(e.split(".")) >= 3 and all(p.isdigit() for p in e.split(".")[:3])},
                             key=ec_key)
            medians = [(float(np.median(human_by_class[c])), c, len(human_by_class[c]))
                       for c in classes if c in human_by_class]
            if medians:
                kcat, cls, n = max(medians)
                rule = RULE_CLASS
                source = f"{BRENDA_RELEASE} median of {n} human kcat{'s' if n > 1 else ''} in EC {cls}.-"
            else:
                kcat, rule = all_human, RULE_ALL
                source = f"{BRENDA_RELEASE} median of {len(human)} human kcats (all EC numbers)"
        if override:
            source += ("; EC chosen by hand: " if override[0] else "; annotated EC not used: ") + override[1]
        elif ec_from != "core table" and ecs:
            source += f"; EC from {ec_from}"

        # --- molecular weight
        node, placeholder = parse_rule(r.gpr)
        core_clauses = [[symbol_to_ensembl[placeholder[p]] for p in sorted(c, key=lambda x: int(x[1:]))]
                        for c in dnf(node)]
        for gene in placeholder.values():
            if gene not in symbol_to_ensembl:
                raise ValueError(f"{r.id}: gene {gene} is not in models/fluxasn_core/genes.tsv")
        hg_rule = hg_rules.get(r.humangem, "") if r.humangem else ""
        hg_clauses: List[List[str]] = []
        if hg_rule.strip():
            hg_node, hg_placeholder = parse_rule(hg_rule)
            hg_clauses = [[hg_placeholder[p] for p in sorted(c, key=lambda x: int(x[1:]))] for c in dnf(hg_node)]
        # the Human-GEM complexes that hold every subunit of a core complex and more (the core rule lists
        # representative subunits only); the lightest of them is weighed instead of the core rule
        larger = [c for c in hg_clauses if any(set(k) < set(c) for k in core_clauses)]
        use_hg = bool(larger)
        clauses = larger if use_hg else core_clauses
        total, chosen, _ = lightest_complex(clauses, weights.weight)
        parts = [weights.weight(g) for g in chosen]
        missing = [g for g, (_, acc) in zip(chosen, parts) if acc is None]
        names = [hg_symbol.get(g, g) for g in missing]
        if use_hg:
            text = (f"sum of {len(chosen)} subunits of the Human-GEM {r.humangem} complex"
                    + (f" (lightest of its {len(larger)} complexes that hold the core subunits)"
                       if len(larger) > 1 else ""))
            category = "Human-GEM complex (sum of subunits)"
        elif len(chosen) > 1:
            text = (f"sum of {len(chosen)} subunits"
                    + (f" (lightest of {len(clauses)} complexes)" if len(clauses) > 1 else ""))
            category = "complex (sum of subunits)"
        elif len(clauses) > 1:
            text = f"lightest of {len(clauses)} isozymes"
            category = "isozymes (lightest)"
        else:
            text = "single gene"
            category = "single gene"
        if missing:
            text += (f"; median ecHumanGEM MW ({fmt(weights.median, 5)} kDa) for {len(missing)} gene"
                     f"{'s' if len(missing) > 1 else ''} without one: {', '.join(names)}")
            category += " + median MW"
            median_genes.extend(names)
        mw_categories[category] += 1
        accessions = "+".join(acc if acc else f"median({hg_symbol.get(g, g)})" for g, (_, acc) in zip(chosen, parts))
        mw_source = f"ecHumanGEM (ecModels {ECMODELS_SHORT}) {accessions}"
        rows.append((r.id, fmt(kcat), fmt(kcat), fmt(total, 7), rule + REVERSE_NOTE, source, text, mw_source))
        notes.append({"reaction": r.id, "ecs": ecs, "rule": rule, "category": category, "use_hg": use_hg})
    table = pd.DataFrame(rows, columns=["reaction", "kcat_per_s", "kcat_reverse_per_s", "mw_kda", "kcat_rule",
                                        "kcat_source", "mw_rule", "mw_source"])
    stats = {"mw_categories": mw_categories, "median_genes": median_genes, "median_mw": weights.median,
             "all_human": all_human, "n_human": len(human), "notes": notes}
    return table, stats


# --- 4. pool parameters ------------------------------------------------------------------------------

PROTEIN_CONTENT = 0.593
ENZYME_FRACTION = 0.412
SATURATION = 0.5

POOL_ROWS = [
    ("protein_content", fmt(PROTEIN_CONTENT), "g protein / gDW",
     "Human-GEM 1.19.0 generic biomass MAR13082 (the biomass of the core model): protein pool 5.3375 mmol aa/gDW "
     "x mean residue mass 111.1 g/mol = 0.593 g/gDW (shared/bio/biomass/biomass_summary.md; Human-GEM CC BY 4.0)"),
    ("enzyme_fraction", fmt(ENZYME_FRACTION), "g enzyme / g protein",
     "GECKO 3 HumanGEMAdapter (GitHub SysBioChalmers/GECKO tutorials/light_ecModel/HumanGEMAdapter.m, commit "
     f"{GECKO_HUMAN_ADAPTER_COMMIT[:7]}): f = 0.412 'estimated as TPM of model genes / all genes in GTEx'; "
     "transcript-based and for all Human-GEM genes, so an upper bound for the core model's enzymes; "
     "calibrate with fluxasn.analysis.capacity.calibrate_capacity"),
    ("saturation", fmt(SATURATION), "dimensionless (0..1)",
     "GECKO default average enzyme saturation sigma = 0.5 (Sanchez BJ et al. 2017 Mol Syst Biol 13:935), also "
     "the value of ecHumanGEM (GitHub SysBioChalmers/ecModels ecHumanGEM/scripts/getModelParameters.m, commit "
     f"{ECHUMAN_PARAMS_COMMIT[:7]}); not measured for human cells"),
]


# --- README -----------------------------------------------------------------------------------------


def readme(kcat_table, mw_table, core, stats, kcat_rows) -> str:
    rules = kcat_table["rule"].value_counts()
    core_rules = core["kcat_rule"].str.replace(REVERSE_NOTE, "", regex=False).value_counts()
    mw_cat = stats["mw_categories"]
    n_symbol = int((mw_table["symbol"] != "").sum())
    hg_used = [n["reaction"] for n in stats["notes"] if n["use_hg"]]
    mammal_names = sorted(set(kcat_rows["organism"]) & MAMMALS)
    lines = []
    add = lines.append
    add("# Enzyme parameters: turnover numbers, molecular weights, the protein pool")
    add("")
    add("Generated by `scripts/build_enzyme_tables.py` from the reference data in `$FLUXASN_SHARED` (default")
    add("`../shared`); do not edit by hand, run the script (deterministic: byte-identical output). Read by")
    add("`fluxasn/core/enzymes.py` (`enzyme_costs`, `pool_parameters`). Every table starts with `#` lines naming")
    add("its source, commit, licence and rule. Tab-separated, UTF-8.")
    add("")
    add("Cost of a reaction per unit flux: `MW / (kcat x 3600 x saturation)` g enzyme/gDW per mmol/gDW/h;")
    add("the pool is `protein_content x enzyme_fraction` g/gDW.")
    add("")
    add("## kcat_by_ec.tsv.gz: one turnover number per EC number (BRENDA 2026.1)")
    add("")
    add(f"{len(kcat_table)} rows, one per EC number in `max_kcat.tsv.gz` ({len(kcat_rows)} rows, "
        f"{kcat_rows['organism'].nunique()} organisms).")
    add("")
    add("| column | unit | meaning |")
    add("|---|---|---|")
    add("| `ec` | | EC number as BRENDA gives it (all four levels) |")
    add("| `kcat_per_s` | 1/s | the turnover number (6 significant digits) |")
    add("| `rule` | | `human`, `mammal` or `any organism` (below) |")
    add("| `organism` | | `homo sapiens`, or `median of N mammals (names)`, or `median of N organisms` |")
    add("| `n_values` | | BRENDA rows (EC, substrate, organism) behind the value: the human rows, or the rows of "
        "the organisms in the median |")
    add("| `references` | | PMIDs of the row giving the value (for a median: of the middle organism(s)); empty when "
        "BRENDA gives none |")
    add("")
    add("Rule, per EC number: for each organism the maximum kcat over its substrates (GECKO's convention; the file "
        "already holds the maximum per EC, substrate and organism). Then `human` = the Homo sapiens value if there is "
        "one; else `mammal` = the median over the mammals that have a value; else `any organism` = the median over "
        "all organisms that have one. Mammals: an explicit list in the script (every mammalian name in the file: "
        + ", ".join(mammal_names) + ").")
    add("")
    add(f"Counts: human {int(rules.get(RULE_HUMAN, 0))}, mammal {int(rules.get(RULE_MAMMAL, 0))}, any organism "
        f"{int(rules.get(RULE_ANY, 0))}.")
    add("")
    add("Caveats: BRENDA maxima may include mutant or non-physiological-substrate entries (GECKO's loader also uses "
        "them); the direction is the one measured (usually forward); kcat values of other organisms can be orders "
        "of magnitude off for human enzymes. `max_sa.tsv.gz` (specific activity) and `max_mw.tsv.gz` are not used.")
    add("")
    add("## enzyme_mw.tsv.gz: ecHumanGEM molecular weights by gene")
    add("")
    add(f"{len(mw_table)} rows, one per ecHumanGEM enzyme (ecHumanGEM_v1.5.0, Human-GEM 1.5-era gene ids).")
    add("")
    add("| column | unit | meaning |")
    add("|---|---|---|")
    add("| `uniprot` | | UniProt accession (ecHumanGEM `enzymes`) |")
    add("| `ensembl` | | Ensembl gene id (ecHumanGEM `enzGenes`) |")
    add(f"| `symbol` | | gene symbol from Human-GEM 1.19.0 `genes.tsv` by Ensembl id; empty if that id is not in "
        f"Human-GEM 1.19.0 ({len(mw_table) - n_symbol} rows) |")
    add("| `mw_kda` | kDa (= g/mmol) | molecular weight (ecHumanGEM `MWs`, as given) |")
    add("")
    add(f"Median MW {fmt(stats['median_mw'], 5)} kDa. Rows are sorted by UniProt accession.")
    add("")
    add("## core_enzyme_costs.tsv: kcat and MW of each enzyme reaction of the core model")
    add("")
    add(f"{len(core)} rows: every reaction of `models/fluxasn_core/reactions.tsv` with a non-empty gene rule that is "
        "not an exchange, biomass or ATP-maintenance pseudo-reaction.")
    add("")
    add("| column | unit | meaning |")
    add("|---|---|---|")
    add("| `reaction` | | core reaction id |")
    add("| `kcat_per_s` | 1/s | forward turnover number |")
    add("| `kcat_reverse_per_s` | 1/s | reverse turnover number: the same as forward (BRENDA lists one direction) |")
    add("| `mw_kda` | kDa | enzyme molecular weight (7 significant digits) |")
    add("| `kcat_rule` | | which rule gave the kcat (below), with `; reverse = forward` |")
    add("| `kcat_source` | | BRENDA release, EC number, organism(s), PMIDs; where the EC came from if not the core "
        "table |")
    add("| `mw_rule` | | how the gene rule was weighed |")
    add("| `mw_source` | | ecHumanGEM commit and the UniProt accessions summed (`+`); `median(SYMBOL)` for a gene "
        "without an ecHumanGEM MW |")
    add("")
    add("kcat rule:")
    add("")
    add("1. EC numbers: the core table's `ec_code`; if empty, the EC annotation (`eccodes`) of the matched "
        "Human-GEM reaction (`humangem` column) in Human-GEM 1.19.0 `Human-GEM.mat` (the Human-GEM JSON carries no EC "
        "annotation). Incomplete EC numbers (`3.6.1.-`, `1.2.1`) are not looked up exactly.")
    add("2. Look the complete EC numbers up in `kcat_by_ec`; prefer a `human` value over `mammal` over `any organism`; "
        "among several EC numbers of the same class take the **maximum** (the reaction's main activity is taken to "
        "be its fastest annotated one; `max of N EC values` in `kcat_source`).")
    if MAIN_EC:
        add("   Exceptions, where the EC list names other enzymes' activities (the reaction's own EC is used): "
            + "; ".join(f"`{k}` " + (f"EC {v[0]}" if v[0] else "no EC") + f" ({v[1]})"
                        for k, v in sorted(MAIN_EC.items())) + ".")
    add("   EC numbers that IUBMB moved to class 7 (translocases) in 2018 are looked up under the new number when "
        "BRENDA has no row under the old one: " + ", ".join(f"{a} -> {b}" for a, b in TRANSFERRED_EC.items())
        + " (complexes I, III, IV, V; the pairs are written from knowledge of the transfers, not read from ExplorEnz "
        "here; BRENDA 2026.1 has no row under the old numbers, and its rows under the new ones have the complexes' "
        "substrates: NADH/ubiquinone, ubihydroquinone/cytochrome c, ferrocytochrome c).")
    add("   Known weak spots: PDHm and AKGDm get the E3 (DLD, EC 1.8.1.4) value, 899 1/s, as the maximum of their EC "
        "numbers, which understates the cost of the complexes: BRENDA's human E1 values are 0.077 1/s (EC 1.2.4.1, "
        "PMID:17042496, probably not the complex's turnover) and 21.3 1/s (EC 1.2.4.2). ACCOAC's ACACA has no "
        "ecHumanGEM "
        "MW (median used; ACC1 is far heavier). Values from a single non-human organism (`median of 1 ...`) are "
        "common in the `mammal` and `any organism` classes.")
    add(f"3. `{RULE_CLASS}`: no complete EC number with a value: the median of the `human` kcats of the same EC "
        "sub-subclass (first three levels, also of incomplete EC numbers; the largest such median if several).")
    add(f"4. `{RULE_ALL}`: still none (transporters, no EC number): the median of all {stats['n_human']} `human` "
        f"kcats = {fmt(stats['all_human'], 4)} 1/s.")
    add("")
    add("kcat rule counts (reactions):")
    add("")
    add("| kcat_rule | reactions |")
    add("|---|---|")
    for rule in (RULE_HUMAN, RULE_MAMMAL, RULE_ANY, RULE_CLASS, RULE_ALL):
        add(f"| {rule} | {int(core_rules.get(rule, 0))} |")
    add("")
    add("MW rule: the gene rule's symbols are mapped to Ensembl ids (`models/fluxasn_core/genes.tsv`) and to the "
        "ecHumanGEM MW; as in sMOMENT, `and` (a complex) = the sum of its subunits, `or` (isozymes) = the lightest, "
        "i.e. the cheapest enzyme. Where the core rule lists only representative subunits, i.e. the matched "
        "Human-GEM reaction's rule has a complex that holds every subunit of a core complex and more, that Human-GEM "
        "complex is weighed instead (the lightest such complex): " + ", ".join(f"`{x}`" for x in hg_used)
        + ". PDHm and AKGDm have no matched Human-GEM "
        "reaction, and Human-GEM's PDH/OGDH rules are not larger, so their core rules count. One copy of each "
        "subunit is counted (the gene-rule convention, not the true stoichiometry). A gene without an ecHumanGEM MW "
        f"gets the median ecHumanGEM MW ({fmt(stats['median_mw'], 5)} kDa), named in `mw_rule`.")
    add("")
    add("MW rule counts (reactions):")
    add("")
    add("| mw_rule | reactions |")
    add("|---|---|")
    for category, count in sorted(mw_cat.items()):
        add(f"| {category} | {count} |")
    add("")
    genes = sorted(set(stats["median_genes"]))
    add(f"Genes given the median MW ({len(genes)}, in {sum(v for k, v in mw_cat.items() if 'median' in k)} "
        "reactions): " + ", ".join(genes) + ". Most are SLC transporters, which ecHumanGEM (built from the "
        "metabolic enzymes of Human-GEM 1.5) carries no MW for; ACACA's Ensembl id in Human-GEM 1.19.0 "
        "(ENSG00000278540) is not the one in ecHumanGEM.")
    add("")
    add("## pool_parameters.tsv: the protein pool")
    add("")
    add("| parameter | value | unit | verified |")
    add("|---|---|---|---|")
    add(f"| protein_content | {fmt(PROTEIN_CONTENT)} | g protein / gDW | computed from the Human-GEM 1.19.0 biomass "
        "MAR13082 coefficients (verified in `shared/bio/biomass/biomass_summary.md`): 5.3375 mmol aa/gDW x 111.1 "
        "g/mol |")
    add(f"| enzyme_fraction | {fmt(ENZYME_FRACTION)} | g enzyme / g protein | value and comment read in GECKO's "
        "`tutorials/light_ecModel/HumanGEMAdapter.m` (commit 0e37b9d); the GTEx computation behind it was **not** "
        "re-done or checked. It is a transcript (TPM) ratio for all Human-GEM genes, not a protein mass fraction "
        "and not for the core model: an upper bound here |")
    add(f"| saturation | {fmt(SATURATION)} | 0..1 | GECKO default, read as `parameters.sigma = 0.5` in ecModels "
        "`ecHumanGEM/scripts/getModelParameters.m` (commit a3497ee); the GECKO paper (Sanchez et al. 2017 Mol Syst "
        "Biol 13:935) is cited for the method, its text was not re-read here |")
    add("")
    add("Not used, for comparison: ecHumanGEM's `Ptot = 0.505717472` g/gDW ('Average across NCI60 cell lines', same "
        "getModelParameters.m); GECKO's HumanGEMAdapter sets `sigma = 0.1` ('changed to a low number to give a "
        "reasonable growth rate'). Madhukar NS, Warmoes MO, Locasale JW (2015) PLoS ONE 10:e0117131 (abstract read): "
        "glycolytic enzymes are about half of the metabolic protein of cancer cells and up to 10% of the proteome, "
        "which suggests a metabolic-enzyme fraction nearer 0.2; not used because the abstract gives no mass "
        "fraction. The pool is best calibrated to a measured growth or uptake rate with "
        "`fluxasn.analysis.capacity.calibrate_capacity`.")
    add("")
    add("## Licences and attribution")
    add("")
    add("- `kcat_by_ec.tsv.gz` and the kcat columns of `core_enzyme_costs.tsv` are derived from BRENDA 2026.1 via "
        f"GECKO (SysBioChalmers/GECKO {GECKO_COMMIT[:7]}, code MIT). The snapshot's header states CC BY 4.0; "
        + CITE_BRENDA + ". **Not verified:** BRENDA's own current terms; the older BRENDA (enzymeta) EULA is "
        "academic-only and forbids passing the database to third parties. Redistribution of these derived values "
        "in a package relies on the CC BY 4.0 statement of the 2026.1 snapshot.")
    add("- `enzyme_mw.tsv.gz` and the MW columns: ecHumanGEM from SysBioChalmers/ecModels (CC BY 4.0); cite the "
        "GECKO method (Sanchez BJ et al. 2017 Mol Syst Biol 13:935) and ecModels.")
    add("- Gene symbols, gene rules and EC annotations: Human-GEM 1.19.0 (SysBioChalmers/Human-GEM, CC BY 4.0).")
    add("- The tables themselves (selection, rules, script) are part of fluxasn.")
    add("")
    return "\n".join(lines)


def main() -> int:
    if not SHARED.is_dir():
        print(f"reference data not found: {SHARED} (set FLUXASN_SHARED)", file=sys.stderr)
        return 2
    print(f"reading {SHARED}")
    hg_genes = pd.read_csv(HG_GENES_FILE, sep="\t", dtype=str, keep_default_na=False)

    kcat_rows = read_brenda(KCAT_FILE)
    kcat_table = build_kcat_by_ec(kcat_rows)
    kcat_out = [(r.ec, fmt(r.kcat_per_s), r.rule, r.organism, str(r.n_values), r.references)
                for r in kcat_table.itertuples(index=False)]
    write_table(OUT / "kcat_by_ec.tsv.gz", [
        f"kcat_by_ec: one turnover number per EC number, {len(kcat_table)} EC numbers. Unit: kcat_per_s in 1/s.",
        f"source: {PROV_BRENDA}",
        f"licence: CC BY 4.0 as stated in the snapshot header; {CITE_BRENDA}",
        "rule: per EC and organism the maximum kcat over substrates (GECKO's convention); then 'human' = the Homo "
        "sapiens value if any, else 'mammal' = the median over mammals with a value (list in "
        "scripts/build_enzyme_tables.py), else 'any organism' = the median over all organisms with a value.",
        "n_values: BRENDA rows behind the value; references: PMIDs of the row(s) giving the value (empty: none).",
        "generated by scripts/build_enzyme_tables.py; see data/enzymes/README.md",
    ], ["ec", "kcat_per_s", "rule", "organism", "n_values", "references"], kcat_out)
    print(f"kcat_by_ec.tsv.gz: {len(kcat_table)} EC numbers; " +
          ", ".join(f"{k} {v}" for k, v in kcat_table['rule'].value_counts().items()))

    mw_table = build_enzyme_mw(hg_genes)
    write_table(OUT / "enzyme_mw.tsv.gz", [
        f"enzyme_mw: molecular weight of each ecHumanGEM enzyme, {len(mw_table)} rows. Unit: mw_kda in kDa.",
        f"source: {PROV_ECHUMAN}; symbol from Human-GEM 1.19.0 model/genes.tsv by Ensembl id (empty if none)",
        "licence: CC BY 4.0 (ecModels LICENSE.md; Human-GEM LICENSE.md)",
        "rule: copied as given; rows sorted by UniProt accession",
        "generated by scripts/build_enzyme_tables.py; see data/enzymes/README.md",
    ], ["uniprot", "ensembl", "symbol", "mw_kda"],
        [(r.uniprot, r.ensembl, r.symbol, fmt(r.mw_kda, 7)) for r in mw_table.itertuples(index=False)])
    print(f"enzyme_mw.tsv.gz: {len(mw_table)} enzymes ({int((mw_table['symbol'] == '').sum())} without a symbol)")

    # the core table reads the values as written (rounded), as enzymes.py will
    written = kcat_table.assign(kcat_per_s=[float(fmt(v)) for v in kcat_table["kcat_per_s"]])
    core, stats = build_core_costs(written, mw_table, hg_genes)
    write_table(OUT / "core_enzyme_costs.tsv", [
        f"core_enzyme_costs: kcat and MW of the {len(core)} enzyme reactions of the fluxasn core model "
        "(models/fluxasn_core). Units: kcat in 1/s, MW in kDa.",
        f"kcat source: kcat_by_ec.tsv.gz ({BRENDA_RELEASE} via GECKO {GECKO_COMMIT[:7]}, CC BY 4.0 per snapshot "
        "header; cite BRENDA: Chang A et al. 2021 Nucleic Acids Res 49:D498)",
        f"MW source: enzyme_mw.tsv.gz (ecHumanGEM, ecModels {ECMODELS_SHORT}, CC BY 4.0); {PROV_HG} (CC BY 4.0)",
        "kcat rule: EC numbers of the core table, else of the matched Human-GEM reaction (a few chosen by hand, see "
        "README); complete EC numbers only; human > mammal > any organism, the maximum among EC numbers of the same "
        "class; else 'EC class median' "
        "(median human kcat of the EC sub-subclass); else 'median human kcat (no EC value)'. Reverse kcat = forward "
        "(BRENDA lists one direction).",
        "MW rule: sMOMENT: and = sum of subunits, or = the lightest isozyme; the lightest complex of the matched "
        "Human-GEM rule that holds all subunits of a core complex and more, if any; the median ecHumanGEM MW for a "
        "gene without one (named in mw_rule).",
        "generated by scripts/build_enzyme_tables.py; see data/enzymes/README.md",
    ], list(core.columns), core.itertuples(index=False, name=None))
    print(f"core_enzyme_costs.tsv: {len(core)} reactions")
    print("  kcat_rule: " + ", ".join(f"{k}: {v}" for k, v in core["kcat_rule"].value_counts().items()))
    print("  mw_rule: " + ", ".join(f"{k}: {v}" for k, v in sorted(stats["mw_categories"].items())))
    print(f"  genes given the median MW ({fmt(stats['median_mw'], 5)} kDa): {len(set(stats['median_genes']))}")

    write_table(OUT / "pool_parameters.tsv", [
        "pool_parameters: the protein-pool parameters of fluxasn.core.enzymes.pool_parameters, each with its source.",
        "pool = protein_content x enzyme_fraction (g enzyme / gDW); saturation divides kcat in the cost.",
        "licence: numbers are facts; sources as named. generated by scripts/build_enzyme_tables.py; "
        "see data/enzymes/README.md",
    ], ["parameter", "value", "unit", "source"], POOL_ROWS)
    print("pool_parameters.tsv: " + ", ".join(f"{p} {v}" for p, v, _, _ in POOL_ROWS))

    hg_mat = scipy.io.loadmat(HG_MAT_FILE, simplify_cells=True)["ihuman"]
    hg_ec_rows = sorted((str(r), str(e)) for r, e in zip(hg_mat["rxns"], hg_mat["eccodes"])
                        if isinstance(e, str) and e.strip())
    write_table(OUT / "humangem_ec.tsv.gz", [
        f"humangem_ec: the EC numbers of {len(hg_ec_rows)} Human-GEM 1.19.0 reactions (model/Human-GEM.mat field "
        "eccodes); for models without EC annotations whose reactions are Human-GEM ids (MAR.....) or carry a "
        "metatlas annotation (the Human-GEM JSON has no EC annotation).",
        f"source: {PROV_HG}",
        "licence: CC BY 4.0 (Human-GEM LICENSE.md)",
        "rule: copied as given (';'-separated, 'EC:' prefixes as in the source)",
        "generated by scripts/build_enzyme_tables.py; see data/enzymes/README.md",
    ], ["reaction", "ec"], hg_ec_rows)
    print(f"humangem_ec.tsv.gz: {len(hg_ec_rows)} reactions")

    (OUT / "README.md").write_text(readme(kcat_table, mw_table, core, stats, kcat_rows), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
