"""INCA-style CSV as written by incawrapper (reactions.csv, tracers.csv, ms_measurements.csv, flux_measurements.csv)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Optional, Sequence, Tuple


from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.emu import parse_emu
from fluxasn.isotope.measurements import Experiment, FluxMeasurement, MIDMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer
from fluxasn.isotope.formats.common import _check_flux, _float, _int_list, _rows
from fluxasn.isotope.problem import MFAInput

__all__ = ['read_inca_csv']


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
