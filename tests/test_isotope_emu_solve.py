"""The fast stationary path (fluxasn.isotope.emu_solve) against the general one.

The MIDs-only path (one value buffer, padded MID array, LAPACK / SuperLU
solves) must give the MIDs of the sensitivity path (per-level matrices,
explicit convolutions), which the x3cflux and brute-force tests pin to
independent references. Checked on a network with a cycle, a condensation
(two-EMU convolutions), a three-substrate reaction (three-EMU convolutions)
and a level large enough to be solved sparse, with input MIDs given packed,
as a plain dict, and packed by another system; and with SciPy's public
``splu`` in place of the direct SuperLU call.
"""
from __future__ import annotations

import numpy as np
import pytest

from fluxasn.isotope import emu_solve
from fluxasn.isotope.atommap import parse_transition
from fluxasn.isotope.emu import EMUSystem, parse_emu
from fluxasn.isotope.tracers import Tracer, source_mids

#: A toy network: glucose-like chain, a reversible cycle, a condensation and a 3-substrate reaction.
REACTIONS = [
    "S(abc) -> A(abc)",
    "A(abc) -> B(abc)",
    "B(abc) -> A(abc)",
    "B(abc) -> C(ab) + D(c)",
    "C(ab) + D(c) -> E(abc)",
    "E(abc) -> A(cba)",
    "C(ab) + D(c) + T(de) -> F(abcde)",
    "F(abcde) -> G(edcba)",
    "G(abcde) -> F(abcde)",
]
#: A long linear chain of one-carbon pools with back-reactions: a level of more than 48 EMUs (sparse).
CHAIN = [f"P{i}(a) -> P{i + 1}(a)" for i in range(60)] + [f"P{i + 1}(a) -> P{i}(a)" for i in range(0, 60, 3)]


def _system(reactions, targets, sources, alias=True):
    transitions = [(j, parse_transition(text, reaction=f"r{j}")) for j, text in enumerate(reactions)]
    return EMUSystem(transitions, [parse_emu(t) for t in targets], sources, alias=alias)


def _check(system, sources, tracers, carbons, v, dv):
    mids = source_mids(system.source_emus, tracers, carbons=carbons)
    X_jac, _ = system.simulate(v, system.pack(mids), dv)
    worst = 0.0
    for given in (system.pack(mids), dict(mids)):
        X_fast, dX = system.simulate(v, given)
        assert dX is None
        for n in system.sizes:
            worst = max(worst, float(np.abs(X_fast[n] - X_jac[n]).max()))
    assert worst < 1e-12, worst
    return X_jac


@pytest.mark.parametrize("direct", [True, False])
def test_fast_path_equals_the_sensitivity_path(monkeypatch, direct):
    if not direct:
        monkeypatch.setattr(emu_solve, "_GSTRF", None)  # SciPy's public splu
    rng = np.random.default_rng(3)
    carbons = {"S": 3, "A": 3, "B": 3, "C": 2, "D": 1, "E": 3, "T": 2, "F": 5, "G": 5}
    system = _system(REACTIONS, ["G_12345", "E_123", "A_2"], {"S", "T"})
    assert max(len(g.refs) for lev in system.levels.values() for g in lev.groups) == 3
    tracers = [Tracer("S", (1, 2), 0.6), Tracer("T", (2,), 0.3)]
    v = rng.uniform(0.5, 2.0, len(REACTIONS))
    X = _check(system, {"S", "T"}, tracers, carbons, v, np.eye(len(REACTIONS)))
    g = system.mid(X, parse_emu("G_12345"))
    assert abs(g.sum() - 1.0) < 1e-12 and g[0] < 0.9  # labelled, a distribution

    chain = _system(CHAIN, ["P60_1"], {"P0"}, alias=False)
    assert any(not lev.dense for lev in chain.levels.values())  # the sparse solve is exercised
    v = rng.uniform(0.5, 2.0, len(CHAIN))
    X = _check(chain, {"P0"}, [Tracer("P0", (1,), 0.5)], {f"P{i}": 1 for i in range(61)}, v, np.eye(len(CHAIN))[:, :4])
    assert abs(chain.mid(X, parse_emu("P60_1"))[1] - 0.5) < 1e-6  # a chain passes its input on


def test_sources_packed_by_another_system_are_repacked():
    carbons = {"S": 3, "A": 3, "B": 3, "C": 2, "D": 1, "E": 3, "T": 2, "F": 5, "G": 5}
    merged = _system(REACTIONS, ["G_12345"], {"S", "T"})
    full = _system(REACTIONS, ["G_12345"], {"S", "T"}, alias=False)
    assert merged.n_emus != full.n_emus  # different row layouts
    mids = source_mids(full.source_emus, [Tracer("S", (1,), 1.0)], carbons=carbons)
    v = np.linspace(0.7, 1.9, len(REACTIONS))
    a, _ = merged.simulate(v, full.pack(mids))
    b, _ = full.simulate(v, full.pack(mids))
    e = parse_emu("G_12345")
    # equal up to the 1e-10 regularising inflow, which the merged copies see fewer times;
    # rows of the other system's layout would give a different MID altogether
    assert np.abs(merged.mid(a, e) - full.mid(b, e)).max() < 1e-8
