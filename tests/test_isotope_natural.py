"""Natural-isotope conventions: fragment formulas, correction matrices, carried in the fit."""
import numpy as np
import pytest

from _shared import require_shared
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.problem import MFAProblem
from fluxasn.isotope.measurements import Experiment, MIDMeasurement
from fluxasn.isotope.natural_abundance import (
    correct_mid,
    correction_matrix,
    derivative_formula,
    isotope_distribution,
)
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer


def test_distribution_matches_mfapy_reference():
    path = require_shared("c13", "antoniewicz2007_tca_toy", "reference_results.tsv")
    row = next(l.split("\t") for l in path.read_text().splitlines() if l.startswith("natural_isotope_MDV"))
    expected = np.array([float(x) for x in row[2].split(",")])
    np.testing.assert_allclose(isotope_distribution(row[1], len(expected)), expected, atol=1e-4)


def test_single_atoms():
    np.testing.assert_allclose(isotope_distribution("C", 2), [0.9893, 0.0107])
    np.testing.assert_allclose(isotope_distribution("Si", 3), [0.92223, 0.04685, 0.03092])
    assert isotope_distribution("O", 3)[2] == pytest.approx(0.00205)


def test_tbdms_and_mox_tms_formulas():
    # alanine, 2 TBDMS, [M-57]+ : the m/z 260 fragment C11H26NO2Si2
    assert derivative_formula("C3H7NO2", derivative="TBDMS", groups=2, fragment="M-57") == "C11H26NO2Si2"
    # aspartate, 3 TBDMS, [M-57]+ : m/z 418, C18H40NO4Si3
    assert derivative_formula("C4H7NO4", derivative="TBDMS", groups=3, fragment="M-57") == "C18H40NO4Si3"
    # pyruvate MOX-TMS (1 methoxime, 1 TMS), intact: C7H15NO3Si
    assert derivative_formula("C3H4O3", derivative="MOX-TMS", groups=1, methoximes=1) == "C7H15NO3Si"
    with pytest.raises(FluxasnInputError, match="unknown derivative"):
        derivative_formula("C3H4O3", derivative="PFB", groups=1)
    with pytest.raises(FluxasnInputError, match="cannot read formula"):
        derivative_formula("c3h4", derivative="TBDMS", groups=1)


def test_correction_matrix_structure_and_inverse():
    # IsoCor's default convention (correct_NA_tracer=False): traced carbons carry no natural 13C
    C = correction_matrix("C11H26NO2Si2", 3, n_masses=6, tracer_na=False)
    nat = isotope_distribution("C8H26NO2Si2", 6)
    np.testing.assert_allclose(C[:, 0], nat)
    np.testing.assert_allclose(C[1:, 1], nat[:-1])
    x = np.array([0.6, 0.25, 0.1, 0.05])
    measured = C @ x
    np.testing.assert_allclose(correct_mid(measured, "C11H26NO2Si2", 3, tracer_na=False), x, atol=1e-10)
    with pytest.raises(FluxasnInputError, match="fewer than"):
        correction_matrix("C2H6O", 3)


def test_correction_carried_in_the_simulation():
    net = LabelingNetwork()
    net.add_reaction("up", "A(abc) -> B(abc)")
    net.add_reaction("out", "B(abc) -> C(abc)")
    C = correction_matrix("C11H26NO2Si2", 3, n_masses=10)  # wide enough that truncation is < 1e-4
    truth = np.array([0.0, 0.0, 0.0, 1.0])  # [U-13C]A reaches B unchanged
    measured = C @ truth
    assert measured.sum() == pytest.approx(1.0, abs=1e-4)
    meas = MIDMeasurement("B260", ("B", (0, 1, 2)), measured, 0.01, correction=C)
    pb = MFAProblem(net, [Experiment("e", [Tracer("A", (1, 2, 3))], [meas])], fixed={"up": 1.0})
    assert pb.p == 0
    r, J, _ = pb.residuals(np.zeros(0))
    assert r.shape == (10,) and np.abs(r).max() < 1e-6
    # without the correction matrix an EMU of 3 carbons cannot explain 10 masses
    with pytest.raises(FluxasnInputError, match="at most 4"):
        MIDMeasurement("B", ("B", (0, 1, 2)), measured, 0.01)
