"""Gene queries in any id scheme resolve to the right model genes (fluxasn.core.genes).

References are facts independent of the code: HGNC ids and Entrez ids of the
key genes (HGNC; ``shared/bio/genes``), the mouse/rat symbols of their
orthologs (MGI: Pcx is the mouse pyruvate carboxylase; RGD: rat Pc), and
cobra's own deletion functions for knockout results.
"""
from __future__ import annotations

import math
import warnings

import cobra
import pytest
from cobra.flux_analysis import single_gene_deletion

from fluxasn import knockout_screen, resolve_genes
from fluxasn.core.genes import GeneIndex, gene_symbols, orthologs
from fluxasn.exceptions import FluxasnInputError, GeneError, RoleError


def _two_route_model(gene_cyt: str, gene_mit: str) -> cobra.Model:
    """Glucose -> x by a cytosolic route (ub 10, gene_cyt) or a mitochondrial one (ub 1, gene_mit)."""
    model = cobra.Model("two_routes")
    glc_e, glc_c, x_c = (cobra.Metabolite(i, compartment=c) for i, c in
                         (("glc_e", "e"), ("glc_c", "c"), ("x_c", "c")))
    ex = cobra.Reaction("EX_glc_e", lower_bound=-10, upper_bound=1000)
    ex.add_metabolites({glc_e: -1})
    tr = cobra.Reaction("GLCt", lower_bound=-1000, upper_bound=1000)
    tr.add_metabolites({glc_e: -1, glc_c: 1})
    cyt = cobra.Reaction("AAT_c", lower_bound=0, upper_bound=10)
    cyt.add_metabolites({glc_c: -1, x_c: 1})
    cyt.gene_reaction_rule = gene_cyt
    mit = cobra.Reaction("AAT_m", lower_bound=0, upper_bound=1)
    mit.add_metabolites({glc_c: -1, x_c: 1})
    mit.gene_reaction_rule = gene_mit
    bio = cobra.Reaction("BIOMASS", lower_bound=0, upper_bound=1000)
    bio.add_metabolites({x_c: -1})
    model.add_reactions([ex, tr, cyt, mit, bio])
    model.objective = "BIOMASS"
    return model


# --- tiny models: every id scheme ------------------------------------------------------


def test_hgnc_id_genes_got1_closes_only_the_cytosolic_route():
    model = _two_route_model("HGNC:4432", "HGNC:4433")  # GOT1, GOT2 (HGNC)
    match = resolve_genes(model, ["GOT1"])[0]
    assert match.genes == ("HGNC:4432",)
    assert match.symbol == "GOT1"
    assert match.gene_schemes == ("HGNC id",)
    result = knockout_screen(model, genes=["GOT1", "GOT2"], processes=1)
    reference = single_gene_deletion(model, gene_list=["HGNC:4432", "HGNC:4433"], processes=1)
    for gene_id in ("HGNC:4432", "HGNC:4433"):
        ours = float(result.knockout[gene_id]["growth"].iloc[0])
        assert ours == pytest.approx(float(reference.knockout[gene_id]["growth"].iloc[0]), abs=1e-9)
    # the cytosolic route carries 10, the mitochondrial 1: only GOT1's loss costs growth
    assert float(result.knockout["HGNC:4432"]["growth"].iloc[0]) == pytest.approx(1.0)
    assert float(result.knockout["HGNC:4433"]["growth"].iloc[0]) == pytest.approx(10.0)
    assert list(result.genes_resolved["scheme"]) == ["HGNC symbol", "HGNC symbol"]
    assert model.reactions.AAT_c.upper_bound == 10  # caller's model unchanged


@pytest.mark.parametrize("query", ["ASNS", "asns", "HGNC:753", "440", "ENSG00000070669", "ENSG00000070669.15"])
def test_any_human_scheme_finds_an_entrez_transcript_gene(query):
    model = _two_route_model("440.1", "2806.1")  # Recon 2 style: Entrez.transcript
    match = resolve_genes(model, [query])[0]
    assert match.genes == ("440.1",)
    assert match.symbol == "ASNS"
    assert match.gene_schemes == ("Entrez.transcript",)


def test_all_transcripts_of_a_gene_are_found_and_screened_per_model_gene():
    model = _two_route_model("440_AT1", "440_AT2")  # Recon3D style
    assert resolve_genes(model, ["ASNS"])[0].genes == ("440_AT1", "440_AT2")
    with pytest.warns(UserWarning, match="440_AT1"):
        result = knockout_screen(model, genes=["ASNS"], processes=1)
    assert len(result) == 2


def test_mouse_symbols_and_orthologs():
    model = _two_route_model("Pcx", "Got2")
    index = GeneIndex(model)
    assert index.species == "mouse"
    assert resolve_genes(model, ["PC"])[0].genes == ("Pcx",)   # human symbol -> mouse ortholog
    assert resolve_genes(model, ["Pcx"])[0].genes == ("Pcx",)  # the model's own id
    assert resolve_genes(model, ["HGNC:4433"])[0].genes == ("Got2",)
    assert gene_symbols(model) == {"Pcx": "PC", "Got2": "GOT2"}
    assert ("MGI:97520", "Pcx") in orthologs("PC", species="mouse")
    assert ("RGD:3262", "Pc") in orthologs("PC", species="rat")


def test_rat_symbols_and_a_mouse_query():
    model = _two_route_model("Pc", "Asns")
    assert GeneIndex(model).species == "rat"
    assert resolve_genes(model, ["Pcx"])[0].genes == ("Pc",)  # mouse symbol -> human PC -> rat Pc
    assert resolve_genes(model, ["ASNS"])[0].genes == ("Asns",)


def test_annotations_identify_genes_with_opaque_ids():
    model = _two_route_model("g1", "g2")
    model.genes.g1.annotation["ncbigene"] = "2805"
    model.genes.g2.annotation["hgnc.symbol"] = "GOT2"
    assert resolve_genes(model, ["GOT1"])[0].genes == ("g1",)
    assert resolve_genes(model, ["GOT1"])[0].gene_schemes == ("annotation Entrez",)
    assert resolve_genes(model, ["ENSG00000125166"])[0].genes == ("g2",)


def test_unknown_and_absent_genes_are_named():
    model = _two_route_model("HGNC:4432", "HGNC:4433")
    with pytest.raises(GeneError, match="'NOTAGENE'.*tried: model gene id") as error:
        resolve_genes(model, ["NOTAGENE"])
    assert error.value.identifier == "NOTAGENE"
    with pytest.raises(GeneError, match="ASNS.*which the model lacks"):
        resolve_genes(model, ["ASNS"])
    assert issubclass(GeneError, RoleError) and issubclass(GeneError, FluxasnInputError)
    with pytest.raises(GeneError):  # the screen refuses before any LP
        knockout_screen(model, genes=["NOTAGENE"], processes=1)


def test_a_query_denoting_two_human_genes_is_ambiguous():
    model = _two_route_model("x1", "x2")
    model.genes.x1.name = "AAT"
    model.genes.x2.name = "AAT"
    model.genes.x1.annotation["ncbigene"] = "2805"  # GOT1
    model.genes.x2.annotation["ncbigene"] = "2806"  # GOT2
    with pytest.raises(GeneError, match="ambiguous") as error:
        resolve_genes(model, ["AAT"])
    assert set(error.value.candidates) == {"GOT1", "GOT2"}


def test_bad_options_are_refused():
    model = _two_route_model("HGNC:4432", "HGNC:4433")
    with pytest.raises(FluxasnInputError, match="ortholog rule"):
        GeneIndex(model, orthologs="some")
    with pytest.raises(FluxasnInputError, match="species"):
        GeneIndex(model, species="zebrafish")
    with pytest.raises(FluxasnInputError, match="species"):
        orthologs("PC", species="yeast")


# --- genome-scale models ---------------------------------------------------------------


@pytest.mark.genome_scale
@pytest.mark.shared_data
def test_knockout_screen_asns_on_human_gem_matches_cobra(human_gem):
    from fluxasn import apply_medium

    apply_medium(human_gem, "RPMI-1640")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # one model gene per query: no expansion warning
        result = knockout_screen(human_gem, genes=["ASNS", "GOT2"], processes=1)
    reference = single_gene_deletion(human_gem, gene_list=["ENSG00000070669", "ENSG00000125166"], processes=1)
    for gene_id in ("ENSG00000070669", "ENSG00000125166"):
        expected = float(reference.knockout[gene_id]["growth"].iloc[0])
        got = float(result.knockout[gene_id]["growth"].iloc[0])
        assert math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-7), (gene_id, got, expected)
    assert list(result.genes_resolved["symbol"]) == ["ASNS", "GOT2"]


@pytest.mark.genome_scale
@pytest.mark.shared_data
@pytest.mark.parametrize("key, queries", [
    ("rat", {"ASNS": ("Asns",), "Pcx": ("Pc",), "HGNC:4432": ("Got1",)}),
    ("ihsa", {"HGNC:753": ("440",), "GOT2": ("2806",)}),
    ("recon204", {"ASNS": None, "GOT1": None}),
])
def test_key_genes_in_published_models(extra_model, key, queries):
    model = extra_model(key)
    for query, expected in queries.items():
        match = resolve_genes(model, [query])[0]
        if expected is None:  # Recon 2.04: Entrez.transcript ids of that gene, at least one
            entrez = {"ASNS": "440", "GOT1": "2805"}[query]
            assert match.genes and all(g.split(".")[0] == entrez for g in match.genes), match
            assert set(match.gene_schemes) == {"Entrez.transcript"}
        else:
            assert match.genes == expected, (query, match)
