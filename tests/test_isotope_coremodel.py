"""The core model's carbon atom transitions: every map parses, balances and matches its reaction."""
from collections import Counter

import numpy as np
import pytest

from fluxasn.isotope.atommap import parse_transition
from fluxasn.isotope.emu import EMUSystem, parse_emu
from fluxasn.isotope.formats import network_from_cobra, traced_carbons
from fluxasn.isotope.tracers import Tracer, source_mids


def test_every_core_map_parses_and_balances(core_model):
    symmetric = {m.id for m in core_model.metabolites if m.notes.get("symmetric") == "true"}
    assert {"succ_m", "fum_m"} <= symmetric
    mapped = [r for r in core_model.reactions if r.notes.get("carbon_transitions")]
    assert len(mapped) >= 60
    for rxn in mapped:
        carbons = {m.id: traced_carbons(m) for m in rxn.metabolites}
        t = parse_transition(rxn.notes["carbon_transitions"], reaction=rxn.id, symmetric=symmetric,
                             carbons=carbons)  # raises on unbalanced letters or wrong atom counts
        occurrences = Counter([m for m, _ in t.substrates]) + Counter([m for m, _ in t.products])
        for met_id, n in occurrences.items():
            coef = rxn.get_coefficient(met_id)
            assert n == abs(coef), f"{rxn.id}: {met_id} written {n} times, coefficient {coef}"
        for met_id, _ in t.substrates:
            assert rxn.get_coefficient(met_id) < 0, f"{rxn.id}: {met_id} is not a substrate"
        for met_id, _ in t.products:
            assert rxn.get_coefficient(met_id) > 0, f"{rxn.id}: {met_id} is not a product"


def test_traced_carbons_override(core_model):
    assert traced_carbons(core_model.metabolites.accoa_m) == 2
    assert traced_carbons(core_model.metabolites.cit_m) == 6
    assert traced_carbons(core_model.metabolites.co2_m) == 1


def test_core_network_simulates_glycolysis_labelling(core_model):
    """[1,2-13C]glucose through an FBA flux state: lactate MIDs are distributions and carry label."""
    net = network_from_cobra(core_model)
    sol = core_model.optimize()
    assert sol.status == "optimal"
    v = np.zeros(len(net.fluxes))
    for name, pair in net.pairs.items():
        flux = sol.fluxes[name]
        if pair.backward is None:
            v[net.flux_index(pair.forward)] = max(flux, 0.0)
        else:
            v[net.flux_index(pair.forward)] = max(flux, 0.0)
            v[net.flux_index(pair.backward)] = max(-flux, 0.0)
    system = EMUSystem(net.transitions(), [parse_emu("lac__L_c_123")], net.sources)
    assert "glc__D_e" in net.sources
    src = source_mids(system.source_emus, [Tracer("glc__D_e", (1, 2), 1.0)], carbons=net.carbons)
    X, _ = system.simulate(v, src)
    mid = system.mid(X, parse_emu("lac__L_c_123"))
    assert mid.sum() == pytest.approx(1.0, abs=1e-9) and np.all(mid > -1e-12)
    assert mid[3] < 1e-9  # two labelled carbons cannot make M+3


def test_core_glycolysis_by_hand(core_model):
    """Glucose -> lactate only: [1,2-13C]glucose gives lactate half M+2, half M+0 (C1-C2 -> C3-C2)."""
    net = network_from_cobra(core_model)
    path = {"GLCt1": 1, "HEX1": 1, "PGI": 1, "PFK": 1, "FBA": 1, "TPI": 1, "GAPD": 2, "PGK": -2,
            "PGM": -2, "ENO": 2, "PYK": 2, "LDH_L": -2, "L_LACt2r": -2}
    v = np.zeros(len(net.fluxes))
    for rid, flux in path.items():
        pair = net.pairs[rid]
        if flux >= 0:
            v[net.flux_index(pair.forward)] = flux
        else:
            assert pair.backward is not None, rid
            v[net.flux_index(pair.backward)] = -flux
    S, mets = net.stoichiometric_matrix()
    balance = dict(zip(mets, S @ v))
    assert all(abs(balance[m]) < 1e-12 for m in ["g6p_c", "fdp_c", "g3p_c", "pyr_c", "lac__L_c"])
    targets = [parse_emu("lac__L_c_123"), parse_emu("lac__L_c_1"), parse_emu("pyr_c_23")]
    system = EMUSystem(net.transitions(), targets, net.sources)
    src = source_mids(system.source_emus, [Tracer("glc__D_e", (1, 2), 1.0)], carbons=net.carbons)
    X, _ = system.simulate(v, src)
    np.testing.assert_allclose(system.mid(X, targets[0]), [0.5, 0.0, 0.5, 0.0], atol=1e-8)
    np.testing.assert_allclose(system.mid(X, targets[1]), [1.0, 0.0], atol=1e-8)  # C1 of lactate = C3/C4 of glucose
    np.testing.assert_allclose(system.mid(X, targets[2]), [0.5, 0.0, 0.5], atol=1e-8)
