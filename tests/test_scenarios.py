"""Scenarios: parsing, composition, application through roles, errors, the matrix.

Most answers come from a hand-solved network (``build_mini``):

* aspartate: uptake <= 1 (through SLC1A3) plus GOT1 run backwards on
  oxaloacetate (uptake <= 10) and glutamate (uptake <= 10);
* asparagine: uptake <= 2 (transporter SLC38A2) or ASNS (Asp + Gln + ATP,
  Gln uptake <= 10);
* growth (1/h) consumes 1 Asp + 1 Asn; IMP and UMP each take one Asp.

With Asn available, ASNS makes g - 2 and the aspartate balance is
g + (g - 2) <= 1 + 10, so growth is 6.5; without Asn 2g <= 11, growth 5.5;
with ASNS lost growth is the Asn uptake, 2.
"""
from __future__ import annotations

import json

import cobra
import pytest

from fluxasn.analysis import scenarios as S
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError


def build_mini() -> cobra.Model:
    """The hand-solved network of this module's docstring."""
    model = cobra.Model("mini")
    mets = {}
    for base, name in [("asp__L", "L-aspartate"), ("oaa", "oxaloacetate"), ("glu__L", "L-glutamate"),
                       ("gln__L", "L-glutamine"), ("asn__L", "L-asparagine"), ("akg", "2-oxoglutarate")]:
        for compartment in ("e", "c"):
            mets[f"{base}_{compartment}"] = cobra.Metabolite(f"{base}_{compartment}", name=name, compartment=compartment)
    for base, name in [("atp", "ATP"), ("amp", "AMP"), ("imp", "IMP"), ("ump", "UMP")]:
        mets[f"{base}_c"] = cobra.Metabolite(f"{base}_c", name=name, compartment="c")

    def reaction(rid, stoichiometry, lb, ub, gpr=""):
        r = cobra.Reaction(rid, lower_bound=lb, upper_bound=ub)
        model.add_reactions([r])
        r.add_metabolites({mets[k]: v for k, v in stoichiometry.items()})
        r.gene_reaction_rule = gpr
        return r

    reaction("EX_asp__L_e", {"asp__L_e": -1}, -1, 1000)
    reaction("ASPt", {"asp__L_e": -1, "asp__L_c": 1}, 0, 1000, "SLC1A3")
    reaction("EX_oaa_e", {"oaa_e": -1}, -10, 1000)
    reaction("OAAt", {"oaa_e": -1, "oaa_c": 1}, 0, 1000)
    reaction("EX_glu__L_e", {"glu__L_e": -1}, -10, 1000)
    reaction("GLUt", {"glu__L_e": -1, "glu__L_c": 1}, -1000, 1000)
    reaction("EX_akg_e", {"akg_e": -1}, 0, 1000)
    reaction("AKGt", {"akg_c": -1, "akg_e": 1}, 0, 1000)
    reaction("ASPTA", {"akg_c": -1, "asp__L_c": -1, "glu__L_c": 1, "oaa_c": 1}, -1000, 1000, "GOT1")
    reaction("EX_gln__L_e", {"gln__L_e": -1}, -10, 1000)
    reaction("GLNt", {"gln__L_e": -1, "gln__L_c": 1}, 0, 1000)
    reaction("EX_asn__L_e", {"asn__L_e": -1}, -2, 1000)
    reaction("ASNt", {"asn__L_e": -1, "asn__L_c": 1}, -1000, 1000, "SLC38A2")
    reaction("ASNS1", {"asp__L_c": -1, "gln__L_c": -1, "atp_c": -1, "asn__L_c": 1, "glu__L_c": 1, "amp_c": 1},
             0, 1000, "ASNS")
    reaction("ATPREG", {"amp_c": -1, "atp_c": 1}, 0, 1000)
    reaction("PURSYN", {"asp__L_c": -1, "imp_c": 1}, 0, 1000)
    reaction("PYRSYN", {"asp__L_c": -1, "ump_c": 1}, 0, 1000)
    biomass = reaction("BIOMASS", {"asp__L_c": -1, "asn__L_c": -1}, 0, 1000)
    model.objective = biomass
    return model


@pytest.fixture()
def mini():
    return build_mini()


def _bounds(model):
    return {r.id: r.bounds for r in model.reactions}


def _growth(model, scenario):
    with model:
        S.apply_scenario(model, scenario)
        return model.slim_optimize()


# --- parsing ---------------------------------------------------------------------------


def test_parse_composes_tokens_in_order():
    scenario = S.parse_scenario("asn_free+asns_ko")
    assert scenario.name == "asn_free+asns_ko"
    assert scenario.perturbations == (S.RemoveMedium("asparagine"), S.KnockOut(role="ASNS"))
    assert S.parse_scenario("control").perturbations == ()


def test_parse_parameters():
    scenario = S.parse_scenario("pyruvate(mM=2.5)+hypoxia(o2_max=0.2)")
    assert scenario.perturbations == (S.Supplement("pyruvate", mM=2.5), S.Hypoxia(o2_max=0.2))


@pytest.mark.parametrize("text, token", [
    ("asn_free+asns_knockout", "asns_knockout"),
    ("bogus", "bogus"),
    ("asn_free+", ""),
])
def test_unknown_token_is_named_with_valid_ones(text, token):
    with pytest.raises(FluxasnInputError) as info:
        S.parse_scenario(text)
    message = str(info.value)
    assert repr(token) in message and "asns_ko" in message and "etc_iii" in message
    assert info.value.identifier == token


@pytest.mark.parametrize("text", ["pyruvate(x=1)", "pyruvate(mM=abc)", "asns_ko(mM=1)", "pyruvate(mM)"])
def test_bad_parameters_raise(text):
    with pytest.raises(FluxasnInputError):
        S.parse_scenario(text)


def test_list_scenarios_has_every_token_with_description():
    table = S.list_scenarios()
    assert list(table["name"]) == list(S.SCENARIO_TOKENS)
    assert (table.loc[table["name"] != "control", "perturbations"] != "").all()


# --- applying: hand-solved answers -------------------------------------------------------


@pytest.mark.parametrize("scenario, expected", [
    ("control", 6.5),
    ("asn_free", 5.5),
    ("asns_ko", 2.0),
    ("asn_free+asns_ko", 0.0),
    ("asparaginase", 6.5),  # medium Asn 20 mM -> Asp uptake 3: 2g <= 13
    ("asparaginase+asns_ko", 0.0),
    ("asparaginase_gls", 0.0),        # no Gln: ASNS cannot run, no Asn left
    ("asparaginase_gls(glutaminase_fraction=0.5)", 5.0),  # Gln 5: ASNS <= 5
    ("asp", 6.5),                     # not taken up without SLC1A3
    ("asp_slc1a3", 7.5),              # +20 mM -> +2 mmol/gDW/h uptake: 2g - 2 <= 13
    ("asn(mM=10)", 7.0),              # Asn uptake 3: 2g - 3 <= 11
    ("got1_ko", 1.0),                 # Asp uptake 1 only: g <= 1 (Asn from uptake)
    ("gln_free", 2.0),                # no ASNS without Gln: Asn uptake only
])
def test_growth_matches_hand_solution(mini, scenario, expected):
    assert _growth(mini, scenario) == pytest.approx(expected, abs=1e-7)


def test_model_is_restored_after_with_block(mini):
    before = _bounds(mini)
    with mini:
        notes = S.apply_scenario(mini, "asparaginase_gls+asns_ko+asp_slc1a3")
        assert mini.reactions.ASNS1.bounds == (0, 0)
        assert mini.reactions.EX_gln__L_e.lower_bound == 0
        assert mini.reactions.EX_asp__L_e.lower_bound == pytest.approx(-5.0)  # 1 + 2 (asparaginase) + 2 (asp_slc1a3)
    assert _bounds(mini) == before
    assert any("ASNS" in n for n in notes)


def test_supplement_missing_from_model_names_it_and_changes_nothing(mini):
    before = _bounds(mini)
    with pytest.raises(FluxasnInputError) as info:
        S.apply_scenario(mini, "asn_free+pyruvate")  # outside any with block
    assert "pyruvate" in str(info.value)
    assert _bounds(mini) == before


def test_role_missing_from_model_is_named(mini):
    with pytest.raises(RoleError) as info:
        S.apply_scenario(mini, "etc_i")
    assert "CI" in str(info.value) and "mini" in str(info.value)


def test_transporter_missing_is_named(mini):
    mini.reactions.ASPt.gene_reaction_rule = ""
    with pytest.raises(RoleError) as info:
        S.apply_scenario(mini, "asp_slc1a3")
    assert "SLC1A3" in str(info.value)


def test_hypoxia_limits_o2_to_a_fraction(core_model):
    from cobra.flux_analysis import pfba

    o2 = core_model.reactions.get_by_id(
        next(r for r in ModelResolver(core_model).roles.reactions("EX_o2")))
    normoxic = -pfba(core_model).fluxes[o2.id]
    with core_model:
        S.apply_scenario(core_model, "hypoxia(fraction=0.25)")
        assert -o2.lower_bound == pytest.approx(0.25 * normoxic, rel=1e-6)
        hypoxic = core_model.slim_optimize()
    assert normoxic > 0 and hypoxic < core_model.slim_optimize()


def test_asparaginase_is_not_intracellular_asparaginase(core_model):
    resolver = ModelResolver(core_model)
    intracellular = resolver.role_reactions("ASPG")
    assert all(r.bounds == (0, 0) for r in intracellular)  # core default: off
    with core_model:
        S.apply_scenario(core_model, "asparaginase")
        assert all(r.bounds == (0, 0) for r in intracellular)
        assert resolver.uptake_limit(resolver.exchange("asparagine")) == 0
    with core_model:
        S.apply_scenario(core_model, "intracellular_asparaginase")
        assert all(r.bounds == (0, 1000) for r in intracellular)


# --- the matrix ----------------------------------------------------------------------------


MINI_SCENARIOS = ["control", "asn_free", "asns_ko", "asn_free+asns_ko", "asp_slc1a3"]
MINI_READOUTS = ("growth", "asns_fva", "shadow_prices", "nucleotides", "essential_genes", "asns_partners")


def test_run_scenarios_on_mini_matches_hand_values(mini):
    before = _bounds(mini)
    matrix = S.run_scenarios(mini, MINI_SCENARIOS, readouts=MINI_READOUTS)
    frame = matrix.to_frame().set_index("scenario")
    assert list(frame.index) == MINI_SCENARIOS
    assert frame["growth"].tolist() == pytest.approx([6.5, 5.5, 2.0, 0.0, 7.5], abs=1e-7)
    assert (frame["status"] == "optimal").all()
    assert frame.loc["control", "asns_maximum"] == pytest.approx(4.5)
    assert frame.loc["control", "asns_partners"] == "SLC38A2"
    assert frame.loc["asn_free", "essential_genes"] == "ASNS"
    assert _bounds(mini) == before
    text = str(matrix)
    assert all(name in text for name in MINI_SCENARIOS)
    assert "<table" in matrix._repr_html_()


def test_matrix_csv_and_json_round_trip(mini, tmp_path):
    import pandas as pd

    matrix = S.run_scenarios(mini, MINI_SCENARIOS[:3], readouts=("growth", "asns_fva"))
    matrix.to_csv(tmp_path / "m.csv")
    back = pd.read_csv(tmp_path / "m.csv")
    assert back["growth"].tolist() == pytest.approx(matrix.frame["growth"].tolist())
    records = json.loads(matrix.to_json())
    assert [r["scenario"] for r in records] == MINI_SCENARIOS[:3]


def test_processes_do_not_change_results(mini):
    one = S.run_scenarios(mini, MINI_SCENARIOS, readouts=("growth", "asns_fva"), processes=1).frame
    two = S.run_scenarios(mini, MINI_SCENARIOS, readouts=("growth", "asns_fva"), processes=2).frame
    assert two["growth"].tolist() == pytest.approx(one["growth"].tolist(), abs=1e-9)


def test_bad_readout_and_explicit_bad_scenario_raise_before_running(mini):
    with pytest.raises(FluxasnInputError, match="flux_magic"):
        S.run_scenarios(mini, ["control"], readouts=("growth", "flux_magic"))
    with pytest.raises(FluxasnInputError, match="uridine"):
        S.run_scenarios(mini, ["control", "uridine"], readouts=("growth",))


def test_heatmap_draws(mini):
    import matplotlib

    matplotlib.use("Agg")
    matrix = S.run_scenarios(mini, MINI_SCENARIOS[:3], readouts=("growth", "asns_fva"))
    ax = matrix.heatmap()
    assert len(ax.get_yticklabels()) == 3


def test_default_matrix_on_core_model(core_model):
    """The default scenarios on the core model: every row runs or says why not."""
    before = _bounds(core_model)
    matrix = S.run_scenarios(core_model)
    frame = matrix.to_frame().set_index("scenario")
    assert list(frame.index) == list(S.DEFAULT_SCENARIOS)
    ran = frame[~frame["status"].astype(str).str.startswith("not run")]
    assert (ran["status"] == "optimal").all()
    for name, row in frame.iterrows():
        if str(row["status"]).startswith("not run"):
            assert "has no exchange" in row["status"] or "role" in row["status"]
    assert frame.loc["asn_free+asns_ko", "growth"] == pytest.approx(0.0, abs=1e-9)
    assert frame.loc["control", "growth"] > 0.01
    assert _bounds(core_model) == before


def test_gene_knockout_perturbation(mini):
    with mini:
        notes = S.KnockOut(gene="SLC38A2").apply(mini, ModelResolver(mini))
        assert mini.reactions.ASNt.bounds == (0, 0) and "SLC38A2" in notes[0]
        assert mini.slim_optimize() == pytest.approx(5.5)
    with pytest.raises(RoleError, match="NOTAGENE"):
        S.KnockOut(gene="NOTAGENE").apply(mini, ModelResolver(mini))
    with pytest.raises(FluxasnInputError):
        S.KnockOut()


class _Unreachable(S.Perturbation):
    """Demands more growth than the network allows (an infeasible LP)."""

    def apply(self, model, resolver):
        resolver.biomass().lower_bound = 100.0
        return ["growth >= 100"]


def test_infeasible_scenario_is_a_row_not_an_exception(mini):
    scenario = S.Scenario("unreachable", (_Unreachable(),))
    matrix = S.run_scenarios(mini, ["control", scenario], readouts=S.READOUTS)
    frame = matrix.to_frame().set_index("scenario")
    assert frame.loc["unreachable", "status"] == "infeasible"
    assert frame[["growth", "asns_minimum", "purine_capacity"]].loc["unreachable"].isna().all()
    assert frame.loc["control", "status"] == "optimal"
    assert (matrix.details["unreachable"]["aspartate_sources"]["status"] == "infeasible").all()


def test_scenario_after_measured_uptake_overrides_it(core_model):
    """Closing an uptake that measured rates force (upper bound < 0) must not fail.

    The scenario overrides the measurement: bounds become (0, 0), and leaving
    the ``with`` blocks restores the measured bounds exactly.
    """
    import fluxasn

    exchange = core_model.reactions.EX_asn__L_e
    with core_model:
        exchange.bounds = (-0.008, -0.0034)  # a measured uptake, as bounds
        with core_model:
            fluxasn.apply_scenario(core_model, "asn_free+asns_ko")
            assert exchange.bounds == (0.0, 0.0)
            assert core_model.slim_optimize(error_value=0.0) < 1e-9
        assert exchange.bounds == (-0.008, -0.0034)
