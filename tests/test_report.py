"""fluxasn.report: summary, full report object, Escher export, validation, conversion.

The reference for every number is either a network small enough to solve by
hand or cobra's own optimisation / FVA on the same model.
"""
from __future__ import annotations

import base64
import json
import math
import re

import cobra
import pandas as pd
import pytest
from cobra.flux_analysis import flux_variability_analysis, pfba

from fluxasn.exceptions import FluxasnInputError, RoleError
from fluxasn.report import (
    FluxReport,
    doubling_time_h,
    escher_fluxes,
    lint_model,
    make_report,
    summarize,
    validate_file,
    write_escher_json,
)
from fluxasn.analysis.readouts import growth_envelope
from fluxasn.io.models import write_model_file
from fluxasn.report.summary import SUMMARY_COLUMNS
from fluxasn.report.lint import PROBLEM_COLUMNS


def toy_model() -> cobra.Model:
    """glc uptake <= 10; two parallel routes glc -> X (R1, R2); X -> biomass; X may be secreted.

    Solved by hand: growth = 10 (all glucose to biomass); R1 and R2 each range
    over [0, 10] at the optimum; glucose uptake is fixed at -10; X secretion is 0.
    """
    model = cobra.Model("toy")
    glc_e = cobra.Metabolite("glc_e", formula="C6H12O6", compartment="e")
    glc = cobra.Metabolite("glc_c", formula="C6H12O6", compartment="c")
    x = cobra.Metabolite("x_c", formula="C6H12O6", compartment="c")
    ex = cobra.Reaction("EX_glc", lower_bound=-10, upper_bound=1000)
    ex.add_metabolites({glc_e: -1})
    up = cobra.Reaction("GLCt", lower_bound=0, upper_bound=1000)
    up.add_metabolites({glc_e: -1, glc: 1})
    r1 = cobra.Reaction("R1", lower_bound=0, upper_bound=1000)
    r1.add_metabolites({glc: -1, x: 1})
    r2 = cobra.Reaction("R2", lower_bound=0, upper_bound=1000)
    r2.add_metabolites({glc: -1, x: 1})
    bio = cobra.Reaction("BIO", lower_bound=0, upper_bound=1000)
    bio.add_metabolites({x: -1})
    sec = cobra.Reaction("EX_x", lower_bound=0, upper_bound=1000)
    sec.add_metabolites({x: -1})
    model.add_reactions([ex, up, r1, r2, bio, sec])
    model.objective = "BIO"
    return model


TOY_ROLES = {"ASNS": "R1", "EX_glc": "EX_glc", "EX_lac": "EX_x", "biomass": "BIO"}


def test_doubling_time_is_ln2_over_growth():
    assert doubling_time_h(math.log(2.0)) == pytest.approx(1.0)
    assert doubling_time_h(0.0347) == pytest.approx(19.975, rel=1e-4)
    assert doubling_time_h(0.0) == math.inf
    assert math.isnan(doubling_time_h(float("nan")))
    assert math.isnan(doubling_time_h(-0.1))


def test_summary_of_hand_solved_network():
    model = toy_model()
    bounds_before = {r.id: r.bounds for r in model.reactions}
    summary = summarize(model, roles=TOY_ROLES, medium="toy medium")
    assert summary.status == "optimal"
    assert summary.growth == pytest.approx(10.0)
    assert summary.doubling_time == pytest.approx(math.log(2) / 10)
    frame = summary.to_frame()
    assert tuple(frame.columns) == SUMMARY_COLUMNS
    rows = frame.set_index("quantity")
    assert rows.at["growth", "unit"] == "1/h"
    assert rows.at["ASNS flux", "reaction"] == "R1"
    assert rows.at["ASNS flux", "minimum"] == pytest.approx(0.0, abs=1e-9)
    assert rows.at["ASNS flux", "maximum"] == pytest.approx(10.0)
    assert rows.at["glucose exchange", "flux"] == pytest.approx(-10.0)
    assert rows.at["glucose exchange", "minimum"] == pytest.approx(-10.0)
    assert rows.at["glucose exchange", "maximum"] == pytest.approx(-10.0)
    assert rows.at["lactate exchange", "maximum"] == pytest.approx(0.0, abs=1e-9)
    # roles the model lacks give rows without a reaction, not an error
    assert rows.loc["Asn exchange", "reaction"] is None
    assert math.isnan(rows.at["Asn exchange", "flux"])
    # the caller's model is unchanged
    assert {r.id: r.bounds for r in model.reactions} == bounds_before
    assert str(model.objective.expression) == str(toy_model().objective.expression)


def test_summary_matches_cobra_on_textbook(textbook):
    roles = {"EX_glc": "EX_glc__D_e", "EX_o2": "EX_o2_e", "EX_lac": "EX_lac__D_e", "ASNS": "GLNS"}
    summary = summarize(textbook, roles=roles, fraction_of_optimum=0.9)
    optimum = textbook.optimize()
    reference = pfba(textbook)  # the reported distribution: parsimonious FBA at maximum growth
    assert summary.flux_method == "pfba"
    assert summary.growth == pytest.approx(optimum.objective_value, rel=1e-9)
    ranges = flux_variability_analysis(
        textbook, reaction_list=list(roles.values()), fraction_of_optimum=0.9
    )
    frame = summary.to_frame().dropna(subset=["reaction"]).set_index("reaction")
    for rid in roles.values():
        assert frame.at[rid, "flux"] == pytest.approx(reference.fluxes[rid], abs=1e-6)
        assert frame.at[rid, "minimum"] == pytest.approx(ranges.at[rid, "minimum"], abs=1e-6)
        assert frame.at[rid, "maximum"] == pytest.approx(ranges.at[rid, "maximum"], abs=1e-6)


def test_summary_records_infeasible_status_without_raising():
    model = toy_model()
    model.reactions.EX_x.lower_bound = 20.0  # must secrete 20 X from at most 10 glucose
    summary = summarize(model, roles=TOY_ROLES)
    assert summary.status == "infeasible"
    assert math.isnan(summary.growth)
    assert summary.to_frame()["flux"].isna().all()
    data = summary.to_dict()
    assert data["growth_per_h"] is None and data["status"] == "infeasible"
    json.dumps(data)  # NaN-free, serialisable


def test_summary_views_and_bad_input():
    summary = summarize(toy_model(), roles=TOY_ROLES, medium="toy medium")
    text = str(summary)
    assert "growth 10 1/h" in text and "R1" in text and "toy medium" in text
    assert "<table" in summary._repr_html_() and "R1" in summary._repr_html_()
    ax = summary.plot()
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "ASNS flux"
    with pytest.raises(RoleError, match="NOPE"):
        summarize(toy_model(), roles={"ASNS": "NOPE"})
    with pytest.raises(FluxasnInputError, match="fraction_of_optimum"):
        summarize(toy_model(), roles=TOY_ROLES, fraction_of_optimum=1.5)


def test_exchange_envelope_matches_hand_solution():
    # growth = -EX_glc flux when glucose uptake is fixed (every glucose to biomass)
    frame = growth_envelope(toy_model(), against="EX_glc", biomass="BIO", points=5).to_frame()
    assert list(frame.columns) == ["x", "growth_minimum", "growth_maximum", "status"]
    assert frame["x"].min() == pytest.approx(-10.0) and frame["x"].max() == pytest.approx(0.0)
    for x, hi in zip(frame["x"], frame["growth_maximum"]):
        assert hi == pytest.approx(-x, abs=1e-6)
    assert frame["growth_minimum"].max() == pytest.approx(0.0, abs=1e-9)


def test_full_report_html_is_self_contained(tmp_path):
    scenarios = pd.DataFrame({"growth": [10.0, 0.0]}, index=["base", "no glucose"])
    report = make_report(
        # glucose stands in for the asparagine exchange, so the envelope section has a plot
        toy_model(), roles={**TOY_ROLES, "EX_asn": "EX_glc"}, medium="toy medium",
        scenarios=scenarios, pathway_readouts=False,
        provenance={"model_source": "toy"}, readouts=(("ASNS", "ASNS"),),
    )
    assert isinstance(report, FluxReport)
    assert set(report.to_frame()["section"]) == {"summary", "readouts"}
    path = tmp_path / "r.html"
    report.write_html(path)
    text = path.read_text()
    for section in ("provenance", "growth", "fva", "readouts", "scenarios", "envelopes"):
        assert f'<section id="{section}"' in text
    assert 'id="c13"' not in text  # no 13C data given
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', text)
    assert len(images) == text.count("<img ")
    assert len(images) >= 4  # key fluxes, readouts, heatmap, envelope
    for data in images:
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
    assert "toy" in text and "fluxasn" in text
    assert "<table" in report._repr_html_()
    assert str(report).startswith("model toy, medium toy medium: status optimal, growth 10 1/h")
    assert repr(report).startswith("<FluxReport toy on toy medium: status optimal")
    assert [t.get_text() for t in report.plot().get_yticklabels()][-1] == "ASNS flux"


def test_escher_export_equals_solution(tmp_path, textbook):
    solution = textbook.optimize()
    data = write_escher_json(solution, tmp_path / "fluxes.json")
    loaded = json.loads((tmp_path / "fluxes.json").read_text())
    assert loaded == data
    assert set(loaded) == {r.id for r in textbook.reactions}
    for rid, value in loaded.items():
        assert value == solution.fluxes[rid]
    assert escher_fluxes(pd.Series({"A": -0.0}))["A"] == 0.0
    assert math.copysign(1, escher_fluxes({"A": -0.0})["A"]) == 1.0
    with pytest.raises(FluxasnInputError, match="'B'"):
        escher_fluxes({"A": 1.0, "B": float("nan")})
    model = toy_model()
    model.reactions.EX_x.lower_bound = 20.0
    with pytest.raises(FluxasnInputError, match="infeasible"):
        escher_fluxes(model.optimize())


def test_lint_lists_every_problem():
    model = toy_model()
    model.metabolites.x_c.formula = "C5H10O5"  # R1 and R2 now lose a CH2O each
    dead = cobra.Metabolite("dead_c", formula="C1", compartment="c")
    nof = cobra.Metabolite("noformula_c", compartment="c")
    extra = cobra.Reaction("R3", lower_bound=0, upper_bound=10)
    extra.add_metabolites({dead: -1, nof: 1})
    model.add_reactions([extra])
    model.objective = {}
    problems = lint_model(model, source="toy.json")
    assert tuple(problems.columns) == PROBLEM_COLUMNS
    found = {(r.identifier, r.severity) for r in problems.itertuples()}
    assert ("objective", "error") in found
    assert ("R1", "warning") in found and ("R2", "warning") in found
    assert ("noformula_c", "warning") in found
    assert ("dead_c", "warning") in found
    assert (problems["file"] == "toy.json").all()
    assert lint_model(toy_model()).empty


def test_validate_sbml_file_lists_every_error(tmp_path, textbook):
    good = tmp_path / "good.xml"
    write_model_file(textbook, good)
    assert validate_file(good).query("severity == 'error'").empty
    text = good.read_text()
    # two distinct defects: a reaction bound to an undefined parameter, a species in no compartment
    bad_text = text.replace('fbc:upperFluxBound="cobra_default_ub"', 'fbc:upperFluxBound="missing_ub"', 1)
    bad_text = re.sub(r'(<species[^>]*?compartment=")e(")', r"\1nowhere\2", bad_text, count=1)
    assert bad_text != text
    bad = tmp_path / "bad.xml"
    bad.write_text(bad_text)
    problems = validate_file(bad)
    errors = problems[problems["severity"] == "error"]
    assert len(errors) >= 2
    joined = " ".join(errors["message"])
    assert "missing_ub" in joined and "nowhere" in joined


BAD_MEASUREMENTS = """# rates with four bad rows
metabolite,value,sd,unit,cell_line,condition
glc__D,-0.89,0.18,mmol/gDW/h,HT29,RPMI-1640
lac__L,abc,0.1,mmol/gDW/h,HT29,RPMI-1640
gln__L,-0.2,-1,mmol/gDW/h,HT29,RPMI-1640
unobtainium,-0.2,0.1,mmol/gDW/h,HT29,RPMI-1640
biomass,0.03,0.003,1/h,HT29,RPMI-1640
asn__L,-0.01,0.002,furlongs,HT29,RPMI-1640
"""

BAD_MEDIUM = "component\tconcentration_mM\nglc__D\t11.1\nasparagine\t-1\nunobtainium\t2\nglucose\t1\nglutamine\tx\n"


def test_validate_measurements_lists_every_bad_row(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text(BAD_MEASUREMENTS)
    problems = validate_file(path)
    assert list(problems["line"]) == [4, 5, 6, 8]
    assert list(problems["identifier"]) == ["value", "sd", "metabolite", "unit"]
    assert (problems["severity"] == "error").all()
    assert "'abc'" in problems["message"].iloc[0] and "furlongs" in problems["message"].iloc[3]
    good = tmp_path / "good.csv"
    good.write_text("\n".join(line for i, line in enumerate(BAD_MEASUREMENTS.splitlines()) if i in (1, 2, 6)) + "\n")
    assert validate_file(good).empty


def test_validate_medium_lists_every_bad_row(tmp_path):
    from fluxasn.core.medium_files import read_medium_file

    path = tmp_path / "medium.tsv"
    path.write_text(BAD_MEDIUM)
    problems = validate_file(path)
    assert list(problems["line"]) == [3, 4, 5, 6]
    assert list(problems["identifier"]) == ["asparagine", "unobtainium", "glucose", "glutamine"]
    assert "negative" in problems["message"].iloc[0]
    assert "duplicate" in problems["message"].iloc[2] and "line 2" in problems["message"].iloc[2]
    with pytest.raises(FluxasnInputError, match=r"line 3.*negative.*and 3 more"):
        read_medium_file(path)
    good = tmp_path / "ok.tsv"
    good.write_text("component\tconcentration_mM\nglc__D\t11.1\ngln__L\t2\n")
    table = read_medium_file(good)
    assert table.to_dict("list") == {"component": ["glc__D", "gln__L"], "concentration_mM": [11.1, 2.0]}


def test_validate_c13_data(tmp_path):
    import shutil

    from _shared import require_shared

    source = require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")
    assert validate_file(source).empty
    broken = tmp_path / "inca"
    broken.mkdir()
    for csv in source.glob("*.csv"):
        shutil.copy(csv, broken / csv.name)
    reactions = broken / "reactions.csv"
    reactions.write_text(reactions.read_text().replace("A (abc) -> B (abc)", "A (abc) -> B (ab)", 1))
    (problem,) = validate_file(broken).itertuples()
    assert problem.file.endswith("reactions.csv") and problem.line == 2 and problem.identifier == "R1"
    assert "do not balance" in problem.message


def test_validate_rejects_missing_and_unknown(tmp_path):
    with pytest.raises(FluxasnInputError, match="file not found"):
        validate_file(tmp_path / "absent.xml")
    odd = tmp_path / "notes.docx"
    odd.write_text("x")
    with pytest.raises(FluxasnInputError, match="--kind"):
        validate_file(odd)


@pytest.mark.parametrize("name", ["m.xml", "m.json", "m.mat", "m.yaml", "m.json.gz"])
def test_convert_round_trip(tmp_path, name):
    from fluxasn import read_model_file

    textbook = toy_model()
    path = write_model_file(textbook, tmp_path / name)
    back = read_model_file(path)
    assert [r.id for r in back.reactions] == [r.id for r in textbook.reactions]
    assert {r.id: r.bounds for r in back.reactions} == {r.id: r.bounds for r in textbook.reactions}
    assert back.slim_optimize() == pytest.approx(textbook.slim_optimize(), rel=1e-9)


def test_convert_rejects_unknown_suffix(tmp_path, textbook):
    with pytest.raises(FluxasnInputError, match="unknown output format"):
        write_model_file(textbook, tmp_path / "m.docx")
    with pytest.raises(FluxasnInputError, match="cannot be gzipped"):
        write_model_file(textbook, tmp_path / "m.mat.gz")
