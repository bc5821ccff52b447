"""find_roles: gene translation, chemistry check, biomass, exchanges, overrides, misses."""
from __future__ import annotations

import cobra
import pytest

from fluxasn.core.genes import gene_symbols
from fluxasn.core.roles import ROLES, find_roles
from fluxasn.exceptions import FluxasnInputError, RoleError

CORE_ROLES = ("ASNS", "GOT1", "GOT2", "PC", "biomass")


def _met(mid, name, comp="c", **ann):
    met = cobra.Metabolite(mid, name=name, compartment=comp)
    met.annotation = dict(ann)
    return met


def _tiny(gene_ids=("ASNS", "GOT1"), opaque=False):
    """ASNS and GOT1-like reactions plus a decoy that carries the ASNS gene but other chemistry."""
    model = cobra.Model("tiny_roles")
    n = iter(range(100))
    name = (lambda default: f"X{next(n)}") if opaque else (lambda default: default)
    asp = _met(name("asp__L_c"), "L-Aspartate", **({"kegg.compound": "C00049"} if opaque else {}))
    asn = _met(name("asn__L_c"), "L-Asparagine")
    gln = _met(name("gln__L_c"), "L-Glutamine")
    glu = _met(name("glu__L_c"), "L-Glutamate")
    atp = _met(name("atp_c"), "ATP")
    amp = _met(name("amp_c"), "AMP")
    akg = _met(name("akg_c"), "2-Oxoglutarate")
    oaa = _met(name("oaa_c"), "Oxaloacetate")
    lip = _met(name("lipid_c"), "some lipid")
    fa = _met(name("fa_c"), "fatty acid")
    asns = cobra.Reaction("R_ASNS")
    asns.add_metabolites({asp: -1, gln: -1, atp: -1, asn: 1, glu: 1, amp: 1})
    asns.gene_reaction_rule = gene_ids[0]
    decoy = cobra.Reaction("R_DECOY")
    decoy.add_metabolites({lip: -1, fa: 1})
    decoy.gene_reaction_rule = gene_ids[0]
    got = cobra.Reaction("R_GOT")
    got.add_metabolites({asp: -1, akg: -1, oaa: 1, glu: 1})
    got.gene_reaction_rule = gene_ids[1]
    growth = cobra.Reaction("R_GROWTH", name="biomass")
    growth.add_metabolites({asn: -1, glu: -1})
    model.add_reactions([asns, decoy, got, growth])
    model.objective = "R_GROWTH"
    return model


@pytest.mark.parametrize(
    "gene_ids",
    [("ASNS", "GOT1"), ("440_AT1", "2805_AT1"), ("440", "2805"), ("ENSG00000070669", "ENSG00000120053.12")],
)
def test_gene_ids_of_any_scheme(gene_ids):
    model = _tiny(gene_ids)
    assert set(gene_symbols(model).values()) == {"ASNS", "GOT1"}
    roles = find_roles(model, roles=["ASNS", "GOT1", "biomass"])
    assert roles["ASNS"] == "R_ASNS"  # the decoy shares the gene, not the chemistry
    assert roles["GOT1"] == "R_GOT"
    assert roles["biomass"] == "R_GROWTH"
    row = roles.to_frame().set_index("role").loc["ASNS"]
    assert row["method"] == "gene" and "R_DECOY" in row["candidates"]


def test_gene_symbol_from_annotation_only():
    model = _tiny(("g1", "g2"))
    model.genes.g1.annotation = {"ncbigene": "440"}
    model.genes.g2.annotation = {"hgnc.symbol": "GOT1"}
    assert gene_symbols(model) == {"g1": "ASNS", "g2": "GOT1"}


def test_opaque_metabolite_ids_use_names_and_xrefs():
    roles = find_roles(_tiny(opaque=True), roles=["ASNS", "GOT1"])
    assert roles["ASNS"] == "R_ASNS" and roles["GOT1"] == "R_GOT"


def test_missing_role_raises_with_candidates_and_overrides_win():
    model = _tiny()
    roles = find_roles(model)
    assert roles.status("GOT2") == "missing" and "GOT2" in roles.missing
    with pytest.raises(RoleError, match="GOT2.*tiny_roles"):
        roles["GOT2"]
    # the ASNS gene is on two reactions, only one fits: the other is a listed candidate
    model.reactions.R_ASNS.gene_reaction_rule = ""
    roles = find_roles(model, roles=["ASNS"])
    assert roles.status("ASNS") == "missing"
    with pytest.raises(RoleError, match="R_DECOY"):
        roles["ASNS"]
    roles = find_roles(model, overrides={"ASNS": "R_ASNS"}, roles=["ASNS"])
    assert roles["ASNS"] == "R_ASNS" and roles.status("ASNS") == "override"
    with pytest.raises(FluxasnInputError, match="NOPE"):
        find_roles(model, overrides={"ASNS": "NOPE"})
    with pytest.raises(FluxasnInputError, match="XYZ"):
        find_roles(model, overrides={"XYZ": "R_ASNS"})


def test_no_gene_rules_falls_back_to_chemistry():
    model = _tiny()
    for reaction in model.reactions:
        reaction.gene_reaction_rule = ""
    roles = find_roles(model, roles=["ASNS"])
    assert roles["ASNS"] == "R_ASNS"
    assert roles.to_frame().set_index("role").loc["ASNS", "method"].startswith("chemistry")


def test_several_reactions_are_reported_not_guessed():
    model = _tiny()
    copy = model.reactions.R_GOT.copy()
    copy.id = "R_GOT_b"
    model.add_reactions([copy])
    roles = find_roles(model, roles=["GOT1"])
    assert roles.status("GOT1") == "multiple"
    assert set(roles.reactions("GOT1")) == {"R_GOT", "R_GOT_b"}
    with pytest.raises(RoleError, match="R_GOT"):
        roles["GOT1"]


def test_views(core_model):
    roles = find_roles(core_model)
    assert set(roles.to_frame()["role"]) == set(ROLES)
    assert "ASNS" in str(roles) and "<table" in roles._repr_html_()
    for role in CORE_ROLES:
        assert roles.status(role) == "found"
    assert core_model.reactions.get_by_id(roles["ASNS"]).genes


def _check_roles(model, expected):
    roles = find_roles(model)
    for role, reaction_id in expected.items():
        assert roles[role] == reaction_id, str(roles)
    return roles


@pytest.mark.genome_scale
def test_human_gem_roles(_human_gem_session):
    roles = _check_roles(
        _human_gem_session,
        {"ASNS": "MAR03903", "GOT1": "MAR03829", "GOT2": "MAR03827", "PC": "MAR04143", "biomass": "MAR13082",
         "EX_asn": "MAR09062"},
    )
    # ASPG's gene is also on lipid hydrolases: only the two asparaginase reactions
    assert set(roles.reactions("ASPG")) == {"MAR03862", "MAR04172"}


@pytest.mark.genome_scale
def test_recon3d_roles_and_renamed_copy(_recon3d_session):
    recon3d = _recon3d_session  # read only
    expected = {"ASNS": "ASNS1", "GOT1": "ASPTA", "GOT2": "ASPTAm", "PC": "PCm", "biomass": "BIOMASS_reaction",
                "ASPG": "ASNN", "ASRGL1": "ASNNm", "EX_asn": "EX_asn__L_e"}
    before = _check_roles(recon3d, expected)
    # every reaction and metabolite id replaced by an opaque one; genes and annotations kept
    # (through the dict form: renaming a genome-scale model object by object takes minutes)
    from cobra.io import model_from_dict, model_to_dict

    data = model_to_dict(recon3d)
    met_ids = {m["id"]: f"MET{i:05d}" for i, m in enumerate(data["metabolites"])}
    new_ids = {r["id"]: f"RXN{i:05d}" for i, r in enumerate(data["reactions"])}
    for met in data["metabolites"]:
        met["id"] = met_ids[met["id"]]
    for reaction in data["reactions"]:
        reaction["id"] = new_ids[reaction["id"]]
        reaction["metabolites"] = {met_ids[k]: v for k, v in reaction["metabolites"].items()}
    renamed = model_from_dict(data)
    assert not set(new_ids) & {r.id for r in renamed.reactions}
    after = find_roles(renamed)
    for role in list(expected) + ["CI", "CII", "CIII", "CV", "EX_glc", "EX_o2"]:
        assert after.reactions(role) == tuple(new_ids[r] for r in before.reactions(role)), role
