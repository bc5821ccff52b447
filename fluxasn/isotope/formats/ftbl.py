"""influx_si FTBL (stationary 13C-MFA, ``influx_s``): network, fluxes, constraints, tracers, MS data.

Sections read: PROJECT, NETWORK, FLUXES (NET/XCH), EQUALITIES, INEQUALITIES,
FLUX_MEASUREMENTS, LABEL_INPUT, MASS_SPECTROMETRY, OPTIONS, and LABEL_MEASUREMENTS /
PEAK_MEASUREMENTS when they hold no data. Refused by name: data in
LABEL_MEASUREMENTS (cumomer groups) or PEAK_MEASUREMENTS (NMR), and the sections
METABOLITE_POOLS, METAB_MEASUREMENTS, NOTRACER_NETWORK (growth fluxes,
non-stationary influx_i models, parallel-experiment auxiliaries), and any other.

Conventions (pinned in ``tests/test_isotope_readers.py``):

* Exchange. influx_si writes an exchange flux ``xch`` = min(forward, reverse)
  mapped to [0, 1) as ``xch01 = xch / (1 + xch)`` (influx_si manual), so
  forward = xch + max(net, 0) and reverse = xch + max(-net, 0). fluxasn's
  exchange ``R.exch`` is the reverse flux. A free exchange (F, D) becomes a
  free reverse flux (the same set of gross fluxes). A fixed exchange (C) fixes
  the reverse flux when the net flux is taken forward (its NET value >= 0, or
  a dependent NET), else the forward flux; the direction taken is stated in
  :attr:`FTBLInput.directions` and enforced as a bound on the net flux
  (influx_si leaves the sign free: a fit whose best net flux sits on that
  bound differs from influx_si's). An exchange fixed at 0 makes the reaction
  irreversible in that direction.
* Bound on free exchanges: influx_si keeps a free exchange at most 0.999 on its
  [0, 1) scale. Read as reverse flux <= 999 (exact for a forward net flux;
  for a reverse one it bounds min(forward, reverse) by 999 - abs(net)). With it,
  fluxasn's best fit of ``test/e_coli.ftbl`` has residual norm sqrt(SSR) =
  7.843096, the ``res`` influx_si's regression log publishes; without it the
  enolase exchange runs off to infinity and the SSR keeps falling.
* Reactions with an input metabolite (only ever consumed: the label input) or
  an output metabolite (only ever produced) are irreversible: their reverse
  flux would only drain a balanced pool or refill an unbalanced one, which
  changes no simulated labelling.
* Tracers: LABEL_INPUT isotopomers as given (pure 12C/13C; no natural 13C).
* MS: one fitted scale factor per MS group (metabolite + fragment), influx_si's
  default; none with ``--noscale`` in the ``commandArgs`` option (or
  ``scale=False``). Weights need not start at M+0.
* OPTIONS: run settings that do not change the model (``optctrl_*``,
  ``posttreat_R``, ``commandArgs`` flags in :data:`HARMLESS_FLAGS`) are kept in
  :attr:`FTBLInput.options`; any other option or command-line flag is refused
  by name, since it may change what is fitted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.atommap import parse_transition
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.tracers import Tracer
from fluxasn.isotope.formats.common import _ExpressionNetwork, _linear_relation
from fluxasn.isotope.problem import MFAInput

__all__ = ["read_ftbl", "FTBLInput", "xch01_to_exchange", "HARMLESS_FLAGS"]

#: influx_si command-line flags that change how it runs (timing, debugging, start points, solver) but not
#: the model fitted.
HARMLESS_FLAGS = frozenset({"--TIMEIT", "--DEBUG", "--emu", "--fullsys", "--irand", "--noopt"})

_READ = {"PROJECT", "NETWORK", "FLUXES", "EQUALITIES", "INEQUALITIES", "FLUX_MEASUREMENTS", "LABEL_INPUT",
         "LABEL_MEASUREMENTS", "PEAK_MEASUREMENTS", "MASS_SPECTROMETRY", "OPTIONS"}
_REFUSED = {
    "METABOLITE_POOLS": "metabolite pools (growth fluxes -mu*[M] or non-stationary influx_i labelling)",
    "METAB_MEASUREMENTS": "measured metabolite concentrations (growth fluxes or non-stationary labelling)",
    "NOTRACER_NETWORK": "a network without tracer (parallel-experiment auxiliaries)",
}


def xch01_to_exchange(value: float) -> float:
    """influx_si's exchange in [0, 1) to min(forward, reverse): ``x / (1 - x)``."""
    if not 0.0 <= value < 1.0:
        raise FluxasnInputError(f"an influx_si exchange value must lie in [0, 1), got {value}")
    return value / (1.0 - value)


@dataclass
class FTBLInput(MFAInput):
    """:class:`MFAInput` read from an FTBL file, with what influx_si adds.

    Attributes
    ----------
    start
        Free fluxes' starting values: ``R`` (net) and ``R.exch`` (reverse flux).
    directions
        Reactions with a fixed nonzero exchange -> "forward" or "reverse": the
        branch of min(forward, reverse) taken (see the module docstring).
    options, project
        The OPTIONS and PROJECT rows (run settings and description).
    """

    start: Dict[str, float] = field(default_factory=dict)
    directions: Dict[str, str] = field(default_factory=dict)
    options: Dict[str, str] = field(default_factory=dict)
    project: Dict[str, str] = field(default_factory=dict)


def _rows(path: Path):
    """(line, fields) of an FTBL file: comments (``//``) cut, blank lines skipped, leading tabs kept."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line, raw in enumerate(fh, start=1):
            text = raw.rstrip("\r\n")
            if "//" in text:
                text = text[:text.index("//")]
            if not text.strip():
                continue
            yield line, [f.strip() for f in text.rstrip().split("\t")]


def _sections(path: Path):
    sections: Dict[str, List[Tuple[int, List[str]]]] = {}
    where: Dict[str, int] = {}
    current = None
    for line, f in _rows(path):
        if f[0]:
            name = f[0]
            if not re.fullmatch(r"[A-Z_]+", name) or len(f) > 1:
                raise FluxasnInputError(f"expected an FTBL section name (upper case, alone on its line), got "
                                        f"{f[0]!r}", source=path, line=line, identifier=f[0])
            if name in _REFUSED:
                raise FluxasnInputError(f"FTBL section {name} ({_REFUSED[name]}) is not read by fluxasn",
                                        source=path, line=line, identifier=name)
            if name not in _READ:
                raise FluxasnInputError(f"unknown FTBL section {name}", source=path, line=line, identifier=name)
            current = name
            sections[name] = []
            where[name] = line
            continue
        if current is None:
            raise FluxasnInputError("data before the first FTBL section", source=path, line=line)
        sections[current].append((line, f))
    return sections, where


def _sub(rows, path, section):
    """Split NET/XCH subsections; each starts with its header row, which is dropped."""
    out: Dict[str, list] = {"NET": [], "XCH": []}
    cur = None
    for line, f in rows:
        if len(f) == 2 and f[1] in out:
            cur = f[1]
            out[cur].append(None)
            continue
        if cur is None:
            raise FluxasnInputError(f"{section}: expected a NET or XCH subsection", source=path, line=line,
                                    identifier=section)
        if out[cur] and out[cur][-1] is None:
            out[cur][-1] = "header"
            continue
        out[cur].append((line, f[2:]))
    return {k: [r for r in v if r not in (None, "header")] for k, v in out.items()}


def _num(text, path, line, ident, what="number") -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise FluxasnInputError(f"expected a {what}, got {text!r}", source=path, line=line,
                                identifier=ident) from None


def _atoms(spec: str, n: Optional[int], path, line, ident) -> List[int]:
    atoms: List[int] = []
    for part in spec.replace(" ", "").split(","):
        m = re.fullmatch(r"(\d+)(?:[~\-](\d+))?", part)
        if not m:
            raise FluxasnInputError(f"cannot read fragment {spec!r}; expected atoms like 1,2,3 or 1~4",
                                    source=path, line=line, identifier=ident)
        a, b = int(m.group(1)), int(m.group(2) or m.group(1))
        atoms += list(range(a, b + 1))
    return atoms


def read_ftbl(path, *, scale: Optional[bool] = None, xch_max: float = 0.999) -> FTBLInput:
    """Read an influx_si FTBL file (stationary, ``influx_s``).

    Parameters
    ----------
    path
        The ``.ftbl`` file.
    scale
        Fit one scale factor per MS group; default: as influx_si runs the file
        (yes, unless its ``commandArgs`` option says ``--noscale``).
    xch_max
        Upper bound of a free exchange flux on influx_si's [0, 1) scale
        (0.999, i.e. min(forward, reverse) <= 999: see the module docstring).

    Returns
    -------
    FTBLInput

    Raises
    ------
    FluxasnInputError
        A section or construct the reader does not understand, or a malformed
        row; each names file, line and section or identifier.

    Notes
    -----
    See the module docstring for the exchange-flux and direction conventions.
    NET fluxes: F = free (value = start), C = fixed, D = dependent (free here,
    determined by the balances). EQUALITIES/INEQUALITIES NET are linear
    constraints; XCH equalities are read where influx_si's and fluxasn's
    exchanges agree ('A - B = 0' with equal net fluxes), XCH inequalities as
    lower bounds ``x <= R``.
    """
    path = Path(path)
    secs, where = _sections(path)
    options = {}
    for line, f in secs.get("OPTIONS", [])[1:]:
        name, value = f[1], (f[2] if len(f) > 2 else "")
        options[name] = value
        if name == "commandArgs":
            flags = [t for t in value.split() if t.startswith("-")]
            bad = [t for t in flags if t not in HARMLESS_FLAGS and t != "--noscale"]
            if bad or len(flags) != len(value.split()):
                raise FluxasnInputError(f"influx_si command-line arguments {value!r} are not read by fluxasn "
                                        f"(understood: {', '.join(sorted(HARMLESS_FLAGS))}, --noscale)",
                                        source=path, line=line, identifier="commandArgs")
            if "--noscale" in flags and scale is None:
                scale = False
        elif not (name.startswith("optctrl_") or name in ("posttreat_R", "MATLAB_FOR_FLUX_EQ_CONSTR_MATR")):
            raise FluxasnInputError(f"influx_si option {name} may change the model and is not read by fluxasn",
                                    source=path, line=line, identifier=name)
    scale = True if scale is None else scale
    for need in ("NETWORK", "FLUXES", "LABEL_INPUT"):
        if need not in secs:
            raise FluxasnInputError(f"FTBL file without section {need}", source=path, identifier=need)
    # -- network -------------------------------------------------------------------
    rows = secs["NETWORK"][1:]
    reactions = []
    i = 0
    while i < len(rows):
        line, f = rows[i]
        if len(f) < 2 or not f[1]:
            raise FluxasnInputError("expected a reaction row (name, educts, products)", source=path, line=line,
                                    identifier="NETWORK")
        if i + 1 >= len(rows) or rows[i + 1][1][1:2] not in ([""],):
            raise FluxasnInputError("reaction row without its carbon row (#ABC ...) below", source=path,
                                    line=line, identifier=f[1])
        cline, c = rows[i + 1]
        names = (f + [""] * 6)[2:6]
        carb = (c + [""] * 6)[2:6]
        species = []
        for k, (m, a) in enumerate(zip(names, carb)):
            if bool(m) != bool(a):
                raise FluxasnInputError(f"{m or 'an empty column'} has no matching carbon string "
                                        f"({a or 'none'})", source=path, line=cline, identifier=f[1])
            if m:
                if not re.fullmatch(r"#[A-Za-z]*", a):
                    raise FluxasnInputError(f"cannot read carbon string {a!r}; expected '#ABC'", source=path,
                                            line=cline, identifier=f[1])
                species.append(("educt" if k < 2 else "product", m, a[1:], line))
        reactions.append((f[1], species, line))
        i += 2
    educts = {m for _, sp, _ in reactions for s, m, _, _ in sp if s == "educt"}
    products = {m for _, sp, _ in reactions for s, m, _, _ in sp if s == "product"}
    inputs, outputs = educts - products, products - educts
    # -- fluxes ----------------------------------------------------------------------
    kinds = _sub(secs["FLUXES"], path, "FLUXES")
    spec: Dict[str, Dict[str, Tuple[str, Optional[float], int]]] = {"NET": {}, "XCH": {}}
    names = {r for r, _, _ in reactions}
    for kind, rows_ in kinds.items():
        for line, f in rows_:
            if len(f) < 2 or f[1] not in ("F", "C", "D"):
                raise FluxasnInputError(f"FLUXES {kind}: expected NAME and F, C or D", source=path, line=line,
                                        identifier=f[0] if f else kind)
            if f[0] not in names:
                raise FluxasnInputError(f"FLUXES {kind} names no reaction of NETWORK", source=path, line=line,
                                        identifier=f[0])
            val = _num(f[2], path, line, f[0]) if f[1] in "FC" else None
            if kind == "XCH" and val is not None:
                val = xch01_to_exchange(val) if 0 <= val < 1 else _num("bad", path, line, f[0],
                                                                       "exchange in [0, 1)")
            spec[kind][f[0]] = (f[1], val, line)
    net = _ExpressionNetwork(path.stem)
    fixed: Dict[str, float] = {}
    bounds: Dict[str, Tuple[float, float]] = {}
    start: Dict[str, float] = {}
    directions: Dict[str, str] = {}
    for rid, species, line in reactions:
        subs = [(m, a) for s, m, a, _ in species if s == "educt"]
        prods = [(m, a) for s, m, a, _ in species if s == "product"]
        text = " + ".join(f"{m}({a})" for m, a in subs) + " -> " + " + ".join(f"{m}({a})" for m, a in prods)
        t = parse_transition(text, reaction=rid, source=path, line=line)
        boundary = any(m in inputs or m in outputs for m, _ in subs + prods)
        n_kind, n_val, _ = spec["NET"].get(rid, ("D", None, line))
        x_kind, x_val, x_line = spec["XCH"].get(rid, ("D", None, line))
        forward = n_val is None or n_val >= 0
        irreversible = boundary or (x_kind == "C" and x_val == 0.0)
        net.add_reaction(rid, t, reversible=not irreversible, lower=-1e6, upper=1e6, source=path, line=line)
        if irreversible and not boundary and not forward:
            raise FluxasnInputError("exchange fixed at 0 with a negative net flux: write the reaction the other "
                                    "way round", source=path, line=x_line, identifier=rid)
        if n_kind == "C":
            fixed[rid] = n_val
        elif n_kind == "F":
            start[rid] = n_val
        if not irreversible:
            if x_kind == "C":
                directions[rid] = "forward" if forward else "reverse"
                fixed[rid + (".exch" if forward else ".f")] = x_val
                bounds[rid] = (0.0, np.inf) if forward else (-np.inf, 0.0)
            else:
                if x_kind == "F":
                    start[rid + ".exch"] = x_val
                bounds[rid + ".exch"] = (0.0, xch01_to_exchange(xch_max))
    net.sources = inputs
    net.balanced = set(net.metabolites) - inputs - outputs
    # -- constraints -------------------------------------------------------------------
    constraints = []
    for section in ("EQUALITIES", "INEQUALITIES"):
        if section not in secs:
            continue
        parts = _sub(secs[section], path, section)
        for kind in ("NET", "XCH"):
            for line, f in parts[kind]:
                if section == "EQUALITIES":
                    if len(f) < 2:
                        raise FluxasnInputError("EQUALITIES: expected VALUE and FORMULA", source=path, line=line,
                                                identifier=section)
                    rel = f"{f[1]} = {f[0]}"
                else:
                    if len(f) < 3 or f[1] not in ("<=", ">=", "<", ">", "="):
                        raise FluxasnInputError("INEQUALITIES: expected VALUE, COMP (<=, >=) and FORMULA",
                                                source=path, line=line, identifier=section)
                    rel = f"{f[0]} {f[1]} {f[2]}"
                terms, lo, hi = _linear_relation(rel, source=path, line=line, identifier=f"{section} {kind}",
                                                 what="FTBL constraint")
                for name in terms:
                    if name not in net.pairs:
                        raise FluxasnInputError(f"{section} {kind} names no reaction", source=path, line=line,
                                                identifier=name)
                if kind == "NET":
                    constraints.append((terms, lo, hi))
                    continue
                same_net = (lo == hi == 0.0 and sorted(map(abs, terms.values())) == [1.0, 1.0]
                            and sum(terms.values()) == 0.0 and (terms, 0.0, 0.0) in constraints)
                single_lower = len(terms) == 1 and next(iter(terms.values())) == 1.0 and np.isinf(hi)
                if not (same_net or single_lower) or any(not net.pairs[n].backward for n in terms):
                    raise FluxasnInputError(
                        f"{section} XCH {rel!r}: influx_si's exchange is min(forward, reverse) on a [0, 1) scale; "
                        "read are 'A - B = 0' with equal net fluxes and lower bounds 'x <= R'",
                        source=path, line=line, identifier=section)
                if same_net:
                    constraints.append(({n + ".exch": c for n, c in terms.items()}, 0.0, 0.0))
                else:
                    rid = next(iter(terms))
                    x = xch01_to_exchange(lo)
                    constraints += [({rid + ".f": 1.0}, x, np.inf), ({rid + ".b": 1.0}, x, np.inf)]
    # -- measurements -------------------------------------------------------------------
    fluxes = []
    for line, f in secs.get("FLUX_MEASUREMENTS", [])[1:]:
        f = f[1:]
        if len(f) < 3:
            raise FluxasnInputError("FLUX_MEASUREMENTS: expected FLUX_NAME, VALUE, DEVIATION", source=path,
                                    line=line, identifier="FLUX_MEASUREMENTS")
        if f[0] not in net.pairs:
            raise FluxasnInputError("measured flux names no reaction of NETWORK", source=path, line=line,
                                    identifier=f[0])
        fluxes.append(FluxMeasurement(f[0], _num(f[1], path, line, f[0]), _num(f[2], path, line, f[0]),
                                      source=str(path), line=line))
    for section in ("LABEL_MEASUREMENTS", "PEAK_MEASUREMENTS"):
        data = secs.get(section, [])[1:]
        if data:
            what = "cumomer label groups" if section == "LABEL_MEASUREMENTS" else "NMR peaks"
            raise FluxasnInputError(f"{section} ({what}) holds data, which fluxasn does not read", source=path,
                                    line=data[0][0], identifier=section)
    tracers = []
    meta = None
    for line, f in secs["LABEL_INPUT"][1:]:
        f = (f + ["", "", ""])[1:4]
        meta = f[0] or meta
        if meta is None or not re.fullmatch(r"#[01]+", f[1]):
            raise FluxasnInputError("LABEL_INPUT: expected META_NAME, isotopomer '#0101', fraction", source=path,
                                    line=line, identifier=meta or "LABEL_INPUT")
        if meta not in inputs:
            raise FluxasnInputError("labelled metabolite is not an input (only-consumed) metabolite of NETWORK",
                                    source=path, line=line, identifier=meta)
        if len(f[1]) - 1 != net.carbons.get(meta):
            raise FluxasnInputError(f"isotopomer {f[1]} has {len(f[1]) - 1} atoms, {meta} has "
                                    f"{net.carbons.get(meta)}", source=path, line=line, identifier=meta)
        pos = tuple(i for i, ch in enumerate(f[1][1:], start=1) if ch == "1")
        frac = _num(f[2], path, line, meta, "fraction")
        if pos and frac:
            tracers.append(Tracer(meta, pos, frac))
    exp = Experiment(path.stem, tracers)
    groups: Dict[Tuple[str, str], dict] = {}
    key = None
    for line, f in secs.get("MASS_SPECTROMETRY", [])[1:]:
        f = (f + [""] * 6)[1:6]
        if f[0] or f[1]:
            if not (f[0] and f[1]):
                raise FluxasnInputError("MASS_SPECTROMETRY: a new group needs META_NAME and FRAGMENT", source=path,
                                        line=line, identifier=f[0] or f[1])
            key = (f[0], f[1])
            if key in groups:
                raise FluxasnInputError("MS group given twice", source=path, line=line, identifier=f"{f[0]} {f[1]}")
            groups[key] = {"line": line, "vals": {}}
        if key is None:
            raise FluxasnInputError("MASS_SPECTROMETRY row without a group", source=path, line=line,
                                    identifier="MASS_SPECTROMETRY")
        w = int(_num(f[2], path, line, key[0], "weight"))
        if w in groups[key]["vals"]:
            raise FluxasnInputError(f"weight {w} given twice", source=path, line=line, identifier=key[0])
        groups[key]["vals"][w] = (_num(f[3], path, line, key[0]), _num(f[4], path, line, key[0], "deviation"))
    for (met, frag), g in groups.items():
        if "+" in met:
            raise FluxasnInputError("MS group of several metabolites (their concentration-weighted mixture) is not "
                                    "read by fluxasn", source=path, line=g["line"], identifier=met)
        if met not in net.carbons:
            raise FluxasnInputError("measured metabolite carries no carbon in NETWORK", source=path,
                                    line=g["line"], identifier=met)
        atoms = _atoms(frag, net.carbons[met], path, g["line"], met)
        try:
            emu = parse_emu((met, atoms), carbons=net.carbons)
        except FluxasnInputError as exc:
            raise FluxasnInputError(exc.reason, source=path, line=g["line"], identifier=met) from None
        masses = sorted(g["vals"])
        if masses[-1] > len(atoms):
            raise FluxasnInputError(f"weight {masses[-1]} above the {len(atoms)} atoms of the fragment",
                                    source=path, line=g["line"], identifier=met)
        full = masses == list(range(len(masses)))
        exp.mids.append(MIDMeasurement(
            f"{met}:{frag}", emu, [g["vals"][w][0] for w in masses], [g["vals"][w][1] for w in masses],
            scale=scale, correction=None if full else np.eye(len(atoms) + 1)[masses], source=str(path),
            line=g["line"], tolerance=MIDMeasurement.tolerance if full else np.inf))
    project = {}
    prow = secs.get("PROJECT", [])
    if len(prow) >= 2:
        project = dict(zip(prow[0][1][1:], prow[1][1][1:]))
    return FTBLInput(net, [exp], fluxes, fixed, bounds, constraints=constraints, start=start,
                     directions=directions, options=options, project=project)

