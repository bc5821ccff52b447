"""Readers for published 13C-MFA model formats.

* INCA-style csv as written by incawrapper (``reactions.csv``, ``tracers.csv``,
  ``ms_measurements.csv``, ``flux_measurements.csv``): :func:`read_inca_csv`.
* mfapy text model + status csv + MDV files: :func:`read_mfapy`.
* FreeFlux tsv (``reactions.tsv``, ``measured_MDVs.tsv``,
  ``measured_fluxes.tsv``): :func:`read_freeflux`.
* FluxML (13CFLUX2) reaction network and atom transitions: :func:`read_fluxml`.

Every reader returns an :class:`MFAInput`; every malformed row raises
:class:`~fluxasn.exceptions.FluxasnInputError` naming file and line.
"""
from __future__ import annotations

import csv
import json
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import parse_transition
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import GrossFlux, LabelingNetwork
from fluxasn.isotope.problem import MFAProblem
from fluxasn.isotope.tracers import Tracer

__all__ = ["MFAInput", "read_c13", "read_inca_csv", "read_mfapy", "read_freeflux", "read_fluxml",
           "mfapy_transition", "network_from_cobra", "traced_carbons"]


@dataclass
class MFAInput:
    """Everything a fit needs: network, experiments, flux data, fixed fluxes, bounds."""

    network: LabelingNetwork
    experiments: List[Experiment]
    fluxes: List[FluxMeasurement] = field(default_factory=list)
    fixed: Dict[str, float] = field(default_factory=dict)
    bounds: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    ignored: List[str] = field(default_factory=list)
    constraints: List[Tuple[Dict[str, float], float, float]] = field(default_factory=list)

    def problem(self):
        """The compiled :class:`~fluxasn.isotope.problem.MFAProblem`."""
        return MFAProblem(self.network, self.experiments, fluxes=self.fluxes, fixed=self.fixed,
                          bounds=self.bounds, constraints=self.constraints)


def _int_list(text, *, source, line, identifier) -> List[int]:
    try:
        val = json.loads(text) if text.strip() else []
        return [int(x) for x in val]
    except (ValueError, TypeError):
        raise FluxasnInputError(f"expected a list like [1,2], got {text!r}", source=source,
                                line=line, identifier=identifier) from None


def _float(text, *, source, line, identifier, what="number") -> float:
    try:
        return float(text)
    except (ValueError, TypeError):
        raise FluxasnInputError(f"expected a {what}, got {text!r}", source=source, line=line,
                                identifier=identifier) from None


def _check_flux(net: LabelingNetwork, rid: str, *, source, line=None) -> None:
    try:
        net.flux_vector(rid)
    except FluxasnInputError:
        raise FluxasnInputError(
            "measured flux names no reaction of the network (expected a reaction id, a reversible "
            "reaction's net id or 'ID.exch')", source=source, line=line, identifier=rid) from None


def _rows(path: Path, required: Sequence[str], delimiter=","):
    if not path.exists():
        raise FluxasnInputError("file not found", source=path)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader((l for l in fh if not l.startswith("#")), delimiter=delimiter)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise FluxasnInputError(f"missing columns {missing}; found {reader.fieldnames}", source=path, line=1)
        for i, row in enumerate(reader, start=2):
            yield i, row


# ----------------------------------------------------------------------------- INCA
def read_inca_csv(folder, *, experiments: Optional[Sequence[str]] = None, scale: bool = True) -> MFAInput:
    """Read an incawrapper-style csv folder.

    Parameters
    ----------
    folder
        Folder with ``reactions.csv``, ``tracers.csv``, ``ms_measurements.csv``
        and optionally ``flux_measurements.csv``.
    experiments
        Experiment ids to keep (default all).
    scale
        Fit one scale factor per MS fragment (INCA's convention:
        measured = norm * simulated).

    Notes
    -----
    Tracer ``atom_mdv`` ``[p12, p13]`` gives the 13C purity of each labelled
    atom; INCA treats unlabelled positions as pure 12C. Measured fluxes are
    per experiment in INCA; identical values shared by experiments are
    entered once.
    """
    folder = Path(folder)
    net = LabelingNetwork(folder.name)
    path = folder / "reactions.csv"
    for line, row in _rows(path, ["rxn_id", "rxn_eqn"]):
        net.add_reaction(row["rxn_id"].strip(), row["rxn_eqn"], source=path, line=line)
    exps: Dict[str, Experiment] = {}

    def exp(eid):
        if experiments is not None and eid not in experiments:
            return None
        return exps.setdefault(eid, Experiment(eid, []))

    path = folder / "tracers.csv"
    for line, row in _rows(path, ["experiment_id", "met_id", "atom_ids", "ratio", "atom_mdv"]):
        e = exp(row["experiment_id"])
        if e is None:
            continue
        kw = dict(source=path, line=line, identifier=row["met_id"])
        atoms = _int_list(row["atom_ids"], **kw)
        try:
            mdv = json.loads(row["atom_mdv"])
        except ValueError:
            raise FluxasnInputError(f"cannot read atom_mdv {row['atom_mdv']!r}", **kw) from None
        purity = float(mdv[-1]) if mdv else 1.0
        t = Tracer(row["met_id"], tuple(atoms), _float(row["ratio"], **kw, what="fraction"), purity)
        e.tracers = list(e.tracers) + [t]
    path = folder / "ms_measurements.csv"
    frags: Dict[Tuple[str, str], dict] = {}
    for line, row in _rows(path, ["experiment_id", "met_id", "ms_id", "labelled_atom_ids", "mass_isotope",
                                  "intensity", "intensity_std_error"]):
        e = exp(row["experiment_id"])
        if e is None:
            continue
        kw = dict(source=path, line=line, identifier=row["ms_id"])
        key = (row["experiment_id"], row["ms_id"])
        d = frags.setdefault(key, {"met": row["met_id"], "atoms": _int_list(row["labelled_atom_ids"], **kw),
                                   "vals": {}, "line": line})
        d["vals"][int(row["mass_isotope"])] = (_float(row["intensity"], **kw), _float(row["intensity_std_error"], **kw))
    for (eid, ms_id), d in frags.items():
        masses = sorted(d["vals"])
        if masses != list(range(len(masses))):
            raise FluxasnInputError(f"mass isotopes {masses} are not 0..n", source=path, line=d["line"], identifier=ms_id)
        if d["met"] not in net.carbons:
            raise FluxasnInputError("measured metabolite is not in the network", source=path,
                                    line=d["line"], identifier=d["met"])
        emu = parse_emu((d["met"], d["atoms"]), carbons=net.carbons)
        exps[eid].mids.append(MIDMeasurement(
            ms_id, emu, [d["vals"][k][0] for k in masses], [d["vals"][k][1] for k in masses],
            scale=scale, source=str(path), line=d["line"]))
    fluxes = []
    path = folder / "flux_measurements.csv"
    if path.exists():
        seen = {}
        for line, row in _rows(path, ["experiment_id", "rxn_id", "flux", "flux_std_error"]):
            if experiments is not None and row["experiment_id"] not in experiments:
                continue
            kw = dict(source=path, line=line, identifier=row["rxn_id"])
            fm = FluxMeasurement(row["rxn_id"], _float(row["flux"], **kw), _float(row["flux_std_error"], **kw),
                                 source=str(path), line=line)
            key = (fm.id, fm.value, fm.sd)
            if key not in seen:
                seen[key] = fm
                _check_flux(net, fm.id, source=path, line=line)
                fluxes.append(fm)
    return MFAInput(net, list(exps.values()), fluxes)


# ----------------------------------------------------------------------------- FreeFlux
def read_freeflux(folder, *, tracers: Sequence[Tracer], natural_13c: float = 0.0107,
                  symmetric: Sequence[str] = ()) -> MFAInput:
    """Read a FreeFlux model folder (steady state).

    FreeFlux keeps the tracer in its scripts, so ``tracers`` is given here;
    FreeFlux's own convention is natural 13C in unlabelled positions
    (``natural_13c=0.0107``). Symmetric species are written
    ``Suc(abcd,dcba)`` in FreeFlux files. Fragment ids ``Glu_12345`` name
    the EMU.
    """
    folder = Path(folder)
    net = LabelingNetwork(folder.name, symmetric=symmetric)
    path = folder / "reactions.tsv"
    with open(path, encoding="utf-8") as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip() or raw.startswith("#"):
                continue
            cols = raw.rstrip("\n").split("\t")
            if len(cols) < 4:
                raise FluxasnInputError("expected 4 tab-separated columns (id, reactants, products, reversibility)",
                                        source=path, line=line)
            rid, left, right, rev = cols[:4]
            net.add_reaction(rid, f"{left} -> {right}", reversible=rev.strip() == "1", source=path, line=line)
    exp = Experiment("exp1", list(tracers), natural_13c=natural_13c)
    path = folder / "measured_MDVs.tsv"
    with open(path, encoding="utf-8") as fh:
        for line, raw in enumerate(fh, start=1):
            if not raw.strip() or raw.startswith("#"):
                continue
            fid, mean, sd = raw.rstrip("\n").split("\t")[:3]
            emu = parse_emu(fid, carbons=net.carbons)
            exp.mids.append(MIDMeasurement(fid, emu, [float(x) for x in mean.split(",")],
                                           [float(x) for x in sd.split(",")], source=str(path), line=line))
    fluxes = []
    path = folder / "measured_fluxes.tsv"
    if path.exists():
        with open(path, encoding="utf-8") as fh:
            for line, raw in enumerate(fh, start=1):
                if not raw.strip() or raw.startswith("#"):
                    continue
                rid, mean, sd = raw.rstrip("\n").split("\t")[:3]
                _check_flux(net, rid, source=path, line=line)
                fluxes.append(FluxMeasurement(rid, float(mean), float(sd), source=str(path), line=line))
    return MFAInput(net, [exp], fluxes)


# ----------------------------------------------------------------------------- mfapy
def mfapy_transition(rid: str, carbon_eq: str, atom_eq: str, *, symmetric=(), source=None, line=None):
    """Convert mfapy's two columns (``AcCoA + OAC --> Cit``, ``AB + CDEF --> FEDBAC``) to a transition.

    mfapy lets substrate atoms vanish (``Arg(ABCDEF) --> Glu(ABCDE)``), so
    atoms lost from the traced network are accepted here (``allow_loss``).
    """
    def split(eq):
        if "-->" not in eq:
            raise FluxasnInputError(f"expected '-->' in {eq!r}", source=source, line=line, identifier=rid)
        l, r = eq.split("-->")
        return [x.strip() for x in l.split("+") if x.strip()], [x.strip() for x in r.split("+") if x.strip()]
    ml, mr = split(carbon_eq)
    al, ar = split(atom_eq)
    if len(ml) != len(al) or len(mr) != len(ar):
        raise FluxasnInputError(
            f"{len(ml)}+{len(mr)} species but {len(al)}+{len(ar)} atom groups in {atom_eq!r}",
            source=source, line=line, identifier=rid)
    text = " + ".join(f"{m}({a})" for m, a in zip(ml, al)) + " -> " + " + ".join(
        f"{m}({a})" for m, a in zip(mr, ar))
    return parse_transition(text, reaction=rid, symmetric=symmetric, source=source, line=line,
                            allow_loss=True)


_COEF = re.compile(r"^\{([0-9.eE+-]+)\}\s*(.+)$")


def _mfapy_stoich(eq: str, *, rid, source, line) -> Dict[str, float]:
    if "-->" not in eq:
        raise FluxasnInputError(f"expected '-->' in {eq!r}", source=source, line=line, identifier=rid)
    l, r = eq.split("-->")
    st: Dict[str, float] = {}
    for side, sign in ((l, -1.0), (r, 1.0)):
        for term in side.split("+"):
            term = term.strip()
            if not term:
                continue
            m = _COEF.match(term)
            coef, met = (float(m.group(1)), m.group(2).strip()) if m else (1.0, term)
            st[met] = st.get(met, 0.0) + sign * coef
    return st


def read_mfapy(model_file, status_file, mdv_files: Mapping[str, tuple], *,
               mdv_sd: Optional[float] = None, unknown: str = "warn") -> MFAInput:
    """Read an mfapy model, its status (constraints) file and MDV files.

    Parameters
    ----------
    model_file
        mfapy model text (``//Reactions``, ``//Metabolites``,
        ``//Reversible_reactions``, ``//Target_fragments``).
    status_file
        mfapy status csv: fixed / fitting (measured) / free fluxes with bounds.
    mdv_files
        Experiment name -> ``(MDV file, tracers)`` or ``(MDV file, tracers,
        natural_13c)`` (mfapy keeps tracers in its scripts; its
        ``correction="yes"`` for a carbon source means natural 13C,
        :data:`~fluxasn.isotope.tracers.NATURAL_13C`, in unlabelled positions).
    mdv_sd
        Absolute sd for every MDV value (mfapy's ``set_std``); None keeps the
        file's Std column.
    unknown
        Status rows naming reactions the model lacks: ``"warn"`` (mfapy
        ignores them) or ``"raise"``.

    Notes
    -----
    Metabolites flagged ``carbonsource`` are labelled sources, ``excreted``
    ones are not balanced, ``symmetry`` ones are symmetric. A reaction with
    ``nd`` atom mapping takes part in the mass balance only. MDV rows are used
    when the model lists the fragment with ``use`` and the row has Select 1;
    a selected fragment the model does not define raises.
    """
    model_file = Path(model_file)
    section = None
    rxns, mets, revs, frags = [], [], [], []
    with open(model_file, encoding="utf-8") as fh:
        for line, raw in enumerate(fh, start=1):
            s = raw.rstrip("\n")
            if s.startswith("//"):
                section = s[2:].strip()
                continue
            if not s.strip() or s.startswith("#"):
                continue
            cols = s.split("\t")
            if section == "Reactions":
                rxns.append((line, cols))
            elif section == "Metabolites":
                mets.append((line, cols))
            elif section == "Reversible_reactions":
                revs.append((line, cols))
            elif section == "Target_fragments":
                frags.append((line, cols))
    symmetric, sources, excreted, carbons = set(), set(), set(), {}
    for line, c in mets:
        if len(c) < 5:
            raise FluxasnInputError("metabolite row needs id, carbons, symmetry, carbonsource, excreted",
                                    source=model_file, line=line)
        carbons[c[0]] = int(c[1])
        if c[2].strip() == "symmetry":
            symmetric.add(c[0])
        if c[3].strip() == "carbonsource":
            sources.add(c[0])
        if c[4].strip() == "excreted":
            excreted.add(c[0])
    net = LabelingNetwork(model_file.stem, symmetric=symmetric)
    for line, c in rxns:
        if len(c) < 4:
            raise FluxasnInputError("reaction row needs id, equation, carbon equation, atom map",
                                    source=model_file, line=line)
        rid = c[0].strip()
        st = _mfapy_stoich(c[1], rid=rid, source=model_file, line=line)
        t = None
        if c[3].strip() != "nd":
            t = mfapy_transition(rid, c[2], c[3], symmetric=symmetric, source=model_file, line=line)
            for met, n in t.metabolites().items():
                if met in carbons and carbons[met] != n:
                    raise FluxasnInputError(f"{met} has {n} atoms here but {carbons[met]} in //Metabolites",
                                            source=model_file, line=line, identifier=rid)
        lo = float(c[5]) if len(c) > 6 else 0.0
        hi = float(c[6]) if len(c) > 6 else 1000.0
        net.add_gross(GrossFlux(rid, st, t, lo, hi), source=model_file, line=line)
    for line, c in revs:
        lo = float(c[4]) if len(c) > 5 else -np.inf
        hi = float(c[5]) if len(c) > 5 else np.inf
        net.add_reversible(c[0], c[1], c[2], lower=lo, upper=hi, source=model_file, line=line)
    known = set(net.metabolites)
    net.balanced = {m for m in known if m not in excreted and m not in sources}
    net.sources = sources
    targets = {}
    for line, c in frags:
        if len(c) >= 4 and c[3].strip() == "use":
            parts = [x.strip().rsplit("_", 1) for x in c[2].strip().split("+")]
            mets = {m for m, _ in parts}
            if len(mets) != 1:
                # atoms of different molecules: kept as an error raised only if the fragment is used
                targets[c[0]] = FluxasnInputError(
                    "fragments combining atoms of different metabolites are not supported",
                    source=model_file, line=line, identifier=c[0])
                continue
            atoms = sorted({int(p) for _, pos in parts for p in pos.split(":")})  # same molecule: union
            targets[c[0]] = parse_emu((mets.pop(), atoms), carbons=net.carbons)
    # status
    status_file = Path(status_file)
    fixed, fluxes, bounds, ignored = {}, [], {}, []
    for line, row in _rows(status_file, ["State", "Id", "type"]):
        state, rid, typ = row["State"].strip(), row["Id"].strip(), row["type"].strip()
        vals = list(row.values())
        if state == "metabolite":
            continue
        kw = dict(source=status_file, line=line, identifier=rid)
        if state == "reaction" and rid not in net.flux_ids or state == "reversible" and rid not in net.pairs:
            if unknown == "raise":
                raise FluxasnInputError(f"{state} {rid!r} is not in the model {model_file.name}", **kw)
            warnings.warn(f"{status_file.name} line {line}: {state} {rid!r} is not in the model; ignored "
                          "(as mfapy does)")
            ignored.append(rid)
            continue
        value, sd, lo, hi = (_float(x, **kw) for x in vals[3:7])
        if state == "reaction":
            f = net.fluxes[net.flux_index(rid)]
            f.lower, f.upper = lo, hi
        else:
            net.pairs[rid].lower, net.pairs[rid].upper = lo, hi
        if typ == "fixed":
            fixed[rid] = value
        elif typ == "fitting":
            fluxes.append(FluxMeasurement(rid, value, sd, source=str(status_file), line=line))
        elif typ != "free":
            raise FluxasnInputError(f"type {typ!r} is not fixed, fitting or free", **kw)
    exps = []
    for name, spec in mdv_files.items():
        path, tracers = spec[0], spec[1]
        natural = float(spec[2]) if len(spec) > 2 else 0.0
        path = Path(path)
        exp = Experiment(name, list(tracers), natural_13c=natural)
        data: Dict[str, dict] = {}
        for line, row in _rows(path, ["Name", "Spectrum", "Select", "MDV", "Std"], delimiter="\t"):
            fid = row["Name"].strip()
            d = data.setdefault(fid, {"vals": [], "line": line, "select": []})
            d["vals"].append((_float(row["MDV"], source=path, line=line, identifier=fid),
                              _float(row["Std"], source=path, line=line, identifier=fid)))
            d["select"].append(row["Select"].strip() == "1")
        for fid, d in data.items():
            if not any(d["select"]):
                continue
            if fid not in targets:
                raise FluxasnInputError(
                    "selected fragment is not a target fragment (with 'use') of the model "
                    f"{model_file.name}", source=path, line=d["line"], identifier=fid)
            if isinstance(targets[fid], Exception):
                raise targets[fid]
            mid = np.array([x for x, _ in d["vals"]])
            sd = np.array([s for _, s in d["vals"]]) if mdv_sd is None else np.full(mid.size, float(mdv_sd))
            exp.mids.append(MIDMeasurement(fid, targets[fid], mid, sd, source=str(path), line=d["line"]))
        exps.append(exp)
    return MFAInput(net, exps, fluxes, fixed, bounds, ignored)


# ----------------------------------------------------------------------------- FluxML
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


# ----------------------------------------------------------------------------- COBRA model
def traced_carbons(metabolite) -> Optional[int]:
    """Traced atoms of a cobra metabolite: ``notes["traced_carbons"]`` or the formula's C count."""
    notes = getattr(metabolite, "notes", {}) or {}
    if notes.get("traced_carbons"):
        return int(notes["traced_carbons"])
    formula = metabolite.formula or ""
    m = re.search(r"C(\d*)(?![a-z])", formula)
    if not m:
        return 0
    return int(m.group(1)) if m.group(1) else 1


def network_from_cobra(model, *, reactions: Optional[Sequence[str]] = None) -> LabelingNetwork:
    """Labelling network from the atom transitions stored on a cobra model.

    Reads ``reaction.notes["carbon_transitions"]`` (the notation of
    :mod:`fluxasn.isotope.atommap`), symmetric species from
    ``metabolite.notes["symmetric"] == "true"`` and checks each species'
    traced atoms against :func:`traced_carbons`. Only traced metabolites enter
    the mass balances; a reaction with a negative lower bound is reversible.
    Species of the model's boundary reactions (medium compounds) are the
    labelled sources and are not balanced.
    """
    symmetric = {m.id for m in model.metabolites if str((m.notes or {}).get("symmetric", "")).lower() == "true"}
    net = LabelingNetwork(model.id, symmetric=symmetric)
    chosen = [model.reactions.get_by_id(r) for r in reactions] if reactions else list(model.reactions)
    for rxn in chosen:
        text = (rxn.notes or {}).get("carbon_transitions")
        if not text:
            continue
        carbons = {m.id: traced_carbons(m) for m in rxn.metabolites}
        t = parse_transition(text, reaction=rxn.id, symmetric=symmetric, carbons=carbons, source=model.id)
        net.add_reaction(rxn.id, t, reversible=rxn.lower_bound < 0, lower=rxn.lower_bound,
                         upper=rxn.upper_bound, source=model.id)
    medium = {m.id for r in model.boundary for m in r.metabolites if m.id in net.carbons}
    sources = net.sources | medium
    net.sources = sources
    net.balanced = net.balanced - sources
    return net


def read_c13(path, *, experiments: Optional[Sequence[str]] = None) -> MFAInput:
    """13C data from a folder of INCA CSV files or a FluxML file, chosen by what ``path`` is.

    Parameters
    ----------
    path
        A folder (``reactions.csv``, ``tracers.csv``, ``ms_measurements.csv``,
        ``flux_measurements.csv``: :func:`read_inca_csv`) or a FluxML file
        (``.fml``, ``.fluxml``, ``.xml``: :func:`read_fluxml`).
    experiments
        INCA experiments to read (default all); refused for FluxML files.

    Raises
    ------
    FluxasnInputError
        A missing path, another kind of file, or ``experiments`` with a FluxML file.
    """
    path = Path(path)
    if not path.exists():
        raise FluxasnInputError("file or folder not found", source=path)
    if path.is_dir():
        return read_inca_csv(path, experiments=list(experiments) if experiments else None)
    if path.suffix.lower() in {".fml", ".fluxml", ".xml"}:
        if experiments:
            raise FluxasnInputError("experiments apply to INCA CSV folders, not to FluxML files",
                                    source=path, identifier="experiments")
        return read_fluxml(path)
    raise FluxasnInputError(
        "expected a folder of INCA CSV files (reactions.csv, tracers.csv, ms_measurements.csv, "
        "flux_measurements.csv) or a FluxML file (.fml)", source=path,
    )
