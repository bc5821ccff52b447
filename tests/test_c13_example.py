"""The bundled 13C example (data/c13/simple_network) reproduces INCA's published fit.

Reference: INCA run through incawrapper on the same files (exp1 only), stored
output of incawrapper's quick-start notebook (data/c13/simple_network/README.md):
R2 net 6.084230, R2 exchange 6.620853, R3 = R4 1.957885, R5 8.042115,
SSR 136.49091035304212.
"""
from __future__ import annotations

import pytest

from _cli_runner import run_cli
from fluxasn import isotope

INCA = {"R1": 10.0, "R2": 6.084230, "R3": 1.957885, "R4": 1.957885, "R5": 8.042115, "R2.exch": 6.620853}
INCA_SSR = 136.49091035304212


def test_bundled_example_matches_inca():
    data = isotope.read_c13("simple-network", experiments=["exp1"])
    result = isotope.fit_13c(data.problem(), n_starts=5, seed=0)
    frame = result.to_frame()
    for flux, value in INCA.items():
        assert frame.loc[flux, "flux"] == pytest.approx(value, rel=2e-4), flux
    assert result.ssr == pytest.approx(INCA_SSR, rel=1e-4)
    assert not result.passed  # dof 1, chi-square upper bound 5.02: rejected, as INCA says


def test_bundled_example_runs_from_the_command_line(tmp_path):
    result = run_cli(["mfa", "simple-network", "--experiment", "exp1", "--csv"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split(",")[:2] == ["id", "flux"]
    unknown = run_cli(["mfa", "no-such-example"], cwd=tmp_path)
    assert unknown.returncode == 2 and "simple-network" in unknown.stderr
