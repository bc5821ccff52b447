"""The core-model INST-MFA example (data/c13/core_time_course): tables, fit, bridge to the core model.

References: the core model's own reaction table (atom maps copied verbatim),
fluxasn's INST simulator at the stated generating fluxes and pool sizes
(noise-free column), and the stated generating fluxes (truth of the fit).
"""
from __future__ import annotations

import csv

import numpy as np
import pytest

from fluxasn.core.paths import bundled_data_path
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope import add_13c_constraints
from fluxasn.isotope.formats import C13_EXAMPLES, c13_example_path
from fluxasn.isotope.inst import fit_inst, read_time_course_folder, stationary_start, theta_from_fluxes

FOLDER = bundled_data_path("c13", "core_time_course")


def table(name):
    with open(FOLDER / name, encoding="utf-8") as fh:
        return list(csv.DictReader(l for l in fh if not l.startswith("#")))


@pytest.fixture(scope="module")
def truth():
    fluxes = {r["rxn_id"]: float(r["net_flux"]) for r in table("generating_fluxes.csv")}
    pools = {r["pool_id"]: float(r["true_value"]) for r in table("pool_sizes.csv")}
    return fluxes, pools


@pytest.fixture(scope="module")
def data():
    return read_time_course_folder(FOLDER)


@pytest.fixture(scope="module")
def fit(data):
    problem = data.problem(tol=1e-5)
    return problem, fit_inst(problem, n_starts=1, start=stationary_start(problem))


def test_bundled_name_and_tables_follow_the_core_model(core_model, truth):
    assert c13_example_path("core-time-course") == FOLDER and "core-time-course" in C13_EXAMPLES
    fluxes, _ = truth
    rows = table("reactions.csv")
    core = [r for r in rows if not r["rxn_id"].startswith("OUT_")]
    assert len(core) >= 45
    for r in core:  # every atom map is the core model's own, in the direction the generating flux runs
        rxn = core_model.reactions.get_by_id(r["rxn_id"])
        assert r["rxn_eqn"].replace(" (", "(") == rxn.notes["carbon_transitions"], r["rxn_id"]
        assert r["direction"] == ("backward" if fluxes[r["rxn_id"]] < 0 else "forward"), r["rxn_id"]
    for r in rows:
        if r["rxn_id"].startswith("OUT_"):
            assert fluxes[r["rxn_id"]] > 0  # drains only take carbon out
    units = {r["unit"] for r in table("pool_sizes.csv")}
    assert units == {"nmol/gDW"}
    assert sorted({r["time"] for r in table("ms_measurements.csv")}, key=float) == ["0.0", "1.0", "4.0", "8.0", "24.0"]


def test_noise_free_mids_are_the_simulators(data, truth):
    """The ``simulated`` column is fluxasn's INST simulation at the generating fluxes and pools (1e-9)."""
    fluxes, pools = truth
    problem = data.problem(tol=1e-10)
    theta = theta_from_fluxes(problem, fluxes, pools)  # raises unless the fluxes are a steady state
    (mids, _), = problem.simulate(theta)
    rows = table("ms_measurements.csv")
    by_key = {(r["ms_id"], float(r["time"]), int(r["mass_isotope"])): r for r in rows}
    worst, n = 0.0, 0
    noise = []
    for ei, ti, m, _ in problem.layout:
        t = float(problem.times[ei][ti])
        sim = mids[m.emu][ti]
        for k, x in enumerate(sim):
            r = by_key[(m.id, t, k)]
            worst = max(worst, abs(float(r["simulated"]) - x))
            noise.append(float(r["intensity"]) - float(r["simulated"]))
            n += 1
        assert abs(sum(float(by_key[(m.id, t, k)]["intensity"]) for k in range(sim.size)) - 1) < 1e-12
    assert n == len(rows) == 5 * (7 + 7 + 7 + 5)  # 5 times x (F6P, FBP, citrate M+0..M+6; malate M+0..M+4)
    assert worst < 1e-9, worst
    # stated noise: sd 0.01 per mass (the sample sd of 140 draws lies within 20 % of it)
    assert 0.008 < float(np.std(noise)) < 0.012


def test_fit_recovers_the_generating_fluxes(fit, truth):
    problem, result = fit
    fluxes, _ = truth
    assert result.chi2_ok, (result.ssr, result.chi2_range)
    missed = {k: (fluxes[k], v) for k, v in result.fluxes.items()
              if k in fluxes and not v[1] - 1e-9 <= fluxes[k] <= v[2] + 1e-9}
    assert not missed
    # the measured pools are fitted in nmol/gDW; the MIDs carry the label into citrate within the 1 h point
    assert set(result.pools) >= {"f6p_c", "fdp_c", "cit_m", "mal__L_m"}


def test_inst_result_constrains_the_core_model(core_model, fit):
    _, result = fit
    before = {r.id: r.bounds for r in core_model.reactions}
    n_cons = len(core_model.constraints)
    with core_model:
        frame = add_13c_constraints(core_model, result)
        assert set(frame["mfa_flux"]) == {k for k in result.fluxes if k in core_model.reactions}
        assert "OUT_lac__L_c" not in set(frame["mfa_flux"])  # drains are not core reactions
        value, lo, hi = result.fluxes["PDHm"]
        assert core_model.reactions.PDHm.bounds == pytest.approx((max(lo, 0.0), hi))
        value, lo, hi = result.fluxes["LDH_L"]
        assert core_model.reactions.LDH_L.bounds == pytest.approx((lo, hi))
        assert core_model.slim_optimize(error_value=float("nan")) > 0  # FBA still feasible
    assert {r.id: r.bounds for r in core_model.reactions} == before
    assert len(core_model.constraints) == n_cons


def test_stationary_result_still_needs_its_scale(core_model):
    class Stationary:  # a stationary result is refused without reference/reference_value
        def to_frame(self):
            raise AssertionError("not reached")

    with pytest.raises(FluxasnInputError, match="reference"):
        add_13c_constraints(core_model, Stationary())


def test_folder_errors_name_file_line_and_identifier(tmp_path):
    import shutil

    for name in ("reactions.csv", "tracers.csv", "ms_measurements.csv", "pool_sizes.csv"):
        shutil.copy(FOLDER / name, tmp_path / name)
    text = (tmp_path / "reactions.csv").read_text().replace(",backward,", ",sideways,", 1)
    (tmp_path / "reactions.csv").write_text(text)
    with pytest.raises(FluxasnInputError, match="direction") as err:
        read_time_course_folder(tmp_path)
    assert "reactions.csv" in str(err.value) and "line" in str(err.value)
    (tmp_path / "pool_sizes.csv").unlink()
    with pytest.raises(FluxasnInputError, match="pool_sizes.csv"):
        read_time_course_folder(tmp_path)
