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
    """The ``simulated`` column is fluxasn's INST simulation at the generating fluxes and pools (within 1e-9)."""
    fluxes, pools = truth
    problem = data.problem(tol=1e-9)  # the bundled column was simulated at tol 1e-10
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
    lines = (tmp_path / "reactions.csv").read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if ",backward," in line)
    lines[at] = lines[at].replace(",backward,", ",sideways,")
    (tmp_path / "reactions.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(FluxasnInputError, match="direction") as err:
        read_time_course_folder(tmp_path)
    rid = lines[at].split(",")[0]
    assert "reactions.csv" in str(err.value) and f"line {at + 1}" in str(err.value) and rid in str(err.value)
    (tmp_path / "pool_sizes.csv").unlink()
    with pytest.raises(FluxasnInputError, match="pool_sizes.csv"):
        read_time_course_folder(tmp_path)


def write_two_input_folder(folder, *, f=0.6, out=1e-3, pool=2000.0, times=(0.0, 0.5, 1.0, 2.0, 4.0, 8.0)):
    """B fed by labelled A (fraction f of the inflow) and unlabelled U, drained by R3; B's MID by hand.

    C_B dx/dt = v1 (1 - x) - v2 x ... with x the M+2 fraction: x(t) = f (1 - exp(-k t)),
    k = out / (pool x 1e-6) per h (pool nmol/gDW, flux mmol/gDW/h).
    """
    folder.mkdir()
    (folder / "reactions.csv").write_text("rxn_id,rxn_eqn\nR1,A (ab) -> B (ab)\nR2,U (ab) -> B (ab)\n"
                                          "R3,B (ab) -> C (ab)\n")
    (folder / "tracers.csv").write_text('experiment_id,met_id,atom_ids,ratio,atom_mdv\ne1,A,"[1,2]",1.0,"[0,1]"\n')
    (folder / "flux_measurements.csv").write_text(f"experiment_id,rxn_id,flux,flux_std_error\ne1,R3,{out},1e-5\n")
    (folder / "pool_sizes.csv").write_text("pool_id,value,sd,status,unit\nB,1000,,fitted,nmol/gDW\n")
    k = out / (pool * 1e-6)
    lines = ["experiment_id,met_id,ms_id,labelled_atom_ids,mass_isotope,intensity,intensity_std_error,time"]
    for t in times:
        x = f * (1.0 - np.exp(-k * t))
        for mass, value in enumerate((1.0 - x, 0.0, x)):
            lines.append(f'e1,B,B12,"[1,2]",{mass},{float(value)!r},0.01,{t}')
    (folder / "ms_measurements.csv").write_text("\n".join(lines) + "\n")


def test_mfa_cli_fits_a_time_course_folder(tmp_path):
    """``fluxasn mfa`` on a time-course folder: fluxes and pools with units, JSON/CSV/table, HTML plots."""
    import json
    import os

    from click.testing import CliRunner

    from _cli_runner import REPO, run_many
    from fluxasn.cli import cli

    write_two_input_folder(tmp_path / "tc")
    args = ["mfa", str(tmp_path / "tc"), "--starts", "3"]
    env = {"PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    runs = run_many({"json": args + ["--json"]}, cwd=tmp_path, env=env)  # the console script, once
    assert runs["json"].returncode == 0, runs["json"].stderr
    out = json.loads(runs["json"].stdout)
    assert (out["time_unit"], out["flux_unit"], out["pool_unit"]) == ("h", "mmol/gDW/h", "nmol/gDW")
    rows = {r["id"]: r for r in out["fluxes"] + out["pools"]}
    # exact data (closed form): the fit returns the generating inflow split and pool size
    assert rows["R1"]["value"] == pytest.approx(0.6e-3, rel=1e-4) and rows["R1"]["unit"] == "mmol/gDW/h"
    assert rows["B"]["value"] == pytest.approx(2000.0, rel=1e-4) and rows["B"]["unit"] == "nmol/gDW"
    assert out["ssr"] < 1e-6
    html = tmp_path / "fit.html"
    table = CliRunner().invoke(cli, args + ["--html", str(html)])
    assert table.exit_code == 0, table.output
    assert "time unit: h" in table.output and "nmol/gDW" in table.output
    page = html.read_text()
    assert page.count("data:image/png;base64,") == 1 and "MIDs over time" in page and "B12" in page
    csv_run = CliRunner().invoke(cli, args + ["--csv"])
    assert csv_run.exit_code == 0 and csv_run.output.splitlines()[0].startswith("id,")
    stationary = CliRunner().invoke(cli, ["mfa", "simple-network", "--html", str(tmp_path / "x.html")])
    assert stationary.exit_code != 0 and "stationary" in stationary.output


def test_time_course_view_curves_pass_through_the_measured_fit(tmp_path):
    """The plotted curve at a measured time equals the fitted value listed beside the measurement."""
    from fluxasn.isotope.inst.view import TimeCourseFit

    write_two_input_folder(tmp_path / "tc")
    data = read_time_course_folder(tmp_path / "tc")
    problem = data.problem()
    view = TimeCourseFit(problem, fit_inst(problem, n_starts=1, start=stationary_start(problem)), data.units)
    mids = view.mids_frame()
    grid, fitted = view.curves(points=20)[("e1", "B12")]
    for t in (1.0, 4.0):
        at = mids[(mids["time"] == t)]["fitted"].to_numpy()
        assert fitted[np.searchsorted(grid, t)] == pytest.approx(at, abs=1e-7)
    frame = view.to_frame()
    assert frame.loc["B", "unit"] == "nmol/gDW" and frame.loc["R1", "unit"] == "mmol/gDW/h"
