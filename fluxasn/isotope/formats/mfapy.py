"""mfapy text model, status CSV and MDV files."""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Dict, Mapping, Optional

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import parse_transition
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import GrossFlux
from fluxasn.isotope.formats.common import _ExpressionNetwork, _float, _rows
from fluxasn.isotope.problem import MFAInput

__all__ = ['read_mfapy', 'mfapy_transition']


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
    ``nd`` atom mapping takes part in the mass balance only. A reaction of
    status type ``pseudo`` is a free flux that forms its products from its
    substrates' atoms but is left out of its substrates' mass balance (mfapy:
    "used for MDV calc but ignored in the stoichiometry matrix"), so a pseudo
    metabolite samples the labelling of its precursors. A target fragment of
    several molecules (``OAC_1:2+OAC_1:2``) is refused when used. MDV rows are used
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
                if section not in ("Reactions", "Metabolites", "Reversible_reactions", "Target_fragments", "End"):
                    raise FluxasnInputError(f"unknown mfapy model section //{section}; expected //Reactions, "
                                            "//Metabolites, //Reversible_reactions, //Target_fragments or //End",
                                            source=model_file, line=line, identifier=section)
                continue
            if not s.strip() or s.startswith("#"):
                continue
            cols = s.split("\t")
            if section in (None, "End"):
                raise FluxasnInputError("text outside the model sections", source=model_file, line=line,
                                        identifier=cols[0])
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
    net = _ExpressionNetwork(model_file.stem, symmetric=symmetric)
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
    composed = {}
    for line, c in revs:
        if len(c) < 3:
            raise FluxasnInputError("reversible row needs id, forward and reverse reaction", source=model_file,
                                    line=line)
        lo = float(c[4]) if len(c) > 5 else -np.inf
        hi = float(c[5]) if len(c) > 5 else np.inf
        fwd, rev = [x.strip() for x in c[1].split("+")], [x.strip() for x in c[2].split("+")]
        if rev == ["nothing"]:
            rev = []
        if len(fwd) == 1 and len(rev) == 1:
            net.add_reversible(c[0], fwd[0], rev[0], lower=lo, upper=hi, source=model_file, line=line)
            continue
        # a composed reaction ("v9+e1", reverse "nothing"): its net flux, sum(forward) - sum(reverse)
        terms: Dict[str, float] = {}
        for r, sign in [(r, 1.0) for r in fwd] + [(r, -1.0) for r in rev]:
            if r not in net.flux_ids:
                raise FluxasnInputError(f"reversible reaction {c[0]!r} names unknown reaction {r!r}",
                                        source=model_file, line=line, identifier=r)
            terms[r] = terms.get(r, 0.0) + sign
        net.expressions[c[0]] = terms
        composed[c[0]] = (lo, hi)
    known = set(net.metabolites)
    net.balanced = {m for m in known if m not in excreted and m not in sources}
    net.sources = sources
    targets = {}
    for line, c in frags:
        if len(c) >= 4 and c[3].strip() == "use":
            parts = [x.strip().rsplit("_", 1) for x in c[2].strip().split("+")]
            if len(parts) != 1:
                # several molecules ("OAC_1:2+OAC_1:2", "OAC_3:4+Fum_4"): their MID is the convolution of
                # several EMU MIDs, which a single-EMU measurement cannot state; refused if the fragment is used
                targets[c[0]] = FluxasnInputError(
                    f"fragment {c[2].strip()!r} combines {len(parts)} molecules (its MID is the convolution of "
                    "their EMU MIDs); fluxasn reads fragments of one molecule, e.g. 'Glu_1:2:3:4:5'",
                    source=model_file, line=line, identifier=c[0])
                continue
            try:
                targets[c[0]] = parse_emu(c[2].strip(), carbons=net.carbons)
            except FluxasnInputError as exc:
                raise FluxasnInputError(exc.reason, source=model_file, line=line, identifier=c[0]) from None
    # status
    status_file = Path(status_file)
    fixed, fluxes, bounds, ignored, pseudo = {}, [], {}, [], []
    for line, row in _rows(status_file, ["State", "Id", "type"]):
        state, rid, typ = row["State"].strip(), row["Id"].strip(), row["type"].strip()
        vals = list(row.values())
        if state == "metabolite":
            continue
        kw = dict(source=status_file, line=line, identifier=rid)
        if state == "reaction" and rid not in net.flux_ids or (state == "reversible" and rid not in net.pairs
                                                                and rid not in net.expressions):
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
        elif rid in net.expressions:
            composed[rid] = (lo, hi)
        else:
            net.pairs[rid].lower, net.pairs[rid].upper = lo, hi
        if typ == "fixed":
            fixed[rid] = value
        elif typ == "fitting":
            fluxes.append(FluxMeasurement(rid, value, sd, source=str(status_file), line=line))
        elif typ == "pseudo":
            if state != "reaction":
                raise FluxasnInputError(f"type 'pseudo' applies to reactions, not to a {state}", **kw)
            # mfapy: a free flux that makes its products (a pseudo metabolite sampling the substrates'
            # labelling) but is left out of its substrates' mass balance
            f = net.fluxes[net.flux_index(rid)]
            if f.transition is None:
                raise FluxasnInputError("a pseudo reaction needs an atom mapping ('nd' given)", **kw)
            f.stoichiometry = {m: c for m, c in f.stoichiometry.items() if c > 0}
            pseudo.append(rid)
        elif typ != "free":
            raise FluxasnInputError(f"type {typ!r} is not fixed, fitting, free or pseudo", **kw)
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
    bounds.update({name: lh for name, lh in composed.items() if np.isfinite(lh).any()})
    return MFAInput(net, exps, fluxes, fixed, bounds, ignored)
