"""A time-course folder: an INCA-style CSV folder with times and pool sizes (INST-MFA input).

Files (comma-separated; lines starting ``#`` are comments):

* ``reactions.csv``: ``rxn_id, rxn_eqn`` (atom transition, e.g.
  ``f6p_c (abcdef) -> fdp_c (abcdef)``; ``<->`` or ``<=>`` reversible) and
  optionally ``direction``: ``forward`` (default for ``->``), ``reversible``
  (default for ``<->``) or ``backward``: only the reverse direction carries
  flux (the reaction is read as reversible with its forward gross flux fixed
  at 0, so its net flux is <= 0 and keeps the sign of the written equation).
* ``tracers.csv``: ``experiment_id, met_id, atom_ids, ratio, atom_mdv`` as
  in INCA (``atom_mdv`` ``[p12, p13]``: 13C purity of the labelled atoms).
* ``ms_measurements.csv``: time-course MIDs
  (:func:`~fluxasn.isotope.inst.tables.read_time_course_mids`; ``time`` in h).
* ``pool_sizes.csv``: :func:`~fluxasn.isotope.inst.tables.read_pool_sizes`.
* ``flux_measurements.csv`` (optional): ``experiment_id, rxn_id, flux,
  flux_std_error`` (fluxes in ``flux_unit``, shared by the experiments).
* ``fixed_fluxes.csv`` (optional): ``rxn_id, flux``: fluxes held at a value
  (net id, gross id or ``ID.exch``).

Units: fluxes in mmol/gDW/h, time in h, pool sizes in the pool table's unit.
MIDs are compared as given (no scale factors): give them corrected for
natural isotopes, summing to 1.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.formats.common import _check_flux, _float, _int_list, _rows
from fluxasn.isotope.measurements import FluxMeasurement
from fluxasn.isotope.network import LabelingNetwork
from fluxasn.isotope.tracers import Tracer
from fluxasn.isotope.inst.problem import INSTProblem, TimeCourse
from fluxasn.isotope.inst.tables import PoolTable, read_pool_sizes, read_time_course_mids

__all__ = ["TimeCourseInput", "read_time_course_folder", "is_time_course_folder", "TIME_COURSE_FILES"]

#: Files that make a folder a time-course folder (with ``reactions.csv``).
TIME_COURSE_FILES = ("reactions.csv", "tracers.csv", "ms_measurements.csv", "pool_sizes.csv")
_DIRECTIONS = ("forward", "backward", "reversible")


@dataclass
class TimeCourseInput:
    """What :func:`read_time_course_folder` read; :meth:`problem` compiles it."""

    network: LabelingNetwork
    courses: List[TimeCourse]
    pools: PoolTable
    fluxes: List[FluxMeasurement] = field(default_factory=list)
    fixed: Dict[str, float] = field(default_factory=dict)
    source: str = ""
    flux_unit: str = "mmol/gDW/h"

    @property
    def units(self) -> Dict[str, str]:
        """Units of the fit: ``time``, ``flux``, ``pool``."""
        return {"time": "h", "flux": self.flux_unit, "pool": self.pools.unit}

    def problem(self, *, tol: float = 1e-8, horizon: Optional[float] = None) -> INSTProblem:
        """The compiled :class:`~fluxasn.isotope.inst.problem.INSTProblem`.

        Parameters
        ----------
        tol
            Local error bound of the integrator (MID fractions).
        horizon
            Last simulated time (h); default the last measured time.
        """
        return INSTProblem(self.network, self.courses, pools=self.pools.pools, pool_of=self.pools.pool_of,
                           fluxes=self.fluxes, fixed=self.fixed, horizon=horizon, pool_unit=self.pools.unit,
                           flux_unit=self.flux_unit, tol=tol)


def is_time_course_folder(path) -> bool:
    """True when ``path`` is a folder holding every file of :data:`TIME_COURSE_FILES`."""
    path = Path(path)
    return path.is_dir() and all((path / f).exists() for f in TIME_COURSE_FILES)


def _network(path: Path) -> tuple:
    net = LabelingNetwork(path.parent.name)
    fixed: Dict[str, float] = {}
    seen = set()
    for line, row in _rows(path, ["rxn_id", "rxn_eqn"]):
        rid = (row["rxn_id"] or "").strip()
        if rid in seen:
            raise FluxasnInputError("reaction id is used twice", source=path, line=line, identifier=rid)
        seen.add(rid)
        direction = (row.get("direction") or "").strip().lower()
        if direction and direction not in _DIRECTIONS:
            raise FluxasnInputError(f"direction must be one of {list(_DIRECTIONS)}, got {row['direction']!r}",
                                    source=path, line=line, identifier=rid)
        if not direction:
            direction = "reversible" if re.search(r"<->|<=>", row["rxn_eqn"]) else "forward"
        lower, upper = {"forward": (0.0, 1000.0), "reversible": (-1000.0, 1000.0),
                        "backward": (-1000.0, 0.0)}[direction]
        net.add_reaction(rid, row["rxn_eqn"], reversible=direction != "forward", lower=lower, upper=upper,
                         source=path, line=line)
        if direction == "backward":
            fixed[rid + ".f"] = 0.0
    return net, fixed


def _tracers(path: Path, carbons) -> Dict[str, List[Tracer]]:
    out: Dict[str, List[Tracer]] = {}
    for line, row in _rows(path, ["experiment_id", "met_id", "atom_ids", "ratio", "atom_mdv"]):
        kw = dict(source=path, line=line, identifier=row["met_id"])
        if row["met_id"] not in carbons:
            raise FluxasnInputError("tracer metabolite is not in the network", **kw)
        atoms = _int_list(row["atom_ids"], **kw)
        if not atoms or min(atoms) < 1 or max(atoms) > carbons[row["met_id"]]:
            raise FluxasnInputError(f"atom_ids must be 1-based positions of the {carbons[row['met_id']]} "
                                    f"traced atoms, got {atoms}", **kw)
        try:
            mdv = json.loads(row["atom_mdv"])
            purity = float(mdv[-1]) if mdv else 1.0
        except (ValueError, TypeError, IndexError):
            raise FluxasnInputError(f"cannot read atom_mdv {row['atom_mdv']!r}; expected [p12, p13]", **kw) from None
        ratio = _float(row["ratio"], **kw, what="fraction")
        out.setdefault(row["experiment_id"], []).append(Tracer(row["met_id"], tuple(atoms), ratio, purity))
    return out


def read_time_course_folder(folder, *, experiments: Optional[Sequence[str]] = None) -> TimeCourseInput:
    """Read a time-course folder (see the module notes for its files).

    Parameters
    ----------
    folder
        The folder.
    experiments
        Experiment ids to fit jointly (default all experiments with MIDs).

    Returns
    -------
    TimeCourseInput

    Raises
    ------
    FluxasnInputError
        A missing file, a malformed row, an experiment without tracer or
        without MIDs, a measured or fixed flux the network lacks; each names
        file, line and identifier.
    """
    folder = Path(folder)
    for name in TIME_COURSE_FILES:
        if not (folder / name).exists():
            raise FluxasnInputError(f"a time-course folder needs {', '.join(TIME_COURSE_FILES)}",
                                    source=folder / name)
    net, fixed = _network(folder / "reactions.csv")
    tracers = _tracers(folder / "tracers.csv", net.carbons)
    mids = read_time_course_mids(folder / "ms_measurements.csv")
    wanted = list(experiments) if experiments else list(mids)
    courses = []
    for eid in wanted:
        if eid not in mids:
            raise FluxasnInputError(f"no MIDs of experiment {eid!r} (experiments: {sorted(mids)})",
                                    source=folder / "ms_measurements.csv", identifier=eid)
        if eid not in tracers:
            raise FluxasnInputError("experiment has MIDs but no tracer", source=folder / "tracers.csv",
                                    identifier=eid)
        for t, m in mids[eid]:
            if m.emu[0] not in net.carbons or max(m.emu[1]) >= net.carbons[m.emu[0]]:
                raise FluxasnInputError(f"measured fragment names {m.emu[0]} atoms {[a + 1 for a in m.emu[1]]}, "
                                        "not atoms of a network metabolite", source=m.source, line=m.line,
                                        identifier=m.id)
        courses.append(TimeCourse(eid, tracers[eid], mids[eid]))
    fluxes = []
    path = folder / "flux_measurements.csv"
    if path.exists():
        seen = {}
        for line, row in _rows(path, ["experiment_id", "rxn_id", "flux", "flux_std_error"]):
            if row["experiment_id"] not in wanted:
                continue
            kw = dict(source=path, line=line, identifier=row["rxn_id"])
            _check_flux(net, row["rxn_id"], source=path, line=line)
            fm = FluxMeasurement(row["rxn_id"], _float(row["flux"], **kw), _float(row["flux_std_error"], **kw),
                                 source=str(path), line=line)
            if (fm.id, fm.value, fm.sd) not in seen:
                seen[(fm.id, fm.value, fm.sd)] = fm
                fluxes.append(fm)
    path = folder / "fixed_fluxes.csv"
    if path.exists():
        for line, row in _rows(path, ["rxn_id", "flux"]):
            rid = row["rxn_id"].strip()
            _check_flux(net, rid, source=path, line=line)
            if rid in fixed:
                raise FluxasnInputError("flux is fixed twice", source=path, line=line, identifier=rid)
            x = _float(row["flux"], source=path, line=line, identifier=rid)
            if not np.isfinite(x):
                raise FluxasnInputError("fixed flux must be finite", source=path, line=line, identifier=rid)
            fixed[rid] = x
    pools = read_pool_sizes(folder / "pool_sizes.csv")
    return TimeCourseInput(net, courses, pools, fluxes, fixed, str(folder))
