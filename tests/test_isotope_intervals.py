"""Flux intervals that are right in every case: undetermined directions, bounds, coverage.

References are hand-solved (the two-route network below is linear in its
fluxes) or a known truth (data simulated at chosen fluxes, noise with fixed
seeds). The profile and Monte Carlo coverage of the larger run are printed by
``scripts/coverage_13c.py``.
"""
import copy

import numpy as np
import pytest
from scipy import stats as sps

from fluxasn.isotope import (Experiment, FluxMeasurement, LabelingNetwork, MFAProblem, MIDMeasurement, Tracer,
                             read_c13, simulate_mids)
from fluxasn.isotope.fit import fit_13c
from fluxasn.isotope.optimize import local_fit
from fluxasn.isotope.stats import data_subspace, linearized_interval, profile_interval

Z95 = float(np.sqrt(sps.chi2.ppf(0.95, 1)))  # 1.95996


def two_route_problem(d1=(0.3, 0.7), sd=0.01):
    """[1-13C]A reaches B unchanged (R1) or with its carbons swapped (R2); B <-> C -> D.

    Measured: carbon 1 of D (M+0 = R2/10, M+1 = R1/10 at uptake 10) and the flux
    R7 = R5 - R6 (3 +- 0.1). The labelling does not depend on the exchange of
    R3 (B and C carry the same label) nor on R5 and R6 individually (B and E
    too): only their difference R7 is determined, by its measurement.
    """
    net = LabelingNetwork("two routes")
    net.add_reaction("Aup", "Aext(ab) -> A(ab)")
    net.add_reaction("R1", "A(ab) -> B(ab)")
    net.add_reaction("R2", "A(ab) -> B(ba)")
    net.add_reaction("R3", "B(ab) <-> C(ab)", lower=-100, upper=100)
    net.add_reaction("R4", "C(ab) -> D(ab)")
    net.add_reaction("R5", "B(ab) -> E(ab)")
    net.add_reaction("R6", "E(ab) -> B(ab)")
    net.add_reaction("R7", "E(ab) -> F(ab)")
    exp = Experiment("e", [Tracer("Aext", (1,), 1.0)],
                     [MIDMeasurement("D1", ("D", (0,)), np.array(d1, float), np.array([sd, sd]))])
    return MFAProblem(net, [exp], fluxes=[FluxMeasurement("R7", 3.0, 0.1)], fixed={"Aup": 10.0})


@pytest.fixture(scope="module")
def two_route():
    problem = two_route_problem()
    return problem, fit_13c(problem, n_starts=2, seed=0)


def test_undetermined_exchange_runs_to_its_bounds(two_route):
    """(a) The old (J^T J)^+ gave R3.exch a width of 0.2 around an arbitrary value, flagged identifiable."""
    problem, result = two_route
    frame = result.to_frame()
    lo, hi = problem.flux_range("R3.exch")
    assert (lo, hi) == pytest.approx((0.0, 10000.0), abs=1e-6)  # gross fluxes capped at 10 x 1000
    assert (frame.loc["R3.exch", "lower"], frame.loc["R3.exch", "upper"]) == pytest.approx((lo, hi), abs=1e-6)
    assert not frame.loc["R3.exch", "identifiable"]
    assert frame.loc["R3.exch", "method"] == "linearized"
    # two of the four free directions are undetermined (R3 exchange, R5 = R6 + R7 at fixed R7)
    assert result.subspace.undetermined.shape[1] == 2
    # hand-solved: M+0 and M+1 of D1 both move by 1/(10 sd) per unit R2, so
    # var(R2) = 1 / (2 (1/(10*0.01))^2) = 0.5 and the 95 % half-width is 1.96 * sqrt(0.5) / 10
    half = Z95 * np.sqrt(0.5) * 0.1
    for name, value in (("R1", 7.0), ("R2", 3.0)):
        assert frame.loc[name, "flux"] == pytest.approx(value, abs=1e-6)
        assert (frame.loc[name, "lower"], frame.loc[name, "upper"]) == pytest.approx(
            (value - half, value + half), abs=1e-6)
        assert frame.loc[name, "identifiable"]


def test_flux_determined_only_as_a_difference_is_not_identifiable(two_route):
    """(b) R5 - R6 = R7 is measured; R5 and R6 are not determined individually."""
    problem, result = two_route
    frame = result.to_frame()
    for name in ("R5", "R6"):
        lo, hi = problem.flux_range(name)
        assert (frame.loc[name, "lower"], frame.loc[name, "upper"]) == pytest.approx((lo, hi), abs=1e-6)
        assert not frame.loc[name, "identifiable"], name
    # the difference itself is determined: R7 = 3 +- 1.96 * 0.1, and R4 = 10 - R7
    for name, value in (("R7", 3.0), ("R4", 7.0)):
        assert (frame.loc[name, "lower"], frame.loc[name, "upper"]) == pytest.approx(
            (value - Z95 * 0.1, value + Z95 * 0.1), abs=1e-4)
        assert frame.loc[name, "identifiable"], name


def test_profile_agrees_with_linearized_identifiability(two_route):
    problem, result = two_route
    lin = result.to_frame()
    for name in ("R2", "R5", "R3.exch"):
        prof = result.profile(name)
        assert prof.identifiable == lin.loc[name, "identifiable"], name
        assert not prof.unconverged, name
    frame = result.to_frame()
    assert frame.loc["R5", "method"] == "profile"
    # R5 >= R7 (R6 >= 0): the data bound it below at R7's lower limit, the constraints above
    assert frame.loc["R5", "lower"] == pytest.approx(3.0 - Z95 * 0.1, abs=0.01)
    assert frame.loc["R5", "upper"] == pytest.approx(problem.flux_range("R5")[1], abs=1e-6)
    # R2 is linear in the data: the profile interval is the linearised one
    half = Z95 * np.sqrt(0.5) * 0.1
    assert (frame.loc["R2", "lower"], frame.loc["R2", "upper"]) == pytest.approx((3 - half, 3 + half), abs=2e-3)


def test_flux_at_a_bound_gets_a_one_sided_interval_reaching_it():
    """All of D1 is M+1: R2 sits at its bound 0. The old face-restricted covariance gave [0, 0]."""
    problem = two_route_problem(d1=(0.0, 1.0))
    result = fit_13c(problem, n_starts=2, seed=0, profile=["R1"])
    frame = result.to_frame()
    assert frame.loc["R2", "flux"] == pytest.approx(0.0, abs=1e-6)
    # hand-solved: SSR = 2 (R2 / (10 * 0.01))^2 reaches 3.84 at R2 = 0.1 * sqrt(3.84 / 2)
    edge = 0.1 * Z95 / np.sqrt(2.0)
    assert frame.loc["R2", "lower"] == pytest.approx(0.0, abs=1e-9)
    assert frame.loc["R2", "upper"] == pytest.approx(edge, abs=1e-6)
    assert frame.loc["R1", "method"] == "profile"
    assert frame.loc["R1", "upper"] == pytest.approx(10.0, abs=1e-6)
    assert frame.loc["R1", "lower"] == pytest.approx(10.0 - edge, abs=2e-3)
    prof = result.profiles["R1"]
    assert prof.lower_found and not prof.upper_found


def test_monte_carlo_interval_matches_the_linear_one(two_route):
    """The two-route model is linear: percentile intervals match +-1.96 sd (MC error ~ 5 % at n=200)."""
    problem, result = two_route
    res = copy.copy(result)
    res._frame = result._frame.copy()
    res.profiles = {}
    mc = res.monte_carlo(n=200, seed=3, names=["R2", "R7", "R3.exch"])
    frame = res.to_frame()
    half = Z95 * np.sqrt(0.5) * 0.1
    lo, hi = mc.interval("R2")
    assert hi - lo == pytest.approx(2 * half, rel=0.12)
    assert frame.loc["R7", "method"] == "monte-carlo"
    assert frame.loc["R7", "upper"] - frame.loc["R7", "lower"] == pytest.approx(2 * Z95 * 0.1, rel=0.12)
    # an undetermined flux keeps its whole range (a refit from the best fit never moves it)
    assert not frame.loc["R3.exch", "identifiable"]
    assert frame.loc["R3.exch", "upper"] == pytest.approx(problem.flux_range("R3.exch")[1], abs=1e-6)
    again = copy.copy(result).monte_carlo(n=200, seed=3, names=["R2", "R7", "R3.exch"])
    np.testing.assert_array_equal(mc.samples, again.samples)  # seeded


# -- coverage on the INCA tutorial network with known truth ------------------------
TRUE = {"R1": 10.0, "R2.f": 6.084230 + 6.620853, "R2.b": 6.620853, "R3": 1.957885, "R4": 1.957885,
        "R5": 8.042115}  # INCA's fit of exp1 (reference_results.tsv), taken as the truth


def replicate(base, sim, rng):
    """``base`` with data simulated at the truth plus normal noise of the stated sds."""
    problem = copy.copy(base)
    layout = []
    for ei, m, sl, idx in base.layout:
        exp = base.experiments[ei].name
        clean = sim[(sim.experiment == exp) & (sim.fragment == m.id)]["simulated"].to_numpy()[:m.mid.size]
        noisy = copy.copy(m)
        noisy.mid = clean + rng.normal(size=clean.size) * m.sd
        layout.append((ei, noisy, sl, idx))
    problem.layout = layout
    problem.f_val = base.f_val + rng.normal(size=base.f_val.size) * base.f_sd
    return problem


@pytest.fixture(scope="module")
def coverage_runs():
    data = read_c13("simple-network")
    base = data.problem()
    net = base.network
    v_true = np.array([TRUE[f] for f in net.flux_ids])
    sim = simulate_mids(base, TRUE)
    u_true = np.linalg.lstsq(base.N, v_true - base.vp, rcond=None)[0]
    names = [n for n, _ in net.reported_fluxes()]
    ranges = {n: base.flux_range(n) for n in names}
    runs = []
    for rep in range(200):
        problem = replicate(base, sim, np.random.default_rng(rep))
        # started at the truth: this measures the intervals, not the global search (3 free fluxes)
        u, f, _, _ = local_fit(problem, u_true)
        r, J, _ = problem.residuals(u)
        sub = data_subspace(J)
        ints = {n: linearized_interval(problem, u, J, n, subspace=sub, flux_range=ranges[n]) for n in names}
        runs.append((problem, u, f, ints))
    truth = {n: float(net.flux_vector(n) @ v_true) for n in names}
    return base, runs, truth


def test_linearized_coverage_net_and_exchange(coverage_runs):
    """(c) >= 90 % of 95 % intervals cover the truth, net and exchange, over 200 replicates."""
    base, runs, truth = coverage_runs
    for kind in ("net", "exchange"):
        names = [n for n, k in base.network.reported_fluxes() if k == kind and n != "R1"]
        hits = [ints[n].lower <= truth[n] <= ints[n].upper for _, _, _, ints in runs for n in names]
        assert len(hits) >= 200
        assert np.mean(hits) >= 0.90, (kind, np.mean(hits))


def test_ssr_follows_chi_square(coverage_runs):
    base, runs, _ = coverage_runs
    dof = base.n_res - base.p - base.n_scale
    assert dof == 4
    ssr = [f for _, _, f, _ in runs]
    assert sps.kstest(ssr, sps.chi2(dof).cdf).pvalue > 0.01


def test_profile_points_are_converged_refits(coverage_runs):
    """No converged profile point has an SSR above what a refit from its own solution gives."""
    base, runs, truth = coverage_runs
    for problem, u, f, _ in runs[:2]:
        prof = profile_interval(problem, u, "R2.exch", ssr_min=f)
        a = problem.network.flux_vector("R2.exch") @ problem.N
        off = float(problem.network.flux_vector("R2.exch") @ problem.vp)
        checked = 0
        for p in prof.points:
            if not p.converged or p.value == prof.value:
                continue
            _, f2, _, _ = local_fit(problem, p.u, extra_eq=(a[None, :], np.array([p.value - off])))
            assert f2 >= p.ssr - 0.02, (p.value, p.ssr, f2)
            checked += 1
        assert checked >= 6 and not prof.unconverged
        assert prof.lower_found and prof.upper_found


# -- global search -------------------------------------------------------------------
def test_hit_and_run_is_uniform_on_a_triangle():
    """x of points uniform on {x, y >= 0, x + y <= 1} has CDF 1 - (1 - x)^2 (KS, 400 points)."""
    from fluxasn.isotope.fit import _hit_and_run

    G = np.array([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    h = np.array([0.0, 0.0, 1.0])
    pts = np.array(_hit_and_run(G, h, np.array([0.25, 0.25]), 400, np.random.default_rng(0), thin=10))
    assert pts.shape == (400, 2) and np.all(G @ pts.T <= h[:, None] + 1e-12)
    assert sps.kstest(pts[:, 0], lambda x: 1.0 - (1.0 - np.clip(x, 0, 1)) ** 2).pvalue > 0.01


def test_global_starts_cover_exchange_on_a_log_scale_and_fit_reports_them():
    from fluxasn.isotope.fit import default_starts, global_starts

    problem = read_c13("simple-network").problem()
    starts = global_starts(problem, 200, seed=1)
    assert max(float(np.max(problem.G @ u - problem.h)) for u in starts) <= 1e-7
    exch = np.array([problem.network.flux_vector("R2.exch") @ problem.fluxes(u) for u in starts])
    hi = min(problem.flux_range("R2.exch")[1], problem.typical_scale())  # 100: 10 x the measured uptake
    lo = 1e-3 * hi
    assert sps.kstest(np.log(exch), sps.uniform(np.log(lo), np.log(hi) - np.log(lo)).cdf).pvalue > 0.01
    assert default_starts(problem) == 10 + 2 * 3
    result = fit_13c(problem, n_starts=4, seed=0)
    assert result.search["starts"] == 4 and 1 <= result.search["within"] <= 4
    assert result.ssr <= min(r.ssr for r in result.runs) + 1e-9
    assert result.search["optima"][0]["ssr"] == pytest.approx(min(r.ssr for r in result.runs))
    assert "starts ended within 3.84 of the best SSR" in str(result)
