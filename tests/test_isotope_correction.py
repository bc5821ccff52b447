"""Natural-abundance correction: IsoCor 2.2.4, a brute-force forward model, and the fit's convention.

* IsoCor 2.2.4 (PyPI) is the reference for single tracers: matrices, corrected
  fractions, residuum and mean enrichment at nominal and high resolution,
  with and without tracer purity and tracer natural-abundance correction,
  for 13C and 15N (and 2H, 18O at high resolution).
* Dual 13C + 15N tracing has no IsoCor reference: the measured spectrum of a
  known asparagine distribution is built here by enumerating every
  isotopologue (multinomial counts per element, exact masses, pooled within
  the resolving limit), independently of the library's code path.
* Convention: a fragment simulated with physical natural abundance (natural
  13C in unlabelled source positions, impure tracer, natural isotopes of the
  derivative), corrected with the defaults, equals fluxasn's default
  simulation and refits to the true flux.
"""
import itertools
import logging
import math

import numpy as np
import pytest

from _shared import _ci
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.fit import fit_13c
from fluxasn.isotope.measurements import Experiment, MIDMeasurement
from fluxasn.isotope.natural_abundance import (
    Resolution,
    correct,
    correct_mid,
    correct_table,
    correction_matrix,
    derivative_formula,
    format_formula,
    parse_formula,
)
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.problem import MFAProblem
from fluxasn.isotope.tracers import NATURAL_13C, Tracer

#: Isotopes (mass u, abundance) typed in from IUPAC 2013 / AME2012 for the forward models of this file.
ATOMS = {
    "H": [(1.0078250322, 0.999885), (2.0141017781, 0.000115)],
    "C": [(12.0, 0.9893), (13.003354835, 0.0107)],
    "N": [(14.003074004, 0.99636), (15.000108899, 0.00364)],
    "O": [(15.99491462, 0.99757), (16.999131757, 0.00038), (17.999159613, 0.00205)],
    "Si": [(27.976926535, 0.92223), (28.976494665, 0.04685), (29.9737701, 0.03092)],
}


def isocor():
    try:
        from isocor import MetaboliteCorrectorFactory
    except ImportError:
        if _ci():
            pytest.fail("isocor==2.2.4 (test extra) is required under CI=true", pytrace=False)
        pytest.skip("isocor is not installed (pip install isocor==2.2.4)")
    logging.getLogger("isocor").setLevel(logging.ERROR)
    return MetaboliteCorrectorFactory


# ---------------------------------------------------------------- IsoCor 2.2.4
LACTATE = ("C3H5O3", None, -1)          # [M-H]- of lactate (LC-MS, negative mode)
ALA_260 = ("C3H7NO2", "C8H19Si2", 1)     # alanine 2 TBDMS [M-57]+: metabolite + derivative moieties
GLN = ("C5H9N2O3", None, -1)             # [M-H]- of glutamine
ORBITRAP_70K = (70000, 200, "orbitrap")
CASES = [(mol, tracer, purity, na, res)
         for mol, tracer, impure in [(LACTATE, "13C", [0.01, 0.99]), (ALA_260, "13C", [0.02, 0.98]),
                                  (GLN, "15N", [0.03, 0.97])]
         for res in [None, ORBITRAP_70K]
         for purity in (None, impure) for na in (False, True)
         if not (mol is ALA_260 and res is not None)]  # IsoCor's high-res on a TBDMS fragment takes ~40 s
CASES += [(LACTATE, "2H", [0.02, 0.98], True, ORBITRAP_70K),
          (LACTATE, "18O", [0.01, 0.02, 0.97], True, ORBITRAP_70K),
          (("C6H12O9P", None, -1), "13C", [0.01, 0.99], True, (60000, 400, "ft-icr"))]


def _ours_formula(metabolite, derivative):
    counts = parse_formula(metabolite)
    for el, n in (parse_formula(derivative) if derivative else {}).items():
        counts[el] = counts.get(el, 0) + n
    return format_formula(counts)


def _case_id(case):
    mol, tracer, purity, na, res = case
    return (f"{mol[0]}{'+' + mol[1] if mol[1] else ''}-{tracer}-{'impure' if purity else 'pure'}-"
            f"{'NAtracer' if na else 'keepNA'}-{'nominal' if res is None else res[2] + str(res[0])}")


@pytest.mark.parametrize("mol, tracer, purity, na, res", CASES, ids=[_case_id(c) for c in CASES])
def test_agrees_with_isocor(mol, tracer, purity, na, res):
    factory = isocor()
    metabolite, derivative, charge = mol
    kw = dict(derivative_formula=derivative, tracer_purity=purity, correct_NA_tracer=na)
    resolution = None
    if res is not None:
        kw.update(resolution=res[0], mz_of_resolution=res[1], resolution_formula_code=res[2], charge=charge)
        resolution = Resolution(res[0], res[1], res[2], charge)
    ref = factory(metabolite, tracer, **kw)
    el = tracer.lstrip("0123456789")
    n = parse_formula(metabolite)[el]
    formula = _ours_formula(metabolite, derivative)
    ours = correction_matrix(formula, n, tracer=tracer, purity=purity, tracer_na=na, resolution=resolution)
    np.testing.assert_allclose(ours, ref.correction_matrix, rtol=0, atol=1e-12)
    # a measured spectrum with noise, some true fractions 0 (NNLS bounds active)
    rng = np.random.default_rng(n)
    x = rng.dirichlet(np.ones(n + 1))
    x[rng.integers(0, n + 1)] = 0.0
    measured = np.clip(ref.correction_matrix @ x * 1e5 + rng.normal(0, 50, n + 1), 0, None)
    _, fractions, residuum, enrichment = ref.correct(measured)
    got = correct(measured, formula=formula, n_traced=n, tracer=tracer, purity=purity, tracer_na=na,
                  resolution=resolution, name="frag")
    np.testing.assert_allclose(got.fractions, fractions, rtol=0, atol=1e-8)
    np.testing.assert_allclose(got.residuum, residuum, rtol=0, atol=1e-8)
    assert got.mean_enrichment[tracer] == pytest.approx(enrichment, abs=1e-8)
    if res is not None:  # the high-resolution matrix is not the nominal one
        nominal = correction_matrix(formula, n, tracer=tracer, purity=purity, tracer_na=na)
        assert np.abs(nominal - ours).max() > 1e-4


def test_unlabelled_sample_corrects_to_m0_one():
    # unlabelled lactate measured at nominal mass: its natural distribution (forward model of this file)
    dist = np.array([1.0])
    for el, n in parse_formula("C3H5O3").items():
        atom = np.zeros(3)
        for i, (mass, ab) in enumerate(ATOMS[el]):
            atom[round(mass - ATOMS[el][0][0])] += ab
        for _ in range(n):
            dist = np.convolve(dist, atom)
    measured = dist[:4]
    np.testing.assert_allclose(correct_mid(measured, "C3H5O3"), [1, 0, 0, 0], atol=1e-12)
    # IsoCor's default keeps the traced carbons' natural 13C: M+0 = 0.9893**3
    assert correct_mid(measured, "C3H5O3", tracer_na=False)[0] == pytest.approx(0.9893 ** 3, abs=1e-12)


# ---------------------------------------------------- dual 13C + 15N, brute force
def _element_spectrum(element, n, probs):
    """(mass, probability) of every isotope count vector of n atoms (multinomial)."""
    isos = ATOMS[element]
    out = []
    for combo in itertools.combinations_with_replacement(range(len(isos)), n):
        counts = [combo.count(i) for i in range(len(isos))]
        ways = math.factorial(n)
        for c in counts:
            ways //= math.factorial(c)
        out.append((sum(isos[i][0] for i in combo), ways * math.prod(probs[i] ** c for i, c in enumerate(counts))))
    return out


def _brute_force_spectrum(groups, peaks, limit):
    """Pool the full isotopic spectrum of independent atom groups onto the nearest peak within ``limit``."""
    out = np.zeros(len(peaks))
    spectra = [_element_spectrum(el, n, p) for el, n, p in groups if n > 0]
    for parts in itertools.product(*spectra):
        mass = sum(m for m, _ in parts)
        prob = math.prod(q for _, q in parts)
        d = np.abs(peaks - mass)
        if d.min() <= limit:
            out[d.argmin()] += prob
    return out


def test_dual_13c_15n_asparagine_recovered():
    # [M-H]- of asparagine C4H7N2O3, Orbitrap 140000 at m/z 200
    truth = np.array([[0.20, 0.05, 0.00],   # rows: 13C atoms 0..4, columns: 15N atoms 0..2
                      [0.03, 0.02, 0.01],
                      [0.10, 0.04, 0.02],
                      [0.05, 0.08, 0.00],
                      [0.15, 0.20, 0.05]])
    assert truth.sum() == pytest.approx(1.0)
    pc, pn = 0.99, 0.98
    mono = 4 * 12.0 + 7 * ATOMS["H"][0][0] + 2 * ATOMS["N"][0][0] + 3 * ATOMS["O"][0][0]
    limit = 1.66 * mono ** 1.5 / (140000 * math.sqrt(200))  # resolving limit, u (z = 1)
    dc, dn = ATOMS["C"][1][0] - 12.0, ATOMS["N"][1][0] - ATOMS["N"][0][0]
    peaks = np.array([mono + i * dc + j * dn for i in range(5) for j in range(3)])
    nat = lambda el: [ab for _, ab in ATOMS[el]]
    measured = np.zeros(15)
    for i, j in itertools.product(range(5), range(3)):
        if truth[i, j] == 0:
            continue
        groups = [("H", 7, nat("H")), ("O", 3, nat("O")),
                  ("C", i, [1 - pc, pc]), ("C", 4 - i, nat("C")),
                  ("N", j, [1 - pn, pn]), ("N", 2 - j, nat("N"))]
        measured += truth[i, j] * _brute_force_spectrum(groups, peaks, limit)
    measured = measured.reshape(5, 3) * 1e6
    res = correct(measured, formula="C4H7N2O3", tracer=("13C", "15N"), purity={"13C": pc, "15N": pn},
                  resolution=Resolution(140000, 200, "orbitrap", -1), name="Asn")
    assert res.fractions.shape == (5, 3)
    np.testing.assert_allclose(res.fractions, truth, rtol=0, atol=1e-10)
    assert np.abs(res.residuum).max() < 1e-10
    assert res.mean_enrichment["13C"] == pytest.approx((truth.sum(1) @ np.arange(5)) / 4, abs=1e-10)
    assert res.mean_enrichment["15N"] == pytest.approx((truth.sum(0) @ np.arange(3)) / 2, abs=1e-10)
    # 13C and 15N are 6.3 mDa apart: at nominal mass, or at 15000, they are not resolved
    with pytest.raises(FluxasnInputError, match="'Asn'.*underdetermined"):
        correct(measured, formula="C4H7N2O3", tracer=("13C", "15N"), name="Asn")
    with pytest.raises(FluxasnInputError, match="'Asn'.*not resolved"):
        correct(measured, formula="C4H7N2O3", tracer=("13C", "15N"), name="Asn",
                resolution=Resolution(15000, 200, "orbitrap", -1))
    with pytest.raises(FluxasnInputError, match=r"'Asn'.*shape \(15,\); expected \(5, 3\)"):
        correct(measured.ravel(), formula="C4H7N2O3", tracer=("13C", "15N"), name="Asn",
                resolution=Resolution(140000, 200, "orbitrap", -1))


def test_high_resolution_leaves_resolved_isotopes_out():
    # [M-H]- of glutamine at Orbitrap 140000 (m/z 200): 15N, 2H and 18O peaks are resolved from the 13C peaks
    counts = {"C": 5, "H": 9, "N": 2, "O": 3}
    mono = sum(n * ATOMS[el][0][0] for el, n in counts.items())
    limit = 1.66 * mono ** 1.5 / (140000 * math.sqrt(200))
    peaks = np.array([mono + k * (ATOMS["C"][1][0] - 12.0) for k in range(6)])
    truth = np.array([0.35, 0.05, 0.25, 0.0, 0.15, 0.2])
    measured = np.zeros(6)
    for k in range(6):
        groups = [(el, n, [ab for _, ab in ATOMS[el]]) for el, n in counts.items() if el != "C"]
        groups += [("C", k, [0.0, 1.0]), ("C", 5 - k, [ab for _, ab in ATOMS["C"]])]
        measured += truth[k] * _brute_force_spectrum(groups, peaks, limit)
    high = correct_mid(measured, "C5H9N2O3", resolution=Resolution(140000, 200, "orbitrap", -1))
    np.testing.assert_allclose(high, truth, rtol=0, atol=1e-10)
    nominal = correct_mid(measured, "C5H9N2O3")  # treats the resolved isotopes as measured: over-corrects
    assert np.abs(nominal - truth).max() > 1e-3


# ------------------------------------------------ convention shared with the fit
ALA = derivative_formula("C3H7NO2", derivative="TBDMS", groups=2, fragment="M-57")   # C11H26NO2Si2
ALA_232 = "C10H26NOSi2"   # alanine 2 TBDMS [M-85]+ (m/z 232): [M-57]+ less CO of C1, carries C2-C3
GLU = derivative_formula("C5H9NO4", derivative="TBDMS", groups=3, fragment="M-57")   # C19H42NO4Si3


def _network():
    net = LabelingNetwork()
    net.add_reaction("v1", "A(abc) -> B(abc)")
    net.add_reaction("v2", "A(abc) -> B(cba)")
    net.add_reaction("v3", "B(abc) -> C(abc)")
    net.add_reaction("v4", "B(abc) + D(de) -> E(abcde)")
    net.add_reaction("v5", "E(abcde) -> F(abcde)")
    return net


def _simulate(natural, purity):
    tracers = [Tracer("A", (1, 2), 0.5, purity), Tracer("A", (1, 2, 3), 0.2, purity)]
    frags = [MIDMeasurement("B", ("B", (1, 2)), [1, 0, 0], 1.0),
             MIDMeasurement("E", ("E", (0, 1, 2, 3, 4)), [1, 0, 0, 0, 0, 0], 1.0)]
    pb = MFAProblem(_network(), [Experiment("e", tracers, frags, natural_13c=natural)],
                    fixed={"v3": 1.0, "v4": 1.0})
    names = [f.id for f in pb.network.fluxes]
    # the free flux at v1 = 1.4 (v2 = 0.6)
    u = np.linalg.lstsq(pb.N[[names.index("v1")]], [1.4 - pb.vp[names.index("v1")]], rcond=None)[0]
    X, _ = pb.simulate(u)[0]
    return [X[n][row] for _, m, _, (n, row) in pb.layout], pb


def _derivative_natural(formula, n_traced, n_masses):
    """Natural mass distribution of the untraced atoms (forward model of this file)."""
    counts = parse_formula(formula)
    counts["C"] -= n_traced
    dist = np.array([1.0])
    for el, n in counts.items():
        atom = np.zeros(3)
        for mass, ab in ATOMS[el]:
            atom[round(mass - ATOMS[el][0][0])] += ab
        for _ in range(n):
            dist = np.convolve(dist, atom)
    return dist[:n_masses]


def test_corrected_simulated_mid_refits_without_bias():
    purity = 0.99
    physical, _ = _simulate(NATURAL_13C, purity)   # natural 13C in unlabelled positions, impure tracer
    default, _ = _simulate(0.0, 1.0)               # fluxasn's default simulation
    measured = {}
    corrected, old_convention = {}, {}
    for key, (formula, n), x in zip("BE", [(ALA_232, 2), (GLU, 5)], physical):
        measured[key] = np.convolve(x, _derivative_natural(formula, n, n + 3))[: n + 3]
        corrected[key] = correct_mid(measured[key], formula, n, purity=purity, name=key)
        old_convention[key] = correct_mid(measured[key], formula, n, tracer_na=False, name=key)
    for key, x, x_natural in zip("BE", default, physical):
        np.testing.assert_allclose(corrected[key], x, rtol=0, atol=1e-10)
        assert np.abs(old_convention[key] - x).max() > 5e-3  # the bias a mixed convention carries
        # IsoCor's default pairs with natural_13c=NATURAL_13C and the purity on the tracers
        np.testing.assert_allclose(old_convention[key], x_natural, rtol=0, atol=1e-10)
    # refit with default settings: the true flux, SSR 0
    emus = {"B": ("B", (1, 2)), "E": ("E", (0, 1, 2, 3, 4))}
    frags = [MIDMeasurement(k, emus[k], corrected[k], 0.005) for k in "BE"]
    pb = MFAProblem(_network(), [Experiment("e", [Tracer("A", (1, 2), 0.5), Tracer("A", (1, 2, 3), 0.2)],
                                            frags)], fixed={"v3": 1.0, "v4": 1.0})
    fit = fit_13c(pb, n_starts=2, seed=0)
    assert fit.ssr < 1e-12
    assert fit.flux("v1") == pytest.approx(1.4, abs=1e-6)
    # the measured fragments, with the default correction matrices carried in the fit: same answer
    carried = [MIDMeasurement(k, emus[k], measured[k], 0.005,
                              correction=correction_matrix(f, n, n + 3, purity=purity, name=k))
               for k, f, n in [("B", ALA_232, 2), ("E", GLU, 5)]]
    pb2 = MFAProblem(_network(), [Experiment("e", [Tracer("A", (1, 2), 0.5), Tracer("A", (1, 2, 3), 0.2)],
                                             carried)], fixed={"v3": 1.0, "v4": 1.0})
    fit2 = fit_13c(pb2, n_starts=2, seed=0)
    assert fit2.ssr < 1e-12
    assert fit2.flux("v1") == pytest.approx(1.4, abs=1e-6)


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, message", [
    (lambda: correct_mid([0.9, 0.1], "C3H5O3", name="Lac"), r"'Lac'.*2 measured masses for 3 traced C.*at least 4"),
    (lambda: correct_mid([0.9, 0.1, 0], "C3H5O3", {"C": 3}, name="Lac"), r"'Lac'.*3 measured masses.*at least 4"),
    (lambda: correct_mid([0.9, -0.1, 0.1, 0.1], "C3H5O3", name="Lac"), r"'Lac'.*>= 0"),
    (lambda: correct_mid([0.9, np.nan, 0.1, 0.1], "C3H5O3", name="Lac"), r"'Lac'.*finite"),
    (lambda: correct_mid([0, 0, 0, 0], "C3H5O3", name="Lac"), r"'Lac'.*sum to 0"),
    (lambda: correct_mid([0.9, 0.1, 0, 0, 0], "C3H5O3", 4, name="Lac"), r"'Lac'.*fewer than 4 C atoms"),
    (lambda: correct_mid([0.9, 0.1, 0, 0], "C3H5O3", 0, name="Lac"), r"'Lac'.*whole number >= 1"),
    (lambda: correct_mid([0.9, 0.1], "C3H5O3", tracer="15N", name="Lac"), r"'Lac'.*fewer than 0 N|'Lac'.*N atoms"),
    (lambda: correct_mid([0.9, 0.1, 0, 0], "C3H5O3", tracer="12C"), r"'12C'.*not a heavy isotope"),
    (lambda: correct_mid([0.9, 0.1, 0, 0], "C3H5O3", purity=1.2, name="Lac"), r"'Lac'.*purity of 13C"),
    (lambda: correct_mid([0.9, 0.1, 0, 0], "C3H5O3", purity=[0.5, 0.4], name="Lac"), r"'Lac'.*summing to 1"),
    (lambda: correct_mid([0.9, 0.1, 0, 0], "C3H5O3", name="Lac", resolution=Resolution(100, 200)),
     r"'Lac'.*not even one mass unit apart"),
    (lambda: correction_matrix("C4H7N2O3", tracer=("13C", "15N"), purity=[0.01, 0.99], name="Asn",
                               resolution=Resolution(140000, 200)), r"'Asn'.*mapping by tracer"),
    (lambda: Resolution(70000, 200, "quadrupole"), r"unknown instrument"),
    (lambda: Resolution(70000, 200, charge=0), r"charge must be a non-zero"),
    (lambda: derivative_formula("C3H4O3", derivative="TBDMS", groups=0, fragment="M-57"), r"groups=0"),
    (lambda: derivative_formula("C3H4O3", derivative="MOX-TMS", groups=1, methoximes=1, fragment="M-57"),
     r"M-57 does not occur with MOX-TMS"),
    (lambda: derivative_formula("C3H4O3", derivative="TBDMS", groups=-1), r"whole number >= 0"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(FluxasnInputError, match=message):
        call()


def test_derivative_formulas_with_methoximes():
    # pyruvate MOX-TBDMS [M-57]+ : C3H4O3 + CH3N + C6H14Si - C4H9 = C6H12NO3Si (m/z 174)
    assert derivative_formula("C3H4O3", derivative="MOX-TBDMS", groups=1, methoximes=1,
                              fragment="M-57") == "C6H12NO3Si"


def test_table_of_samples_and_fragments():
    pd = pytest.importorskip("pandas")
    lac = np.array([0.60, 0.15, 0.10, 0.15])
    nominal = correction_matrix("C3H5O3", tracer_na=True) @ lac * 1e4
    hr = Resolution(140000, 200, "orbitrap", -1)
    asn_truth = np.arange(1.0, 16.0).reshape(5, 3) / 120.0
    asn = (correction_matrix("C4H7N2O3", tracer=("13C", "15N"), resolution=hr) @ asn_truth.ravel()).reshape(5, 3)
    rows = [("s1", "Lac", k, v) for k, v in enumerate(nominal)]
    rows += [("s1", "Asn", f"{i},{j}", asn[i, j]) for i in range(5) for j in range(3)]
    rows += [("s2", "Lac", k, v) for k, v in enumerate(nominal[::-1])]
    fragments = {"Lac": {"formula": "C3H5O3"},
                 "Asn": {"formula": "C4H7N2O3", "tracer": ("13C", "15N"), "resolution": hr}}
    table = pd.DataFrame(rows, columns=["sample", "fragment", "isotopologue", "area"])
    out = correct_table(table, fragments)
    got = out[(out["sample"] == "s1") & (out["fragment"] == "Lac")]["fraction"].to_numpy()
    np.testing.assert_allclose(got, lac, atol=1e-12)
    got = out[(out["sample"] == "s1") & (out["fragment"] == "Asn")].set_index("isotopologue")["fraction"]
    assert got["4,2"] == pytest.approx(asn_truth[4, 2], abs=1e-12) and len(got) == 15
    s2 = correct(nominal[::-1], formula="C3H5O3", name="s2/Lac")
    np.testing.assert_allclose(out[out["sample"] == "s2"]["fraction"].to_numpy(), s2.fractions, atol=1e-15)
    assert out[out["sample"] == "s2"]["mean_enrichment_13C"].iloc[0] == pytest.approx(s2.mean_enrichment["13C"])
    # refused by name: a missing isotopologue, a duplicate, an undescribed fragment, an unreadable label
    with pytest.raises(FluxasnInputError, match=r"lab.tsv, line 2, 's1/Lac'.*\[.1.\] are missing"):
        correct_table(table.drop(index=1), fragments, source="lab.tsv")
    with pytest.raises(FluxasnInputError, match=r"'s1/Lac'.*given twice"):
        correct_table(pd.concat([table, table.iloc[[0]]]), fragments)
    with pytest.raises(FluxasnInputError, match=r"'Asn'.*no description"):
        correct_table(table, {"Lac": fragments["Lac"]})
    bad = table.copy()
    bad.loc[5, "isotopologue"] = "2"
    with pytest.raises(FluxasnInputError, match=r"'s1/Asn'.*'2' is not a count of 13C\+15N"):
        correct_table(bad, fragments)
