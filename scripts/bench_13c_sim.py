"""Time per stationary labelling simulation: fluxasn against 13CFLUX v3 (x3cflux) on the same network.

Usage::

    python scripts/bench_13c_sim.py [--model EC.fml] [--configuration a_STAT] [--repeat 300]

Reads the FluxML model with :func:`fluxasn.isotope.formats.read_fluxml` and with
x3cflux's parser, simulates the configuration's MS groups at x3cflux's start
fluxes (the file's ``<simulation><variables>``) in both, checks that the MIDs
agree, and prints the time per simulation (MIDs only, and MIDs with their
Jacobian with respect to the free fluxes) and the ratio fluxasn/x3cflux: wall
clock, the least over ``--repeat`` batches of ``--number`` calls (the machine
may be shared, so the least is the one least disturbed). Both run in this
process with one BLAS/OpenMP thread (the variables below are set to 1 unless
given, before NumPy is loaded) and print them. x3cflux is optional
(``pip install x3cflux==3.1.2 --no-deps``); its compiled core is loaded on its
own because the package's ``__init__`` needs Ipopt.
"""
from __future__ import annotations

import os

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _var in THREAD_VARIABLES:
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import timeit  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from fluxasn.isotope.formats import fluxml_gross_fluxes, read_fluxml
from fluxasn.isotope.problem import MFAProblem

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _shared import x3cflux_core  # noqa: E402  (the tests' loader: one place)

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "c13" / "13cflux_v3_examples" / "models" / "EC.fml"


def per_call(fn, repeat, number):
    """Least wall-clock time per call over ``repeat`` batches of ``number`` calls."""
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEFAULT))
    ap.add_argument("--configuration", default="a_STAT")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--number", type=int, default=100, help="calls per batch (MIDs; Jacobian: a tenth)")
    args = ap.parse_args(argv)
    core = x3cflux_core()
    sim = core.create_simulator_from_fml(args.model, args.configuration, "emu")
    space = sim.parameter_space
    x = np.asarray(sim.initial_parameters, float)
    values = dict(zip(space.parameter_names, space.compute_parameters(x)))
    data = read_fluxml(args.model, configuration=args.configuration)
    for r in data.network.pairs:  # x3cflux drops reactions its constraints fix at 0
        if r + ".n" not in values:
            values[r + ".n"] = values[r + ".x"] = 0.0
    pb = MFAProblem(data.network, data.experiments, fluxes=data.fluxes, constraints=data.constraints)
    v = fluxml_gross_fluxes(data.network, values)
    u = np.linalg.lstsq(pb.N, v - pb.vp, rcond=None)[0]
    (X, _), = pb.simulate(u)
    ours = {m.id: (m.correction @ X[n][row] if m.correction is not None else X[n][row])[:m.mid.size]
            for _, m, _, (n, row) in pb.layout}
    theirs, _ = sim.compute_measurements(x)
    diff = max(float(np.abs(ours[n] - t).max()) for n, t in zip(sim.measurement_names[0], theirs))
    print(f"model {Path(args.model).name} configuration {args.configuration}: {len(pb.network.fluxes)} gross fluxes "
          f"(fluxasn), {pb.p} free fluxes (fluxasn), {len(x)} free parameters (x3cflux), "
          f"{len(pb.layout)} MS groups, {pb.emu.__class__.__name__}")
    print(f"max |MID fluxasn - MID x3cflux| = {diff:.2e}")
    rows = [
        ("simulation (MIDs)", lambda: pb.simulate(u), lambda: sim.compute_measurements(x), args.number),
        ("simulation + Jacobian", lambda: pb.simulate(u, jac=True), lambda: sim.compute_jacobian(x),
         max(1, args.number // 10)),
    ]
    print("threads: " + ", ".join(f"{v}={os.environ.get(v)}" for v in THREAD_VARIABLES)
          + f"; time per call: least of {args.repeat} batches, wall clock")
    print(f"{'':24s} {'fluxasn ms':>11s} {'x3cflux ms':>11s} {'ratio':>7s}")
    for name, ours_fn, theirs_fn, number in rows:
        a = per_call(ours_fn, args.repeat, number)
        b = per_call(theirs_fn, args.repeat, number)
        print(f"{name:24s} {a * 1e3:11.3f} {b * 1e3:11.3f} {a / b:7.2f}")


if __name__ == "__main__":
    main()
