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
2. Time per fit (fluxasn; x3cflux's fit needs Ipopt/cyipopt, not installed).
3. Recovery: ``--replicates`` synthetic time courses of the toy network
   (0, 1, 4, 8, 24 h; MID sd 0.005; pools measured with 10 % sd; seeds
   0..n-1): share of 95 % linearized intervals of fluxes and pools that cover
   the truth, and share of fits passing the chi-square test.

Usage: python scripts/bench_inst.py [--replicates 50] [--repeat 20]
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # small matrices: one BLAS thread

import argparse
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    threads = {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    print(f"threads: {threads}; times: least of {args.repeat} runs (EC: of {max(3, args.repeat // 5)}), wall clock")
    simulations(args.repeat)
    recovery(args.replicates)


if __name__ == "__main__":
    main()
