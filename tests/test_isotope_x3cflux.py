"""FluxML 3 models simulated by fluxasn and by 13CFLUX v3 (x3cflux 3.1.2) at the same fluxes.

x3cflux is an independent simulator (C++ core), installed by the README's
test command; see ``_shared.x3cflux_core``.
"""
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from _shared import require_shared, x3cflux_core
from fluxasn.isotope.formats import read_fluxml
from fluxasn.isotope.formats.fluxml_types import X3CFLUX_NATURAL_13C, fluxml_gross_fluxes
from fluxasn.isotope.problem import MFAProblem

FML = "http://www.13cflux.net/fluxml"


def model(name):
    return require_shared("c13", "13cflux_v3_examples", "models", name)


def stationary_copy(src, dst, conf):
    """The configuration ``conf`` of ``src`` declared stationary: times dropped, one datum per mass kept.

    Only the simulated stationary MIDs at given fluxes are compared on it, which
    do not depend on the data values.
    """
    ET.register_namespace("", FML)
    tree = ET.parse(src)
    root = tree.getroot()
    ns = "{" + FML + "}"
    for c in root.findall(ns + "configuration"):
        if c.get("name") != conf:
            root.remove(c)
            continue
        c.set("stationary", "true")
        c.attrib.pop("time", None)
        for g in c.iter(ns + "group"):
            g.attrib.pop("times", None)
        for data in c.iter(ns + "data"):
            seen = set()
            for d in list(data.findall(ns + "datum")):
                key = (d.get("id"), d.get("weight"))
                d.attrib.pop("time", None)
                if key in seen:
                    data.remove(d)
                seen.add(key)
    tree.write(dst, xml_declaration=True, encoding="utf-8")
    return dst


_SIMULATORS = {}


def compare(core, path, conf, *, params=None, natural=None, gross=fluxml_gross_fluxes):
    """Largest |MID difference| over all MS groups, at x3cflux's start (or given) free parameters."""
    key = (str(path), conf)
    if key not in _SIMULATORS:
        _SIMULATORS[key] = core.create_simulator_from_fml(str(path), conf, "emu")
    sim = _SIMULATORS[key]
    space = sim.parameter_space
    x = np.asarray(sim.initial_parameters if params is None else params, float)
    values = dict(zip(space.parameter_names, space.compute_parameters(x)))
    data = read_fluxml(path, configuration=conf)
    for r in data.network.pairs:  # x3cflux drops reactions its constraints fix at 0
        if r + ".n" not in values:
            values[r + ".n"] = values[r + ".x"] = 0.0
    exps = data.experiments
    if natural is not None:
        exps[0].natural_13c = natural
    pb = MFAProblem(data.network, exps, fluxes=data.fluxes, constraints=data.constraints)
    v = gross(data.network, values)
    u = np.linalg.lstsq(pb.N, v - pb.vp, rcond=None)[0]
    assert np.abs(pb.fluxes(u) - v).max() < 1e-6 * max(1.0, np.abs(v).max())  # x3cflux's point obeys the file
    (X, _), = pb.simulate(u)
    ours = {}
    for _, m, _, (n, row) in pb.layout:
        s = X[n][row] if m.correction is None else m.correction @ X[n][row]
        ours[m.id] = s[:m.mid.size]
    theirs, _ = sim.compute_measurements(x)
    names = sim.measurement_names[0]
    assert set(names) == set(ours)
    return max(float(np.abs(ours[n] - t).max()) for n, t in zip(names, theirs)), sim, pb, u, x


@pytest.fixture(scope="module")
def core():
    return x3cflux_core()


def test_ec_a_stat_mids_agree_with_x3cflux(core):
    """E. coli (INCA model in FluxML 3: C#i@k atoms, variants, purity, Met#M1..5): 33 MS groups."""
    worst, *_ = compare(core, model("EC.fml"), "a_STAT")
    assert worst < 1e-8


def test_syn_mids_agree_with_x3cflux(core, tmp_path):
    """Synechocystis (CO2 tracer at purity 0.997, variants with ratio) made stationary: 18 MS groups;
    MIDs agree to 6e-10 and fluxasn's SSR equals x3cflux's loss (214040.208) to 3e-10."""
    path = stationary_copy(model("Syn.fml"), tmp_path / "Syn_a.fml", "a")
    worst, sim, pb, u, x = compare(core, path, "a")
    assert worst < 1e-8
    # the SSR (scale factors per MS group, the first time point's data) is x3cflux's loss
    assert pb.ssr(u) == pytest.approx(sim.compute_loss(x), rel=1e-7)
    data = read_fluxml(path, configuration="a")
    assert data.experiments[0].tracers[0].purity == 0.997


def test_linea_mids_agree_with_x3cflux(core, tmp_path):
    path = stationary_copy(model("linea.fml"), tmp_path / "linea.fml", "default")
    worst, *_ = compare(core, path, "default", params=[1.0, 2.0])
    assert worst < 1e-8


def test_conventions_are_the_ones_x3cflux_uses(core):
    """Exchange = min(forward, backward) and natural 13C 0.01055 in unlabelled positions: the
    other choices (exchange = backward flux; pure 12C) miss x3cflux by more than 1e-3."""
    def backward_exchange(network, values):
        v = np.zeros(len(network.fluxes))
        for name, pair in network.pairs.items():
            net = values[name + ".n"]
            back = values.get(name + ".x", 0.0) if pair.backward else 0.0
            v[network.flux_index(pair.forward)] = net + back
            if pair.backward:
                v[network.flux_index(pair.backward)] = back
        return v

    assert X3CFLUX_NATURAL_13C == 0.01055
    worst, *_ = compare(core, model("EC.fml"), "a_STAT", gross=backward_exchange)
    assert worst > 1e-3
    worst, *_ = compare(core, model("EC.fml"), "a_STAT", natural=0.0)
    assert worst > 1e-3


def test_ssr_equals_x3cflux_loss(core, tmp_path):
    """On EC a_STAT with data set to perturbed x3cflux MIDs (the file's are all 0), fluxasn's SSR
    (scale factors per MS group, measured fluxes incl. 'R63-R63b') equals x3cflux's loss."""
    src = model("EC.fml")
    sim = core.create_simulator_from_fml(str(src), "a_STAT", "emu")
    x = np.asarray(sim.initial_parameters)
    mids, _ = sim.compute_measurements(x)
    rng = np.random.default_rng(7)
    value = {(n, w): float(a[k] * 0.9 + 0.02 * rng.random() + 0.001)
             for n, a in zip(sim.measurement_names[0], mids)
             for k, w in enumerate(range(len(a)))}
    ET.register_namespace("", FML)
    tree = ET.parse(src)
    ns = "{" + FML + "}"
    for c in tree.getroot().findall(ns + "configuration"):
        if c.get("name") != "a_STAT":
            continue
        for d in c.iter(ns + "datum"):
            gid = d.get("id")
            if gid.startswith("ms_group"):
                group = next(g for g in c.iter(ns + "group") if g.get("id") == gid)
                masses = [int(m) for m in "".join(group.itertext()).split("#M")[1].split(",")]
                d.text = repr(value[(gid, masses.index(int(d.get("weight"))))])
                d.set("stddev", "0.01")
    path = tmp_path / "EC_data.fml"
    tree.write(path, xml_declaration=True, encoding="utf-8")
    sim = core.create_simulator_from_fml(str(path), "a_STAT", "emu")
    worst, _, pb, u, _ = compare(core, path, "a_STAT")
    assert worst < 1e-8
    loss = sim.compute_loss(x)
    assert loss > 10.0  # the perturbation is seen
    assert pb.ssr(u) == pytest.approx(loss, rel=1e-7)
