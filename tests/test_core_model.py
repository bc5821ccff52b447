"""The bundled fluxasn core model: balance, energy, annotations, carbon maps, phenotypes.

Reference values are computed independently here (formula weights, hand-derived
growth caps), never copied from a model run.
"""
from __future__ import annotations

import math
import re
import shutil

import cobra
import pytest
from cobra.flux_analysis import flux_variability_analysis

import fluxasn
from fluxasn.core.coremodel import (
    ASPARAGINASE_REACTIONS,
    BIOMASS_REACTION,
    build_core_model,
    core_table_paths,
    read_core_tables,
    set_asparaginase,
)
from fluxasn.exceptions import FluxasnInputError

TOL = 1e-7

# the amino acids of RPMI-1640 (cystine stands for cysteine)
AMINO_ACIDS = [
    "arg__L", "asn__L", "asp__L", "cysi__L", "glu__L", "gly", "his__L", "ile__L", "leu__L",
    "lys__L", "met__L", "phe__L", "pro__L", "ser__L", "thr__L", "trp__L", "tyr__L", "val__L",
    "gln__L", "ala__L",
]


@pytest.fixture(scope="module")
def _built():
    return build_core_model()


@pytest.fixture()
def model(_built):
    """The core model with the table's bounds (no medium), a fresh copy."""
    return _built.copy()


def _is_boundary(rxn: cobra.Reaction) -> bool:
    return rxn.annotation.get("sbo") in {"SBO:0000627", "SBO:0000629"}


# --- structure and balance ----------------------------------------------------


def test_size_and_compartments(model):
    assert set(model.compartments) == {"e", "c", "m"}
    assert len(model.reactions) > 150
    assert {m.compartment for m in model.metabolites} == {"e", "c", "m"}
    assert str(model.objective.expression).startswith("1.0*" + BIOMASS_REACTION)


def test_every_metabolite_has_formula_and_charge(model):
    missing = [m.id for m in model.metabolites if not m.formula or m.charge is None]
    assert missing == []


def test_internal_reactions_mass_and_charge_balanced(model):
    unbalanced = {
        r.id: r.check_mass_balance() for r in model.reactions if not _is_boundary(r)
    }
    assert {k: v for k, v in unbalanced.items() if v} == {}
    # the only unbalanced reactions are the exchanges and the biomass
    boundary = [r.id for r in model.reactions if _is_boundary(r)]
    assert set(boundary) == {r.id for r in model.exchanges} | {BIOMASS_REACTION}


def test_sbo_terms(model):
    for rxn in model.reactions:
        sbo = rxn.annotation["sbo"]
        if rxn in model.exchanges:
            assert sbo == "SBO:0000627", rxn.id
        elif rxn.id == BIOMASS_REACTION:
            assert sbo == "SBO:0000629"
        elif rxn.id == "ATPM":
            assert sbo == "SBO:0000630"
        elif len(rxn.compartments) > 1:
            assert sbo == "SBO:0000185", rxn.id
        else:
            assert sbo == "SBO:0000176", rxn.id


def test_required_pathway_reactions_present(model):
    required = [
        # glycolysis, lactate, PPP
        "HEX1", "PFK", "GAPD", "PYK", "LDH_L", "L_LACt2r", "G6PDH2r", "GND", "TKT1", "TALA",
        # PDH, PC, malic enzymes, TCA, ACLY, FA synthesis
        "PDHm", "PCm", "ME2", "ME1m", "ME2m", "CSm", "ICDHxm", "AKGDm", "r0509", "FUMm", "MDHm",
        "ACITL", "ACCOAC", "KAS8",
        # glutamine / glutamate, serine / glycine, one-carbon
        "GLUNm", "GLNS", "GDHm", "ASPTA", "ASPTAm", "PGCD", "PSERT", "PSP_L", "GHMT2r",
        "GHMT2rm", "MTHFD", "MTHFD2m",
        # asparagine and the malate-aspartate shuttle
        "ASNS1", "ASNN", "MDH", "AKGMALtm", "ASPGLUm",
        # ETC and DHODH
        "NADH2_u10mi", "CYOR_u10mi", "CYOOm2i", "ATPS4mi", "DHORD9",
        # purines and pyrimidines
        "GLUPRT", "PRAGSr", "GARFT", "PRFGS", "PRAIS", "AIRCr", "PRASCSi", "ADSL2r", "AICART",
        "IMPC", "ADSS", "ADSL1r", "IMPD", "GMPS2", "CBPS", "ASPCT", "DHORTS", "ORPT", "OMPDC",
        "CTPS2", "RNDR1", "TMDS",
        # transport
        "GLNt_SLC1A5", "LEUGLNex", "GLNt_SLC38A2", "ASPt_SLC1A3",
        # biomass and maintenance
        BIOMASS_REACTION, "ATPM",
    ]
    assert [r for r in required if r not in model.reactions] == []
    genes = {g.id for g in model.genes}
    for symbol in ("ASNS", "ASPG", "ASRGL1", "GOT1", "GOT2", "MDH1", "MDH2", "SLC25A11",
                   "SLC25A12", "SLC25A13", "PHGDH", "PSAT1", "PSPH", "SHMT1", "SHMT2",
                   "MTHFD1", "MTHFD2", "GLS", "GLUL", "GLUD1", "CAD", "DHODH", "UMPS", "CTPS1",
                   "TYMS", "PPAT", "ATIC", "ADSL", "IMPDH2", "GMPS", "SLC1A5", "SLC7A5",
                   "SLC38A2", "SLC1A3", "PC", "ACLY"):
        assert symbol in genes, symbol


def test_separate_nad_pools_and_ubiquinone(model):
    for met in ("nad_c", "nadh_c", "nad_m", "nadh_m", "q10_m", "q10h2_m", "o2_m"):
        assert met in model.metabolites
    # DHODH reduces mitochondrial ubiquinone
    dhodh = model.reactions.DHORD9
    assert dhodh.get_coefficient("q10_m") == -1 and dhodh.get_coefficient("q10h2_m") == 1


@pytest.mark.parametrize(
    "rid, expected",
    [
        # de novo stoichiometry of the nucleotide pathways (Asp, Gln, Gly, CO2, formyl-THF)
        ("GLUPRT", {"gln__L_c": -1}),
        ("PRAGSr", {"gly_c": -1}),
        ("GARFT", {"10fthf_c": -1}),
        ("PRFGS", {"gln__L_c": -1}),
        ("AIRCr", {"co2_c": -1}),
        ("PRASCSi", {"asp__L_c": -1}),
        ("AICART", {"10fthf_c": -1}),
        ("ADSS", {"asp__L_c": -1}),
        ("GMPS2", {"gln__L_c": -1}),
        ("CBPS", {"gln__L_c": -1, "hco3_c": -1}),
        ("ASPCT", {"asp__L_c": -1}),
        ("CTPS2", {"gln__L_c": -1}),
        ("TMDS", {"mlthf_c": -1}),
        ("ASNS1", {"asp__L_c": -1, "gln__L_c": -1, "asn__L_c": 1, "glu__L_c": 1, "amp_c": 1}),
    ],
)
def test_nucleotide_and_asparagine_stoichiometry(model, rid, expected):
    rxn = model.reactions.get_by_id(rid)
    assert {m: rxn.get_coefficient(m) for m in expected} == expected


# --- energy -------------------------------------------------------------------

DISSIPATION = {
    "ATP (c)": "atp_c + h2o_c -> adp_c + pi_c + h_c",
    "ATP (m)": "atp_m + h2o_m -> adp_m + pi_m + h_m",
    "GTP (c)": "gtp_c + h2o_c -> gdp_c + pi_c + h_c",
    "CTP (c)": "ctp_c + h2o_c -> cdp_c + pi_c + h_c",
    "UTP (c)": "utp_c + h2o_c -> udp_c + pi_c + h_c",
    "NADH (c)": "nadh_c -> nad_c + h_c",
    "NADH (m)": "nadh_m -> nad_m + h_m",
    "NADPH (c)": "nadph_c -> nadp_c + h_c",
    "NADPH (m)": "nadph_m -> nadp_m + h_m",
    "ubiquinol (m)": "q10h2_m -> q10_m + 2 h_m",
    "cytochrome c (m)": "focytC_m -> ficytC_m",
    "thioredoxin (c)": "trdrd_c -> trdox_c + 2 h_c",
    "proton motive force (c->m)": "h_c -> h_m",
}


@pytest.mark.parametrize("currency", sorted(DISSIPATION))
def test_no_energy_generating_cycle(model, currency):
    """With every uptake closed no energy currency is produced from nothing.

    Dissipation reactions as in Fritzemeier et al. 2017 PLoS Comput Biol 13:e1005494.
    """
    for rxn in model.exchanges:
        rxn.lower_bound = 0.0
    model.reactions.ATPM.lower_bound = 0.0
    model.reactions.get_by_id(BIOMASS_REACTION).bounds = (0.0, 0.0)
    dissipation = cobra.Reaction("DISSIPATION", lower_bound=0.0, upper_bound=1000.0)
    model.add_reactions([dissipation])
    dissipation.build_reaction_from_string(DISSIPATION[currency])
    # element-balanced (NAD(P)H -> NAD(P)+ + H+ moves charge, as in Fritzemeier et al. 2017)
    assert {k: v for k, v in dissipation.check_mass_balance().items() if k != "charge"} == {}
    model.objective = "DISSIPATION"
    solution = model.optimize()
    assert solution.status == "optimal"
    assert solution.objective_value == pytest.approx(0.0, abs=TOL)


def test_atp_maintenance_zero_without_uptake(model):
    for rxn in model.exchanges:
        rxn.lower_bound = 0.0
    model.reactions.ATPM.lower_bound = 0.0
    fva = flux_variability_analysis(model, ["ATPM"], fraction_of_optimum=0.0)
    assert fva.loc["ATPM", "maximum"] == pytest.approx(0.0, abs=TOL)


def test_no_growth_without_uptake(model):
    for rxn in model.exchanges:
        rxn.lower_bound = 0.0
    model.reactions.ATPM.lower_bound = 0.0
    assert (model.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)


def test_atp_yield_of_glucose(model):
    """ATP per glucose: 2 without O2 (glycolysis to lactate, exact); 30-33 with O2.

    Aerobic reference: P/O 2.5 (NADH) and 1.5 (ubiquinol) give 30-32 ATP per glucose
    (Rich 2003 Biochem Soc Trans 31:1095). The model reaches 32.25 because cytosolic
    NADPH from the oxidative pentose phosphate pathway can reach mitochondrial NAD+
    through reversible IDH1 and IDH3 without the proton cost of the
    malate-aspartate shuttle.
    """
    model.reactions.ATPM.lower_bound = 0.0
    model.reactions.EX_glc__D_e.lower_bound = -1.0
    model.objective = "ATPM"
    aerobic = model.slim_optimize()
    assert 30.0 <= aerobic <= 33.0
    model.reactions.EX_o2_e.lower_bound = 0.0
    assert model.slim_optimize() == pytest.approx(2.0, abs=TOL)


# --- annotations --------------------------------------------------------------


def test_gene_annotations(model):
    for gene in model.genes:
        ann = gene.annotation
        assert ann["hgnc.symbol"] == gene.id
        assert re.fullmatch(r"\d+", ann["ncbigene"]), gene.id
        assert re.fullmatch(r"ENSG\d{11}", ann["ensembl"]), gene.id
        if "hgnc" in ann:
            assert re.fullmatch(r"HGNC:\d+", ann["hgnc"]), gene.id
    assert model.genes.ASNS.annotation["hgnc"] == "HGNC:753"
    assert model.genes.ASNS.annotation["ncbigene"] == "440"
    assert model.genes.ASNS.annotation["ensembl"] == "ENSG00000070669"


def test_every_reaction_with_gpr_uses_hgnc_symbols(model):
    genes = {g.id for g in model.genes}
    for rxn in model.reactions:
        assert {g.id for g in rxn.genes} <= genes
    without = {r.id for r in model.reactions if not r.genes}
    # only boundary, pseudo, diffusion and spontaneous reactions lack a GPR
    allowed = {r.id for r in model.exchanges} | {BIOMASS_REACTION, "ATPM"}
    for rid in without - allowed:
        notes = model.reactions.get_by_id(rid).notes.get("notes", "")
        assert re.search(r"no gene|diffusion", notes), rid


def test_metabolite_annotations(model):
    for met in model.metabolites:
        ann = met.annotation
        assert ann.get("bigg.metabolite") == met.id.rsplit("_", 1)[0], met.id
        chebi = ann.get("chebi")
        assert chebi, met.id
        for value in [chebi] if isinstance(chebi, str) else chebi:
            assert re.fullmatch(r"CHEBI:\d+", value), met.id
        assert ann.get("kegg.compound"), met.id


def test_exchange_metabolites_are_matchable(model):
    """Every exchange metabolite carries BiGG, ChEBI and MetaNetX ids for medium matching."""
    for rxn in model.exchanges:
        (met,) = rxn.metabolites
        assert met.compartment == "e"
        for key in ("bigg.metabolite", "chebi", "metanetx.chemical"):
            assert met.annotation.get(key), (rxn.id, key)


def test_reaction_cross_references_are_well_formed(model):
    for rxn in model.reactions:
        mar = rxn.annotation.get("metatlas")
        if mar is not None:
            assert re.fullmatch(r"MAR\d{5}", mar), rxn.id
    assert model.reactions.ASNS1.annotation["metatlas"] == "MAR03903"
    assert model.reactions.ASNN.annotation["metatlas"] == "MAR04172"
    assert model.reactions.ASNS1.annotation["bigg.reaction"] == "ASNS1"


def test_exchanges_exist_for_rpmi_components(model):
    for base in AMINO_ACIDS + ["glc__D", "chol", "inost", "pi", "o2", "co2", "h2o", "h",
                               "nh4", "lac__L", "for", "hdca"]:
        assert f"EX_{base}_e" in model.reactions, base


def test_default_exchange_bounds(model):
    open_ = {"EX_o2_e", "EX_co2_e", "EX_h2o_e", "EX_h_e", "EX_pi_e"}
    for rxn in model.exchanges:
        if rxn.id in open_:
            assert rxn.lower_bound < 0, rxn.id
        else:
            assert rxn.lower_bound == 0, rxn.id
        assert rxn.upper_bound > 0, rxn.id


# --- biomass --------------------------------------------------------------------


def test_biomass_weighs_one_gram_per_gdw(model):
    """The biomass reaction consumes 1 +/- 0.05 g of material per gDW produced."""
    biomass = model.reactions.get_by_id(BIOMASS_REACTION)
    grams = -sum(c * m.formula_weight for m, c in biomass.metabolites.items()) / 1000.0
    assert grams == pytest.approx(1.0, abs=0.05)


def test_biomass_composition(model):
    biomass = model.reactions.get_by_id(BIOMASS_REACTION)
    # Asn about 0.2 mmol/gDW (Human-GEM protein 5.3375 x 0.0375, scaled to 1 g)
    assert -biomass.get_coefficient("asn__L_c") == pytest.approx(0.2, abs=0.03)
    # growth-associated ATP: Human-GEM 45 mmol/gDW plus lipid assembly
    gam = biomass.get_coefficient("adp_c")
    assert 45.0 <= gam <= 50.0
    for met in ("datp_c", "dttp_c", "gtp_c", "utp_c", "hdca_c", "glyc3p_c", "chol_c"):
        assert biomass.get_coefficient(met) < 0, met
    assert model.reactions.ATPM.lower_bound == pytest.approx(1.07)


# --- carbon atom transitions ---------------------------------------------------

CENTRAL_SUBSYSTEMS = {
    "Glycolysis", "Pentose phosphate pathway", "Pyruvate metabolism", "TCA cycle",
    "Malate-aspartate shuttle", "Glutamate metabolism", "Serine and glycine metabolism",
    "One-carbon metabolism", "Asparagine metabolism",
}
# carbon-carrying metabolites of central metabolism whose transports and exchanges are traced
CENTRAL_BASES = {
    "glc__D", "lac__L", "pyr", "cit", "mal__L", "akg", "oaa", "co2", "hco3", "for", "gln__L",
    "glu__L", "asp__L", "asn__L", "ser__L", "gly", "ala__L",
}
COFACTOR_BASES = {
    "atp", "adp", "amp", "gtp", "gdp", "nad", "nadh", "nadp", "nadph", "coa", "thf", "dhf",
    "q10", "q10h2", "ppi", "pi", "h", "h2o", "o2", "nh4",
}
_TERM = re.compile(r"^([A-Za-z0-9_]+)\(([a-z]+)\)$")


def _parse_map(text):
    lhs, rhs = text.split("->")
    sides = []
    for side in (lhs, rhs):
        terms = [t.strip() for t in side.split(" + ") if t.strip()]
        parsed = []
        for term in terms:
            match = _TERM.match(term)
            assert match, f"cannot parse carbon term {term!r} in {text!r}"
            parsed.append((match.group(1), match.group(2)))
        sides.append(parsed)
    return sides


def _traced(met):
    if "traced_carbons" in met.notes:
        return int(met.notes["traced_carbons"])
    return cobra.core.formula.Formula(met.formula).elements.get("C", 0)


def _needs_map(model, rxn):
    bases = {m.id.rsplit("_", 1)[0] for m in rxn.metabolites}
    if rxn.subsystem in CENTRAL_SUBSYSTEMS:
        return any(
            _traced(m) > 0 and m.id.rsplit("_", 1)[0] not in COFACTOR_BASES
            for m in rxn.metabolites
        )
    if rxn.subsystem.startswith("Transport"):
        return bool(bases & CENTRAL_BASES)
    return False


def test_carbon_maps_cover_central_metabolism(model):
    missing = [
        r.id for r in model.reactions
        if _needs_map(model, r) and not r.notes.get("carbon_transitions")
    ]
    assert missing == []
    # every traced central species of such a reaction appears in its map
    for rxn in model.reactions:
        text = rxn.notes.get("carbon_transitions")
        if not text or not _needs_map(model, rxn):
            continue
        mapped = {sp for side in _parse_map(text) for sp, _ in side}
        for met in rxn.metabolites:
            base = met.id.rsplit("_", 1)[0]
            central = base in CENTRAL_BASES or (
                rxn.subsystem in CENTRAL_SUBSYSTEMS and base not in COFACTOR_BASES
            )
            if central and _traced(met) > 0:
                assert met.id in mapped, (rxn.id, met.id)


def test_carbon_maps_are_atom_balanced(model):
    n_maps = 0
    for rxn in model.reactions:
        text = rxn.notes.get("carbon_transitions")
        if not text:
            continue
        n_maps += 1
        lhs, rhs = _parse_map(text)
        for sign, side in ((-1, lhs), (1, rhs)):
            letters = "".join(atoms for _, atoms in side)
            assert len(letters) == len(set(letters)), (rxn.id, "letter used twice on a side")
            counts = {}
            for species, atoms in side:
                met = model.metabolites.get_by_id(species)
                coefficient = rxn.get_coefficient(met)
                assert coefficient * sign > 0, (rxn.id, species, "on the wrong side")
                assert len(atoms) == _traced(met), (rxn.id, species, atoms)
                counts[species] = counts.get(species, 0) + 1
            for species, n in counts.items():
                assert n == abs(rxn.get_coefficient(species)), (rxn.id, species)
        assert sorted("".join(a for _, a in lhs)) == sorted("".join(a for _, a in rhs)), rxn.id
    assert n_maps > 80
    # exchanges are boundaries: the labelled source or sink is their extracellular species
    assert not any(r.notes.get("carbon_transitions") for r in model.exchanges)


def test_carbon_maps_parse_with_the_isotope_parser(model):
    from fluxasn.isotope.atommap import parse_transition

    symmetric = [m.id for m in model.metabolites if m.notes.get("symmetric") == "true"]
    carbons = {m.id: _traced(m) for m in model.metabolites}
    parsed = 0
    for rxn in model.reactions:
        text = rxn.notes.get("carbon_transitions")
        if text:
            parse_transition(text, reaction=rxn.id, symmetric=symmetric, carbons=carbons)
            parsed += 1
    assert parsed > 80


def test_known_carbon_maps(model):
    notes = {r.id: r.notes.get("carbon_transitions") for r in model.reactions}
    assert notes["CSm"] == "oaa_m(abcd) + accoa_m(ef) -> cit_m(dcbfea)"
    assert notes["ICDHxm"] == "icit_m(abcdef) -> akg_m(abcde) + co2_m(f)"
    assert notes["PDHm"] == "pyr_m(abc) -> accoa_m(bc) + co2_m(a)"
    # ATP-citrate lyase is the inverse of citrate synthase
    assert notes["ACITL"] == "cit_c(abcdef) -> accoa_c(ed) + oaa_c(fcba)"
    for met in ("succ_m", "fum_m", "fum_c"):
        assert model.metabolites.get_by_id(met).notes["symmetric"] == "true"
    assert model.metabolites.accoa_m.notes["traced_carbons"] == "2"


# --- asparaginase option -----------------------------------------------------


def test_asparaginase_closed_by_default_and_switchable(model):
    for rid in ASPARAGINASE_REACTIONS:
        assert model.reactions.get_by_id(rid).bounds == (0.0, 0.0)
        assert {g.id for g in model.reactions.get_by_id(rid).genes} == {"ASPG", "ASRGL1"}
    with model:
        set_asparaginase(model, active=True)
        assert model.reactions.ASNN.bounds == (0.0, 1000.0)
    assert model.reactions.ASNN.bounds == (0.0, 0.0)


def test_set_asparaginase_rejects_bad_input(model):
    with pytest.raises(FluxasnInputError, match="upper_bound"):
        set_asparaginase(model, active=True, upper_bound=-1.0)
    model.remove_reactions(["ASNN"])
    with pytest.raises(FluxasnInputError, match="ASNN"):
        set_asparaginase(model, active=True)


# --- phenotypes on RPMI-1640 ---------------------------------------------------


def test_growth_on_rpmi(core_model):
    solution = core_model.optimize()
    assert solution.status == "optimal"
    assert solution.objective_value > 0.01


def test_asn_free_rpmi_grows_through_asns():
    model = fluxasn.load_model("core", medium="RPMI-1640 -Asn")
    assert model.reactions.EX_asn__L_e.lower_bound == 0
    assert model.slim_optimize() > 0.01
    fva = flux_variability_analysis(model, ["ASNS1"], fraction_of_optimum=0.5)
    assert fva.loc["ASNS1", "minimum"] > 1e-6


def test_asns_knockout(core_model):
    with core_model:
        core_model.genes.ASNS.knock_out()
        assert core_model.slim_optimize(error_value=0.0) > 0.01
    without_asn = fluxasn.load_model("core", medium="RPMI-1640 -Asn")
    without_asn.genes.ASNS.knock_out()
    assert (without_asn.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)
    # asparaginase cannot rescue: it consumes asparagine
    set_asparaginase(without_asn, active=True)
    assert (without_asn.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)


@pytest.mark.parametrize(
    "reaction",
    ["NADH2_u10mi", "CYOR_u10mi", "CYOOm2i"],
)
def test_etc_knockout_lowers_growth(core_model, reaction):
    wild_type = core_model.slim_optimize()
    with core_model:
        core_model.reactions.get_by_id(reaction).knock_out()
        knocked = core_model.slim_optimize(error_value=0.0) or 0.0
    assert knocked < 0.99 * wild_type


def test_all_etc_complexes_knockout_lowers_growth(core_model):
    wild_type = core_model.slim_optimize()
    with core_model:
        for rid in ("NADH2_u10mi", "r0509", "CYOR_u10mi", "CYOOm2i", "ATPS4mi"):
            core_model.reactions.get_by_id(rid).knock_out()
        knocked = core_model.slim_optimize(error_value=0.0) or 0.0
    assert knocked < 0.99 * wild_type
    # without complexes III/IV ubiquinol cannot be reoxidised: no pyrimidines
    assert knocked == pytest.approx(0.0, abs=TOL)


# --- units and the plausible range ---------------------------------------------


def _issue_bounds(model):
    """Glucose uptake 0.5, glutamine 0.1, every other amino acid 0.05 mmol/gDW/h."""
    model.reactions.EX_glc__D_e.lower_bound = -0.5
    model.reactions.EX_gln__L_e.lower_bound = -0.1
    for base in AMINO_ACIDS:
        if base != "gln__L":
            model.reactions.get_by_id(f"EX_{base}_e").lower_bound = -0.05


def test_doubling_time_plausible(core_model):
    """Doubling time (ln 2 / growth in 1/h) between 10 and 100 h under the issue's caps."""
    _issue_bounds(core_model)
    growth = core_model.slim_optimize()
    doubling_h = math.log(2) / growth
    assert 10.0 <= doubling_h <= 100.0


def test_growth_is_capped_by_leucine(core_model):
    """With choline unlimited, growth = Leu uptake / Leu biomass coefficient (hand-derived)."""
    _issue_bounds(core_model)
    core_model.reactions.EX_chol_e.lower_bound = -1000.0
    leucine = -core_model.reactions.get_by_id(BIOMASS_REACTION).get_coefficient("leu__L_c")
    assert core_model.slim_optimize() == pytest.approx(0.05 / leucine, rel=1e-6)


# --- proline synthesis (DMEM has no proline) ----------------------------------

PYCR_GENES = ("PYCR1", "PYCR2", "PYCR3")


def test_proline_synthesis_pathway(_built):
    """P5CS (two steps), spontaneous cyclisation and PYCR as in Recon3D/Human-GEM."""
    for rid in ("GLU5Km", "G5SDym", "G5SADrm", "G5SADs", "P5CRm", "P5CRxm", "P5CR"):
        assert _built.reactions.get_by_id(rid).check_mass_balance() == {}, rid
    assert {g.id for g in _built.reactions.GLU5Km.genes} == {"ALDH18A1"}
    assert {g.id for g in _built.reactions.P5CRxm.genes} == {"PYCR1", "PYCR2"}
    assert {g.id for g in _built.reactions.P5CR.genes} == {"PYCR3"}
    # the ring closure is spontaneous: no gene
    assert not _built.reactions.G5SADrm.genes and not _built.reactions.G5SADs.genes
    # P5CS: Glu + ATP + NADPH -> GSA + ADP + Pi + NADP+ (sum of the two steps)
    net = {}
    for rid in ("GLU5Km", "G5SDym"):
        for met, coef in _built.reactions.get_by_id(rid).metabolites.items():
            net[met.id] = net.get(met.id, 0) + coef
    assert {k: v for k, v in net.items() if v} == {
        "glu__L_m": -1, "atp_m": -1, "nadph_m": -1, "h_m": -1,
        "glu5sa_m": 1, "adp_m": 1, "nadp_m": 1, "pi_m": 1,
    }


def test_growth_on_dmem_needs_proline_synthesis():
    """DMEM lacks proline: growth needs P5CS and PYCR; RPMI (with proline) does not.

    Proline cannot leave the cell (uptake-only transport), so at the optimum the
    P5CS flux equals the biomass proline demand (coefficient x growth), exactly.
    """
    dmem = fluxasn.load_model("core", medium="DMEM (high glucose)")
    assert dmem.reactions.EX_pro__L_e.lower_bound == 0
    growth = dmem.slim_optimize()
    assert growth > 0.01
    demand = -dmem.reactions.get_by_id(BIOMASS_REACTION).get_coefficient("pro__L_c") * growth
    fva = flux_variability_analysis(dmem, ["GLU5Km"], fraction_of_optimum=1.0)
    assert fva.loc["GLU5Km", "minimum"] == pytest.approx(demand, rel=1e-6)
    assert fva.loc["GLU5Km", "maximum"] == pytest.approx(demand, rel=1e-6)
    with dmem:
        for symbol in PYCR_GENES:
            dmem.genes.get_by_id(symbol).knock_out()
        assert (dmem.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)
    with dmem:
        dmem.genes.ALDH18A1.knock_out()
        assert (dmem.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)
    # a single reductase is enough: PYCR3 alone (cytosolic) or PYCR1 alone (mitochondrial)
    for keep in ("PYCR1", "PYCR3"):
        with dmem:
            for symbol in PYCR_GENES:
                if symbol != keep:
                    dmem.genes.get_by_id(symbol).knock_out()
            assert dmem.slim_optimize() == pytest.approx(growth, rel=1e-6), keep
    rpmi = fluxasn.load_model("core")
    control = rpmi.slim_optimize()
    for symbol in PYCR_GENES:
        rpmi.genes.get_by_id(symbol).knock_out()
    assert rpmi.slim_optimize() == pytest.approx(control, rel=1e-6)


# --- table validation -----------------------------------------------------------


def _copy_tables(tmp_path):
    for path in core_table_paths().values():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _rewrite(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _line_of(path, prefix):
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(prefix)


def test_tables_build_from_a_copy(tmp_path):
    model = build_core_model(_copy_tables(tmp_path))
    assert len(model.reactions) == len(read_core_tables()["reactions"])


def test_bad_bound_names_file_line_and_id(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "reactions.tsv"
    line = _line_of(path, "PGI\t")
    _rewrite(path, "\tGPI\t-1000\t", "\tGPI\tminus\t")
    with pytest.raises(FluxasnInputError) as info:
        build_core_model(folder)
    assert info.value.line == line
    assert info.value.identifier == "PGI"
    assert "reactions.tsv" in str(info.value) and "lower_bound" in str(info.value)


def test_undeclared_metabolite_names_file_line_and_id(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "reactions.tsv"
    line = _line_of(path, "PGI\t")
    _rewrite(path, "g6p_c <=> f6p_c", "g6p_c <=> f6p_x_c")
    with pytest.raises(FluxasnInputError, match="f6p_x_c") as info:
        build_core_model(folder)
    assert (info.value.line, info.value.identifier) == (line, "PGI")


def test_unknown_gene_and_bad_equation(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "reactions.tsv"
    _rewrite(path, "\tGPI\t", "\tNOTAGENE\t")
    with pytest.raises(FluxasnInputError, match="NOTAGENE") as info:
        build_core_model(folder)
    assert info.value.identifier == "PGI"
    folder2 = tmp_path / "b"
    folder2.mkdir()
    _copy_tables(folder2)
    _rewrite(folder2 / "reactions.tsv", "g6p_c <=> f6p_c", "g6p_c <=> + f6p_c")
    with pytest.raises(FluxasnInputError, match="cannot parse term"):
        build_core_model(folder2)


def test_bad_metabolite_and_gene_rows(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "metabolites.tsv"
    line = _line_of(path, "asn__L_c\t")
    text = path.read_text().splitlines()
    cells = text[line - 1].split("\t")
    cells[4] = "zero"  # charge
    text[line - 1] = "\t".join(cells)
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(FluxasnInputError) as info:
        build_core_model(folder)
    assert (info.value.line, info.value.identifier) == (line, "asn__L_c")
    assert "metabolites.tsv" in str(info.value)

    (tmp_path / "g").mkdir()
    folder = _copy_tables(tmp_path / "g")
    genes = folder / "genes.tsv"
    line = _line_of(genes, "ASNS\t")
    _rewrite(genes, "ENSG00000070669", "ENSG0000")
    with pytest.raises(FluxasnInputError) as info:
        build_core_model(folder)
    assert (info.value.line, info.value.identifier) == (line, "ASNS")


def test_wrong_header_and_missing_table(tmp_path):
    folder = _copy_tables(tmp_path)
    _rewrite(folder / "genes.tsv", "symbol\thgnc_id", "gene\thgnc_id")
    with pytest.raises(FluxasnInputError, match="header") as info:
        build_core_model(folder)
    assert info.value.line == 1
    (folder / "genes.tsv").unlink()
    with pytest.raises(FluxasnInputError, match="not found"):
        build_core_model(folder)


def test_irreversible_with_negative_bound(tmp_path):
    folder = _copy_tables(tmp_path)
    _rewrite(folder / "reactions.tsv", "\tHK1 or HK2\t0\t", "\tHK1 or HK2\t-5\t")
    with pytest.raises(FluxasnInputError, match="irreversible") as info:
        build_core_model(folder)
    assert info.value.identifier == "HEX1"


def test_malformed_gpr(tmp_path):
    folder = _copy_tables(tmp_path)
    path = folder / "reactions.tsv"
    line = _line_of(path, "HEX1\t")
    _rewrite(path, "\tHK1 or HK2\t", "\t(HK1 or HK2\t")
    with pytest.raises(FluxasnInputError, match="malformed GPR") as info:
        build_core_model(folder)
    assert (info.value.line, info.value.identifier) == (line, "HEX1")
