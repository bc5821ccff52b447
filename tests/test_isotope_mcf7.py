"""MCF-7 (mfapy Example_3, Araki 2018): joint fit of two tracer experiments, and the COBRA bridge."""
import csv

import numpy as np
import pytest

from _shared import require_shared
from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.isotope.bridge import FluxMapping, add_13c_constraints, read_flux_mapping
from _c13_examples import mcf7_araki2018
from fluxasn.isotope.fit import fit_13c


def mfapy_output():
    path = require_shared("c13", "mcf7_mfapy_araki2018", "mfapy_0.6.3_example3_fit_output.csv")
    rows = list(csv.reader(open(path)))
    stats = {r[0]: float(r[3]) for r in rows if r and r[0] in ("RSS", "Thres", "p_value")}
    fluxes = {r[0]: float(r[3]) for r in rows if len(r) > 9 and r[0].startswith("r")}
    mids = {(r[0], r[1]): float(r[3]) for r in rows if len(r) == 7 and r[0] in ("ex1", "ex2")}
    return stats, fluxes, mids


@pytest.fixture(scope="module")
def data():
    return mcf7_araki2018(require_shared("c13", "mcf7_mfapy_araki2018"))


@pytest.fixture(scope="module")
def problem(data):
    return data.problem()


@pytest.fixture(scope="module")
def result(problem):
    return fit_13c(problem, n_starts=1, seed=0)  # the benchmark runs 10 starts


def test_reader_keeps_published_files_as_they_are(data):
    assert [e.name for e in data.experiments] == ["ex1", "ex2"]
    assert {m.id for m in data.experiments[1].mids} >= {"GC_Cit_459", "GC_Pyr_174", "GC_Asp_418"}
    # status rows naming reactions absent from the model are ignored (as mfapy does), and listed
    assert set(data.ignored) == {"r72_SubsLeu", "r100_CO2", "r101_CO2", "r109_NADHx"}
    assert {f.id for f in data.fluxes} == {"r42_Lac_ex", "r57_Asn_ex", "r72_SubsIle", "r75_SubsVal"}


def test_simulation_matches_mfapy_at_its_fluxes(problem):
    _, fluxes, mids = mfapy_output()
    v = np.array([fluxes[f] for f in problem.network.flux_ids])
    worst = 0.0
    for ei, m, _, (n, row) in problem.layout:
        X, _ = problem.emu.simulate(v, problem.src[ei])
        sim = X[n][row]
        exp = problem.experiments[ei].name
        for k in range(m.mid.size):
            worst = max(worst, abs(sim[k] - mids[(exp, f"{m.id}_{k}")]))
    assert worst < 1e-3


def test_joint_fit_reaches_mfapy_rss_and_passes_chi_square(result):
    stats, fluxes, _ = mfapy_output()
    assert result.ssr <= stats["RSS"] + 1e-6
    assert result.passed and result.ssr <= result.chi2_threshold
    assert result.dof == result.n_measurements - result.n_parameters == 73 - 24
    # also below mfapy's own (one-sided, dof 33) threshold 47.40
    assert result.ssr <= stats["Thres"]


def test_asns_flux_and_interval_reported(result):
    _, fluxes, _ = mfapy_output()
    row = result.to_frame().loc["r56_asns"]
    assert row["lower"] < row["flux"] < row["upper"]
    assert row["flux"] == pytest.approx(fluxes["r56_asns"], abs=0.1)  # mfapy 2.87 per 100 glucose
    assert bool(row["identifiable"])


MEASURED_EXCHANGES = ["r1_SubsGlc", "r42_Lac_ex", "r46_SubsGln", "r55_Asp_ex", "r57_Asn_ex", "r59_Ala_ex"]


def measured_exchange_bounds(model, data, glucose_uptake):
    """The comparison model: only the measured exchange rates, scaled like the 13C fluxes."""
    scale = glucose_uptake / data.fixed["r1_SubsGlc"]
    values = {k: (v, v) for k, v in data.fixed.items()}
    values.update({f.id: (f.value - 1.96 * f.sd, f.value + 1.96 * f.sd) for f in data.fluxes})
    for row in read_flux_mapping():
        if row.mfa_flux in MEASURED_EXCHANGES:
            (c, rid), = row.terms
            lo, hi = sorted(x * scale * row.coefficient / c for x in values[row.mfa_flux])
            model.reactions.get_by_id(rid).bounds = (lo, hi)


def test_13c_constraints_narrow_asns_and_pc(core_model, data, result):
    from cobra.flux_analysis import flux_variability_analysis as fva

    glc = -core_model.reactions.EX_glc__D_e.lower_bound
    before = core_model.reactions.ASNS1.bounds, core_model.reactions.PCm.bounds, len(core_model.constraints)
    with core_model:
        measured_exchange_bounds(core_model, data, glc)
        base = fva(core_model, ["ASNS1", "PCm"], fraction_of_optimum=0.0)
    with core_model:
        table = add_13c_constraints(core_model, result, reference="r1_SubsGlc", reference_value=glc)
        assert set(table["applied_as"]) == {"bounds", "constraint"}
        assert table["scale"].iloc[0] == pytest.approx(glc / 100.0)
        c13 = fva(core_model, ["ASNS1", "PCm"], fraction_of_optimum=0.0)
    for rid in ["ASNS1", "PCm"]:
        width_base = base.loc[rid, "maximum"] - base.loc[rid, "minimum"]
        width_c13 = c13.loc[rid, "maximum"] - c13.loc[rid, "minimum"]
        assert width_c13 < 0.8 * width_base, rid
    # ASNS range holds the fitted ASNS flux in mmol/gDW/h
    asns = result.flux("r56_asns") * glc / 100.0
    assert c13.loc["ASNS1", "minimum"] - 1e-9 <= asns <= c13.loc["ASNS1", "maximum"] + 1e-9
    # undone on leaving the context
    after = core_model.reactions.ASNS1.bounds, core_model.reactions.PCm.bounds, len(core_model.constraints)
    assert after == before


def test_bridge_bad_input_changes_nothing(core_model, result):
    glc = -core_model.reactions.EX_glc__D_e.lower_bound
    before = {r.id: r.bounds for r in core_model.reactions}
    with pytest.raises(FluxasnInputError, match="absent from model"):
        add_13c_constraints(core_model, result, mapping=[FluxMapping("r56_asns", ((1.0, "NOPE"),))],
                            reference="r1_SubsGlc", reference_value=glc)
    impossible = [FluxMapping("r56_asns", ((1.0, "ASNS1"),)), FluxMapping("r57_Asn_ex", ((-1.0, "ASNS1"),))]
    with pytest.raises(InfeasibleError):
        add_13c_constraints(core_model, result, mapping=impossible, reference="r1_SubsGlc", reference_value=glc)
    with pytest.raises(FluxasnInputError, match="finite"):
        add_13c_constraints(core_model, result, reference="r1_SubsGlc", reference_value=float("nan"))
    with pytest.raises(InfeasibleError, match="does not meet the bounds"):  # glucose uptake far above the medium's
        add_13c_constraints(core_model, result, reference="r1_SubsGlc", reference_value=50.0)
    assert {r.id: r.bounds for r in core_model.reactions} == before


def test_asns_profile_interval(problem, result):
    from scipy import stats

    from fluxasn.isotope.optimize import local_fit

    prof = result.profile("r56_asns")
    assert prof.identifiable and prof.lower < result.flux("r56_asns") < prof.upper
    row = result.to_frame().loc["r56_asns"]
    assert row["method"] == "profile" and (row["lower"], row["upper"]) == (prof.lower, prof.upper)
    # at the upper bound, an independent refit with ASNS fixed raises the SSR by chi2(1, 0.95) = 3.84
    vec = problem.network.flux_vector("r56_asns")
    a, off = vec @ problem.N, vec @ problem.vp
    _, f, _, _ = local_fit(problem, result.u, extra_eq=(a[None, :], np.array([prof.upper - off])))
    assert f - result.ssr == pytest.approx(stats.chi2.ppf(0.95, 1), abs=0.15)


def test_bridge_value_method_and_mapping_errors(core_model, result, tmp_path):
    glc = -core_model.reactions.EX_glc__D_e.lower_bound
    before = {r.id: r.bounds for r in core_model.reactions}
    # every mapped flux fixed at its best-fit value over-determines the core model: refused, nothing changed
    with pytest.raises(InfeasibleError):
        add_13c_constraints(core_model, result, method="value", reference="r1_SubsGlc", reference_value=glc)
    assert {r.id: r.bounds for r in core_model.reactions} == before
    rows = [r for r in read_flux_mapping() if r.mfa_flux in ("r1_SubsGlc", "r56_asns")]
    with core_model:
        table = add_13c_constraints(core_model, result, mapping=rows, method="value", reference="r1_SubsGlc",
                                    reference_value=glc)
        row = table.set_index("mfa_flux").loc["r56_asns"]
        assert row["minimum"] == row["maximum"] == pytest.approx(result.flux("r56_asns") * glc / 100.0)
        assert core_model.reactions.ASNS1.bounds == pytest.approx((row["minimum"], row["maximum"]))
    with pytest.raises(FluxasnInputError, match="method"):
        add_13c_constraints(core_model, result, method="fuzzy", reference="r1_SubsGlc", reference_value=glc)
    bad = tmp_path / "map.tsv"
    bad.write_text("mfa_flux\tmodel_reactions\tcoefficient\nr56_asns\tASNS1 *\t1\n")
    with pytest.raises(FluxasnInputError, match="cannot read model-reaction term") as err:
        read_flux_mapping(bad)
    assert err.value.line == 2
