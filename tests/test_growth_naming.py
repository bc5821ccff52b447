"""What a report calls growth, and the warnings that keep it from saying something wrong (#15).

References: cobra's own optimisation of the biomass reaction on the same
model; tiny hand-built networks whose answers are solved by hand.
"""
from __future__ import annotations

import json
import math

import cobra
import pytest

import fluxasn
from fluxasn.io.models import write_model_file
from fluxasn.report import summarize
from fluxasn.report.summary import FASTEST_DOUBLING_H, growth_reaction, medium_warnings

from _cli_runner import run_cli


def _biomass_growth(model: cobra.Model, biomass: str) -> float:
    """cobra's maximum of the biomass reaction (the independent reference)."""
    with model:
        model.objective = biomass
        model.objective_direction = "max"
        return model.slim_optimize()


def test_an_objective_that_is_not_biomass_is_named_and_growth_is_the_biomass(core_model):
    biomass = "BIOMASS_fluxasn"
    expected = _biomass_growth(core_model, biomass)
    atp = next(r for r in core_model.reactions if r.id.upper().startswith("ATPM"))
    core_model.objective = atp  # a user left ATP maintenance as the objective
    summary = summarize(core_model, medium="RPMI-1640", fva=False, limits=False)
    assert summary.objective == biomass
    assert summary.growth == pytest.approx(expected, rel=1e-6)
    assert any(atp.id in w and "not its biomass reaction" in w for w in summary.warnings)
    assert str(core_model.objective.expression).count(atp.id) >= 1  # the caller's objective is kept
    assert "growth = flux of BIOMASS_fluxasn" in str(summary)


def _no_biomass_model() -> cobra.Model:
    """A -> B by a sulfotransferase-like step, uptake of A <= 3: the objective (ST) is 3, no biomass."""
    model = cobra.Model("no_biomass")
    a_e = cobra.Metabolite("a_e", formula="C2H4O2", compartment="e")
    a = cobra.Metabolite("a_c", formula="C2H4O2", compartment="c")
    b = cobra.Metabolite("b_c", formula="C2H4O5S", compartment="c")
    ex_a = cobra.Reaction("EX_a_e", lower_bound=-3, upper_bound=1000)
    ex_a.add_metabolites({a_e: -1})
    t = cobra.Reaction("At", lower_bound=-1000, upper_bound=1000)
    t.add_metabolites({a_e: -1, a: 1})
    st = cobra.Reaction("ST", name="sulfotransferase", lower_bound=0, upper_bound=1000)
    st.add_metabolites({a: -1, b: 1})
    dm = cobra.Reaction("DM_b_c", lower_bound=0, upper_bound=1000)
    dm.add_metabolites({b: -1})
    model.add_reactions([ex_a, t, st, dm])
    model.objective = "ST"
    return model


def test_without_a_biomass_reaction_the_objective_is_reported_with_a_warning():
    model = _no_biomass_model()
    chosen, how, warnings = growth_reaction(model)
    assert chosen == "ST" and "objective" in how
    assert any("no biomass reaction" in w and "ST" in w for w in warnings)
    summary = summarize(model, fva=False, limits=False, rows=())
    assert summary.growth == pytest.approx(3.0)
    assert summary.warnings and "may not be growth" in summary.warnings[0]


def test_open_exchanges_and_implausible_growth_are_warned(core_model):
    for reaction in core_model.boundary:  # as genome-scale files ship: every exchange open
        reaction.lower_bound = -1000
    summary = summarize(core_model, fva=False, limits=False)
    growth = _biomass_growth(core_model, "BIOMASS_fluxasn")
    assert summary.growth == pytest.approx(growth, rel=1e-6)
    assert math.log(2) / growth < FASTEST_DOUBLING_H
    text = " ".join(summary.warnings)
    assert "no medium applied" in text and "EX_glc__D_e" in text
    assert "faster than any human cell" in text
    # the same bounds named as a medium: only the growth check remains
    named = medium_warnings(core_model, medium="my medium", growth=growth)
    assert len(named) == 1 and "faster than any human cell" in named[0]


def test_a_defined_medium_gives_no_warning_and_its_name_is_in_the_provenance(core_model):
    summary = summarize(core_model, medium="RPMI-1640", fva=False, limits=False)
    assert summary.warnings == ()
    assert summary.provenance["medium"] == "RPMI-1640"
    assert summary.provenance["growth_reaction"].startswith("BIOMASS_fluxasn")
    # no medium name, but bounds that are a medium (all organic uptakes finite): nothing to warn
    assert medium_warnings(core_model, medium=None, growth=summary.growth) == []


@pytest.fixture(scope="module")
def open_core_file(tmp_path_factory):
    """The core model written as a file with every exchange open (as genome-scale files ship)."""
    model = fluxasn.load_model("core", medium=None)
    for reaction in model.boundary:
        reaction.lower_bound = -1000
    path = tmp_path_factory.mktemp("models") / "open_core.json"
    write_model_file(model, path)
    return path


def test_report_on_a_model_file_applies_the_default_medium(open_core_file):
    reference = fluxasn.load_model("core")  # RPMI-1640 + 10% FBS, as the bundled model
    expected = _biomass_growth(reference, "BIOMASS_fluxasn")
    result = run_cli(["report", "--model", open_core_file, "--no-fva", "--json"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["medium"] == "RPMI-1640"
    assert data["growth_reaction"] == "BIOMASS_fluxasn"
    assert data["growth_per_h"] == pytest.approx(expected, rel=1e-6)
    assert data["warnings"] == []


def test_report_on_a_file_with_medium_none_warns_on_stderr(open_core_file):
    result = run_cli(["report", "--model", open_core_file, "--medium", "none", "--no-fva", "--json"])
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["growth_per_h"] > math.log(2) / FASTEST_DOUBLING_H
    assert "warning: no medium applied" in result.stderr
    assert "faster than any human cell" in result.stderr
    # every uptake at 1000: reductive GDH + MDH reoxidise mitochondrial NADH up to the audit's cap
    assert "free electron vent" in result.stderr and "compartment(s) m" in result.stderr
    assert len(data["warnings"]) == 3
    table = run_cli(["report", "--model", open_core_file, "--medium", "none", "--no-fva"])
    assert "WARNING: no medium applied" in table.stdout


def test_html_report_shows_what_it_calls_growth_and_the_warnings(core_model):
    from fluxasn.report import make_report

    for reaction in core_model.boundary:
        reaction.lower_bound = -1000
    html = make_report(core_model, fva=False, envelopes=False, pathway_readouts=False,
                       readouts=()).to_html()
    assert "growth = flux of BIOMASS_fluxasn" in html
    assert html.count('class="warning"') == 3 and "no medium applied" in html
    assert "free electron vent" in html


def test_a_scenario_added_to_the_matrix_never_repeats_a_token(core_model):
    from fluxasn.analysis.scenarios import run_scenarios

    matrix = run_scenarios(core_model, ["control", "asn_free", "asns_ko", "asn_free+asns_ko"],
                           readouts=["growth"], also="asn_free")
    names = list(matrix.to_frame()["scenario"])
    assert names == ["control+asn_free", "asns_ko+asn_free"]  # asn_free alone is control+asn_free
    reference = run_scenarios(core_model, ["asns_ko+asn_free"], readouts=["growth"]).to_frame()
    assert matrix.to_frame()["growth"].iloc[1] == pytest.approx(reference["growth"].iloc[0], abs=1e-9)


def test_piped_tables_never_cut_ids():
    from fluxasn.analysis.scenarios import DEFAULT_SCENARIOS

    result = run_cli(["scenarios", "--readouts", "growth,asns_fva,aspartate_sources,nucleotides"])
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout
    for name in DEFAULT_SCENARIOS:
        assert f" {name} " in result.stdout
