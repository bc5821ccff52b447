"""Non-stationary FluxML configurations as INST-MFA problems, against x3cflux 3.1.2 (13CFLUX v3).

The reference is x3cflux's simulator built from the same file: its simulated
measurements (``compute_measurements``) and its weighted least-squares loss
(``compute_loss``) at its own parameters, mapped to fluxasn's gross fluxes by
:func:`fluxml_gross_fluxes`.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

from _cli_runner import REPO, run_many
from click.testing import CliRunner
from _shared import require_shared, x3cflux_core
from fluxasn.cli import cli
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope import read_fluxml
from fluxasn.isotope.formats.fluxml_types import fluxml_gross_fluxes
from fluxasn.isotope.inst import fit_inst, fluxml_units, inst_problem_from_fluxml


def x3c_parameters(sim, free):
    space = sim.parameter_space
    return dict(zip(space.parameter_names, space.compute_parameters(np.asarray(free, float))))


def theta_at(problem, full):
    """fluxasn parameters at x3cflux's parameters; asserts the fluxes lie in the problem's flux space."""
    v = fluxml_gross_fluxes(problem.network, full)
    u = np.linalg.lstsq(problem.N, v - problem.vp, rcond=None)[0]
    assert np.abs(problem.vp + problem.N @ u - v).max() < 1e-8 * max(1.0, np.abs(v).max())
    return np.concatenate([u, [full[problem.pools[i].id] for i in problem.free_pools]])


def simulated_by_id(problem, theta):
    """Measurement id (``group@time``) -> (simulated MID after any correction, the measurement)."""
    sims = problem.simulate(theta)
    out = {}
    for ei, ti, m, _ in problem.layout:
        s = sims[ei][0][m.emu][ti]
        out[m.id] = (s if m.correction is None else m.correction @ s, m)
    return out


def compare(sim, free, problem, theta):
    """Largest |x3cflux - fluxasn| over every measured MID at every time."""
    got = simulated_by_id(problem, theta)
    ref = iter(sim.compute_measurements(np.asarray(free, float), [])[0])
    names, stamps = sim.measurement_names[0], sim.measurement_time_stamps
    worst, n = 0.0, 0
    for group, times in zip(names, stamps):
        for t in times:
            s, _ = got[f"{group}@{t:g}"]
            worst = max(worst, float(np.abs(np.asarray(next(ref)) - s).max()))
            n += 1
    assert n == len(got)  # every fluxasn measurement is one of x3cflux's
    return worst


def test_ecoli_a_inst_problem_matches_x3cflux():
    """EC.fml a_INST (INCA 2.3's E. coli model) read by the adapter, simulated at the file's values."""
    core = x3cflux_core()
    path = require_shared("c13", "13cflux_v3_examples", "models", "EC.fml")
    data = read_fluxml(path, configuration="a_INST")
    scaled = inst_problem_from_fluxml(data)  # its groups have scale="auto": one factor per group and time
    assert scaled.n_scale == len(scaled.layout) > 0
    problem = inst_problem_from_fluxml(data, ignore_scale=True, tol=1e-7)
    assert problem.n_scale == 0
    assert fluxml_units(data)["time"] == "s"
    sim = core.create_simulator_from_fml(str(path), "a_INST", "emu")
    sim.builder.set_solver(core.MatrixLinearCVODESolver(100, 1e-10, 1e-13, 1000000))
    free = np.asarray(sim.initial_parameters)  # the file's <fluxvalue>s and <poolsizevalue>s
    full = x3c_parameters(sim, free)
    assert len(problem.pools) > 40
    assert all(p.value == full[p.id] and not p.fixed for p in problem.pools)  # the file's pool sizes
    worst = compare(sim, free, problem, theta_at(problem, full))
    assert worst < 1e-6, worst


def linea_text(times, data, *, sd=1e-3, pools=None, v1=None):
    """linea.fml (S -> A <-> B ->, 90 % [1-13C]-S) with MS data of A and B at ``times``.

    data: group -> list of (M+0, M+1) per time; pools: id -> size; v1: (value, sd) measured.
    """
    listed = ",".join(f"{t:g}" for t in times)
    groups = "".join(f'<group id="{g}" times="{listed}"><textual>{g[-1]}#M0,1</textual></group>' for g in data)
    datums = "".join(f'<datum id="{g}" stddev="{sd}" weight="{w}" time="{t:g}">{x!r}</datum>'
                     for g, rows in data.items() for t, row in zip(times, rows) for w, x in enumerate(row))
    flux = ""
    if v1 is not None:
        flux = '<fluxmeasurement><netflux id="fm_v1"><textual>v1</textual></netflux></fluxmeasurement>'
        datums += f'<datum id="fm_v1" stddev="{v1[1]}">{v1[0]}</datum>'
    variables = "".join(f'<poolsizevalue pool="{p}">{x}</poolsizevalue>' for p, x in (pools or {}).items())
    return f"""<fluxml xmlns="http://www.13cflux.net/fluxml">
<reactionnetwork><metabolitepools><pool id="S" atoms="1"/><pool id="A" atoms="1"/><pool id="B" atoms="1"/>
</metabolitepools>
<reaction id="v1" bidirectional="false"><reduct id="S" cfg="a"/><rproduct id="A" cfg="a"/></reaction>
<reaction id="v2" bidirectional="true"><reduct id="A" cfg="a"/><rproduct id="B" cfg="a"/></reaction>
<reaction id="v3" bidirectional="false"><reduct id="B" cfg="a"/></reaction>
</reactionnetwork>
<configuration name="default" stationary="false">
<input pool="S"><label cfg="0">0.1</label><label cfg="1">0.9</label></input>
<measurement><mlabel><timeunit>min</timeunit></mlabel>
<model><labelingmeasurement>{groups}</labelingmeasurement>{flux}</model><data>{datums}</data></measurement>
<simulation method="emu"><variables>{variables}</variables></simulation>
</configuration></fluxml>
"""


LINEA_TRUTH = [1.0, 0.5, 3.0, 2.0]  # x3cflux's free parameters: v3 net, v2 exchange, pools B, A
LINEA_TIMES = [0.25, 0.5, 1.0, 2.0, 4.0]


def test_scale_auto_groups_fit_one_factor_per_time_as_x3cflux(tmp_path):
    """linea with scale="auto" groups and unnormalised data: fluxasn's SSR is x3cflux's loss (rel 1e-6)."""
    core = x3cflux_core()
    rng = np.random.default_rng(11)
    data = {g: [tuple(float(x) for x in rng.uniform(0.1, 2.0, 2)) for _ in LINEA_TIMES] for g in ("MS_A", "MS_B")}
    path = tmp_path / "linea_scaled.fml"
    path.write_text(linea_text(LINEA_TIMES, data, pools={"A": 2.0, "B": 3.0}).replace("<group ", '<group scale="auto" '))
    problem = inst_problem_from_fluxml(read_fluxml(path), tol=1e-10)
    assert problem.n_scale == 2 * len(LINEA_TIMES)
    sim = core.create_simulator_from_fml(str(path), "default", "emu")
    sim.builder.set_solver(core.MatrixLinearCVODESolver(100, 1e-10, 1e-13, 1000000))
    theta = theta_at(problem, x3c_parameters(sim, LINEA_TRUTH))
    r, J, scales = problem.residuals(theta)
    assert len(scales) == problem.n_scale and len({round(c, 6) for c in scales.values()}) > 1
    assert r @ r == pytest.approx(sim.compute_loss(np.asarray(LINEA_TRUTH, float)), rel=1e-6)
    # the Jacobian of the projected residuals: central differences of the simulator
    for j in range(problem.p):
        step = np.zeros(problem.p)
        step[j] = 1e-6 * max(1.0, abs(theta[j]))
        up, _, _ = problem.residuals(theta + step, jac=False)
        down, _, _ = problem.residuals(theta - step, jac=False)
        assert np.allclose(J[:, j], (up - down) / (2 * step[j]), rtol=1e-4, atol=1e-5)
    # data = x3cflux's MIDs times known factors: the fit returns them and counts them in the dof
    ref = [np.asarray(x) for x in sim.compute_measurements(np.asarray(LINEA_TRUTH, float), [])[0]]
    factors = rng.uniform(0.5, 2.0, len(ref))
    data = {g: [tuple(float(y) for y in factors[i * len(LINEA_TIMES) + k] * ref[i * len(LINEA_TIMES) + k])
                for k in range(len(LINEA_TIMES))] for i, g in enumerate(sim.measurement_names[0])}
    path.write_text(linea_text(LINEA_TIMES, data, pools={"A": 2.0, "B": 3.0}).replace("<group ", '<group scale="auto" '))
    problem = inst_problem_from_fluxml(read_fluxml(path), tol=1e-10)
    result = fit_inst(problem, n_starts=1, start=theta)
    assert result.ssr < 1e-8 and result.dof == problem.n_res - problem.p - problem.n_scale
    _, _, scales = problem.residuals(result.theta, jac=False)
    assert sorted(scales.values()) == pytest.approx(sorted(factors), rel=1e-5)


def test_hours_convert_times_and_fluxes_not_the_fit(tmp_path):
    """linea in min read with hours=True: times / 60, fluxes (data, bounds) x 60, same MIDs and SSR."""
    path = tmp_path / "linea_min.fml"
    flat = {"MS_A": [(0.6, 0.4)] * len(LINEA_TIMES), "MS_B": [(0.7, 0.3)] * len(LINEA_TIMES)}
    path.write_text(linea_text(LINEA_TIMES, flat, pools={"A": 2.0, "B": 3.0}, v1=(1.0, 0.01)))
    data = read_fluxml(path)
    per_min = inst_problem_from_fluxml(data, tol=1e-10)
    per_h = inst_problem_from_fluxml(data, tol=1e-10, hours=True)
    assert fluxml_units(data, hours=True) == {"time": "h", "flux": "pool-size unit/h", "pool": "as in the file",
                                              "file_time": "min"}
    assert [t * 60 for t in per_h.times[0]] == pytest.approx(list(per_min.times[0]), rel=1e-15)
    assert per_h.base.f_val[0] == 60.0 and per_h.base.f_sd[0] == pytest.approx(0.6)
    v_min = np.array([1.0, 1.0 + 0.5, 0.5, 1.0])  # gross v1, v2.f, v2.b, v3 (net 1 per min, exchange 0.5)
    order = [per_min.network.flux_index(f) for f in ("v1", "v2.f", "v2.b", "v3")]
    v = np.zeros(4)
    v[order] = v_min
    th_min = np.concatenate([np.linalg.lstsq(per_min.N, v - per_min.vp, rcond=None)[0], [2.0, 3.0]])
    th_h = np.concatenate([np.linalg.lstsq(per_h.N, 60 * v - per_h.vp, rcond=None)[0], [2.0, 3.0]])
    r_min, _, _ = per_min.residuals(th_min, jac=False)
    r_h, _, _ = per_h.residuals(th_h, jac=False)
    assert np.allclose(r_h, r_min, atol=1e-8)  # MIDs (and the weighted flux residual) unchanged
    bad = tmp_path / "weeks.fml"
    bad.write_text(path.read_text().replace("<timeunit>min</timeunit>", "<timeunit>wk</timeunit>"))
    with pytest.raises(FluxasnInputError, match="timeunit") as err:
        inst_problem_from_fluxml(read_fluxml(bad), hours=True)
    assert "weeks.fml" in str(err.value) and "'wk'" in str(err.value)


def test_linea_residuals_equal_x3cflux_loss(tmp_path):
    """linea with five time points: MIDs as x3cflux's, and its loss from fluxasn's residuals.

    x3cflux's loss fits one scale factor per group and time point even without
    scale="auto" (least squares, closed form); fluxasn fits MIDs as they are.
    The test rebuilds x3cflux's loss from fluxasn's weighted residuals.
    """
    core = x3cflux_core()
    rng = np.random.default_rng(7)
    data = {"MS_A": [], "MS_B": []}
    for g in data:
        for _ in LINEA_TIMES:
            x = rng.uniform(0.1, 0.9)
            data[g].append((x, 1.0 - x))
    path = tmp_path / "linea_tc.fml"
    path.write_text(linea_text(LINEA_TIMES, data, pools={"A": 1.0, "B": 1.0}))
    problem = inst_problem_from_fluxml(read_fluxml(path), pools={"A": 2.0, "B": 3.0}, tol=1e-10)
    assert [p.value for p in problem.pools] == [2.0, 3.0]  # pools= overrides the file's values
    assert fluxml_units(read_fluxml(path))["time"] == "min"
    sim = core.create_simulator_from_fml(str(path), "default", "emu")
    sim.builder.set_solver(core.MatrixLinearCVODESolver(100, 1e-10, 1e-13, 1000000))  # default rtol: 1e-6
    assert sim.parameter_space.free_parameter_names == ["v3.n", "v2.x", "B", "A"]
    theta = theta_at(problem, x3c_parameters(sim, LINEA_TRUTH))
    assert compare(sim, LINEA_TRUTH, problem, theta) < 1e-6
    r, _, _ = problem.residuals(theta, jac=False)
    scaled = 0.0
    for _, _, m, sl in problem.layout:
        s = m.mid + r[sl] * m.sd  # simulated, from the residual
        w = 1.0 / m.sd ** 2
        c = (s * w) @ m.mid / ((s * w) @ s)
        scaled += float((((c * s - m.mid) / m.sd) ** 2).sum())
    loss = sim.compute_loss(np.asarray(LINEA_TRUTH, float))
    assert scaled == pytest.approx(loss, rel=1e-6)
    assert abs(r @ r - loss) > 0.1 * loss, (r @ r, loss)  # the scale factors matter: the check can fail


def test_missing_pool_size_names_file_line_and_metabolite():
    path = require_shared("c13", "13cflux_v3_examples", "models", "linea.fml")
    with pytest.raises(FluxasnInputError) as err:
        inst_problem_from_fluxml(read_fluxml(path))
    message = str(err.value)
    assert "linea.fml" in message and "line 29" in message and "'A'" in message and "pool size" in message


def test_stationary_configuration_and_unread_psize_are_refused(tmp_path):
    text = linea_text([1.0], {"MS_A": [(0.5, 0.5)]}, pools={"A": 1.0, "B": 1.0})
    stationary = tmp_path / "stationary.fml"
    stationary.write_text(text.replace('stationary="false"', "").replace(' times="1"', "")
                          .replace(' time="1"', ""))
    with pytest.raises(FluxasnInputError, match="stationary") as err:
        inst_problem_from_fluxml(read_fluxml(stationary))
    assert "stationary.fml" in str(err.value) and "default" in str(err.value)
    psize = tmp_path / "psize.fml"
    psize.write_text(text.replace("<measurement>", "<constraints><psize><textual>A + B &lt;= 3</textual>"
                                                   "</psize></constraints><measurement>"))
    with pytest.raises(FluxasnInputError, match="psize"):
        inst_problem_from_fluxml(read_fluxml(psize))
    bound = tmp_path / "bound.fml"
    bound.write_text(text.replace("<measurement>", "<constraints><psize><textual>A &lt;= 3; B = 1.5</textual>"
                                                   "</psize></constraints><measurement>"))
    problem = inst_problem_from_fluxml(read_fluxml(bound))
    a, b = problem.pools
    assert (a.id, a.upper, a.fixed, b.id, b.value, b.fixed) == ("A", 3.0, False, "B", 1.5, True)


def test_cli_fits_a_time_course(tmp_path):
    """``fluxasn mfa`` on linea data simulated by x3cflux at known fluxes and pools (no noise)."""
    core = x3cflux_core()
    path = tmp_path / "linea_tc.fml"
    flat = {"MS_A": [(0.5, 0.5)] * len(LINEA_TIMES), "MS_B": [(0.5, 0.5)] * len(LINEA_TIMES)}
    path.write_text(linea_text(LINEA_TIMES, flat, pools={"A": 1.0, "B": 1.0}, v1=(1.0, 0.01)))
    sim = core.create_simulator_from_fml(str(path), "default", "emu")
    ref = [np.asarray(x) for x in sim.compute_measurements(np.asarray(LINEA_TRUTH, float), [])[0]]
    data = {g: [tuple(float(y) for y in ref[i * len(LINEA_TIMES) + k]) for k in range(len(LINEA_TIMES))]
            for i, g in enumerate(sim.measurement_names[0])}
    path.write_text(linea_text(LINEA_TIMES, data, sd=0.01, pools={"A": 1.0, "B": 1.0}, v1=(1.0, 0.01)))
    args = ["mfa", str(path), "--experiment", "default", "--starts", "2"]
    env = {"PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}  # this checkout's fluxasn
    runs = run_many({"json": args + ["--json"]}, cwd=tmp_path, env=env)  # the console script, once
    runs.update({name: CliRunner().invoke(cli, args + extra) for name, extra in (("csv", ["--csv"]), ("table", []))})
    for name, run in runs.items():
        assert run.returncode == 0 if name == "json" else run.exit_code == 0, (name, getattr(run, "stderr", run))
    out = json.loads(runs["json"].stdout)
    assert out["ssr"] < 1e-6 and out["dof"] == 2 * 2 * len(LINEA_TIMES) + 1 - 4
    assert (out["time_unit"], out["file_time_unit"], out["flux_unit"]) == ("h", "min", "pool-size unit/h")
    assert out["starts"] == 2
    rows = {row["id"]: row for row in out["fluxes"] + out["pools"]}
    assert out["dilution"] == [] and {row["id"] for row in out["pools"]} == {"A", "B"}
    # per min in the file, per h in the report; v2.exch: the backward flux, x + max(-net, 0)
    truth = {"v3": 60.0, "v2.exch": 30.0, "A": 2.0, "B": 3.0}
    for name, value in truth.items():
        row = rows[name]
        assert row["value"] == pytest.approx(value, rel=1e-3), name
        assert row["lower"] < value < row["upper"], name
    assert {rows["A"]["kind"], rows["v3"]["kind"]} == {"pool", "net"}
    csv = runs["csv"].output.splitlines()
    assert csv[0].startswith("id,") and len(csv) == 1 + len(rows)
    assert "SSR" in runs["table"].output and "time unit: h (converted from the file's min)" in runs["table"].output
