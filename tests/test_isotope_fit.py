"""Flux fitting and statistics against FreeFlux (toy TCA) and INCA (simple network)."""
import re

import numpy as np
import pytest

from _shared import require_shared
from fluxasn.isotope.fit import fit_13c
from fluxasn.isotope.formats import read_freeflux, read_inca_csv
from fluxasn.isotope.tracers import Tracer


@pytest.fixture(scope="module")
def inca_reference():
    path = require_shared("c13", "antoniewicz2006_simple_network", "reference_results.tsv")
    ref = {}
    for line in path.read_text().splitlines():
        cols = line.split("\t")
        if cols[0] == "INCA_fit_exp1":
            name = cols[1].replace(" net", "").replace(" exch", ".exch")
            vals = [float(x) if x else np.nan for x in cols[2:5]]
            ref[name] = vals
    return ref


@pytest.fixture(scope="module")
def inca_fit():
    folder = require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")
    data = read_inca_csv(folder, experiments=["exp1"])
    result = fit_13c(data.problem(), n_starts=3, seed=0,
                     profile=["R1", "R2", "R3", "R4", "R5", "R2.exch"])
    return result


def test_inca_ssr_and_fluxes(inca_fit, inca_reference):
    assert inca_fit.ssr == pytest.approx(inca_reference["SSR"][0], abs=0.01)
    for name in ["R1", "R2", "R3", "R4", "R5", "R2.exch"]:
        assert inca_fit.flux(name) == pytest.approx(inca_reference[name][0], abs=1e-3), name
    # INCA's per-fragment scale factor (measured = norm * simulated)
    assert inca_fit.scales[("exp1", "F1")] == pytest.approx(inca_reference["norm(exp1 F1)"][0], abs=1e-3)


def test_inca_chi_square(inca_fit):
    # dof = 4 MID values + 1 flux - 3 free fluxes - 1 scale factor; INCA: range [9.82e-04, 5.024], rejected
    assert inca_fit.dof == 1
    assert inca_fit.chi2_range == pytest.approx((9.82e-4, 5.024), rel=1e-3)
    assert not inca_fit.passed


def test_inca_profile_intervals_within_2_percent(inca_fit, inca_reference):
    frame = inca_fit.to_frame()
    for name in ["R1", "R2", "R3", "R4", "R5", "R2.exch"]:
        _, lo, hi = inca_reference[name]
        assert frame.loc[name, "method"] == "profile"
        assert frame.loc[name, "lower"] == pytest.approx(lo, rel=0.02), name
        assert frame.loc[name, "upper"] == pytest.approx(hi, rel=0.02), name
        assert frame.loc[name, "identifiable"]


def test_result_views(inca_fit):
    frame = inca_fit.to_frame()
    assert list(frame.columns[:4]) == ["flux", "lower", "upper", "identifiable"]
    assert "SSR" in str(inca_fit) and "<table" in inca_fit._repr_html_()
    mids = inca_fit.mids_frame()
    assert len(mids) == 4 and set(mids.columns) >= {"measured", "simulated", "sd"}
    import matplotlib

    matplotlib.use("Agg")
    ax = inca_fit.plot()
    assert len(ax.patches) == 8


@pytest.fixture(scope="module")
def toy_reference():
    path = require_shared("c13", "antoniewicz2007_tca_toy", "reference_results.tsv")
    for line in path.read_text().splitlines():
        cols = line.split("\t")
        if cols[0] == "fitted_net_flux":
            return {k: float(v) for k, v in re.findall(r"(v\d)=([0-9.]+)", cols[2])}
    raise AssertionError("fitted_net_flux row missing")


def test_freeflux_toy_fit(toy_reference):
    folder = require_shared("c13", "antoniewicz2007_tca_toy", "freeflux")
    data = read_freeflux(folder, tracers=[Tracer("AcCoA", (2,), 0.25), Tracer("AcCoA", (1, 2), 0.25)],
                         symmetric=["Suc", "Fum"])
    assert data.experiments[0].natural_13c == pytest.approx(0.0107)
    result = fit_13c(data.problem(), n_starts=2, seed=0)
    assert set(toy_reference) >= {"v3", "v4"}
    for name, value in toy_reference.items():
        assert result.flux(name) == pytest.approx(value, abs=0.01), name
    assert result.ssr < 0.01  # FreeFlux objective 0.002


def test_unidentifiable_exchange_flux_is_reported():
    """The toy's Fum<->OAA exchange is not identifiable from Glu alone (reference_results.tsv)."""
    folder = require_shared("c13", "antoniewicz2007_tca_toy", "freeflux")
    data = read_freeflux(folder, tracers=[Tracer("AcCoA", (2,), 0.25), Tracer("AcCoA", (1, 2), 0.25)],
                         symmetric=["Suc", "Fum"])
    result = fit_13c(data.problem(), n_starts=1, seed=0, profile=["v6.exch", "v3"])
    frame = result.to_frame()
    assert not frame.loc["v6.exch", "identifiable"]
    assert frame.loc["v3", "identifiable"]
    assert frame.loc["v3", "lower"] < 4.993 < frame.loc["v3", "upper"]


def test_inca_parallel_labelling_fit_jointly():
    folder = require_shared("c13", "antoniewicz2006_simple_network", "incawrapper")
    data = read_inca_csv(folder)
    assert [e.name for e in data.experiments] == ["exp1", "exp2"]
    t2 = data.experiments[1].tracers[0]
    assert (t2.positions, t2.fraction, t2.purity) == ((1, 2), 0.5, 0.95)
    result = fit_13c(data, n_starts=2, seed=0)
    # 2 x 4 MID values + 1 flux - 3 free fluxes - 2 scale factors (one per experiment's fragment)
    assert result.dof == 4 and len(result.scales) == 2
    single = fit_13c(read_inca_csv(folder, experiments=["exp1"]), n_starts=2, seed=0)
    assert result.ssr >= single.ssr - 1e-6  # more data cannot fit better with shared fluxes


def test_simulate_mids_at_inca_fluxes_matches_brute_force():
    """reference_results.tsv: brute-force F MID at INCA's fluxes (exch = reverse flux)."""
    import re as _re

    from fluxasn.isotope import simulate_mids

    path = require_shared("c13", "antoniewicz2006_simple_network", "reference_results.tsv")
    row = next(l for l in path.read_text().splitlines() if l.startswith("verification"))
    expected = [float(x) for x in _re.search(r"F MID = \[([0-9.,]+)\]", row).group(1).split(",")]
    data = read_inca_csv(require_shared("c13", "antoniewicz2006_simple_network", "incawrapper"),
                         experiments=["exp1"])
    net, exch = 6.084230, 6.620853
    fluxes = {"R1": 10.0, "R2.f": net + exch, "R2.b": exch, "R3": 1.957885, "R4": 1.957885, "R5": 8.042115}
    sim = simulate_mids(data.problem(), fluxes)
    np.testing.assert_allclose(sim["simulated"].to_numpy(), expected, atol=1e-5)
