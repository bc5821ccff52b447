"""Core model content for supplement experiments: pyruvate, uridine, 2-oxobutanoate (AKB).

Expected values are derived by hand from the stoichiometry (biomass coefficients,
the media uptake rule of 0.1 mmol/gDW/h per mM), never copied from a model run.
"""
from __future__ import annotations

import cobra
import pytest

import fluxasn
from fluxasn.core.resolver import ModelResolver
from fluxasn.analysis.scenarios import apply_scenario, parse_scenario
from fluxasn.core.coremodel import BIOMASS_REACTION, build_core_model

TOL = 1e-7

NEW_REACTIONS = {
    # id: (genes, Human-GEM, BiGG)
    "PYRt2": ({"SLC16A1", "SLC16A3", "SLC16A7"}, "MAR04928", "PYRt2"),
    "URIt": ({"SLC29A1", "SLC29A2"}, "MAR05035", "URIt"),
    "URIK1": ({"UCK1", "UCK2"}, "MAR05299", "URIK1"),
    "2OBUTt": ({"SLC16A1", "SLC16A7"}, "MAR11785", "2OBUTt"),
    "2HBO": ({"LDHA", "LDHB"}, "MAR05351", "2HBO"),
    "2HBt2": ({"SLC16A1", "SLC16A3", "SLC16A7"}, "MAR08075", "2HBt2"),
}
EXCHANGES = {"EX_pyr_e": "pyr", "EX_uri_e": "uri", "EX_2obut_e": "2obut", "EX_2hb_e": "2hb"}


@pytest.fixture(scope="module")
def _built():
    return build_core_model()


@pytest.fixture()
def rpmi():
    return fluxasn.load_model("core")


def _scenario(model, text):
    resolver = ModelResolver(model)
    return apply_scenario(model, parse_scenario(text), resolver=resolver)


def test_new_reactions_balanced_and_cross_referenced(_built):
    for rid, (genes, mar, bigg) in NEW_REACTIONS.items():
        rxn = _built.reactions.get_by_id(rid)
        assert rxn.check_mass_balance() == {}, rid
        assert {g.id for g in rxn.genes} == genes, rid
        assert rxn.annotation["metatlas"] == mar, rid
        assert rxn.annotation["bigg.reaction"] == bigg, rid
    # uridine-cytidine kinase: uridine + ATP -> UMP + ADP (+ H+), irreversible
    uck = _built.reactions.URIK1
    assert {m.id: c for m, c in uck.metabolites.items()} == {
        "uri_c": -1, "atp_c": -1, "ump_c": 1, "adp_c": 1, "h_c": 1,
    }
    assert uck.bounds == (0.0, 1000.0)
    # LDH reduces 2-oxobutanoate with cytosolic NADH: one NAD+ per 2-hydroxybutyrate
    hbo = _built.reactions.get_by_id("2HBO")
    assert hbo.get_coefficient("2obut_c") == -hbo.get_coefficient("2hb_c")
    assert hbo.get_coefficient("nadh_c") == -hbo.get_coefficient("nad_c") == hbo.get_coefficient("2obut_c")
    assert hbo.notes["carbon_transitions"] == "2hb_c(abcd) -> 2obut_c(abcd)"
    assert _built.reactions.PYRt2.notes["carbon_transitions"] == "pyr_e(abc) -> pyr_c(abc)"


def test_supplement_exchanges_closed_by_default(_built, rpmi):
    for model in (_built, rpmi):
        for rid, base in EXCHANGES.items():
            rxn = model.reactions.get_by_id(rid)
            assert rxn.lower_bound == 0.0 and rxn.upper_bound > 0, rid
            (met,) = rxn.metabolites
            assert met.annotation["bigg.metabolite"] == base


@pytest.mark.parametrize(
    "token, exchange, mM",
    [("pyruvate", "EX_pyr_e", 1.0), ("uridine", "EX_uri_e", 0.2), ("akb", "EX_2obut_e", 1.0)],
)
def test_scenario_supplements_resolve_to_the_new_exchanges(rpmi, token, exchange, mM):
    """The scenario tokens find the exchange; uptake limit = 0.1 mmol/gDW/h per mM.

    Pyruvate and AKB can be taken up to that limit (lactate and 2-hydroxybutyrate
    leave); uridine only as far as pyrimidine synthesis for growth consumes it.
    """
    rxn = rpmi.reactions.get_by_id(exchange)
    with rpmi:
        notes = _scenario(rpmi, token)
        assert exchange in " ".join(notes)
        assert rxn.lower_bound == pytest.approx(-0.1 * mM)
        rpmi.objective = {rxn: 1}
        rpmi.objective_direction = "min"
        uptake = -rpmi.slim_optimize()
        if token == "uridine":
            rpmi.objective = BIOMASS_REACTION
            rpmi.objective_direction = "max"
            assert uptake == pytest.approx(rpmi.slim_optimize() * _pyrimidine_need(rpmi), rel=1e-6)
        else:
            assert uptake == pytest.approx(0.1 * mM)
    assert rxn.lower_bound == 0.0


def test_pyruvate_uptake_only_when_supplied(rpmi):
    rpmi.objective = {rpmi.reactions.EX_pyr_e: 1}
    rpmi.objective_direction = "min"
    assert rpmi.slim_optimize() == pytest.approx(0.0, abs=TOL)
    rpmi.reactions.EX_pyr_e.lower_bound = -0.1
    assert rpmi.slim_optimize() == pytest.approx(-0.1)
    # without a monocarboxylate transporter it cannot enter
    for gene in ("SLC16A1", "SLC16A3", "SLC16A7"):
        rpmi.genes.get_by_id(gene).knock_out()
    assert rpmi.slim_optimize() == pytest.approx(0.0, abs=TOL)


def _pyrimidine_need(model):
    """mmol UMP-derived nucleotide per gDW of biomass (UTP, CTP, dTTP, dCTP)."""
    biomass = model.reactions.get_by_id(BIOMASS_REACTION)
    return -sum(biomass.get_coefficient(m) for m in ("utp_c", "ctp_c", "dttp_c", "dctp_c"))


def test_uridine_rescues_complex_iii_knockout(rpmi):
    """Respiration-deficient cells are uridine auxotrophs (King and Attardi 1989 Science 246:500)."""
    rpmi.reactions.CYOR_u10mi.knock_out()
    rpmi.reactions.EX_glc__D_e.lower_bound = -1000.0
    assert (rpmi.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)
    # uridine limiting: growth = uptake / pyrimidine need (hand-derived, DHODH cannot run)
    uptake = 0.001
    rpmi.reactions.EX_uri_e.lower_bound = -uptake
    assert rpmi.slim_optimize() == pytest.approx(uptake / _pyrimidine_need(rpmi), rel=1e-6)
    # salvage needs the transporter (ENT1/2) and the kinase (UCK1/2)
    for genes in (("SLC29A1", "SLC29A2"), ("UCK1", "UCK2")):
        with rpmi:
            for gene in genes:
                rpmi.genes.get_by_id(gene).knock_out()
            assert (rpmi.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)


def test_uridine_is_not_needed_with_respiration(rpmi):
    wild_type = rpmi.slim_optimize()
    fva = cobra.flux_analysis.flux_variability_analysis(rpmi, ["URIK1", "DHORD9"], fraction_of_optimum=1.0)
    assert fva.loc["URIK1", "maximum"] == pytest.approx(0.0, abs=TOL)  # no uridine in RPMI
    assert fva.loc["DHORD9", "minimum"] == pytest.approx(wild_type * _pyrimidine_need(rpmi), rel=1e-6)


def test_akb_reduction_balances(rpmi):
    """Each 2-oxobutanoate taken up leaves as one 2-hydroxybutyrate, oxidising one cytosolic NADH."""
    rpmi.objective = {rpmi.reactions.EX_2hb_e: 1}
    assert rpmi.slim_optimize() == pytest.approx(0.0, abs=TOL)  # no other source of 2-hydroxybutyrate
    rpmi.reactions.EX_2obut_e.lower_bound = -0.1
    solution = cobra.flux_analysis.pfba(rpmi)
    assert solution.fluxes["EX_2hb_e"] == pytest.approx(0.1)
    assert solution.fluxes["2HBO"] == pytest.approx(-0.1)  # written 2hb -> 2obut: negative = reduction
    rpmi.genes.LDHA.knock_out()
    rpmi.genes.LDHB.knock_out()
    assert rpmi.slim_optimize(error_value=0.0) == pytest.approx(0.0, abs=TOL)


def test_complex_i_loss_is_compensated_by_reductive_carboxylation(rpmi):
    """Documents why the core model misses the ETC -> aspartate phenotype (README, "Complex I loss").

    With glucose uncapped, complex I loss costs no growth: reductive carboxylation
    (IDH1/IDH2 reverse) with ATP-citrate lyase and lipogenesis takes the electrons.
    Without it growth falls, held up only by the PYCR1/2 NADH vent; without both
    the cell cannot grow, and pyruvate (a cytosolic electron acceptor via
    LDH) cannot help: the deficit is mitochondrial NADH (PDH for lipogenic citrate),
    which a mitochondrial acceptor removes.
    """
    rpmi.reactions.EX_glc__D_e.lower_bound = -1000.0
    control = rpmi.slim_optimize()
    rpmi.reactions.NADH2_u10mi.knock_out()
    assert rpmi.slim_optimize() == pytest.approx(control, rel=1e-6)
    rpmi.reactions.ICDHyr.lower_bound = 0.0
    rpmi.reactions.ICDHym.lower_bound = 0.0
    # P5C reductase with NADH (PYCR1/2, mitochondrial) is a second NAD+ vent
    # (Westbrook et al. 2022; Schworer et al. 2020): growth falls but stays > 0
    vented = rpmi.slim_optimize(error_value=0.0) or 0.0
    assert 0.0 < vented < 0.9 * control
    for gene in ("PYCR1", "PYCR2", "PYCR3"):
        rpmi.genes.get_by_id(gene).knock_out()
    assert (rpmi.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)
    rpmi.reactions.EX_pyr_e.lower_bound = -0.1
    assert (rpmi.slim_optimize(error_value=0.0) or 0.0) == pytest.approx(0.0, abs=TOL)
    acceptor = cobra.Reaction("MITO_NADH_ACCEPTOR", lower_bound=0.0, upper_bound=1000.0)
    rpmi.add_reactions([acceptor])
    acceptor.build_reaction_from_string("nadh_m + h_m -> nad_m")
    assert rpmi.slim_optimize() == pytest.approx(control, rel=1e-6)


def test_counterfactual_without_reductive_carboxylation_and_with_reversible_agc(rpmi):
    """README: closing IDH1/IDH2 reverse and reversing the Asp/Glu carrier (both
    against the evidence) gives the published pattern: lower growth, rescued by
    pyruvate, GOT1-dependent. Documents which fluxes the phenotype turns on."""
    rpmi.reactions.ICDHyr.lower_bound = 0.0
    rpmi.reactions.ICDHym.lower_bound = 0.0
    for gene in ("PYCR1", "PYCR2", "PYCR3"):  # the PYCR NAD+ vent (see the test above) off too
        rpmi.genes.get_by_id(gene).knock_out()
    agc = cobra.Reaction("AGC_REVERSE", lower_bound=0.0, upper_bound=1000.0)
    rpmi.add_reactions([agc])
    agc.build_reaction_from_string("asp__L_c + glu__L_m + h_m -> asp__L_m + glu__L_c + h_c")
    growth = {}
    for name in ("glucose_uncapped", "glucose_uncapped+etc_i", "glucose_uncapped+etc_i+pyruvate",
                 "glucose_uncapped+etc_i+got1_ko", "glucose_uncapped+etc_i+pyruvate+got1_ko"):
        with rpmi:
            _scenario(rpmi, name)
            growth[name] = rpmi.slim_optimize(error_value=0.0) or 0.0
    control = growth["glucose_uncapped"]
    assert 0.0 < growth["glucose_uncapped+etc_i"] < 0.9 * control
    assert growth["glucose_uncapped+etc_i+pyruvate"] == pytest.approx(control, rel=1e-6)
    assert growth["glucose_uncapped+etc_i+pyruvate+got1_ko"] < 1.05 * growth["glucose_uncapped+etc_i+got1_ko"]


def test_rpmi_complex_i_loss_electron_acceptors(rpmi):
    """With RPMI's glucose limit complex I loss lowers growth; pyruvate and AKB, each
    one cytosolic NAD+ per molecule through LDH, raise it by the same amount; GOT1
    loss does not remove the pyruvate effect (glucose/ATP limits, README)."""
    control = rpmi.slim_optimize()
    rpmi.reactions.NADH2_u10mi.knock_out()
    base = rpmi.slim_optimize()
    assert 0.0 < base < 0.9 * control
    raised = {}
    for exchange in ("EX_pyr_e", "EX_2obut_e"):
        with rpmi:
            rpmi.reactions.get_by_id(exchange).lower_bound = -0.1
            raised[exchange] = rpmi.slim_optimize()
    assert raised["EX_pyr_e"] > 1.02 * base
    assert raised["EX_2obut_e"] == pytest.approx(raised["EX_pyr_e"], rel=1e-6)
    rpmi.genes.GOT1.knock_out()
    without_got1 = rpmi.slim_optimize()
    rpmi.reactions.EX_pyr_e.lower_bound = -0.1
    assert rpmi.slim_optimize() > 1.02 * without_got1
