"""FluxML (13CFLUX2 / 13CFLUX v3) reaction networks, atom transitions and measurements."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer
from fluxasn.isotope.formats.common import _check_flux
from fluxasn.isotope.problem import MFAInput

__all__ = ['read_fluxml']


def read_fluxml(path, *, symmetric: Sequence[str] = (), configuration: Optional[str] = None) -> MFAInput:
    """Read a FluxML (13CFLUX2) file: network, atom transitions, tracers, measurements.

    Atoms are the ``cfg`` letters of ``<reduct>``/``<rproduct>``; reactions
    are reversible unless ``bidirectional="false"`` (FluxML's default), so
    each gives gross fluxes ``id.f``/``id.b``; a reaction without products
    (an efflux) carries no transition. Tracers come from the ``<input>``
    isotopomer labels of the chosen configuration (``cfg`` "01" = position 2
    labelled), MS groups ``Met[1,2,3]#M0,1,2`` become MID measurements (group
    ``scale="auto"`` -> fitted scale factor) and net-flux measurements become
    :class:`FluxMeasurement`. Reactions without substrates or products
    (uptake/efflux) are irreversible; input pools are the labelled sources
    and are not balanced. The ``<constraints>`` equations are not read:
    fix fluxes with ``MFAInput.fixed``.
    """
    path = Path(path)
    try:
        tree = ET.parse(path)
    except ET.ParseError as exc:
        raise FluxasnInputError(f"not well-formed XML: {exc}", source=path) from None
    root = tree.getroot()
    ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
    net = LabelingNetwork(path.stem, symmetric=symmetric)
    for r in root.iter(f"{ns}reaction"):
        rid = r.get("id")
        subs = [(e.get("id"), (e.get("cfg") or "").lstrip("#")) for e in r.findall(f"{ns}reduct")]
        prods = [(e.get("id"), (e.get("cfg") or "").lstrip("#")) for e in r.findall(f"{ns}rproduct")]
        rev = r.get("bidirectional", "true").lower() != "false" and bool(subs) and bool(prods)
        st: Dict[str, float] = {}
        for m, _ in subs:
            st[m] = st.get(m, 0.0) - 1.0
        for m, _ in prods:
            st[m] = st.get(m, 0.0) + 1.0
        if subs and prods and all(a for _, a in subs + prods):
            text = " + ".join(f"{m}({a})" for m, a in subs) + " -> " + " + ".join(f"{m}({a})" for m, a in prods)
            net.add_reaction(rid, text, stoichiometry=st, reversible=rev, source=path)
        else:
            net.add_reaction(rid, None, stoichiometry=st, reversible=rev, source=path)
    constraints = []
    for kind, suffix in (("net", ""), ("xch", ".exch")):
        for block in root.iter(f"{ns}{kind}"):
            node = block.find(f"{ns}textual")
            if node is None:
                continue
            for stmt in "".join(node.itertext()).split(";"):
                if stmt.strip():
                    constraints.append(_fluxml_constraint(stmt, suffix, net, source=path))
    pools = {p.get("id"): int(p.get("atoms", 0)) for p in root.iter(f"{ns}pool")}
    for met, n in pools.items():
        if met in net.carbons and net.carbons[met] != n:
            raise FluxasnInputError(f"pool declares {n} atoms, transitions use {net.carbons[met]}",
                                    source=path, identifier=met)
    confs = list(root.iter(f"{ns}configuration"))
    conf = None
    for c in confs:
        if configuration is None or c.get("name") == configuration:
            conf = c
            break
    if conf is None:
        return MFAInput(net, [], constraints=constraints)
    tracers = []
    for inp in conf.iter(f"{ns}input"):
        met = inp.get("pool")
        for lab in inp.findall(f"{ns}label"):
            cfg = (lab.get("cfg") or "").strip()
            pos = tuple(i + 1 for i, ch in enumerate(cfg) if ch == "1")
            if pos:
                tracers.append(Tracer(met, pos, float(lab.text)))
    inputs = {inp.get("pool") for inp in conf.iter(f"{ns}input")}
    net.sources = inputs
    net.balanced = net.balanced - inputs
    exp = Experiment(conf.get("name", "default"), tracers)
    data: Dict[str, list] = {}
    for d in conf.iter(f"{ns}datum"):
        data.setdefault(d.get("id"), []).append(d)
    fluxes = []
    for g in conf.iter(f"{ns}group"):
        text = "".join(g.find(f"{ns}textual").itertext()).strip()
        m = re.match(r"^(\w+)\[([0-9,:\-]+)\]#M([0-9,]+)$", text)
        if not m:
            raise FluxasnInputError(f"unsupported MS group {text!r}; expected Met[1,2,3]#M0,1,2",
                                    source=path, identifier=g.get("id"))
        atoms = []
        for part in m.group(2).split(","):
            if "-" in part or ":" in part:
                a, b = re.split(r"[-:]", part)
                atoms += list(range(int(a), int(b) + 1))
            else:
                atoms.append(int(part))
        weights = [int(x) for x in m.group(3).split(",")]
        vals = {int(d.get("weight")): (float(d.text), float(d.get("stddev"))) for d in data.get(g.get("id"), [])}
        if sorted(vals) != weights or weights != list(range(len(weights))):
            raise FluxasnInputError(f"data weights {sorted(vals)} do not match group masses {weights}",
                                    source=path, identifier=g.get("id"))
        emu = parse_emu((m.group(1), atoms), carbons=net.carbons)
        exp.mids.append(MIDMeasurement(g.get("id"), emu, [vals[w][0] for w in weights],
                                       [vals[w][1] for w in weights], scale=g.get("scale") == "auto",
                                       source=str(path)))
    for nf in conf.iter(f"{ns}netflux"):
        rid = "".join(nf.find(f"{ns}textual").itertext()).strip()
        for d in data.get(nf.get("id"), []):
            _check_flux(net, rid, source=path)
            fluxes.append(FluxMeasurement(rid, float(d.text), float(d.get("stddev")), source=str(path)))
    return MFAInput(net, [exp], fluxes, constraints=constraints)


def _fluxml_constraint(stmt: str, suffix: str, net: LabelingNetwork, *, source):
    """``"r4a - r4b = 0"`` -> ({"r4a": 1, "r4b": -1}, 0, 0); ``<=``/``>=`` give one-sided bounds."""
    m = re.match(r"^\s*(.+?)\s*(<=|>=|=)\s*([-+0-9.eE]+)\s*$", stmt)
    if not m:
        raise FluxasnInputError(f"cannot read FluxML constraint {stmt.strip()!r}; expected 'a - b = 0'",
                                source=source)
    expr, op, value = m.group(1), m.group(2), float(m.group(3))
    terms: Dict[str, float] = {}
    for sign, coef, rid in re.findall(r"([+-]?)\s*(?:([0-9.]+)\s*\*\s*)?([A-Za-z_]\w*)", expr):
        name = rid + suffix
        if suffix and not (rid in net.pairs and net.pairs[rid].backward):
            raise FluxasnInputError("exchange constraint on an irreversible reaction", source=source,
                                    identifier=rid)
        _check_flux(net, name, source=source)
        terms[name] = terms.get(name, 0.0) + (-1.0 if sign == "-" else 1.0) * (float(coef) if coef else 1.0)
    lo, hi = {"=": (value, value), "<=": (-np.inf, value), ">=": (value, np.inf)}[op]
    return terms, lo, hi
