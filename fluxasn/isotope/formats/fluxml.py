"""FluxML (13CFLUX2 and 13CFLUX v3): network, atom transitions, configurations, measurements.

Conventions pinned here (each tested in ``tests/test_isotope_readers.py``):

* Atoms: FluxML 2 letters (``cfg="#abc"``) or FluxML 3 tokens (``cfg="C#1@1 C#2@1"``:
  carbon 1 of the first reactant); a product token names the reactant atom it
  receives. Only carbon (``C#``) is traced.
* ``<variant>`` atom mappings of a species: the reaction ``id`` lists one id per
  combination of variants (``id="R25___1 R25___2 R25___3 R25___4"``, species in
  document order, the last one's variants varying fastest), each becomes its
  own reaction, and linear constraints keep each one's net and exchange flux at
  its share (product of the variants' ``ratio``, default equal shares) of the
  total, as 13CFLUX v3 does.
* Flux representation: FluxML's net flux is forward - backward and its
  exchange flux ``xch`` is min(forward, backward) (13CFLUX v3); fluxasn's
  exchange (``R.exch``) is the backward flux. :func:`fluxml_gross_fluxes` maps
  FluxML (net, xch) values to fluxasn's gross fluxes. An ``<xch>`` constraint
  is read only where both conventions agree (an exchange flux equal to 0).
  The net flux of a reversible reaction takes either sign (in [-1000, 1000]
  unless a constraint says more), as in 13CFLUX v3.
* Tracer purity: a ``<label>`` with ``purity="p"`` has 13C probability ``p`` in
  its labelled positions and natural 13C, :data:`X3CFLUX_NATURAL_13C`, in its
  unlabelled ones (13CFLUX v3); a label without ``purity`` is pure 12C/13C.
* Configurations: ``stationary="false"`` marks an isotopically non-stationary
  configuration. It is read with the time of every datum
  (:attr:`FluxMLConfiguration.times`), and :meth:`FluxMLInput.problem` (the
  stationary fit) refuses it, naming file, line and configuration.

Every element the reader does not know raises, naming file, line and element.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import parse_transition
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.tracers import Tracer
from fluxasn.isotope.formats.common import _linear, _linear_relation, _xml_with_lines
from fluxasn.isotope.formats.fluxml_types import X3CFLUX_NATURAL_13C, FluxMLConfiguration, FluxMLInput, FluxMLNetwork

__all__ = ["read_fluxml"]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Element -> the parents it is read under (FluxML 2 and 3, as the 13CFLUX examples use them).
_PLACES = {
    "annotation": "pool reaction", "comment": "configuration info", "configuration": "fluxml",
    "constraints": "configuration fluxml", "data": "measurement", "date": "dlabel info mlabel", "datum": "data",
    "dlabel": "data", "fluxmeasurement": "model", "fluxunit": "mlabel", "fluxvalue": "variables",
    "group": "labelingmeasurement", "info": "fluxml", "input": "configuration", "label": "input",
    "labelingmeasurement": "model", "measurement": "configuration", "metabolitepools": "reactionnetwork",
    "mlabel": "measurement", "model": "measurement", "modeler": "info", "name": "info", "net": "constraints",
    "netflux": "fluxmeasurement", "pool": "metabolitepools", "poolsize": "poolsizemeasurement",
    "poolsizemeasurement": "model", "poolsizeunit": "mlabel", "poolsizevalue": "variables", "psize": "constraints",
    "reaction": "reactionnetwork", "reactionnetwork": "fluxml", "reduct": "reaction", "rproduct": "reaction",
    "simulation": "configuration", "strain": "info", "textual": "group net netflux poolsize psize xch",
    "timeunit": "mlabel", "variables": "simulation", "variant": "reduct rproduct", "version": "info",
    "xch": "constraints",
}
_KNOWN = set(_PLACES) | {"fluxml"}
_GROUP = re.compile(r"^([A-Za-z_]\w*)(?:\[([0-9,\s:\-]+)\])?#M([0-9,\s]+)$")
_TOKEN3 = re.compile(r"^([A-Z][a-z]?)#(\d+)@(\d+)$")


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def _text(node) -> str:
    return "".join(node.itertext()).strip()


class _Reader:
    def __init__(self, path: Path, symmetric):
        self.path = path
        self.root, self.lines = _xml_with_lines(path)
        self.symmetric = set(symmetric)
        self.unread: List[Tuple[str, Optional[int]]] = []

    def line(self, elem) -> Optional[int]:
        return self.lines.get(id(elem))

    def err(self, msg, elem=None, identifier=None):
        if identifier is None and elem is not None:
            identifier = f"<{_local(elem.tag)}>"
        return FluxasnInputError(msg, source=self.path, line=None if elem is None else self.line(elem),
                                 identifier=identifier)

    def kids(self, elem, name):
        return [c for c in elem if _local(c.tag) == name]

    def first(self, elem, name):
        found = self.kids(elem, name)
        return found[0] if found else None

    def number(self, text, elem, what="number") -> float:
        try:
            return float(text)
        except (TypeError, ValueError):
            raise self.err(f"expected a {what}, got {text!r}", elem) from None

    # -- network -------------------------------------------------------------
    def atoms(self, cfg: Optional[str], pool: str, elem, rid) -> List[str]:
        cfg = (cfg or "").strip()
        if not cfg:
            return []
        toks = cfg.split()
        if any("#" in t[1:] or "@" in t for t in toks):  # FluxML 3
            for t in toks:
                m = _TOKEN3.match(t)
                if not m:
                    raise self.err(f"cannot read atom {t!r} of {pool}; expected FluxML 3 'C#1@1'", elem, rid)
                if m.group(1) != "C":
                    raise self.err(f"atom {t!r} of {pool} is {m.group(1)}: only carbon (C#) is traced", elem, rid)
            return toks
        letters = cfg.lstrip("#")
        if not letters.isalpha() or len(toks) != 1:
            raise self.err(f"cannot read cfg {cfg!r} of {pool}; expected FluxML 2 letters '#abc' or "
                           "FluxML 3 'C#1@1 C#2@1'", elem, rid)
        return list(letters)

    def species(self, r, rid):
        out = []
        for side in ("reduct", "rproduct"):
            for e in self.kids(r, side):
                pool = e.get("id")
                if not pool:
                    raise self.err(f"<{side}> without id", e, rid)
                if pool not in self.pools:
                    raise self.err(f"{pool} is not a <pool> of <metabolitepools>", e, rid)
                variants = self.kids(e, "variant")
                if variants and e.get("cfg"):
                    raise self.err("a species has either cfg or <variant> children, not both", e, rid)
                if variants:
                    ratios = [v.get("ratio") for v in variants]
                    ratios = [self.number(x, v, "variant ratio") if x is not None else 1.0 / len(variants)
                              for x, v in zip(ratios, variants)]
                    if abs(sum(ratios) - 1.0) > 1e-9 or min(ratios) < 0:
                        raise self.err(f"variant ratios {ratios} of {pool} must be >= 0 and sum to 1", e, rid)
                    alts = [(self.atoms(v.get("cfg"), pool, v, rid), q) for v, q in zip(variants, ratios)]
                else:
                    alts = [(self.atoms(e.get("cfg"), pool, e, rid), 1.0)]
                for atoms, _ in alts:
                    n = self.pools.get(pool)
                    if n is not None and len(atoms) not in (0, n) or n == 0 and atoms:
                        raise self.err(f"{pool} has {len(atoms)} atoms here but the pool declares {n}", e, rid)
                    if n and not atoms:
                        raise self.err(f"{pool} carries {n} atoms but this reaction maps none", e, rid)
                out.append((side, pool, alts, e))
        return out

    def transition(self, rid, chosen, r, reversible):
        letters: Dict[str, str] = {}
        subs, prods = [], []
        for side, pool, atoms, e in chosen:
            if not atoms:
                continue
            if side == "reduct":
                for a in atoms:
                    if a in letters:
                        raise self.err(f"atom {a!r} is used twice among the reactants", e, rid)
                    if len(letters) == len(_LETTERS):
                        raise self.err(f"more than {len(_LETTERS)} traced atoms in one reaction", e, rid)
                    letters[a] = _LETTERS[len(letters)]
                subs.append((pool, atoms))
            else:
                prods.append((pool, atoms, e))
        for pool, atoms, e in prods:
            missing = [a for a in atoms if a not in letters]
            if missing:
                raise self.err(f"product {pool} takes atoms {missing} that no reactant carries", e, rid)
        if not subs and not prods:
            return None
        text = " + ".join(f"{p}({''.join(letters[a] for a in at)})" for p, at in subs) + " -> " + \
            " + ".join(f"{p}({''.join(letters[a] for a in at)})" for p, at, _ in prods)
        t = parse_transition(text, reaction=rid, symmetric=self.symmetric, source=self.path,
                             line=self.line(r), allow_loss=True)
        used = {a for _, at, _ in prods for a in at}
        if reversible and prods and subs and len(used) != len(letters):
            raise self.err("a reversible reaction loses reactant atoms (its backward direction would create "
                           "them); map every atom or set bidirectional=\"false\"", r, rid)
        return t

    def network(self):
        rn = self.first(self.root, "reactionnetwork")
        if rn is None:
            raise self.err("FluxML file without <reactionnetwork>", self.root, "<fluxml>")
        self.pools = {}
        for p in rn.iter():
            if _local(p.tag) == "pool":
                atoms = p.get("atoms")  # absent: taken from the atom mappings
                self.pools[p.get("id")] = None if atoms is None else int(self.number(atoms, p, "atom count"))
        net = FluxMLNetwork(self.path.stem, symmetric=self.symmetric)
        constraints, variants = [], {}
        for r in self.kids(rn, "reaction"):
            ids = (r.get("id") or "").split()
            if not ids:
                raise self.err("<reaction> without id", r)
            sp = self.species(r, ids[0])
            combos = list(itertools.product(*[[(a, q) for a, q in alts] for _, _, alts, _ in sp]))
            if len(combos) != len(ids):
                raise self.err(f"{len(combos)} combinations of <variant> atom mappings but {len(ids)} reaction "
                               f"ids {ids}; expected one id per combination", r, ids[0])
            subs = any(s == "reduct" for s, _, _, _ in sp)
            prods = any(s == "rproduct" for s, _, _, _ in sp)
            rev = r.get("bidirectional", "true").strip().lower() != "false" and subs and prods
            st: Dict[str, float] = {}
            for side, pool, _, _ in sp:
                st[pool] = st.get(pool, 0.0) + (-1.0 if side == "reduct" else 1.0)
            shares = []
            for rid, combo in zip(ids, combos):
                chosen = [(side, pool, a, e) for (side, pool, _, e), (a, _) in zip(sp, combo)]
                t = self.transition(rid, chosen, r, rev)
                # a reversible reaction's net flux takes either sign (13CFLUX v3: EC.fml's own flux set
                # has R15 net -12.6); fluxasn's default magnitude bound 1000 on both sides
                net.add_reaction(rid, t, stoichiometry=st, reversible=rev, lower=-1000.0 if rev else 0.0,
                                 source=self.path, line=self.line(r))
                shares.append((rid, float(np.prod([q for _, q in combo]))))
            if len(ids) > 1:
                name = r.get("id")
                for note in self.kids(r, "annotation"):
                    if note.get("name") == "name" and _text(note):
                        name = _text(note)
                variants[name] = shares
                (r0, q0), kinds = shares[0], ("", ".exch") if rev else ("",)
                for rid, q in shares[1:]:
                    for suffix in kinds:
                        constraints.append(({rid + suffix: q0, r0 + suffix: -q}, 0.0, 0.0))
        for met, n in self.pools.items():
            if met in net.carbons and n is not None and net.carbons[met] != n:
                raise self.err(f"pool declares {n} atoms, transitions use {net.carbons[met]}", None, met)
        return net, constraints, variants

    # -- constraints -----------------------------------------------------------
    def constraints(self, block, net, psize: List[str]):
        out = []
        order = {"net": 0, "xch": 1, "psize": 2}
        for kind in sorted(block, key=lambda e: order.get(_local(e.tag), 3)):
            k = _local(kind.tag)
            for t in self.kids(kind, "textual"):
                for stmt in _text(t).split(";"):
                    if not stmt.strip():
                        continue
                    if k == "psize":
                        psize.append(stmt.strip())
                        continue
                    terms, lo, hi = _linear_relation(stmt, source=self.path, line=self.line(t),
                                                     identifier=f"<{k}>", what="FluxML constraint")
                    for name in terms:
                        if name not in net.pairs:
                            raise self.err(f"cannot read FluxML constraint {stmt.strip()!r}: {name!r} names no "
                                           "reaction of the network", t, name)
                    if k == "xch":
                        same_net = (lo == hi == 0.0 and sorted(map(abs, terms.values())) == [1.0, 1.0]
                                    and sum(terms.values()) == 0.0 and any(c == (terms, 0.0, 0.0) for c in out))
                        for rid in terms:
                            if not (rid in net.pairs and net.pairs[rid].backward):
                                raise self.err("exchange constraint on an irreversible reaction", t, rid)
                        one = len(terms) == 1 and next(iter(terms.values())) > 0
                        if one and np.isfinite(lo) and not np.isfinite(hi):
                            # min(forward, backward) >= c  <=>  forward >= c and backward >= c
                            rid, c = next(iter(terms.items()))
                            out += [({rid + ".f": c}, lo, np.inf), ({rid + ".b": c}, lo, np.inf)]
                            continue
                        if not (lo == hi == 0.0 and len(terms) == 1) and not same_net:
                            self.unread.append((stmt.strip(), self.line(t)))
                            continue
                        terms = {rid + ".exch": c for rid, c in terms.items()}
                    for name in terms:
                        self.check_flux(net, name, t)
                    out.append((terms, lo, hi))
        return out

    def check_flux(self, net, name, elem):
        try:
            net.flux_vector(name)
        except FluxasnInputError:
            raise self.err("names no reaction of the network (expected a reaction id)", elem, name) from None

    # -- configurations ------------------------------------------------------------
    def configuration(self, conf, net, exp_constraints):
        name = conf.get("name", "default")
        stationary = conf.get("stationary", "true").strip().lower() != "false"
        info = FluxMLConfiguration(name, str(self.path), self.line(conf), stationary)
        if conf.get("time") is not None:
            info.start_time = self.number(conf.get("time"), conf, "time")
        tracers, purity_given, unlabelled = [], set(), []
        for inp in self.kids(conf, "input"):
            pool = inp.get("pool")
            if inp.get("type", "isotopomer") != "isotopomer":
                raise self.err(f"input type {inp.get('type')!r} is not read; expected 'isotopomer'", inp, pool)
            if pool not in self.pools:
                raise self.err("input names no pool of the network", inp, pool)
            n = self.pools[pool] if self.pools[pool] is not None else net.carbons.get(pool, 0)
            labels = self.kids(inp, "label")
            if not labels and n:
                unlabelled.append(pool)
            for lab in labels:
                cfg = (lab.get("cfg") or "").strip()
                if len(cfg) != n or set(cfg) - {"0", "1"}:
                    raise self.err(f"label cfg {cfg!r} must be {n} characters 0/1 for {pool}", lab, pool)
                purity_given.add(lab.get("purity") is not None)
                purity = self.number(lab.get("purity", "1"), lab, "purity")
                frac = self.number(_text(lab), lab, "fraction")
                pos = tuple(i + 1 for i, ch in enumerate(cfg) if ch == "1")
                if pos:
                    tracers.append(Tracer(pool, pos, frac, purity))
        if len(purity_given) > 1 or (True in purity_given and unlabelled):
            raise self.err("labels with and without purity in one configuration: unlabelled positions would "
                           "carry natural 13C for some inputs and not for others", conf, name)
        natural = X3CFLUX_NATURAL_13C if True in purity_given else 0.0
        inputs = {inp.get("pool") for inp in self.kids(conf, "input")}
        for block in self.kids(conf, "constraints"):
            exp_constraints += self.constraints(block, net, info.pool_size_constraints)
        for sim in self.kids(conf, "simulation"):
            info.simulation = dict(sim.attrib)
            for var in self.kids(sim, "variables"):
                for fv in var:
                    kind = _local(fv.tag)
                    if kind == "fluxvalue":
                        t = fv.get("type", "net")
                        if t not in ("net", "xch"):
                            raise self.err(f"fluxvalue type {t!r}; expected net or xch", fv, fv.get("flux"))
                        info.flux_values[(fv.get("flux"), t)] = self.number(_text(fv), fv)
                    else:
                        info.pool_sizes[fv.get("pool")] = self.number(_text(fv), fv)
        exp = Experiment(name, tracers, natural_13c=natural)
        fluxes = []
        for meas in self.kids(conf, "measurement"):
            for ml in self.kids(meas, "mlabel"):
                unit = self.first(ml, "timeunit")
                info.time_unit = _text(unit) if unit is not None else info.time_unit
            data: Dict[str, list] = {}
            for block in self.kids(meas, "data"):
                for d in self.kids(block, "datum"):
                    data.setdefault(d.get("id"), []).append(d)
            used = set()
            for model in self.kids(meas, "model"):
                for lm in self.kids(model, "labelingmeasurement"):
                    for g in self.kids(lm, "group"):
                        used.add(g.get("id"))
                        exp.mids += self.group(g, data.get(g.get("id"), []), net, info)
                for fm in self.kids(model, "fluxmeasurement"):
                    for nf in self.kids(fm, "netflux"):
                        used.add(nf.get("id"))
                        fluxes += self.netflux(nf, data.get(nf.get("id"), []), net)
                for pm in self.kids(model, "poolsizemeasurement"):
                    for ps in self.kids(pm, "poolsize"):
                        used.add(ps.get("id"))
                        for d in data.get(ps.get("id"), []):
                            t = d.get("time")
                            info.pool_size_data.append((ps.get("id"), _text(ps), self.number(_text(d), d),
                                                        self.number(d.get("stddev"), d, "stddev"),
                                                        None if t is None else self.number(t, d, "time")))
            for did, ds in data.items():
                if did not in used:
                    raise self.err("datum names no measurement of its configuration", ds[0], did)
        return exp, fluxes, inputs, info

    def group(self, g, data, net, info):
        gid = g.get("id")
        scale = g.get("scale")
        if scale not in (None, "auto"):
            raise self.err(f"scale={scale!r} is not read; expected 'auto' (fitted) or no attribute", g, gid)
        spec_node = self.first(g, "textual")
        spec = _text(spec_node) if spec_node is not None else ""
        m = _GROUP.match(spec)
        if not m:
            raise self.err(f"measurement group {spec!r} is not read: fluxasn reads MS groups 'Met[1,2,3]#M0,1,2' "
                           "(no MS/MS, cumomer or NMR groups)", g, gid)
        met = m.group(1)
        if met not in net.carbons:
            raise self.err("measured pool carries no traced atoms in the network", g, met)
        if m.group(2):
            atoms = []
            for part in m.group(2).replace(" ", "").split(","):
                if "-" in part or ":" in part:
                    a, b = re.split(r"[-:]", part)
                    atoms += list(range(int(a), int(b) + 1))
                else:
                    atoms.append(int(part))
        else:
            atoms = list(range(1, net.carbons[met] + 1))
        masses = [int(x) for x in m.group(3).replace(" ", "").split(",")]
        if len(set(masses)) != len(masses) or max(masses) > len(atoms):
            raise self.err(f"masses {masses} must be distinct and at most {len(atoms)}", g, gid)
        emu = parse_emu((met, atoms), carbons=net.carbons)
        if not data:
            raise self.err("measurement group without data", g, gid)
        times = g.get("times")
        if times is not None and info.stationary:
            raise self.err("measurement times on a group of a stationary configuration", g, gid)
        listed = None if times is None else {self.number(x, g, "time") for x in times.split(",") if x.strip()}
        by_time: Dict[Optional[float], Dict[int, Tuple[float, float, object]]] = {}
        for d in data:
            t = d.get("time")
            if info.stationary and t is not None:
                raise self.err("time-stamped datum in a stationary configuration", d, gid)
            if not info.stationary and t is None:
                raise self.err("datum without time in a non-stationary configuration", d, gid)
            t = None if t is None else self.number(t, d, "time")
            if listed is not None and t not in listed:
                raise self.err(f"datum time {t:g} is not among the group's times {sorted(listed)}", d, gid)
            w = int(self.number(d.get("weight"), d, "weight"))
            vals = by_time.setdefault(t, {})
            if w in vals:
                raise self.err(f"weight {w} is given twice", d, gid)
            vals[w] = (self.number(_text(d), d, "value"), self.number(d.get("stddev"), d, "stddev"), d)
        out = []
        full = masses == list(range(len(masses)))
        corr = None if full else np.eye(len(atoms) + 1)[masses]
        for t, vals in by_time.items():
            if sorted(vals) != sorted(masses):
                raise self.err(f"data weights {sorted(vals)} do not match group masses {masses}", g, gid)
            mid_id = gid if t is None else f"{gid}@{t:g}"
            first = vals[masses[0]][2]
            out.append(MIDMeasurement(mid_id, emu, [vals[w][0] for w in masses], [vals[w][1] for w in masses],
                                      scale=scale == "auto", correction=corr, source=str(self.path),
                                      line=self.line(first), tolerance=MIDMeasurement.tolerance if full else np.inf))
            if t is not None:
                info.times[mid_id] = t
        return out

    def netflux(self, nf, data, net):
        text = _text(self.first(nf, "textual")) if self.first(nf, "textual") is not None else ""
        terms, const = _linear(text, source=self.path, line=self.line(nf), identifier=nf.get("id"))
        if const or not terms:
            raise self.err(f"measured flux {text!r} must be a linear combination of fluxes", nf, nf.get("id"))
        name = text if (len(terms) != 1 or list(terms.values())[0] != 1.0) else next(iter(terms))
        for n in terms:
            self.check_flux(net, n, nf)
        if name not in terms:
            net.expressions[name] = terms
        if not data:
            raise self.err("measured flux without data", nf, nf.get("id"))
        return [FluxMeasurement(name, self.number(_text(d), d), self.number(d.get("stddev"), d, "stddev"),
                                source=str(self.path), line=self.line(d)) for d in data]


def read_fluxml(path, *, symmetric: Sequence[str] = (),
                configuration: Union[None, str, Sequence[str]] = None) -> FluxMLInput:
    """Read a FluxML file (13CFLUX2 / 13CFLUX v3): network, atom transitions, tracers, measurements.

    Parameters
    ----------
    path
        The ``.fml`` file.
    symmetric
        Metabolites whose produced orientations are averaged (FluxML states
        symmetry with ``<variant>`` mappings instead; both are read).
    configuration
        Name of the ``<configuration>`` to read, or several names (parallel
        labelling experiments sharing the fluxes). Optional when the file has
        at most one configuration.

    Returns
    -------
    FluxMLInput
        Network, one :class:`~fluxasn.isotope.measurements.Experiment` per
        configuration, measured fluxes, constraints of the file and of the
        configurations, and :class:`FluxMLConfiguration` details.

    Raises
    ------
    FluxasnInputError
        Not well-formed XML, a root other than ``<fluxml>``, an element the
        reader does not know, an unreadable atom mapping, constraint or
        measurement, or a missing or ambiguous configuration; each names
        file, line and element.

    Notes
    -----
    Reactions are reversible unless ``bidirectional="false"``; a reaction
    with only reactants or only products (uptake/efflux) is irreversible.
    Input pools of the configurations are the labelled sources and are not
    balanced. MS groups ``Met[1,2,3]#M0,1,2`` become MID measurements
    (``scale="auto"``: fitted scale factor); a group without atom list means
    every atom; masses need not start at M+0 (the simulated MID is then
    restricted to the listed masses). See the module docstring for the
    conventions.
    """
    path = Path(path)
    rd = _Reader(path, symmetric)
    root = rd.root
    if _local(root.tag) != "fluxml":
        raise rd.err(f"root element <{_local(root.tag)}> is not <fluxml>: this file is not a FluxML model",
                     root)
    for parent in root.iter():
        for elem in parent:
            tag = _local(elem.tag)
            if tag not in _PLACES:
                raise rd.err(f"FluxML element <{tag}> is not read by fluxasn", elem)
            if _local(parent.tag) not in _PLACES[tag].split():
                raise rd.err(f"<{tag}> inside <{_local(parent.tag)}> is not read by fluxasn (expected inside "
                             f"<{'> or <'.join(_PLACES[tag].split())}>)", elem)
    net, constraints, variants = rd.network()
    psize: List[str] = []
    for block in rd.kids(root, "constraints"):
        constraints += rd.constraints(block, net, psize)
    confs = rd.kids(root, "configuration")
    names = [c.get("name", "default") for c in confs]
    if configuration is None:
        if len(confs) > 1:
            raise rd.err(f"the file has {len(confs)} configurations; choose one or more with configuration= "
                         f"(available: {', '.join(names)})", confs[1], "configuration")
        wanted = names
    else:
        wanted = [configuration] if isinstance(configuration, str) else list(configuration)
    for w in wanted:
        if w not in names:
            raise FluxasnInputError(f"no configuration named {w!r}; available: {', '.join(names) or 'none'}",
                                    source=path, identifier=w)
    if not wanted:
        return FluxMLInput(net, [], constraints=constraints, variants=variants, source=str(path),
                           exchange_constraints=rd.unread)
    exps, fluxes, infos, inputs = [], [], [], set()
    for conf in confs:
        if conf.get("name", "default") not in wanted:
            continue
        exp, fl, inp, info = rd.configuration(conf, net, constraints)
        info.pool_size_constraints = psize + info.pool_size_constraints
        exps.append(exp)
        infos.append(info)
        inputs |= inp
        for f in fl:
            if all((g.id, g.value, g.sd) != (f.id, f.value, f.sd) for g in fluxes):
                fluxes.append(f)
    net.sources = inputs
    net.balanced = net.balanced - inputs
    return FluxMLInput(net, exps, fluxes, constraints=constraints, configurations=infos, variants=variants,
                       source=str(path), exchange_constraints=rd.unread)
