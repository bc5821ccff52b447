"""Readouts against hand-solved values (``test_scenarios.build_mini``) and cobra's own results."""
from __future__ import annotations

import cobra
import numpy as np
import pytest
from cobra.flux_analysis import flux_variability_analysis, pfba, production_envelope

import fluxasn
from fluxasn.analysis import readouts as R
from fluxasn.analysis.readouts import _common, sources
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError
from fluxasn.analysis.scenarios import apply_scenario
from test_scenarios import build_mini


@pytest.fixture()
def mini():
    return build_mini()


def test_growth(mini):
    result = R.growth(mini)
    assert result["status"] == "optimal"
    assert result["growth"] == pytest.approx(6.5)
    mini.reactions.EX_oaa_e.lower_bound = 0
    mini.reactions.EX_asp__L_e.lower_bound = 0
    mini.reactions.EX_asn__L_e.lower_bound = 0
    assert R.growth(mini)["growth"] == pytest.approx(0.0)


def test_infeasible_status_is_recorded_not_raised(mini):
    mini.reactions.BIOMASS.lower_bound = 100  # cannot be met
    result = R.growth(mini)
    assert result["status"] == "infeasible" and np.isnan(result["growth"])
    assert R.asns_range(mini)["status"] == "infeasible"
    assert R.nucleotide_capacity(mini)["status"] == "infeasible"
    assert R.shadow_prices(mini)["status"] == "infeasible"


@pytest.mark.parametrize("fraction", [1.0, 0.9, 0.0])
def test_asns_range_equals_cobra_fva(mini, fraction):
    ours = R.asns_range(mini, fraction_of_optimum=fraction)
    ref = flux_variability_analysis(mini, ["ASNS1"], fraction_of_optimum=fraction)
    assert ours["minimum"] == pytest.approx(ref.loc["ASNS1", "minimum"], abs=1e-7)
    assert ours["maximum"] == pytest.approx(ref.loc["ASNS1", "maximum"], abs=1e-7)


def test_asns_range_on_core_equals_cobra_fva(core_model):
    asns = ModelResolver(core_model).role_reactions("ASNS")
    assert len(asns) == 1
    ours = R.asns_range(core_model, fraction_of_optimum=0.95)
    ref = flux_variability_analysis(core_model, asns, fraction_of_optimum=0.95)
    assert ours["minimum"] == pytest.approx(ref["minimum"].iloc[0], abs=1e-6)
    assert ours["maximum"] == pytest.approx(ref["maximum"].iloc[0], abs=1e-6)


def test_aspartate_sources_hand_shares(mini):
    table = R.aspartate_sources(mini, compartments=("c",)).set_index("source")
    # at the optimum: 1 from uptake, 10 from GOT1 (reverse), 11 consumed
    assert table.loc["GOT1", "flux"] == pytest.approx(10.0)
    assert table.loc["uptake", "flux"] == pytest.approx(1.0)
    assert table.loc["GOT1", "share"] == pytest.approx(10 / 11)
    assert table.loc["uptake", "share"] == pytest.approx(1 / 11)
    assert table.loc["other", "flux"] == pytest.approx(-11.0)
    assert table.loc["other", "share"] == 0.0
    # fluxes fixed at the optimum: FVA ranges are points
    assert table.loc["GOT1", "minimum"] == pytest.approx(10.0)
    assert table.loc["GOT1", "maximum"] == pytest.approx(10.0)


def test_aspartate_sources_ranges_widen_below_optimum(mini):
    table = R.aspartate_sources(mini, compartments=("c",), fraction_of_optimum=0.5).set_index("source")
    assert table.loc["uptake", "minimum"] == pytest.approx(0.0)
    assert table.loc["uptake", "maximum"] == pytest.approx(1.0)
    assert table.loc["GOT1", "maximum"] == pytest.approx(10.0)


def _check_inside(table):
    ok = table["status"] == "optimal"
    assert ok.any()
    inside = table[ok]
    assert (inside["flux"] >= inside["minimum"] - 1e-6).all(), inside
    assert (inside["flux"] <= inside["maximum"] + 1e-6).all(), inside
    shares = inside["share"].dropna()
    assert ((shares >= 0) & (shares <= 1 + 1e-9)).all()


@pytest.mark.parametrize("scenario", [
    "control", "asn_free", "asparaginase_gls", "hypoxia", "glucose_uncapped+etc_i", "asn_free+asns_ko",
])
def test_pfba_supplies_lie_inside_fva_ranges_core(core_model, scenario):
    with core_model:
        apply_scenario(core_model, scenario)
        table = R.aspartate_sources(core_model)
    _check_inside(table)
    assert set(table["compartment"]) == {"c", "m"}
    assert "PC" in set(table["source"])


def test_pfba_supplies_match_cobra_pfba(core_model):
    table = R.aspartate_sources(core_model)
    fluxes = pfba(core_model).fluxes
    resolver = ModelResolver(core_model)
    asp_c = resolver.metabolite("aspartate", "c")
    got1 = table[(table["compartment"] == "c") & (table["source"] == "GOT1")].iloc[0]
    expected = sum(core_model.reactions.get_by_id(r).metabolites[asp_c] * fluxes[r] for r in got1["reactions"].split(";"))
    assert got1["flux"] == pytest.approx(expected, abs=1e-7)


def test_nucleotide_capacity_hand_values(mini):
    result = R.nucleotide_capacity(mini, growth_fraction=0.5)
    # growth held >= 3.25 uses 2 x 3.25 - 2 = 4.5 Asp of 11: 6.5 left for IMP or UMP
    assert result["purine_capacity"] == pytest.approx(6.5)
    assert result["pyrimidine_capacity"] == pytest.approx(6.5)
    mini.reactions.EX_asp__L_e.lower_bound = 0  # aspartate supply cut
    cut = R.nucleotide_capacity(mini, growth_fraction=0.5)
    # max growth 6, held >= 3: 4 Asp used of 10 -> 6 left
    assert cut["purine_capacity"] == pytest.approx(6.0)
    assert not mini.reactions.query("_fluxasn_DM")  # the demand reactions are gone


def _finite_difference(model, met_id, eps=1e-3):
    base = model.slim_optimize()
    with model:
        source = model.add_boundary(model.metabolites.get_by_id(met_id), type="sink", reaction_id="_fd")
        source.bounds = (-eps, -eps)  # supply eps
        return (model.slim_optimize() - base) / eps


@pytest.mark.parametrize("met_id, label, expected", [
    ("asp__L_c", "aspartate", 0.5), ("asn__L_c", "asparagine", 0.5), ("gln__L_c", "glutamine", 0.0),
])
def test_shadow_prices_match_finite_differences(mini, met_id, label, expected):
    prices = R.shadow_prices(mini)
    assert prices[f"shadow_price_{label}"] == pytest.approx(expected, abs=1e-7)
    assert _finite_difference(mini, met_id) == pytest.approx(expected, abs=1e-6)
    assert np.isnan(prices["shadow_price_nad"])  # the mini network has no NAD+


def test_shadow_price_of_asparagine_without_asns_on_core(core_model):
    with core_model:
        apply_scenario(core_model, "asn_free+asns_ko")
        prices = R.shadow_prices(core_model)
        fd = _finite_difference(core_model, ModelResolver(core_model).metabolite("asparagine", "c").id)
    assert prices["shadow_price_asparagine"] > 0
    assert prices["shadow_price_asparagine"] == pytest.approx(fd, rel=1e-3)


def test_essential_genes_match_cobra(mini):
    with mini:
        apply_scenario(mini, "asn_free")
        ours = R.essential_genes(mini).set_index("gene")
        ref = cobra.flux_analysis.single_gene_deletion(mini)
        wild = mini.slim_optimize()
    ref_growth = {next(iter(ids)): g for ids, g in zip(ref["ids"], ref["growth"])}
    for gene, row in ours.iterrows():
        assert row["growth"] == pytest.approx(ref_growth[gene], abs=1e-7)
        assert row["essential"] == (ref_growth[gene] < 0.01 * wild)
    assert list(ours.index[ours["essential"]]) == ["ASNS"]


def test_asns_partners_match_cobra_double_deletion(mini):
    partners = R.asns_partners(mini).set_index("gene")
    genes = [g.id for g in mini.genes if g.id != "ASNS"]
    ref = cobra.flux_analysis.double_gene_deletion(mini, ["ASNS"], genes)
    wild = mini.slim_optimize()
    for ids, growth in zip(ref["ids"], ref["growth"]):
        (other,) = set(ids) - {"ASNS"}
        assert partners.loc[other, "growth"] == pytest.approx(growth, abs=1e-7)
    assert list(partners.index[partners["partner"]]) == ["SLC38A2"]
    assert partners.attrs["asns_ko_growth"] == pytest.approx(2.0)
    assert wild == pytest.approx(partners.attrs["reference_growth"])


def test_asns_partners_empty_when_asns_loss_is_lethal(mini):
    mini.reactions.EX_asn__L_e.lower_bound = 0
    partners = R.asns_partners(mini)
    assert len(partners) == 0 and "ASNS loss alone" in partners.attrs["note"]


def test_asns_envelope_matches_cobra_production_envelope(mini):
    ours = R.growth_envelope(mini, against="ASNS", points=6).to_frame()
    ref = production_envelope(mini, ["ASNS1"], objective="BIOMASS", points=6)
    assert ours["x"].to_numpy() == pytest.approx(ref["ASNS1"].to_numpy())
    assert ours["growth_maximum"].to_numpy() == pytest.approx(ref["flux_maximum"].to_numpy(), abs=1e-7)
    assert ours["growth_minimum"].to_numpy() == pytest.approx(ref["flux_minimum"].to_numpy(), abs=1e-7)


def test_aspartate_envelope_hand_values(mini):
    envelope = R.growth_envelope(mini, against="aspartate", points=3, maximum=2.0)
    frame = envelope.to_frame()
    # 2g - 2 <= x + 10
    assert frame["x"].tolist() == pytest.approx([0.0, 1.0, 2.0])
    assert frame["growth_maximum"].tolist() == pytest.approx([6.0, 6.5, 7.0])
    assert mini.reactions.EX_asp__L_e.lower_bound == -1  # restored
    assert "aspartate" in str(envelope)


def test_envelope_plot_and_bad_input(mini):
    import matplotlib

    matplotlib.use("Agg")
    envelope = R.growth_envelope(mini, points=4)
    ax = envelope.plot()
    assert ax.get_xlabel().startswith("ASNS")
    with pytest.raises(FluxasnInputError, match="points"):
        R.growth_envelope(mini, points=1)
    with pytest.raises(FluxasnInputError, match="against"):
        R.growth_envelope(mini, against="glutamine")


def test_warm_lp_ranges_equal_cobra_ranges(core_model):
    """The warm net-flux LP path and the cobra path give the same FVA ranges."""
    resolver = ModelResolver(core_model)
    asp = resolver.metabolite("aspartate", "m")
    expressions = [{r.id: float(r.metabolites[asp])} for r in asp.reactions]
    expressions.append({r.id: 1.0 for r in resolver.role_reactions("ASNS")})
    biomass = resolver.biomass()
    with core_model:
        apply_scenario(core_model, "hypoxia")
        warm = _common._ranges_warm(core_model, expressions, biomass=biomass, fraction=0.9)
        slow = _common._ranges_cobra(core_model, expressions, biomass=biomass, fraction=0.9)
    for (a, b, s), (c, d, t) in zip(warm, slow):
        assert s == t == "optimal"
        assert a == pytest.approx(c, abs=1e-6) and b == pytest.approx(d, abs=1e-6)


@pytest.mark.parametrize("scenario", ["control", "got1_ko+got2_ko", "asn_free+asns_ko"])
def test_warm_capacities_equal_cobra_capacities(core_model, scenario):
    resolver = ModelResolver(core_model)
    targets = [("purine_capacity", resolver.metabolite("imp", "c")),
               ("pyrimidine_capacity", resolver.metabolite("ump", "c"))]
    with core_model:
        apply_scenario(core_model, scenario)
        warm = sources._capacity_warm(core_model, targets, biomass=resolver.biomass(), fraction=0.5)
        slow = sources._capacity_cobra(core_model, targets, biomass=resolver.biomass(), fraction=0.5)
    assert warm["status"] == slow["status"] == "optimal"
    for label, _ in targets:
        assert warm[label] == pytest.approx(slow[label], abs=1e-7)


def test_shared_resolver_sees_a_constraint_changed_in_place(core_model):
    """The warm LP cached on a resolver is rebuilt when a constraint's bounds change.

    Regression: the cache was keyed by reaction bounds and the number of
    constraints only, so narrowing an added constraint between two calls that
    share a resolver returned the old ranges (GOT1 [-2.71, 0.18] instead of
    [-0.01, 0.01]).
    """
    resolver = ModelResolver(core_model)
    got1 = resolver.role_reactions("GOT1")

    def got1_row(frame):
        row = frame[(frame["compartment"] == "c") & (frame["source"] == "GOT1")]
        assert len(row) == 1
        return float(row["minimum"].iloc[0]), float(row["maximum"].iloc[0])

    with core_model:
        flux = sum(r.flux_expression for r in got1)
        cap = core_model.problem.Constraint(flux, lb=-1000, ub=1000, name="got1_cap")
        core_model.add_cons_vars(cap)
        wide = got1_row(R.aspartate_sources(core_model, resolver=resolver))
        cap.lb, cap.ub = -0.01, 0.01
        narrow = got1_row(R.aspartate_sources(core_model, resolver=resolver))
        fresh = got1_row(R.aspartate_sources(core_model))
    assert narrow == pytest.approx(fresh, abs=1e-9)
    assert -0.01 - 1e-9 <= narrow[0] <= narrow[1] <= 0.01 + 1e-9
    assert wide[1] - wide[0] > 0.1  # the first call really had the wide range


@pytest.mark.parametrize("scenario", ["control", "asn_free+asns_ko", "glucose_uncapped+etc_i"])
def test_growth_limits_prices_match_finite_differences(core_model, scenario):
    """Each active limit's shadow price is the growth gained per unit it is relaxed (finite differences)."""
    with core_model:
        apply_scenario(core_model, scenario)
        limits = R.growth_limits(core_model)
        assert limits.status == "optimal" and len(limits.to_frame()) >= 1
        base = core_model.slim_optimize()
        for row in limits.to_frame().itertuples():
            with core_model:
                reaction = core_model.reactions.get_by_id(row.id)
                step = 1e-6
                if row.bound == "lower":
                    reaction.lower_bound -= step
                else:
                    reaction.upper_bound += step
                gained = (core_model.slim_optimize() - base) / step
            assert gained == pytest.approx(row.shadow_price, rel=1e-4), row
    assert "uptake of L-Phenylalanine" in R.growth_limits(core_model).summary()


def test_report_names_a_measured_rate_that_limits_growth():
    """HT29 on its measured rates: the relaxed choline uptake holds growth back, and the summary says so."""
    from fluxasn.report import summarize

    prepared = fluxasn.prepare_model("core", cell_line="HT29")
    assert "EX_chol_e" in prepared.measured_reactions
    summary = summarize(prepared.model, fva=False, measured=prepared.measured_reactions)
    top = summary.limits.to_frame().iloc[0]
    assert (top["kind"], top["id"], top["bound"]) == ("measured rate", "EX_chol_e", "lower")
    assert summary.limits_line.startswith("growth limited by: measured uptake of Choline")
    model = prepared.model
    base = model.slim_optimize()
    with model:
        model.reactions.EX_chol_e.lower_bound -= 1e-6
        gained = (model.slim_optimize() - base) / 1e-6
    assert gained == pytest.approx(top["shadow_price"], rel=1e-4)
    assert summary.to_dict()["growth_limits"][0]["id"] == "EX_chol_e"
    assert "growth limited by" in str(summary)


def test_envelope_plot_draws_solver_noise_as_flat():
    """A growth that varies by 6e-7 (solver noise) is drawn flat from 0, without an offset axis."""
    import matplotlib

    matplotlib.use("Agg")
    import pandas as pd

    from fluxasn.analysis.readouts.envelopes import Envelope

    x = [0.0, 0.1, 0.2]
    noisy = Envelope(pd.DataFrame({"x": x, "growth_minimum": [0.0323, 0.0323006, 0.0323],
                                   "growth_maximum": [0.0323, 0.0323006, 0.0323], "status": ["optimal"] * 3}),
                     "ASNS flux", "noise")
    ax = noisy.plot()
    low, high = ax.get_ylim()
    assert low == 0.0 and high == pytest.approx(1.1 * 0.0323006)
    assert ax.yaxis.get_major_formatter().get_useOffset() is False
    sloped = Envelope(pd.DataFrame({"x": x, "growth_minimum": [0.0, 0.01, 0.02],
                                    "growth_maximum": [0.0, 0.01, 0.02], "status": ["optimal"] * 3}),
                      "ASNS flux", "slope")
    ax = sloped.plot()
    assert ax.get_ylim()[1] < 0.03 and not ax.texts
