"""Issue #19 item 5: four scenario defects, each checked against an independent reference.

1. Relative hypoxia takes one normoxic reference per comparison: the pFBA O2
   uptake of the model before any perturbation of the scenario (cobra's pfba).
2. A normoxic reference without an optimal solution is recorded in the
   notes (O2 closed, said so), never turned into a silent cap of 0 or raised.
3. L-asparaginase turns the medium asparagine into aspartate (+ NH3): the
   aspartate uptake limit rises by the uptake rule (0.1 mmol/gDW/h per mM,
   ``data/media/README.md``) at the asparagine concentration; RPMI-1640 has
   0.378444 mM Asn and 0.150263 mM Asp (``data/media/media.tsv``).
4. A gene knock-out says which reactions it closes and which other genes keep
   the rest open (cobra's ``gene.knock_out()`` / ``reaction.functional`` as
   the reference); ``reactions="all"`` closes every reaction of the gene.
"""
from __future__ import annotations

import math

import cobra
import pandas as pd
import pytest
from cobra.flux_analysis import flux_variability_analysis, pfba

from _shared import REPO
from fluxasn.analysis import scenarios as S
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError

#: The documented uptake rule: mmol/gDW/h per mM (data/media/README.md).
RATE_PER_MM = 0.1


def _rpmi_mM(component: str) -> float:
    table = pd.read_csv(REPO / "data" / "media" / "media.tsv", sep="\t")
    row = table[(table["medium"] == "RPMI-1640") & (table["component"] == component)]
    assert len(row) == 1
    return float(row["concentration_mM"].iloc[0])


def _o2_cap(model) -> float:
    return -model.reactions.EX_o2_e.lower_bound


# --- 1. one normoxic reference per comparison --------------------------------------------


def test_hypoxia_cap_is_a_fraction_of_the_unperturbed_model(core_model):
    normoxic = -pfba(core_model).fluxes["EX_o2_e"]  # cobra, on the model as handed over
    assert normoxic == pytest.approx(0.6137, abs=5e-5)
    caps, notes = {}, {}
    for name in ("hypoxia", "hypoxia+pyruvate", "hypoxia(fraction=0.25)+pyruvate"):
        with core_model:
            notes[name] = S.apply_scenario(core_model, name)
            caps[name] = _o2_cap(core_model)
    assert caps["hypoxia"] == pytest.approx(0.1 * normoxic, rel=1e-9)
    assert caps["hypoxia+pyruvate"] == pytest.approx(0.1 * normoxic, rel=1e-9)  # was 0.06256
    assert caps["hypoxia(fraction=0.25)+pyruvate"] == pytest.approx(0.25 * normoxic, rel=1e-9)
    assert "O2 uptake <= 0.06137 mmol/gDW/h (10% of the normoxic 0.6137 of the unperturbed model" \
        in notes["hypoxia+pyruvate"][-1]


def test_matrix_rows_share_one_o2_cap(core_model):
    matrix = S.run_scenarios(core_model, ["hypoxia", "hypoxia+pyruvate"], readouts=("growth",), processes=1)
    notes = matrix.frame.set_index("scenario")["notes"]
    for name in ("hypoxia", "hypoxia+pyruvate"):
        assert "O2 uptake <= 0.06137 mmol/gDW/h (10% of the normoxic 0.6137" in notes[name]


def test_given_reference_is_used(core_model):
    with core_model:
        notes = S.apply_scenario(core_model, "hypoxia(fraction=0.5)", reference_o2=0.3)
        assert _o2_cap(core_model) == pytest.approx(0.15)
    assert "50% of the normoxic 0.3" in notes[-1]
    with pytest.raises(FluxasnInputError, match="reference_o2"):
        S.apply_scenario(core_model, "hypoxia", reference_o2=-1.0)


class _Unreachable(S.Perturbation):
    """Demands more growth than the network allows (an infeasible LP)."""

    def apply(self, model, resolver):
        resolver.biomass().lower_bound = 100.0
        return ["growth >= 100"]


def test_other_perturbations_do_not_move_the_reference(core_model):
    """An infeasible sibling perturbation used to make the cap 0; the reference is now taken before it."""
    normoxic = -pfba(core_model).fluxes["EX_o2_e"]
    scenario = S.Scenario("unreachable+hypoxia", (_Unreachable(), S.Hypoxia()))
    with core_model:
        S.apply_scenario(core_model, scenario)
        assert _o2_cap(core_model) == pytest.approx(0.1 * normoxic, rel=1e-9)


def test_reference_under_measured_rates(core_model):
    """With measured rates the reference is the model under those rates (growth left out)."""
    from fluxasn.analysis.rates import constrain_with_measurements
    from fluxasn.core.measurements import load_nci60

    rates = load_nci60("HT29")
    biomass = ModelResolver(core_model).biomass().id
    with core_model:
        constrain_with_measurements(core_model, rates, k=2.0, relax=True, leave_out={biomass})
        normoxic = -pfba(core_model).fluxes["EX_o2_e"]
    assert S.normoxic_reference(core_model, measurements=rates) == pytest.approx(normoxic, rel=1e-9)
    with core_model:
        notes, _ = S.apply_scenario_with_rates(core_model, "hypoxia+pyruvate", rates)
        assert _o2_cap(core_model) == pytest.approx(0.1 * normoxic, rel=1e-6)
    assert f"of the normoxic {normoxic:.4g}" in notes[-1]


# --- 2. an infeasible reference is recorded ------------------------------------------------


def test_infeasible_reference_is_recorded_not_zeroed_silently(core_model):
    core_model.reactions.get_by_id(ModelResolver(core_model).biomass().id).lower_bound = 100.0
    assert math.isnan(core_model.slim_optimize())  # infeasible before hypoxia
    with core_model:
        notes = S.apply_scenario(core_model, "hypoxia")
        assert _o2_cap(core_model) == 0.0
    assert "normoxic reference infeasible: O2 uptake closed" in notes[-1]
    assert math.isnan(S.normoxic_o2_uptake(core_model))
    # in a matrix: a row with the solver status and the note, no exception
    matrix = S.run_scenarios(core_model, ["hypoxia"], readouts=("growth",), processes=1)
    row = matrix.frame.set_index("scenario").loc["hypoxia"]
    assert row["status"] == "infeasible"
    assert "normoxic reference infeasible: O2 uptake closed" in row["notes"]


# --- 3. asparaginase makes aspartate --------------------------------------------------------


def test_asparaginase_adds_the_medium_asparagine_as_aspartate(core_model):
    asn_mM, asp_mM = _rpmi_mM("asn__L"), _rpmi_mM("asp__L")
    assert (asn_mM, asp_mM) == (0.378444, 0.150263)
    resolver = ModelResolver(core_model)
    asp, nh4 = resolver.exchange("aspartate"), resolver.exchange("ammonia")
    assert resolver.uptake_limit(asp) == pytest.approx(asp_mM * RATE_PER_MM)
    assert resolver.uptake_limit(nh4) == 0.0
    with core_model:
        notes = S.apply_scenario(core_model, "asparaginase")
        assert resolver.uptake_limit(resolver.exchange("asparagine")) == 0.0
        assert resolver.uptake_limit(asp) == pytest.approx((asp_mM + asn_mM) * RATE_PER_MM, rel=1e-12)  # 0.05287
        assert resolver.uptake_limit(nh4) == pytest.approx(asn_mM * RATE_PER_MM, rel=1e-12)  # 0.03784
    assert any("aspartate uptake <= 0.05287 mmol/gDW/h" in n for n in notes)
    assert any("ammonia uptake <= 0.03784 mmol/gDW/h" in n for n in notes)
    with core_model:
        S.apply_scenario(core_model, S.Scenario("old", (S.Asparaginase(aspartate=False),)))
        assert resolver.uptake_limit(asp) == pytest.approx(asp_mM * RATE_PER_MM)
        assert resolver.uptake_limit(nh4) == 0.0


@pytest.mark.parametrize("aspartate, mM", [(True, 0.378444 + 0.150263), (False, 0.150263)])
def test_asparaginase_aspartate_is_taken_up_through_slc1a3(core_model, aspartate, mM):
    """Most aspartate uptake (FVA, any growth) under asparaginase + ASNS loss is the new limit."""
    assert core_model.reactions.ASPt_SLC1A3.upper_bound > 0  # the core model's SLC1A3 is open
    scenario = S.Scenario("x", (S.Asparaginase(aspartate=aspartate), S.KnockOut(role="ASNS")))
    with core_model:
        S.apply_scenario(core_model, scenario)
        assert core_model.slim_optimize() == pytest.approx(0.0, abs=1e-9)  # nothing makes Asn
        fva = flux_variability_analysis(core_model, ["EX_asp__L_e"], fraction_of_optimum=0.0)
    assert -fva.loc["EX_asp__L_e", "minimum"] == pytest.approx(mM * RATE_PER_MM, rel=1e-6)


def test_asparaginase_without_medium_asparagine_adds_nothing(core_model):
    resolver = ModelResolver(core_model)
    with core_model:
        notes = S.apply_scenario(core_model, "dmem+asparaginase")  # DMEM: no Asn, no Asp
        assert resolver.uptake_limit(resolver.exchange("aspartate")) == 0.0
        assert resolver.uptake_limit(resolver.exchange("ammonia")) == 0.0
    assert any("no asparagine in the medium" in n for n in notes)


def test_asparaginase_on_hand_solved_network():
    """The network of tests/test_scenarios.py: Asn uptake <= 2 is 20 mM, so Asp uptake 1 -> 3.

    Growth g needs g Asn (all from ASNS, one Asp each) and g Asp: 2g <= 3 + 10
    (GOT1 backwards), g = 6.5; the old behaviour (Asp uptake 1) gives 2g <= 11.
    The network has no ammonia exchange: the note says so.
    """
    from test_scenarios import build_mini

    mini = build_mini()
    with mini:
        notes = S.apply_scenario(mini, "asparaginase")
        assert mini.reactions.EX_asp__L_e.lower_bound == pytest.approx(-3.0)
        assert mini.slim_optimize() == pytest.approx(6.5)
    assert any("no ammonia exchange" in n for n in notes)
    with mini:
        S.apply_scenario(mini, S.Scenario("old", (S.Asparaginase(aspartate=False),)))
        assert mini.slim_optimize() == pytest.approx(5.5)


# --- 4. gene knock-outs say what they close --------------------------------------------------


def _isozyme_model() -> cobra.Model:
    """R1 "gA or gB", R2 "gA", R3 "(gA and gB) or gC", R4 "gB": a_e -> ... -> biomass."""
    model = cobra.Model("isozymes")
    a, b = cobra.Metabolite("a_c", compartment="c"), cobra.Metabolite("b_c", compartment="c")
    ex = cobra.Reaction("EX_a", lower_bound=-10, upper_bound=1000)
    ex.add_metabolites({a: -1})
    model.add_reactions([ex])
    for rid, rule in [("R1", "gA or gB"), ("R2", "gA"), ("R3", "(gA and gB) or gC"), ("R4", "gB")]:
        reaction = cobra.Reaction(rid, lower_bound=0, upper_bound=1000)
        reaction.add_metabolites({a: -1, b: 1})
        model.add_reactions([reaction])
        reaction.gene_reaction_rule = rule
    sink = cobra.Reaction("BIOMASS", lower_bound=0, upper_bound=1000)
    sink.add_metabolites({b: -1})
    model.add_reactions([sink])
    model.objective = "BIOMASS"
    return model


def _closed(model):
    return {r.id for r in model.reactions if r.bounds == (0, 0)}


def test_gene_knockout_names_closed_and_isozyme_kept_reactions():
    reference = _isozyme_model()
    with reference:
        reference.genes.gA.knock_out()  # cobra's own rules
        expected = _closed(reference)
        functional = {r.id: r.functional for r in reference.genes.gA.reactions}
    assert expected == {"R2"} and functional == {"R1": True, "R2": False, "R3": True}

    model = _isozyme_model()
    with model:
        notes = S.KnockOut(gene="gA").apply(model, ModelResolver(model))
        assert _closed(model) == expected
    assert len(notes) == 1
    note = notes[0]
    assert "closes 1 of its 3 reactions (R2)" in note
    assert "R1: kept open by gB" in note
    assert "R3: kept open by gC" in note  # gB alone does not keep R3 ("gA and gB")
    assert _closed(model) == set()  # undone


def test_gene_knockout_all_reactions_overrides_the_rules():
    model = _isozyme_model()
    with model:
        notes = S.KnockOut(gene="gA", reactions="all").apply(model, ModelResolver(model))
        assert _closed(model) == {"R1", "R2", "R3"}  # every reaction whose rule names gA
        assert model.reactions.R4.bounds == (0, 1000)
        assert model.slim_optimize() == pytest.approx(10.0)  # R4 (gB) still carries the flux
    assert "overrides the gene rules" in notes[0] and "R1" in notes[0] and "R3" in notes[0]
    with pytest.raises(FluxasnInputError, match="reactions"):
        S.KnockOut(gene="gA", reactions="some")
    with pytest.raises(FluxasnInputError, match="reactions"):
        S.KnockOut(role="ASNS", reactions="all")


def test_gene_knockout_closing_nothing_says_so():
    model = _isozyme_model()
    with model:
        notes = S.KnockOut(gene="gC").apply(model, ModelResolver(model))
        assert _closed(model) == set()
    assert "closes none of its 1 reaction (R3: kept open by gA, gB)" in notes[0]


def test_leave_out_takes_the_measured_key_or_the_reaction_id(core_model):
    """``leave_out`` by the table's key ("biomass") or by the reaction id leaves the growth bounds alone."""
    from fluxasn.analysis.rates import constrain_with_measurements
    from fluxasn.core.measurements import load_nci60

    rates = load_nci60("HT29")
    growth = ModelResolver(core_model).biomass()
    before = growth.bounds
    for leave_out in (["biomass"], [growth.id]):
        with core_model:
            result = constrain_with_measurements(core_model, rates, k=2.0, relax=True, leave_out=leave_out)
            assert result.left_out == ["biomass"]
            assert growth.bounds == before
    with core_model:  # applied, the measured growth (0.0357 +/- 2 x 0.00357 1/h) bounds the reaction
        constrain_with_measurements(core_model, rates, k=2.0, relax=True)
        assert growth.upper_bound == pytest.approx(0.0357301 + 2 * 0.00357301, rel=1e-6)
