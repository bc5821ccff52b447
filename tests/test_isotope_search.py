"""Global search: the default fit reaches the best cost known on a published dataset, and says how
many of its starts did.

Dataset: influx_si's E. coli K12 MG1655 LC-MS example (``test/e_coli.ftbl``, P. Millard); the cost
influx_si's regression table publishes for it is ``res=7.843096`` (residual norm, sqrt(SSR);
``test_cases/cases_influx_si-v6.1.tab``). The best fit puts the enolase exchange at influx_si's cap
(0.999 on its [0, 1) scale = 999), where the SSR still falls as 1/x: the local optimiser used to stop
on that slope (Marquardt damping by the other directions' curvature, normal equations with condition
number 1e16) at sqrt(SSR) 7.843161 with the exchange at 292-632. ``scripts/bench_global_search.py``
prints the figures.
"""
import numpy as np
import pytest

from _shared import require_shared
from fluxasn.isotope.fit import default_starts, fit_13c
from fluxasn.isotope.formats import read_ftbl

PUBLISHED_RES = 7.843096  # influx_si regression table, e_coli: it=6 res=7.843096


@pytest.fixture(scope="module")
def ecoli():
    data = read_ftbl(require_shared("c13", "influx_si_examples", "test", "e_coli.ftbl"))
    problem = data.problem()
    return data, problem, fit_13c(problem)  # the default fit: 10 + 2 x 12 = 34 starts, seed 0


def test_default_fit_reaches_published_cost_with_enolase_exchange_at_its_cap(ecoli):
    data, problem, result = ecoli
    # 7 significant digits published: the fit agrees to the last one (rel 6.4e-8 = half a unit)
    assert np.sqrt(result.ssr) == pytest.approx(PUBLISHED_RES, rel=6.4e-8)
    # found by the optimiser, not placed: the exchange reaches influx_si's cap from its starts
    assert result.flux("eno.exch") == pytest.approx(data.bounds["eno.exch"][1], rel=1e-6)
    assert "eno.exch" not in data.fixed


def test_report_shows_fraction_of_starts_reaching_best_cost(ecoli):
    _, problem, result = ecoli
    s = result.search
    assert s["starts"] == default_starts(problem) == len(result.runs) == 34
    within = sum(r.ssr <= result.ssr + s["threshold"] for r in result.runs)
    assert s["within"] == within and s["fraction"] == pytest.approx(within / 34)
    assert s["within"] >= 1 and s["optima"][0]["ssr"] == pytest.approx(min(r.ssr for r in result.runs))
    assert f"{within} of 34 starts ended within 3.84 of the best SSR" in str(result)
    # every start ends at or above the polished best; the best start is within the crawl
    # tolerance of the local runs (1e-2 SSR over 5 steps) of it
    assert min(r.ssr for r in result.runs) >= result.ssr - 1e-9
    assert min(r.ssr for r in result.runs) - result.ssr < 1e-2
