"""Cross-references of the core model resolve in Human-GEM, Recon3D and Human-GEM's gene table."""
from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest
from _shared import require_shared

from fluxasn.core.coremodel import build_core_model


@pytest.fixture(scope="module")
def core():
    return build_core_model()


def _no_h(formula):
    return "".join(e + n for e, n in re.findall(r"([A-Z][a-z]*)(\d*)", formula or "") if e != "H")


def _signature(pairs):
    """Reactant and product multisets of (formula without H, compartment), H+ and H2O ignored."""
    sides = []
    for sign in (-1, 1):
        counter = Counter()
        for formula, compartment, coefficient in pairs:
            key = _no_h(formula)
            if key in ("", "O") or coefficient * sign <= 0:
                continue
            counter[(key, compartment)] += abs(coefficient)
        sides.append(frozenset((k, round(v, 3)) for k, v in counter.items()))
    return frozenset(sides)


def test_genes_match_human_gem_gene_table(core):
    table = pd.read_csv(
        require_shared("models", "human-gem", "genes.tsv"), sep="\t", dtype=str
    ).set_index("geneSymbols")
    for gene in core.genes:
        row = table.loc[gene.id]
        assert gene.annotation["ensembl"] == row["genes"], gene.id
        assert gene.annotation["ncbigene"] == row["geneEntrezID"], gene.id


def test_key_gene_hgnc_ids(core):
    key = pd.read_csv(
        require_shared("bio", "genes", "key_genes_ids.tsv"), sep="\t", dtype=str
    ).set_index("symbol")
    checked = 0
    for gene in core.genes:
        if gene.id in key.index:
            row = key.loc[gene.id]
            assert gene.annotation["hgnc"] == row["HGNC_ID"], gene.id
            assert gene.annotation["ncbigene"] == row["Entrez_GeneID"], gene.id
            assert gene.annotation["ensembl"] == row["Ensembl_gene"], gene.id
            checked += 1
    assert checked >= 30


@pytest.mark.genome_scale
def test_human_gem_ids_resolve_to_equivalent_reactions(core, _human_gem_session):
    human_gem = _human_gem_session
    mapped = [r for r in core.reactions if "metatlas" in r.annotation]
    assert len(mapped) > 150
    for rxn in mapped:
        mar = rxn.annotation["metatlas"]
        assert mar in human_gem.reactions, (rxn.id, mar)
        other = human_gem.reactions.get_by_id(mar)
        mine = _signature([(m.formula, m.compartment, c) for m, c in rxn.metabolites.items()])
        theirs = _signature([(m.formula, m.compartment, c) for m, c in other.metabolites.items()])
        assert mine == theirs, (rxn.id, mar, other.reaction)


@pytest.mark.genome_scale
def test_bigg_ids_resolve_in_recon3d(core, _recon3d_session):
    recon = _recon3d_session
    mapped = [r for r in core.reactions if "bigg.reaction" in r.annotation]
    assert len(mapped) > 100
    for rxn in mapped:
        bigg = rxn.annotation["bigg.reaction"]
        assert bigg in recon.reactions, (rxn.id, bigg)
        other = recon.reactions.get_by_id(bigg)
        # Recon3D's intermembrane-space protons (h_i) are cytosolic here
        theirs = {m.id.replace("h_i", "h_c"): c for m, c in other.metabolites.items()}
        mine = {m.id: c for m, c in rxn.metabolites.items()}
        assert mine == theirs or mine == {k: -v for k, v in theirs.items()}, rxn.id
    for met in core.metabolites:
        assert met.id in recon.metabolites, met.id
        assert recon.metabolites.get_by_id(met.id).formula == met.formula, met.id
