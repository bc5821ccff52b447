#!/usr/bin/env python
"""Natural-abundance correction against IsoCor 2.2.4 on a wider grid than the tests, with timings.

Prints, per case, the largest difference from IsoCor 2.2.4 (PyPI) of the
correction matrix and of the corrected fractions, and the time each takes to
build its matrix. The grid adds what is too slow for a unit test: derivatised
GC-MS fragments at high resolution (IsoCor enumerates their isotopic
clusters; one TBDMS fragment takes it tens of seconds).

Then, for single 13C tracing measured on an Orbitrap (spectra built by brute
force in tests/test_isotope_correction.py), the error of a nominal-mass
correction against the high-resolution one.

Usage: python scripts/bench_natural_abundance.py [--quick]
"""
import argparse
import logging
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_isotope_correction import ATOMS, _brute_force_spectrum  # noqa: E402
from fluxasn.isotope.natural_abundance import (  # noqa: E402
    Resolution, correct, correction_matrix, format_formula, parse_formula)

# metabolite moiety, derivative moiety, charge (IsoCor's split of a fragment formula)
MOLECULES = {
    "lactate [M-H]-": ("C3H5O3", None, -1),
    "glutamine [M-H]-": ("C5H9N2O3", None, -1),
    "G6P [M-H]-": ("C6H12O9P", None, -1),
    "Ala 2TBDMS m/z 260": ("C3H7NO2", "C8H19Si2", 1),
    "Asp 3TBDMS m/z 418": ("C4H7NO4", "C14H33Si3", 1),
    "Met 2TBDMS m/z 320": ("C5H11NO2S", "C8H19Si2", 1),
}
RESOLUTIONS = [None, (70000, 200, "orbitrap"), (240000, 200, "orbitrap"), (100000, 400, "ft-icr")]


def compare(factory, name, tracer, purity, na, res):
    metabolite, derivative, charge = MOLECULES[name]
    kw = dict(derivative_formula=derivative, tracer_purity=purity, correct_NA_tracer=na)
    resolution = None
    if res is not None:
        kw.update(resolution=res[0], mz_of_resolution=res[1], resolution_formula_code=res[2], charge=charge)
        resolution = Resolution(res[0], res[1], res[2], charge)
    t0 = time.perf_counter()
    ref = factory(metabolite, tracer, **kw)
    ref_matrix = ref.correction_matrix
    t_ref = time.perf_counter() - t0
    counts = parse_formula(metabolite)
    el = tracer.lstrip("0123456789")
    n = counts[el]
    for e, k in (parse_formula(derivative) if derivative else {}).items():
        counts[e] = counts.get(e, 0) + k
    formula = format_formula(counts)
    t0 = time.perf_counter()
    ours = correction_matrix(formula, n, tracer=tracer, purity=purity, tracer_na=na, resolution=resolution)
    t_ours = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    x = rng.dirichlet(np.ones(n + 1))
    measured = np.clip(ref_matrix @ x * 1e5 + rng.normal(0, 30, n + 1), 0, None)
    _, fractions, _, _ = ref.correct(measured)
    got = correct(measured, formula=formula, n_traced=n, tracer=tracer, purity=purity, tracer_na=na,
                  resolution=resolution)
    return (np.abs(ours - ref_matrix).max(), np.abs(got.fractions - np.asarray(fractions)).max(),
            t_ref, t_ours, type(ref).__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out derivatised fragments at high resolution")
    args = parser.parse_args()
    from isocor import MetaboliteCorrectorFactory
    logging.getLogger("isocor").setLevel(logging.ERROR)
    print("IsoCor 2.2.4 agreement (max |difference|), matrix build time IsoCor / fluxasn")
    worst_m = worst_f = 0.0
    for name in MOLECULES:
        derivatised = MOLECULES[name][1] is not None
        for res in RESOLUTIONS:
            if derivatised and res is not None and (args.quick or res[0] > 70000):
                continue
            tracers = ["13C"] + (["15N"] if "N" in MOLECULES[name][0] else [])
            for tracer in tracers:
                for purity, na in [(None, False), ([0.01, 0.99], True)]:
                    dm, df, t_ref, t_ours, kind = compare(MetaboliteCorrectorFactory, name, tracer, purity, na,
                                                          res)
                    worst_m, worst_f = max(worst_m, dm), max(worst_f, df)
                    label = "nominal" if res is None else f"{res[2]} {res[0]}@{res[1]}"
                    print(f"  {name:20s} {tracer:4s} {label:22s} purity={'0.99' if purity else '1   '} "
                          f"tracerNA={'removed' if na else 'kept   '} matrix {dm:.1e} fractions {df:.1e}  "
                          f"{t_ref:7.3f} s / {t_ours:6.3f} s  ({kind})")
    print(f"worst: matrix {worst_m:.1e}, fractions {worst_f:.1e}")
    print()
    print("13C data from an Orbitrap (brute-force spectra), error of the corrected fractions")
    for formula, power in [("C3H5O3", 70000), ("C3H5O3", 240000), ("C5H9N2O3", 140000), ("C10H13N5O7P", 140000)]:
        ATOMS.setdefault("P", [(30.973761998, 1.0)])  # the brute-force model reads this table
        atoms = ATOMS
        counts = parse_formula(formula)
        mono = sum(k * atoms[el][0][0] for el, k in counts.items())
        limit = 1.66 * mono ** 1.5 / (power * math.sqrt(200))
        n = counts["C"]
        peaks = np.array([mono + k * (atoms["C"][1][0] - 12.0) for k in range(n + 1)])
        x = np.random.default_rng(1).dirichlet(np.ones(n + 1))
        measured = np.zeros(n + 1)
        for k in range(n + 1):
            groups = [(el, c, [ab for _, ab in atoms[el]]) for el, c in counts.items() if el != "C"]
            groups += [("C", k, [0.0, 1.0]), ("C", n - k, [ab for _, ab in atoms["C"]])]
            measured += x[k] * _brute_force_spectrum(groups, peaks, limit)
        high = correct(measured, formula=formula, resolution=Resolution(power, 200, "orbitrap", -1)).fractions
        nominal = correct(measured, formula=formula).fractions
        print(f"  {formula:12s} R={power:6d}@200 limit {limit:.2e} u: high-resolution {np.abs(high - x).max():.1e}, "
              f"nominal {np.abs(nominal - x).max():.1e}")


if __name__ == "__main__":
    main()
