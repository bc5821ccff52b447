#!/usr/bin/env python
"""Benchmark and evidence for INST-MFA (issue 14), printed in one run.

1. Time per non-stationary simulation, fluxasn vs x3cflux 3.1.2 (13CFLUX v3),
   same network, fluxes, pool sizes and time points, with the largest MID
   difference: ``linea`` (13CFLUX v3 example, 2 pools), the TCA toy with
   uptakes (9 pools, condensation, cycle; written as FluxML for x3cflux by
   the test helper) and the E. coli network EC.fml, configuration a_INST
   (x3cflux's initial parameters). x3cflux runs at its defaults (CVODE, rtol
   1e-6), fluxasn at tol 1e-4 ... 1e-8 (local error per step, absolute, on
   MID fractions). Accuracy is stated per row: the largest MID difference to
   x3cflux with CVODE at rtol 1e-10 / atol 1e-13 ("tight"), for fluxasn and
   for x3cflux at its defaults, so rows of equal accuracy can be compared.
   Times are wall clock, the least of ``--repeat`` runs (the machine may be
   shared), one BLAS/OpenMP thread (OMP_NUM_THREADS etc. = 1 unless set).
   Also x3cflux's natural-13C conventions, measured on a one-reaction
   FluxML file.
2. Time per fit (``--fits``, 0 skips; skipped with the reason when x3cflux's
   fitting, which needs cyipopt, cannot be imported): the TCA toy's synthetic
   time course (5 times, 20 MIDs, sd 0.01, seed 0), the same data, start and
   bounds in a FluxML file for x3cflux's ``run_optimization`` (Ipopt, its
   defaults) and in an INSTProblem for fluxasn's ``local_fit``; at u1 = 100
   and, the same MIDs, u1 = 1 (fluxes / 100, times x 100), from a far and a
   near start. Printed: time per fit, iterations, SSR of each tool, each
   solution's SSR by the other tool's simulator, the time ratio.
3. Recovery: ``--replicates`` synthetic time courses of the toy network
   (0, 1, 4, 8, 24 h; MID sd 0.005; pools measured with 10 % sd; seeds
   0..n-1): share of 95 % linearized intervals of fluxes and pools that cover
   the truth, and share of fits passing the chi-square test.

Usage: python scripts/bench_inst.py [--replicates 50] [--repeat 20] [--fits 1] [--only-fits]
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # small matrices: one BLAS thread

import argparse
import re
import sys
import tempfile
import time
import timeit
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the reference networks

import test_isotope_inst as ref  # noqa: E402
from fluxasn.isotope.emu import parse_emu  # noqa: E402
from fluxasn.isotope.inst import fit_inst  # noqa: E402


def best(fn, repeat):
    return min(timeit.repeat(fn, number=1, repeat=repeat))


TOLS = (1e-4, 1e-5, 1e-6, 1e-8)


def tight_solver(core, sim):
    """Switch x3cflux's simulator to CVODE at rtol 1e-10, atol 1e-13 (the accuracy reference)."""
    sim.builder.set_solver(core.MatrixLinearCVODESolver(100, 1e-10, 1e-13, 1000000))


def compare(label, core, sim, free, system, v, pools, lab, unl, times, groups, repeat):
    nt = len(times)

    def worst(per_group):
        return max(np.abs(np.asarray(x) - r).max() for x, r in zip(per_group, ref))

    x3 = sim.compute_measurements(free, times)[0]
    t_x3 = best(lambda: sim.compute_measurements(free, times), repeat)
    tight_solver(core, sim)
    tight = sim.compute_measurements(free, times)[0]
    ref = [np.array(tight[i * nt:(i + 1) * nt]) for i in range(len(sim.measurement_names[0]))]
    x3 = [np.array(x3[i * nt:(i + 1) * nt]) for i in range(len(ref))]
    print(f"{label:<10} x3cflux default (CVODE rtol 1e-6): {1e3 * t_x3:8.2f} ms, max |MID - tight| {worst(x3):.1e}")
    for tol in TOLS:
        mids, _, info = system.simulate(v, pools, lab, unl, times, tol=tol)
        ours = [mids[parse_emu(groups[g])] for g in sim.measurement_names[0]]
        t_fx = best(lambda: system.simulate(v, pools, lab, unl, times, tol=tol), repeat)
        print(f"{label:<10} fluxasn tol {tol:.0e}: {1e3 * t_fx:8.2f} ms ({info['steps']} steps), "
              f"max |MID - tight| {worst(ours):.1e} | ratio fluxasn/x3cflux default {t_fx / t_x3:5.2f}")


def simulations(repeat):
    try:
        core = ref.x3cflux_core()
    except pytest.skip.Exception as exc:  # the helper skips when x3cflux is not installed
        print(f"x3cflux unavailable ({exc}); simulation timings skipped")
        return
    core.logging.level = 2
    # linea
    fml = ref.shared_root() / "c13" / "13cflux_v3_examples" / "models" / "linea.fml"
    if fml.exists():
        sim, free, system, v, pools, lab, unl = ref.linea_x3c_pair(core, fml)
        compare("linea", core, sim, free, system, v, pools, lab, unl, ref.LINEA_TIMES,
                {"MS_A": "A_1", "MS_B": "B_1"}, repeat)
    with tempfile.TemporaryDirectory() as tmp:
        sim, free, system, v, pools, lab, unl = ref.tca_x3c_pair(core, Path(tmp))
        compare("TCA toy", core, sim, free, system, v, pools, lab, unl, ref.TCA_X3C_TIMES,
                {g: e for g, (_, e) in ref.TCA_X3C_GROUPS.items()}, repeat)
        conventions(core, Path(tmp))
    if (ref.shared_root() / "c13" / "13cflux_v3_examples" / "models" / "EC.fml").exists():
        ecoli(core, max(3, repeat // 5))


ONE_REACTION = """<fluxml xmlns="http://www.13cflux.net/fluxml"><reactionnetwork><metabolitepools>
<pool id="S" atoms="3"/><pool id="A" atoms="3"/></metabolitepools>
<reaction id="v1" bidirectional="false"><reduct id="S" cfg="abc"/><rproduct id="A" cfg="abc"/></reaction>
<reaction id="v2" bidirectional="false"><reduct id="A" cfg="abc"/></reaction></reactionnetwork>
<configuration name="default" stationary="false"><input pool="S" type="isotopomer">LABEL</input>
<measurement><model><labelingmeasurement><group id="g" times="1"><textual>A#M0,1,2,3</textual></group>
</labelingmeasurement></model><data>DATA</data></measurement><simulation method="emu"></simulation>
</configuration></fluxml>"""


def conventions(core, folder):
    """x3cflux's natural 13C: at t = 0 (every pool) and in inputs with and without ``purity``."""
    data = "".join(f'<datum id="g" stddev="0.01" weight="{k}" time="1">0.1</datum>' for k in range(4))
    for label in ('<label cfg="000">1.0</label>', '<label cfg="000" purity="1.0">1.0</label>'):
        path = folder / "one.fml"
        path.write_text(ONE_REACTION.replace("LABEL", label).replace("DATA", data))
        sim = core.create_simulator_from_fml(str(path), "default", "emu")
        start, late = sim.compute_measurements(np.array([1.0, 1.0]), [0.0, 1000.0])[0]
        print(f"x3cflux convention, input {label}: 13C per atom at t = 0 {1 - start[0] ** (1 / 3):.6f}, "
              f"at t = 1000 (the input's) {1 - late[0] ** (1 / 3):.6f}")


def ecoli(core, repeat):
    sim, free, system, v, pools, lab, unl, targets = ref.ec_pair(core)
    times = sorted({t for _, _, ts in targets.values() for t in ts})
    default = sim.compute_measurements(free, [])[0]
    x3_default = best(lambda: sim.compute_measurements(free, []), repeat)
    tight_solver(core, sim)
    tight = sim.compute_measurements(free, [])[0]
    rows = [(e, masses, t) for g in sim.measurement_names[0] for e, masses, ts in [targets[g]] for t in ts]
    x3_err = max(np.abs(np.asarray(r) - np.asarray(d)).max() for r, d in zip(tight, default))
    print(f"EC a_INST  x3cflux default (CVODE rtol 1e-6): {1e3 * x3_default:8.1f} ms, max |MID - tight| {x3_err:.1e} "
          f"({len(rows)} MIDs, {sum(lev.k for lev in system.emu.levels.values())} EMUs)")
    for tol in TOLS:
        mids, _, info = system.simulate(v, pools, lab, unl, times, tol=tol)
        worst = max(np.abs(np.asarray(r) - mids[e][times.index(t)][masses]).max() for r, (e, masses, t) in zip(tight, rows))
        t_fx = best(lambda: system.simulate(v, pools, lab, unl, times, tol=tol), repeat)
        print(f"EC a_INST  fluxasn tol {tol:.0e}: {1e3 * t_fx:8.1f} ms ({info['steps']} steps), max |MID - tight| "
              f"{worst:.1e} | ratio fluxasn/x3cflux default {t_fx / x3_default:5.2f}")


def recovery(replicates):
    if replicates <= 0:
        return
    covered = total = chi_ok = 0
    per_name = {}
    seconds = []
    for seed in range(replicates):
        problem, net, v = ref.toy_fit_problem(seed)
        t0 = time.perf_counter()
        result = fit_inst(problem, n_starts=1, start=problem.start())
        seconds.append(time.perf_counter() - t0)
        chi_ok += result.chi2_ok
        truth = {name: float(net.flux_vector(name) @ v) for name in result.fluxes}
        truth.update(ref.TOY_POOLS)
        for name, (value, lo, hi) in list(result.fluxes.items()) + list(result.pools.items()):
            if name == "v1":  # fixed
                continue
            hit = lo - 1e-9 <= truth[name] <= hi + 1e-9
            covered += hit
            total += 1
            per_name.setdefault(name, []).append(hit)
    print(f"recovery: {replicates} replicates, {covered}/{total} = {covered / total:.1%} of 95 % intervals "
          f"cover the truth; chi-square passed {chi_ok}/{replicates}; fit {np.median(seconds):.2f} s median "
          f"({max(seconds):.2f} s max), 1 start")
    print("  per parameter: " + ", ".join(f"{n} {np.mean(h):.0%}" for n, h in per_name.items()))


# -- per fit ---------------------------------------------------------------------------
FIT_SD = 0.01  # sd of every synthetic MID value (the datum's stddev in the FluxML file)
# Fixed u1 sets the flux scale (fluxes and pools together are otherwise not identifiable); v7
# (OAA -> Fum) is bounded by 10 u1, as only a cycle limits it otherwise. Starts: v4 and v7 in
# units of u1 (truth 0.5, 0.75), pools alternately ``factor`` and 1 / ``factor`` times the truth.
FIT_STARTS = {"far": ({"v4": 0.3, "v7": 0.3}, 2.0), "near": ({"v4": 0.45, "v7": 0.65}, 1.25)}


def fit_pair(x3, folder, u1, start, seed=0):
    """The TCA toy's synthetic time course as a FluxML file for x3cflux and as fluxasn's INSTProblem.

    Fluxes: TCA_X3C's times ``u1 / 100`` (mmol/gDW/h), pools TCA_X3C_POOLS (mmol/gDW), times
    TCA_X3C_TIMES times ``100 / u1`` (h): the same MIDs at every ``u1``. Data: fluxasn's MIDs
    (tol 1e-10) plus normal noise (sd 0.01, ``seed``; negative values set to 0, as x3cflux refuses
    them); x3cflux's conventions (every pool at natural 13C, 1.109 %, at t = 0; the inputs'
    unlabelled positions pure 12C). u1 fixed and v7 <= 10 u1 in both.
    """
    from fluxasn.isotope.inst import INSTProblem, Pool, TimeCourse
    from fluxasn.isotope.measurements import MIDMeasurement
    from fluxasn.isotope.tracers import Tracer

    k = u1 / 100.0
    reactions = {r: (text, f * k) for r, (text, f) in ref.TCA_X3C.items()}
    times = [t / k for t in ref.TCA_X3C_TIMES]
    groups = {g: s for g, (s, _) in ref.TCA_X3C_GROUPS.items()}
    net, system, v = ref.build(reactions, {"AcCoAx", "Aspx"}, [e for _, e in ref.TCA_X3C_GROUPS.values()],
                               pool_unit="mmol/gDW")
    tracers = [Tracer("AcCoAx", (2,), 0.25), Tracer("AcCoAx", (1, 2), 0.25)]
    pools = np.array([ref.TCA_X3C_POOLS[p] for p in system.pool_ids])
    truth, _, _ = system.simulate(v, pools, ref.packed(system, net, tracers),
                                  ref.packed(system, net, [], natural=0.01109), times, tol=1e-10)
    rng = np.random.default_rng(seed)
    data, mids = {}, []
    for g, (_, emu) in ref.TCA_X3C_GROUPS.items():
        for i, t in enumerate(times):
            x = truth[parse_emu(emu)][i] + rng.normal(0.0, FIT_SD, truth[parse_emu(emu)][i].size)
            x = np.maximum(x, 0.0)  # x3cflux refuses negative measured values
            mids.append((t, MIDMeasurement(g, parse_emu(emu), x, np.full(x.size, FIT_SD), tolerance=0.2)))
            data.update({(g, m, str(t)): float(x[m]) for m in range(x.size)})
    text = ref.fluxml_text(reactions, {"AcCoAx": [("00", 0.5), ("01", 0.25), ("11", 0.25)],
                                       "Aspx": [("0000", 1.0)]}, groups, times)
    text = re.sub(r'<datum id="(\w+)" stddev="[^"]*" weight="(\d+)" time="([^"]*)">0.1</datum>',
                  lambda m: f'<datum id="{m[1]}" stddev="{FIT_SD}" weight="{m[2]}" time="{m[3]}">'
                            f'{data[(m[1], int(m[2]), m[3])]!r}</datum>', text)
    text = text.replace("<measurement>", f"<constraints><net><textual>u1={u1};v7&lt;={10 * u1}"
                                         "</textual></net></constraints><measurement>")
    text = text.replace('<group id=', '<group scale="one" id=')  # without it x3cflux fits a scale per group
    path = folder / "tca_inst_fit.fml"
    path.write_text(text)
    sim = x3.create_simulator_from_fml(str(path), "default", "emu")
    fluxes0, factor = FIT_STARTS[start]
    start_pools = {p: ref.TCA_X3C_POOLS[p] * (1 / factor if j % 2 else factor) for j, p in enumerate(system.pool_ids)}
    problem = INSTProblem(net, [TimeCourse("tca", tracers, mids, natural_13c=0.0, initial_13c=0.01109)],
                          pools={p: Pool(p, x) for p, x in start_pools.items()}, fixed={"u1": u1},
                          bounds={"v7": (0.0, 10 * u1)}, pool_unit="mmol/gDW")
    x = dict(zip([f.id for f in net.fluxes], v))  # the start's fluxes: balances kept
    x.update({r: f * u1 for r, f in fluxes0.items()})
    x["v5"] = x["v4"]
    x["v8"] = x["u2"] = x["v1"] - x["v4"]
    x["v3"] = x["v9"] = x["v2"] - x["v4"]
    x["v6"] = x["v5"] + x["v7"]
    x["v10"] = x["v2"] + x["v4"]
    u0 = np.linalg.lstsq(problem.N, np.array([x[f.id] for f in net.fluxes]) - problem.vp, rcond=None)[0]
    u_true = np.linalg.lstsq(problem.N, v - problem.vp, rcond=None)[0]
    return sim, problem, net, times, problem.start(u0), np.concatenate([u_true, pools])


def to_x3(sim, problem, net, theta):
    """x3cflux's free parameters at fluxasn's ``theta`` (irreversible network: net = gross flux).

    A pool x3cflux has and fluxasn's cascade does not need (no measured EMU depends on it: CO2)
    is set to its true size; it does not change x3cflux's loss either.
    """
    v, q = problem.split(theta)
    want = dict(ref.TCA_X3C_POOLS)
    want.update({f"{f.id}.n": x for f, x in zip(net.fluxes, v)})
    want.update({f"{f.id}.x": 0.0 for f in net.fluxes})
    want.update(zip(problem.system.pool_ids, q))
    return np.array([want[n] for n in sim.parameter_space.free_parameter_names])


def to_fluxasn(sim, problem, net, x):
    """fluxasn's ``theta`` at x3cflux's free parameters ``x`` (and the flux mismatch, 0 if consistent)."""
    space = sim.parameter_space
    full = dict(zip(space.parameter_names, space.compute_parameters(np.asarray(x, float))))
    v = np.array([full[f"{f.id}.n"] for f in net.fluxes])
    u = np.linalg.lstsq(problem.N, v - problem.vp, rcond=None)[0]
    mismatch = float(np.abs(problem.vp + problem.N @ u - v).max())
    return np.concatenate([u, [full[problem.system.pool_ids[i]] for i in problem.free_pools]]), mismatch


def _named(problem, net, theta):
    v, q = problem.split(theta)
    ids = [f.id for f in net.fluxes]
    return [v[ids.index("v4")], v[ids.index("v7")]] + list(q)


def fits(n_fits):
    """Time per fit of the TCA toy's time course: fluxasn's local fit vs x3cflux's run_optimization."""
    if n_fits <= 0:
        return
    try:
        import cyipopt  # noqa: F401  x3cflux's fitting needs it (and Ipopt)
        import x3cflux as x3
    except ImportError as exc:
        print(f"fit timing skipped: x3cflux's fitting is not importable ({exc})")
        return
    if not hasattr(x3, "run_optimization"):  # the tests' loader left only x3cflux's core
        print("fit timing skipped: x3cflux was loaded without its fitting modules")
        return
    from fluxasn.isotope.optimize import local_fit, single_blas_thread

    x3.logging.level = 1  # x3cflux warns of the CO2 pool (no measurement depends on it) and of Ipopt's exit
    print("fit: fluxasn: constrained Levenberg-Marquardt (local_fit; stops at a relative SSR gain < 1e-8, or "
          "< 1e-2 SSR over 5 steps), integrator tol 1e-8 (absolute local error, MID fractions), forward "
          "sensitivities; x3cflux 3.1.2: run_optimization at its defaults (Ipopt, L-BFGS Hessian, tol 1e-6, "
          "acceptable_tol 1e-3, adaptive mu), CVODE rtol 1e-6, its loss gradient. SSR: sum of "
          "((simulated - measured) / sd)^2 in both (same value at the same parameters, printed)")
    failures = tuple(getattr(x3, n) for n in ("MathError", "IpoptError") if hasattr(x3, n))
    for u1, start in [(u1, s) for u1 in (100.0, 1.0) for s in FIT_STARTS]:
        with tempfile.TemporaryDirectory() as tmp:
            sim, problem, net, times, theta0, theta_true = fit_pair(x3, Path(tmp), u1, start)
        x0 = to_x3(sim, problem, net, theta0)
        assert np.abs(to_fluxasn(sim, problem, net, x0)[0] - theta0).max() < 1e-9  # the maps are inverse
        print(f"TCA toy, u1 = {u1:g} mmol/gDW/h, {start} start {FIT_STARTS[start]}, {len(problem.layout)} MIDs ({problem.n_mid} values, sd "
              f"{FIT_SD}) at {[float(f'{t:.4g}') for t in times]} h; parameters: fluxasn {problem.p}, x3cflux "
              f"{len(x0)} (also CO2's pool, which no measurement depends on). SSR at the start: fluxasn "
              f"{problem.ssr(theta0):.2f}, x3cflux {sim.compute_loss(x0):.2f}; at the truth: fluxasn "
              f"{problem.ssr(theta_true):.2f}, x3cflux {sim.compute_loss(to_x3(sim, problem, net, theta_true)):.2f}")
        ours, theirs = [], []
        for _ in range(n_fits):
            t0 = time.perf_counter()
            with single_blas_thread():
                theta, f, it, conv = local_fit(problem, theta0)
            ours.append(time.perf_counter() - t0)
            iters = [(0, np.inf, 0.0)]
            t0 = time.perf_counter()
            try:
                x, loss = x3.run_optimization(sim, x0.copy(), callback=lambda i, obj, *a, **k: iters.append(
                    (i, obj, time.perf_counter() - t0)))
            except failures as exc:  # x3cflux passes only ValueError on to Ipopt as a failed evaluation
                x = None
                failed = f"{type(exc).__name__}: {exc}"
            theirs.append(time.perf_counter() - t0)
        print(f"  fluxasn: {min(ours):6.2f} s per fit (least of {n_fits}), {it} iterations, converged {conv}, "
              f"SSR {f:.3f}; by x3cflux's simulator {sim.compute_loss(to_x3(sim, problem, net, theta)):.3f}")
        reach = next(((i, s) for i, o, s in iters if o <= f + 0.01), None)  # fluxasn's SSR, to 0.01
        print("  x3cflux first within 0.01 of fluxasn's SSR: " + (f"iteration {reach[0]}, {reach[1]:.2f} s"
                                                                  if reach else "never"))
        if x is None:
            print(f"  x3cflux: failed after {min(theirs):.2f} s, {iters[-1][0]} iterations (least SSR on the way "
                  f"{min(o for _, o, _ in iters):.3f}, last {iters[-1][1]:.3f}): {failed[:160]}")
            continue
        theta_x3, mismatch = to_fluxasn(sim, problem, net, x)
        print(f"  x3cflux: {min(theirs):6.2f} s per fit (least of {n_fits}), {iters[-1][0]} iterations, SSR "
              f"{loss:.3f}; by fluxasn's simulator {problem.ssr(theta_x3):.3f}")
        names = ["v4", "v7"] + list(problem.system.pool_ids)
        print("  truth / fluxasn / x3cflux: " + "; ".join(
            f"{n} {a:.4g}/{b:.4g}/{c:.4g}" for n, a, b, c in zip(
                names, _named(problem, net, theta_true), _named(problem, net, theta),
                _named(problem, net, theta_x3))))
        print(f"  ratio fluxasn/x3cflux time per fit: {min(ours) / min(theirs):.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--fits", type=int, default=1, help="fits per tool for the time per fit (0: skip)")
    parser.add_argument("--only-fits", action="store_true", help="print only the time per fit")
    args = parser.parse_args()
    threads = {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    print(f"threads: {threads}; times: least of {args.repeat} runs (EC: of {max(3, args.repeat // 5)}), wall clock")
    if not args.only_fits:
        simulations(args.repeat)
    fits(args.fits)
    if not args.only_fits:
        recovery(args.replicates)


if __name__ == "__main__":
    main()
