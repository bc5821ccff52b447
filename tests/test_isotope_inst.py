"""Isotopically non-stationary EMU simulation (INST-MFA) against independent references.

References: a brute-force isotopomer ODE simulator written here (every
positional isotopomer of every pool balanced, integrated by scipy's DOP853 at
rtol 1e-12), finite differences of the simulator itself, fluxasn's stationary
EMU solution as t grows, and x3cflux 3.1.2 (13CFLUX v3) on its ``linea``
example.
"""
from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from _shared import require_shared, shared_root, x3cflux_core
from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.emu import EMUSystem, parse_emu
from fluxasn.isotope.inst import INSTSystem
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer, source_mids

# A branched toy: reversible step, cleavage, condensation, dilution by an unlabelled source.
TOY = {  # id: (atom transition, gross flux in mmol/gDW/h)
    "v1": ("S(ab) -> A(ab)", 1.0),
    "v2f": ("A(ab) -> B(ab)", 1.1),
    "v2b": ("B(ab) -> A(ab)", 0.5),
    "v3": ("B(ab) -> C(a) + D(b)", 0.6),
    "v4": ("A(ab) + C(c) -> E(abc)", 0.4),
    "v5": ("D(a) ->", 0.6),
    "v6": ("E(abc) ->", 0.4),
    "v7": ("Q(a) -> C(a)", 0.2),
    "v8": ("C(a) ->", 0.4),
}
TOY_POOLS = {"A": 2.0, "B": 1.0, "C": 0.5, "D": 3.0, "E": 1.5}  # mmol/gDW
TOY_TRACERS = [Tracer("S", (1,), 0.5), Tracer("S", (1, 2), 0.3)]
TOY_TARGETS = ["E_123", "B_12", "D_1", "C_1", "A_2"]

# Antoniewicz 2007 TCA toy (fluxes of its reference results) with made-up pools:
# a cycle, a condensation and the symmetric succinate/fumarate.
TCA = {
    "v1": ("OAA(abcd) + AcCoA(ef) -> Cit(dcbfea)", 100.0),
    "v2": ("Cit(abcdef) -> AKG(abcde) + CO2(f)", 100.0),
    "v3": ("AKG(abcde) -> Glu(abcde)", 50.0),
    "v4": ("AKG(abcde) -> Suc(bcde) + CO2(a)", 50.0),
    "v5": ("Suc(abcd) -> Fum(abcd,dcba)", 50.0),
    "v6": ("Fum(abcd) -> OAA(abcd)", 125.0),
    "v7": ("OAA(abcd) -> Fum(abcd,dcba)", 75.0),
    "v8": ("Asp(abcd) -> OAA(abcd)", 50.0),
    "v9": ("Glu(abcde) ->", 50.0),
}
TCA_POOLS = {"OAA": 20.0, "Cit": 60.0, "AKG": 15.0, "Suc": 30.0, "Fum": 10.0, "Glu": 200.0}
TCA_TRACERS = [Tracer("AcCoA", (2,), 0.25), Tracer("AcCoA", (1, 2), 0.25)]
TCA_TARGETS = ["Glu_12345", "Fum_1234", "Cit_123456", "OAA_23"]
TIMES = [0.0, 0.05, 0.3, 1.0, 2.5, 6.0]


def _species(side):
    out = []
    for term in side.split("+"):
        if term.strip():
            m = re.match(r"\s*(\w+)\(([a-z,]+)\)\s*", term)
            out.append((m.group(1), m.group(2).split(",")))
    return out


def isotopomer_mids(reactions, pools, inputs, targets, times):
    """Brute force: balances of all 2^n positional isotopomers of every pool.

    ``pools[m] dI_m/dt = sum_producing v_r P_r,m(I) - (sum_consuming v_r) I_m``;
    isotopomer index bit ``i`` is atom ``i+1``; symmetric products split
    equally over their orientations; pools start unlabelled (pure 12C).
    """
    carbons = {}
    for text, _ in reactions.values():
        lhs, rhs = re.split(r"->", text)
        for m, letters in _species(lhs) + _species(rhs):
            carbons[m] = len(letters[0])
    offset, n = {}, 0
    for m in pools:
        offset[m] = n
        n += 2 ** carbons[m]
    compiled = []
    for text, flux in reactions.values():
        lhs, rhs = (_species(s) for s in re.split(r"->", text))
        subs = [(m, ls[0]) for m, ls in lhs]
        combos = list(itertools.product(*[range(2 ** len(ls)) for _, ls in subs]))
        prods = []
        for m, orients in rhs:
            if m not in pools:
                continue
            for letters in orients:  # product isotopomer of every substrate combination
                idx = []
                for combo in combos:
                    bit = {}
                    for (_, sl), iso in zip(subs, combo):
                        for j, letter in enumerate(sl):
                            bit[letter] = (iso >> j) & 1
                    idx.append(sum(bit[letter] << j for j, letter in enumerate(letters)))
                prods.append((m, np.array(idx), 1.0 / len(orients)))
        compiled.append((flux, subs, prods))

    def rhs(t, y):
        iso = {m: y[offset[m]:offset[m] + 2 ** carbons[m]] for m in pools}
        iso.update(inputs)
        dy = np.zeros_like(y)
        for flux, subs, prods in compiled:
            joint = np.ones(1)
            for m, _ in subs:
                joint = np.outer(joint, iso[m]).ravel()
                if m in pools:
                    dy[offset[m]:offset[m] + 2 ** carbons[m]] -= flux * iso[m]
            for m, idx, w in prods:
                dy[offset[m]:offset[m] + 2 ** carbons[m]] += w * flux * np.bincount(
                    idx, weights=joint, minlength=2 ** carbons[m])
        for m in pools:
            dy[offset[m]:offset[m] + 2 ** carbons[m]] /= pools[m]
        return dy

    y0 = np.zeros(n)
    for m in pools:
        y0[offset[m]] = 1.0
    sol = solve_ivp(rhs, (0.0, times[-1]), y0, method="DOP853", t_eval=times, rtol=1e-12, atol=1e-14)
    out = {}
    for name in targets:
        m, pos = parse_emu(name)
        mid = np.zeros((len(times), len(pos) + 1))
        for iso in range(2 ** carbons[m]):
            mid[:, sum((iso >> p) & 1 for p in pos)] += sol.y[offset[m] + iso]
        out[name] = mid
    return out


def isotopomer_input(carbons, tracers):
    """Isotopomer distribution of a source from its tracer species (rest unlabelled)."""
    d = np.zeros(2 ** carbons)
    d[0] = 1.0 - sum(t.fraction for t in tracers)
    for t in tracers:
        d[sum(1 << (p - 1) for p in t.positions)] += t.fraction
    return d


def build(reactions, sources, targets, **kw):
    net = LabelingNetwork("test", symmetric=())
    for rid, (text, _) in reactions.items():
        net.add_reaction(rid, text)
    net.sources = set(sources)
    v = np.array([reactions[f.id][1] for f in net.fluxes])
    system = INSTSystem(net.transitions(), [parse_emu(t) for t in targets], net.sources, **kw)
    return net, system, v


def packed(system, net, tracers, natural=0.0):
    return system.pack(source_mids(system.emu.source_emus, tracers, carbons=net.carbons, natural_13c=natural))


def toy(**kw):
    net, system, v = build(TOY, {"S", "Q"}, TOY_TARGETS, pool_unit="mmol/gDW", **kw)
    pools = np.array([TOY_POOLS.get(p, 1.5) for p in system.pool_ids])
    return net, system, v, pools, packed(system, net, TOY_TRACERS), packed(system, net, [])


def test_toy_network_matches_the_isotopomer_ode():
    net, system, v, pools, lab, unl = toy()
    mids, _, info = system.simulate(v, pools, lab, unl, TIMES + [24.0], tol=1e-11)
    ref = isotopomer_mids(TOY, TOY_POOLS, {"S": isotopomer_input(2, TOY_TRACERS), "Q": np.array([1.0, 0.0])},
                          TOY_TARGETS, TIMES + [24.0])
    worst = max(np.abs(mids[parse_emu(t)] - ref[t]).max() for t in TOY_TARGETS)
    assert worst < 1e-8, worst
    assert info["steps"] < 200


def test_tca_cycle_with_symmetric_fumarate_matches_the_isotopomer_ode():
    net, system, v = build(TCA, {"AcCoA", "Asp"}, TCA_TARGETS, pool_unit="umol/gDW", flux_unit="mmol/gDW/h")
    # pools in umol/gDW and fluxes in mmol/gDW/h: the ODE pools are 1e-3 x the values
    pools = np.array([TCA_POOLS[p] for p in system.pool_ids])
    times = [0.0, 1e-4, 5e-4, 2e-3, 1e-2]
    mids, _, _ = system.simulate(v, pools, packed(system, net, TCA_TRACERS), packed(system, net, []), times,
                                 tol=1e-11)
    ref = isotopomer_mids(TCA, {m: 1e-3 * p for m, p in TCA_POOLS.items()},
                          {"AcCoA": isotopomer_input(2, TCA_TRACERS), "Asp": isotopomer_input(4, [])},
                          TCA_TARGETS, times)
    worst = max(np.abs(mids[parse_emu(t)] - ref[t]).max() for t in TCA_TARGETS)
    assert worst < 1e-8, worst
    assert mids[parse_emu("Glu_12345")][-1, 0] < 0.9  # labelled by the end: the test sees the transient


def test_sensitivities_match_central_differences():
    net, system, v, pools, lab, unl = toy()
    nf, npool = v.size, pools.size
    dv = np.hstack([np.eye(nf), np.zeros((nf, npool))])
    dp = np.hstack([np.zeros((npool, nf)), np.eye(npool)])
    times = [0.0, 0.3, 2.0, 8.0]
    _, dmids, _ = system.simulate(v, pools, lab, unl, times, dv=dv, dpools=dp, tol=1e-10)
    worst, eps = 0.0, 1e-6
    for j in range(nf + npool):
        up = system.simulate(v + eps * dv[:, j], pools + eps * dp[:, j], lab, unl, times, tol=1e-10)[0]
        down = system.simulate(v - eps * dv[:, j], pools - eps * dp[:, j], lab, unl, times, tol=1e-10)[0]
        for t in TOY_TARGETS:
            e = parse_emu(t)
            worst = max(worst, np.abs((up[e] - down[e]) / (2 * eps) - dmids[e][:, j, :]).max())
    largest = max(np.abs(d).max() for d in dmids.values())
    assert largest > 0.1  # the check is not vacuous
    assert worst < 1e-7, worst


def test_long_times_converge_to_the_stationary_solution():
    net, system, v, pools, lab, unl = toy()
    stationary = EMUSystem(net.transitions(), [parse_emu(t) for t in TOY_TARGETS], net.sources)
    X, _ = stationary.simulate(v, lab)
    mids, _, _ = system.simulate(v, pools, lab, unl, [1.0, 1000.0], tol=1e-10)
    gap_1h = max(np.abs(mids[parse_emu(t)][0] - stationary.mid(X, parse_emu(t))).max() for t in TOY_TARGETS)
    gap = max(np.abs(mids[parse_emu(t)][1] - stationary.mid(X, parse_emu(t))).max() for t in TOY_TARGETS)
    assert gap_1h > 1e-2 and gap < 1e-8, (gap_1h, gap)


def test_quasi_steady_metabolite_is_the_limit_of_a_small_pool():
    net, system, v, pools, lab, unl = toy(quasi_steady=["C"])
    assert "C" not in system.pool_ids
    mids, _, _ = system.simulate(v, pools, lab, unl, TIMES, tol=1e-10)
    _, small, _, pools_all, _, _ = toy()
    pools_all[small.pool_ids.index("C")] = 1e-7
    ref, _, _ = small.simulate(v, pools_all, lab, unl, TIMES, tol=1e-10)
    worst = max(np.abs(mids[parse_emu(t)][1:] - ref[parse_emu(t)][1:]).max() for t in TOY_TARGETS)
    assert worst < 1e-6, worst


def test_shared_pool_is_one_parameter():
    net, system, v, pools, lab, unl = toy(pools={"A": "AB", "B": "AB"})
    assert system.pool_ids == ["AB", "C", "D", "E"]
    _, separate, _, _, _, _ = toy()
    same = np.array([{"A": 1.5, "B": 1.5}.get(p, TOY_POOLS.get(p)) for p in separate.pool_ids])
    shared = np.array([1.5 if p == "AB" else TOY_POOLS[p] for p in system.pool_ids])
    a, _, _ = system.simulate(v, shared, lab, unl, TIMES)
    b, _, _ = separate.simulate(v, same, lab, unl, TIMES)
    assert max(np.abs(a[e] - b[e]).max() for e in a) < 1e-12


def test_simulate_refuses_bad_pools_and_times():
    net, system, v, pools, lab, unl = toy()
    bad = pools.copy()
    bad[1] = 0.0
    with pytest.raises(FluxasnInputError, match="pool size must be > 0") as err:
        system.simulate(v, bad, lab, unl, TIMES)
    assert err.value.identifier == system.pool_ids[1]
    with pytest.raises(FluxasnInputError, match="sorted"):
        system.simulate(v, pools, lab, unl, [0.0, 2.0, 1.0])
    with pytest.raises(FluxasnInputError, match="sorted"):
        system.simulate(v, pools, lab, unl, [-1.0, 2.0])


# -- x3cflux (13CFLUX v3) --------------------------------------------------------------
LINEA_TIMES = [0.0, 0.1, 0.25, 0.5, 0.75, 1.0]


def linea_x3c_pair(core, path):
    """x3cflux's simulator of linea.fml and fluxasn's same network, fluxes and pools.

    ``free``: v3 net, v2 exchange (13CFLUX: backward = x), pools B, A. fluxasn's
    network, by hand: S -> A <-> B ->, input S 90 % [1-13C]; x3cflux starts every
    pool at natural abundance (1.109 % 13C) and the unlabelled input is pure 12C.
    """
    sim = core.create_simulator_from_fml(str(path), "default", "emu")
    free = np.array([1.0, 0.5, 3.0, 2.0])
    net = LabelingNetwork("linea")
    net.add_reaction("v1", "S(a) -> A(a)")
    net.add_reaction("v2", "A(a) <-> B(a)")
    net.add_reaction("v3", "B(a) ->")
    net.sources = {"S"}
    v = np.array([{"v1": 1.0, "v2.f": 1.5, "v2.b": 0.5, "v3": 1.0}[f.id] for f in net.fluxes])
    system = INSTSystem(net.transitions(), [parse_emu("A_1"), parse_emu("B_1")], {"S"}, pool_unit="mmol/gDW")
    pools = np.array([{"A": 2.0, "B": 3.0}[p] for p in system.pool_ids])
    return (sim, free, system, v, pools, packed(system, net, [Tracer("S", (1,), 0.9)]),
            packed(system, net, [], natural=0.01109))


def test_linea_matches_x3cflux():
    path = require_shared("c13", "13cflux_v3_examples", "models", "linea.fml")
    core = x3cflux_core()
    sim, free, system, v, pools, lab, unl = linea_x3c_pair(core, path)
    assert sim.parameter_space.free_parameter_names == ["v3.n", "v2.x", "B", "A"]
    times = LINEA_TIMES
    mids, _, _ = system.simulate(v, pools, lab, unl, times, tol=1e-11)
    # 1) the public API at its default settings (CVODE, rtol 1e-6)
    ref = sim.compute_measurements(free, times)[0]
    names = sim.measurement_names[0]
    got = {"MS_A": mids[parse_emu("A_1")], "MS_B": mids[parse_emu("B_1")]}
    default = max(np.abs(np.array(ref[i * len(times):(i + 1) * len(times)]) - got[name]).max()
                  for i, name in enumerate(names))
    assert default < 1e-6, default
    # 2) the cascade solved at rtol 1e-12 (its spline spans the configured times, up to 1 h)
    sim.builder.set_solver(core.MatrixLinearCVODESolver(100, 1e-12, 1e-15, 100000))
    spline = sim.builder.build(sim.parameter_space.compute_parameters(free)).solve()[0]
    states = np.array([np.asarray(spline(t)) for t in times])  # (time, EMU row, mass)
    rows = [int(np.argmin([np.abs(states[:, r] - got[n]).max() for r in range(2)])) for n in ("MS_A", "MS_B")]
    assert sorted(rows) == [0, 1]
    tight = max(np.abs(states[:, r] - got[n]).max() for r, n in zip(rows, ("MS_A", "MS_B")))
    assert tight < 1e-9, tight


# The TCA toy with uptake steps (x3cflux wants substrate pools to enter by their own
# reaction), irreversible (no symmetric fumarate: FluxML has no orientation list), with pools.
TCA_X3C = {
    "v1": ("OAA(abcd) + AcCoA(ef) -> Cit(dcbfea)", 100.0),
    "v2": ("Cit(abcdef) -> AKG(abcde) + CO2(f)", 100.0),
    "v3": ("AKG(abcde) -> Glu(abcde)", 50.0),
    "v4": ("AKG(abcde) -> Suc(bcde) + CO2(a)", 50.0),
    "v5": ("Suc(abcd) -> Fum(abcd)", 50.0),
    "v6": ("Fum(abcd) -> OAA(abcd)", 125.0),
    "v7": ("OAA(abcd) -> Fum(abcd)", 75.0),
    "v8": ("Asp(abcd) -> OAA(abcd)", 50.0),
    "v9": ("Glu(abcde) ->", 50.0),
    "v10": ("CO2(a) ->", 150.0),
    "u1": ("AcCoAx(ab) -> AcCoA(ab)", 100.0),
    "u2": ("Aspx(abcd) -> Asp(abcd)", 50.0),
}
TCA_X3C_POOLS = {"OAA": 0.02, "Cit": 0.06, "AKG": 0.015, "Suc": 0.03, "Fum": 0.01, "Glu": 0.2, "CO2": 0.05,
                 "AcCoA": 0.005, "Asp": 0.04}  # mmol/gDW
TCA_X3C_GROUPS = {"g_glu": ("Glu#M0,1,2,3,4,5", "Glu_12345"), "g_fum": ("Fum#M0,1,2,3,4", "Fum_1234"),
                  "g_cit": ("Cit#M0,1,2,3,4,5,6", "Cit_123456"), "g_oaa": ("OAA[2,3]#M0,1,2", "OAA_23")}
TCA_X3C_TIMES = [0.0, 0.0005, 0.002, 0.005, 0.01]  # h


def fluxml_text(reactions, inputs, groups, times):
    """FluxML (13CFLUX letter notation) of an irreversible network with a non-stationary configuration.

    ``inputs``: source -> [(cfg, fraction)] (cfg character i = atom i+1); ``groups``: id -> MS spec.
    """
    carbons, rx = {}, []
    for rid, (text, _) in reactions.items():
        lhs, rhs = text.split("->")
        subs = [(m, ls[0]) for m, ls in _species(lhs)]
        prods = [(m, ls[0]) for m, ls in _species(rhs)]
        for m, letters in subs + prods:
            carbons[m] = len(letters)
        rx.append((rid, subs, prods))
    out = ['<fluxml xmlns="http://www.13cflux.net/fluxml">', "<reactionnetwork>", "<metabolitepools>"]
    out += [f'<pool id="{m}" atoms="{n}"/>' for m, n in carbons.items()]
    out.append("</metabolitepools>")
    for rid, subs, prods in rx:
        out.append(f'<reaction id="{rid}" bidirectional="false">')
        out += [f'<reduct id="{m}" cfg="{letters}"/>' for m, letters in subs]
        out += [f'<rproduct id="{m}" cfg="{letters}"/>' for m, letters in prods]
        out.append("</reaction>")
    out += ["</reactionnetwork>", '<configuration name="default" stationary="false">']
    for met, labels in inputs.items():
        out.append(f'<input pool="{met}" type="isotopomer">')
        out += [f'<label cfg="{cfg}">{x}</label>' for cfg, x in labels]
        out.append("</input>")
    stamps = ",".join(str(t) for t in times)
    out.append("<measurement><model><labelingmeasurement>")
    out += [f'<group id="{g}" times="{stamps}"><textual>{spec}</textual></group>' for g, spec in groups.items()]
    out.append("</labelingmeasurement></model><data>")
    for g, spec in groups.items():
        for t in times:
            out += [f'<datum id="{g}" stddev="0.01" weight="{k}" time="{t}">0.1</datum>'
                    for k in spec.split("#M")[1].split(",")]
    out.append('</data></measurement><simulation method="emu"></simulation></configuration></fluxml>')
    return "\n".join(out)


def tca_x3c_pair(core, folder):
    """(x3cflux simulator, its free parameters, fluxasn system, fluxes, pools, inputs) of TCA_X3C."""
    path = folder / "tca_inst.fml"
    inputs = {"AcCoAx": [("00", 0.5), ("01", 0.25), ("11", 0.25)], "Aspx": [("0000", 1.0)]}
    path.write_text(fluxml_text(TCA_X3C, inputs, {g: s for g, (s, _) in TCA_X3C_GROUPS.items()}, TCA_X3C_TIMES))
    sim = core.create_simulator_from_fml(str(path), "default", "emu")
    space = sim.parameter_space
    want = {f"{r}.n": f for r, (_, f) in TCA_X3C.items()}
    want.update({f"{r}.x": 0.0 for r in TCA_X3C})
    want.update(TCA_X3C_POOLS)
    free = np.array([want[n] for n in space.free_parameter_names])
    full = dict(zip(space.parameter_names, space.compute_parameters(free)))
    assert max(abs(full[n] - want[n]) for n in space.parameter_names) < 1e-12
    net, system, v = build(TCA_X3C, {"AcCoAx", "Aspx"}, [e for _, e in TCA_X3C_GROUPS.values()],
                           pool_unit="mmol/gDW")
    pools = np.array([TCA_X3C_POOLS[p] for p in system.pool_ids])
    lab = packed(system, net, [Tracer("AcCoAx", (2,), 0.25), Tracer("AcCoAx", (1, 2), 0.25)])
    return sim, free, system, v, pools, lab, packed(system, net, [], natural=0.01109)


def test_tca_toy_matches_x3cflux(tmp_path):
    core = x3cflux_core()
    sim, free, system, v, pools, lab, unl = tca_x3c_pair(core, tmp_path)
    mids, _, _ = system.simulate(v, pools, lab, unl, TCA_X3C_TIMES, tol=1e-10)
    ref = sim.compute_measurements(free, TCA_X3C_TIMES)[0]
    nt = len(TCA_X3C_TIMES)
    worst = max(np.abs(np.array(ref[i * nt:(i + 1) * nt]) - mids[parse_emu(TCA_X3C_GROUPS[g][1])]).max()
                for i, g in enumerate(sim.measurement_names[0]))
    assert worst < 1e-6, worst
    assert mids[parse_emu("Cit_123456")][-1, 0] < 0.8  # well into the transient


# The E. coli network of 13CFLUX v3 (EC.fml, INCA 2.3's model), configuration a_INST. fluxasn's
# FluxML reader does not read its "C#i@k" atom notation yet, so the transitions are converted here.
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def fluxml_v3_transitions(path, configuration):
    """(reactions, inputs, groups) of a FluxML v3 file.

    reactions: ``(ids, bidirectional, text)`` with fluxasn transition text (None without atoms on
    both sides); token ``C#i@k`` of a product is atom i of reduct k as listed; a reduct or product
    with ``<variant>``s (symmetric) makes every combination one product orientation, equally
    weighted, which is how 13CFLUX splits the reaction into ``id___1``, ``id___2``, ...
    inputs: pool -> [(cfg, fraction, purity or None)]; groups: id -> (MS spec, times).
    """
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    ns = root.tag.split("}")[0] + "}"
    out = []
    for r in root.iter(ns + "reaction"):
        def side(tag):
            return [(e.get("id"), [v.get("cfg").split() for v in e.findall(ns + "variant")]
                     or [(e.get("cfg") or "").split()]) for e in r.findall(ns + tag)]
        subs, prods = side("reduct"), side("rproduct")
        text = None
        if subs and prods and all(v[0] for _, v in subs + prods):
            letter, n, left = {}, 0, []
            for k, (m, variants) in enumerate(subs, start=1):
                left.append(f"{m}({_LETTERS[n:n + len(variants[0])]})")
                letter.update({(k, p): _LETTERS[n + p] for p in range(len(variants[0]))})
                n += len(variants[0])
            combos = list(itertools.product(*[range(len(v)) for _, v in subs]))
            assert len(combos) == 1 or len(prods) == 1, "reduct variants with several products"
            right = []
            for m, variants in prods:
                orients = []
                for combo in combos:
                    for pv in variants:
                        word = ""
                        for tok in pv:
                            i, k = (int(x) for x in re.match(r"C#(\d+)@(\d+)$", tok).groups())
                            word += letter[(k, subs[k - 1][1][combo[k - 1]].index(f"C#{i}@{k}"))]
                        orients.append(word)
                right.append(f"{m}({','.join(orients)})")
            text = " + ".join(left) + " -> " + " + ".join(right)
        out.append((r.get("id").split(), r.get("bidirectional", "true") != "false", text))
    conf = next(c for c in root.iter(ns + "configuration") if c.get("name") == configuration)
    inputs = {i.get("pool"): [(l.get("cfg"), float(l.text), l.get("purity")) for l in i.findall(ns + "label")]
              for i in conf.findall(ns + "input")}
    groups = {g.get("id"): (g.find(ns + "textual").text.strip(), [float(t) for t in g.get("times").split(",")])
              for g in conf.iter(ns + "group")}
    return out, inputs, groups


def ec_pair(core):
    """x3cflux's and fluxasn's simulation of EC.fml a_INST at x3cflux's initial parameters."""
    from fluxasn.isotope.atommap import parse_transition

    path = require_shared("c13", "13cflux_v3_examples", "models", "EC.fml")
    reactions, inputs, groups = fluxml_v3_transitions(path, "a_INST")
    sim = core.create_simulator_from_fml(str(path), "a_INST", "emu")
    space = sim.parameter_space
    free = np.asarray(sim.initial_parameters)
    full = dict(zip(space.parameter_names, space.compute_parameters(free)))
    transitions, v = [], []
    for ids, bidirectional, text in reactions:
        if text is None:  # uptake, efflux, biomass: no atoms produced (EMU balances use production)
            continue
        nets, xs = [full[i + ".n"] for i in ids], [full[i + ".x"] for i in ids]
        assert np.ptp(nets) < 1e-12 and np.ptp(xs) < 1e-12  # 13CFLUX's variants carry equal shares
        net, xch = sum(nets), sum(xs) if bidirectional else 0.0
        t = parse_transition(text, reaction=ids[0])
        transitions.append((len(v), t))  # 13CFLUX: forward = x + max(n, 0), backward = x - min(n, 0)
        v.append(xch + max(net, 0.0) if bidirectional else net)
        if bidirectional:
            transitions.append((len(v), t.reverse(set())))
            v.append(xch - min(net, 0.0))
    carbons = {m.name: m.num_atoms for m in sim.network_data.metabolites}
    targets = {}
    for gid, (spec, times) in groups.items():
        met, atoms, masses = re.match(r"^(\w+)(?:\[([\d,\-]+)\])?#M([\d,]+)$", spec).groups()
        pos = []
        for part in (atoms or f"1-{carbons[met]}").split(","):
            a, _, b = part.partition("-")
            pos += range(int(a), int(b or a) + 1)
        targets[gid] = ((met, tuple(p - 1 for p in pos)), [int(k) for k in masses.split(",")], times)
    system = INSTSystem(transitions, [e for e, _, _ in targets.values()], set(inputs), pool_unit="mmol/gDW")
    pools = np.array([full[p] for p in system.pool_ids])
    # x3cflux: labels with a purity attribute carry natural 13C (1.055 %) at their unlabelled
    # positions, and every pool starts at natural abundance (1.109 %): both measured with
    # x3cflux on one-reaction FluxML files (scripts/bench_inst.py prints them)
    assert all(p is not None for labels in inputs.values() for _, _, p in labels)
    tracers = [Tracer(m, tuple(i + 1 for i, ch in enumerate(cfg) if ch == "1"), x, float(p))
               for m, labels in inputs.items() for cfg, x, p in labels if "1" in cfg]
    lab = system.pack(source_mids(system.emu.source_emus, tracers, carbons=carbons, natural_13c=0.01055))
    unl = system.pack(source_mids(system.emu.source_emus, [], carbons=carbons, natural_13c=0.01109))
    return sim, free, system, np.array(v), pools, lab, unl, targets


def test_ecoli_a_inst_matches_x3cflux():
    core = x3cflux_core()
    sim, free, system, v, pools, lab, unl, targets = ec_pair(core)
    assert sum(lev.k for lev in system.emu.levels.values()) > 300  # a genome-scale-like cascade
    times = sorted({t for _, _, ts in targets.values() for t in ts})
    mids, _, _ = system.simulate(v, pools, lab, unl, times, tol=1e-7)
    sim.builder.set_solver(core.MatrixLinearCVODESolver(100, 1e-10, 1e-13, 1000000))
    ref = sim.compute_measurements(free, [])[0]
    got = [mids[e][times.index(t)][masses] for g in sim.measurement_names[0]
           for e, masses, ts in [targets[g]] for t in ts]
    assert len(got) == len(ref) == 297
    worst = max(np.abs(np.asarray(r) - x).max() for r, x in zip(ref, got))
    assert worst < 1e-6, worst
    assert min(x[0] for x in got) < 0.5  # labelled well beyond natural abundance


# -- fitting ---------------------------------------------------------------------------
SAMPLES = [0.0, 1.0, 4.0, 8.0, 24.0]  # h, the protocol's time points
SD = 0.005


def toy_fit_problem(seed, *, g_e=None, dilution=()):
    """The toy with synthetic MIDs (fixed-seed noise, sd 0.005) and pools measured with 10 % sd.

    ``g_e``: the measured E pool is that fraction of the network's E, the rest unlabelled.
    """
    from fluxasn.isotope.inst import INSTProblem, Pool, TimeCourse
    from fluxasn.isotope.measurements import MIDMeasurement

    net, system, v, pools, lab, unl = toy()
    truth, _, _ = system.simulate(v, pools, lab, unl, SAMPLES, tol=1e-11)
    rng = np.random.default_rng(seed)
    mids = []
    for i, t in enumerate(SAMPLES):
        for name in TOY_TARGETS:
            e = parse_emu(name)
            x = truth[e][i]
            if g_e is not None and name == "E_123":
                x = g_e * x + (1 - g_e) * np.eye(x.size)[0]
            x = x + rng.normal(0.0, SD, x.size)
            mids.append((t, MIDMeasurement(name, e, x, np.full(x.size, SD), tolerance=0.1)))
    measured = {m: Pool(m, TOY_POOLS[m] * (1 + 0.1 * rng.normal()), sd=0.1 * TOY_POOLS[m]) for m in TOY_POOLS}
    problem = INSTProblem(net, [TimeCourse("toy", TOY_TRACERS, mids)], pools=measured, fixed={"v1": 1.0},
                          pool_unit="mmol/gDW", dilution=dilution)
    return problem, net, v


def test_fit_recovers_fluxes_and_pools_within_their_intervals():
    from fluxasn.isotope.inst import fit_inst

    problem, net, v = toy_fit_problem(seed=7)
    result = fit_inst(problem, n_starts=1, start=problem.start())
    assert result.starts[0][1]  # converged
    assert result.chi2_ok, (result.ssr, result.chi2_range)
    assert result.dof == 5 * 13 + 5 - 8  # 65 MID values + 5 measured pools - 3 free fluxes - 5 pools
    for name, (value, lo, hi) in result.fluxes.items():
        true = float(net.flux_vector(name) @ v)
        assert lo - 1e-9 <= true <= hi + 1e-9, (name, true, lo, hi)
        if name not in ("v1",):
            assert hi - lo < 0.5  # informative
    for pid, (value, lo, hi) in result.pools.items():
        assert lo <= TOY_POOLS[pid] <= hi, (pid, TOY_POOLS[pid], lo, hi)


# -- tables and bad input --------------------------------------------------------------
MS_HEADER = "experiment_id,met_id,ms_id,labelled_atom_ids,mass_isotope,intensity,intensity_std_error,time\n"


def write_time_course(path, rows):
    path.write_text(MS_HEADER + "".join(
        f'{e},{m},{f},"{atoms}",{k},{x},{sd},{t}\n' for e, m, f, atoms, k, x, sd, t in rows))
    return path


def toy_table_rows(seed=3):
    net, system, v, pools, lab, unl = toy()
    truth, _, _ = system.simulate(v, pools, lab, unl, SAMPLES, tol=1e-10)
    rows = []
    for name in ("C_1", "E_123"):
        met, pos = parse_emu(name)
        for i, t in enumerate(SAMPLES):
            for k, x in enumerate(truth[(met, pos)][i]):
                rows.append(("exp1", met, f"{met}_frag", [p + 1 for p in pos], k, repr(float(x)), 0.005, t))
    return rows, truth


def test_time_course_table_is_read_by_fragment_and_time(tmp_path):
    from fluxasn.isotope.inst import read_time_course_mids

    rows, truth = toy_table_rows()
    data = read_time_course_mids(write_time_course(tmp_path / "ms.csv", rows))
    assert list(data) == ["exp1"]
    got = data["exp1"]
    assert [(t, m.id) for t, m in got] == [(t, f) for f in ("C_frag", "E_frag") for t in SAMPLES]
    t, m = got[7]  # E at 4 h
    assert t == 4.0 and m.emu == ("E", (0, 1, 2)) and m.line == 2 + 2 * 5 + 4 * 2
    assert np.allclose(m.mid, truth[("E", (0, 1, 2))][2], atol=1e-15)


def test_time_course_table_refuses_negative_and_unsorted_times(tmp_path):
    from fluxasn.isotope.inst import read_time_course_mids

    rows, _ = toy_table_rows()
    bad = list(rows)
    bad[4] = bad[4][:7] + (-1.0,)  # C_frag, M+0, fourth line of data
    path = write_time_course(tmp_path / "neg.csv", bad)
    with pytest.raises(FluxasnInputError, match=r"neg\.csv, line 6, 'C_frag': time must be >= 0"):
        read_time_course_mids(path)
    swapped = rows[:2] + rows[4:6] + rows[2:4] + rows[6:]  # 4 h before 1 h for C_frag
    path = write_time_course(tmp_path / "unsorted.csv", swapped)
    with pytest.raises(FluxasnInputError, match=r"unsorted\.csv, line 6, 'C_frag': times are not sorted: 1\.0 h "
                                                 r"after 4\.0 h on line 5"):
        read_time_course_mids(path)


def test_pool_table_refuses_a_pool_size_at_or_below_zero(tmp_path):
    from fluxasn.isotope.inst import read_pool_sizes

    path = tmp_path / "pools.csv"
    path.write_text("pool_id,value,sd,status,unit,metabolites\nA,2,0.2,measured,mmol/gDW,\n"
                    "BC,0,,fitted,mmol/gDW,B;C\n")
    with pytest.raises(FluxasnInputError, match=r"pools\.csv, line 3, 'BC': pool size must be > 0"):
        read_pool_sizes(path)
    path.write_text("pool_id,value,sd,status,unit,metabolites\nA,2,0.2,measured,mmol/gDW,\n"
                    "BC,1.5,,fitted,mmol/gDW,B;C\n")
    table = read_pool_sizes(path)
    assert table.pool_of == {"A": "A", "B": "BC", "C": "BC"} and table.unit == "mmol/gDW"
    assert table.pools["A"].sd == 0.2 and not table.pools["BC"].fixed


def test_problem_refuses_a_missing_pool_and_a_time_beyond_the_horizon(tmp_path):
    from fluxasn.isotope.inst import INSTProblem, TimeCourse, read_pool_sizes, read_time_course_mids

    rows, _ = toy_table_rows()
    mids = read_time_course_mids(write_time_course(tmp_path / "ms.csv", rows))["exp1"]
    pools = tmp_path / "pools.csv"
    pools.write_text("pool_id,value,sd,status,unit\nA,2,,fixed,mmol/gDW\nB,1,,fixed,mmol/gDW\n"
                     "C,0.5,,fitted,mmol/gDW\n")  # E has no pool (D is not needed for C_1, E_123)
    table = read_pool_sizes(pools)
    net, _, _ = build(TOY, {"S", "Q"}, TOY_TARGETS)
    exp = TimeCourse("exp1", TOY_TRACERS, mids)
    with pytest.raises(FluxasnInputError, match=r"pools\.csv, 'E': the time-course fit needs the pool size of E"):
        INSTProblem(net, [exp], pools=table.pools, pool_of=table.pool_of, pool_unit=table.unit, fixed={"v1": 1.0})
    with pytest.raises(FluxasnInputError, match=r"ms\.csv, line 10, 'C_frag': MID at 24\.0 h lies outside the "
                                                r"simulated range \[0, 10\.0\] h"):
        INSTProblem(net, [exp], pools=table.pools, pool_of=table.pool_of, pool_unit=table.unit, horizon=10.0)
    table.pools["E"] = __import__("fluxasn.isotope.inst", fromlist=["Pool"]).Pool("E", 1.5, fixed=True)
    problem = INSTProblem(net, [exp], pools=table.pools, pool_of=table.pool_of, pool_unit=table.unit,
                          fixed={"v1": 1.0})
    assert problem.system.pool_ids == ["A", "B", "C", "E"] and problem.p == 3 + 1


def test_profile_interval_of_a_pool_agrees_with_the_linearized_one():
    from fluxasn.isotope.inst import fit_inst, profile_inst

    problem, net, v = toy_fit_problem(seed=7)
    result = fit_inst(problem, n_starts=1)
    profile = profile_inst(problem, result.theta, "E", ssr_min=result.ssr)
    assert profile.lower_found and profile.upper_found
    value, lo, hi = result.pools["E"]
    # each bound is where the refitted SSR has risen by chi2.ppf(0.95, 1) = 3.84
    ssr_at = {p.value: p.ssr for p in profile.points if p.converged}
    assert not profile.unconverged
    for bound in (profile.lower, profile.upper):
        nearest = min(ssr_at, key=lambda t: abs(t - bound))
        assert abs(ssr_at[nearest] - result.ssr - 3.841) < 0.05
    # the toy is nearly linear around its optimum: both intervals agree to a tenth of their width
    assert abs(profile.lower - lo) < 0.1 * (hi - lo) and abs(profile.upper - hi) < 0.1 * (hi - lo)
    assert profile.lower <= TOY_POOLS["E"] <= profile.upper


def test_sparse_levels_give_the_dense_results(monkeypatch):
    """Levels above emu._DENSE_LIMIT EMUs take the sparse path; force it on the toy and compare."""
    import fluxasn.isotope.emu as emu_module

    net, dense, v, pools, lab, unl = toy()
    monkeypatch.setattr(emu_module, "_DENSE_LIMIT", 0)
    _, sparse, _, _, lab_s, unl_s = toy()
    assert all(not lev.dense for lev in sparse.emu.levels.values() if lev.k)
    nf, npool = v.size, pools.size
    dv = np.hstack([np.eye(nf), np.zeros((nf, npool))])
    dp = np.hstack([np.zeros((npool, nf)), np.eye(npool)])
    a, da, _ = dense.simulate(v, pools, lab, unl, TIMES, dv=dv, dpools=dp, tol=1e-10)
    b, db, _ = sparse.simulate(v, pools, lab_s, unl_s, TIMES, dv=dv, dpools=dp, tol=1e-10)
    assert max(np.abs(a[e] - b[e]).max() for e in a) < 1e-12
    assert max(np.abs(da[e] - db[e]).max() for e in a) < 1e-10


def test_g_value_recovers_the_dilution_of_a_measured_pool():
    from fluxasn.isotope.inst import fit_inst

    problem, net, v = toy_fit_problem(seed=11, g_e=0.7, dilution=["E_123"])
    result = fit_inst(problem, n_starts=1)
    value, lo, hi = result.dilution["G[toy:E_123]"]
    assert lo <= 0.7 <= hi and hi - lo < 0.1, (value, lo, hi)
    assert result.chi2_ok
    for name, (value, lo, hi) in result.fluxes.items():
        assert lo - 1e-9 <= float(net.flux_vector(name) @ v) <= hi + 1e-9, name
    # the same data without the G-value: the chi-square test rejects the fit
    undiluted, _, _ = toy_fit_problem(seed=11, g_e=0.7)
    assert not fit_inst(undiluted, n_starts=1).chi2_ok


def test_problem_jacobian_matches_central_differences():
    """Residual Jacobian in (free fluxes, pools, G-value), measured pools included."""
    problem, _, _ = toy_fit_problem(seed=11, g_e=0.7, dilution=["E_123"])
    problem.tol = 1e-10
    theta = problem.start()
    theta[-1] = 0.8
    r, J, _ = problem.residuals(theta)
    fd = np.empty_like(J)
    for j in range(theta.size):
        step = 1e-6 * max(1.0, abs(theta[j]))
        up, down = theta.copy(), theta.copy()
        up[j] += step
        down[j] -= step
        fd[:, j] = (problem.residuals(up, jac=False)[0] - problem.residuals(down, jac=False)[0]) / (2 * step)
    assert J.shape == (problem.n_res, 3 + 5 + 1)
    assert np.abs(J - fd).max() < 1e-5 * np.abs(J).max(), np.abs(J - fd).max()


def test_parallel_time_courses_and_a_measured_flux_are_fitted_jointly():
    """Two tracers ([1-13C] and [U-13C] S, sampled at different times) and a measured v7."""
    from fluxasn.isotope.inst import INSTProblem, Pool, TimeCourse, fit_inst
    from fluxasn.isotope.measurements import FluxMeasurement, MIDMeasurement

    net, system, v, pools, _, unl = toy()
    rng = np.random.default_rng(5)
    courses = []
    for name, tracers, times in (("one", [Tracer("S", (1,), 1.0)], [0.5, 2.0, 6.0]),
                                 ("U", [Tracer("S", (1, 2), 1.0)], [1.0, 3.0, 10.0, 24.0])):
        truth, _, _ = system.simulate(v, pools, packed(system, net, tracers), unl, times, tol=1e-11)
        mids = [(t, MIDMeasurement(f, parse_emu(f), truth[parse_emu(f)][i] + rng.normal(0, SD, len(parse_emu(f)[1]) + 1),
                                   SD, tolerance=0.1))
                for i, t in enumerate(times) for f in ("E_123", "B_12", "D_1", "C_1")]
        courses.append(TimeCourse(name, tracers, mids))
    measured = {m: Pool(m, TOY_POOLS[m] * (1 + 0.1 * rng.normal()), sd=0.1 * TOY_POOLS[m]) for m in TOY_POOLS}
    problem = INSTProblem(net, courses, pools=measured, fixed={"v1": 1.0}, pool_unit="mmol/gDW",
                          fluxes=[FluxMeasurement("v7", 0.2 + 0.02 * rng.normal(), 0.02)])
    assert problem.n_res == 3 * 11 + 4 * 11 + 1 + 5  # MID values, the measured flux, the measured pools
    result = fit_inst(problem, n_starts=1)
    assert result.chi2_ok and result.starts[0][1]
    for name, (value, lo, hi) in result.fluxes.items():
        assert lo - 1e-9 <= float(net.flux_vector(name) @ v) <= hi + 1e-9, name
    for pid, (value, lo, hi) in result.pools.items():
        assert lo <= TOY_POOLS[pid] <= hi, pid
