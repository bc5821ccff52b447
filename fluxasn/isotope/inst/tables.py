"""Time-course tables: MIDs sampled over time and pool sizes.

MIDs: the project's MS table (``ms_measurements.csv``, as in
``data/c13/simple_network``) with its ``time`` column in hours after the
switch to the tracer: ``experiment_id, met_id, ms_id, labelled_atom_ids,
mass_isotope, intensity, intensity_std_error, time``; one row per mass, the
masses of one fragment at one time numbered 0, 1, ... Per experiment and
fragment, times must be >= 0 and appear in non-decreasing order.

Pool sizes: ``pool_id, value, sd, status, unit`` (``status`` one of
``fixed``, ``measured`` (needs ``sd``), ``fitted`` (``value`` is the start);
one ``unit`` for all rows, a key of
:data:`~fluxasn.isotope.inst.simulate.POOL_UNITS`), and optionally
``metabolites``: the ``;``-separated metabolites that share the pool
(compartments); default the metabolite named ``pool_id``.
Comma- or tab-separated (by extension ``.tsv``); lines starting ``#`` are comments.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.formats.common import _rows
from fluxasn.isotope.measurements import MIDMeasurement
from fluxasn.isotope.inst.problem import Pool
from fluxasn.isotope.inst.simulate import POOL_UNITS

__all__ = ["read_time_course_mids", "read_pool_sizes", "PoolTable"]

_MID_COLUMNS = ["experiment_id", "met_id", "ms_id", "labelled_atom_ids", "mass_isotope", "intensity",
                "intensity_std_error", "time"]
_STATUS = ("fixed", "measured", "fitted")


def _number(text, what, **kw) -> float:
    try:
        x = float(text)
    except ValueError:
        raise FluxasnInputError(f"expected a number for {what}, got {text!r}", **kw) from None
    if not np.isfinite(x):
        raise FluxasnInputError(f"{what} must be finite, got {text!r}", **kw)
    return x


def read_time_course_mids(path, *, experiment: Optional[str] = None) -> Dict[str, List[Tuple[float, MIDMeasurement]]]:
    """Read time-course MIDs (time in h) from the project's MS table.

    Parameters
    ----------
    path
        The table (csv, or tsv by extension).
    experiment
        Keep only this ``experiment_id`` (default all).

    Returns
    -------
    dict
        experiment id -> list of ``(time_h, MIDMeasurement)`` in file order,
        ready for :class:`~fluxasn.isotope.inst.problem.TimeCourse`.
    """
    path = Path(path)
    groups: Dict[tuple, dict] = {}
    last_time: Dict[tuple, Tuple[float, int]] = {}
    for line, row in _rows(path, _MID_COLUMNS):
        eid, fid = row["experiment_id"], row["ms_id"]
        if experiment is not None and eid != experiment:
            continue
        kw = dict(source=path, line=line, identifier=fid)
        t = _number(row["time"], "time (h)", **kw)
        if t < 0:
            raise FluxasnInputError(f"time must be >= 0 h (after the switch to the tracer), got {t}", **kw)
        prev = last_time.get((eid, fid))
        if prev is not None and t < prev[0]:
            raise FluxasnInputError(f"times are not sorted: {t} h after {prev[0]} h on line {prev[1]}", **kw)
        last_time[(eid, fid)] = (t, line)
        try:
            atoms = [int(a) for a in json.loads(row["labelled_atom_ids"] or "[]")]
        except (ValueError, TypeError):
            raise FluxasnInputError(f"labelled_atom_ids must be a list like [1,2], got "
                                    f"{row['labelled_atom_ids']!r}", **kw) from None
        if not atoms or min(atoms) < 1:
            raise FluxasnInputError("labelled_atom_ids must list 1-based atoms", **kw)
        mass = _number(row["mass_isotope"], "mass_isotope", **kw)
        if mass != int(mass) or mass < 0:
            raise FluxasnInputError(f"mass_isotope must be an integer >= 0, got {row['mass_isotope']!r}", **kw)
        g = groups.setdefault((eid, fid, t), {"met": row["met_id"], "atoms": atoms, "line": line, "values": {}})
        if g["met"] != row["met_id"] or g["atoms"] != atoms:
            raise FluxasnInputError(f"fragment {fid!r} names {row['met_id']} {atoms} here but "
                                    f"{g['met']} {g['atoms']} on line {g['line']}", **kw)
        if int(mass) in g["values"]:
            raise FluxasnInputError(f"mass M+{int(mass)} of {fid!r} at {t} h is given twice", **kw)
        g["values"][int(mass)] = (_number(row["intensity"], "intensity", **kw),
                                  _number(row["intensity_std_error"], "intensity_std_error", **kw))
    out: Dict[str, List[Tuple[float, MIDMeasurement]]] = defaultdict(list)
    for (eid, fid, t), g in groups.items():
        masses = sorted(g["values"])
        if masses != list(range(len(masses))):
            raise FluxasnInputError(f"masses of {fid!r} at {t} h must be M+0, M+1, ... without gaps, got "
                                    f"{masses}", source=path, line=g["line"], identifier=fid)
        mid = np.array([g["values"][k][0] for k in masses])
        sd = np.array([g["values"][k][1] for k in masses])
        emu = (g["met"], tuple(sorted(a - 1 for a in g["atoms"])))
        out[eid].append((t, MIDMeasurement(fid, emu, mid, sd, source=str(path), line=g["line"])))
    if not out:
        raise FluxasnInputError(f"no MIDs{' of experiment ' + repr(experiment) if experiment else ''}",
                                source=path)
    return dict(out)


@dataclass
class PoolTable:
    """Pools read by :func:`read_pool_sizes`: by id, the shared-pool map and the unit."""

    pools: Dict[str, Pool]
    pool_of: Dict[str, str]
    unit: str
    source: str


def read_pool_sizes(path) -> PoolTable:
    """Read pool sizes (see the module notes for the columns).

    Returns
    -------
    PoolTable
        ``pools`` and ``pool_of`` for :class:`~fluxasn.isotope.inst.problem.INSTProblem`
        and ``unit`` for its ``pool_unit``.
    """
    path = Path(path)
    pools: Dict[str, Pool] = {}
    pool_of: Dict[str, str] = {}
    unit = None
    for line, row in _rows(path, ["pool_id", "value", "status", "unit"]):
        pid = row["pool_id"]
        kw = dict(source=path, line=line, identifier=pid)
        if pid in pools:
            raise FluxasnInputError("pool is listed twice", **kw)
        if row["unit"] not in POOL_UNITS:
            raise FluxasnInputError(f"unknown pool unit {row['unit']!r}; expected one of {sorted(POOL_UNITS)}", **kw)
        if unit is not None and row["unit"] != unit:
            raise FluxasnInputError(f"pool unit {row['unit']!r} differs from {unit!r} of the rows above", **kw)
        unit = row["unit"]
        status = row["status"].lower()
        if status not in _STATUS:
            raise FluxasnInputError(f"status must be one of {list(_STATUS)}, got {row['status']!r}", **kw)
        value = _number(row["value"], "value", **kw)
        if value <= 0:
            raise FluxasnInputError(f"pool size must be > 0 {unit}, got {value}", **kw)
        sd = None
        if status == "measured":
            if not row.get("sd"):
                raise FluxasnInputError("a measured pool needs its sd", **kw)
            sd = _number(row["sd"], "sd", **kw)
        elif row.get("sd"):
            raise FluxasnInputError(f"sd is given for a {status} pool (status 'measured' uses it)", **kw)
        pools[pid] = Pool(pid, value, sd=sd, fixed=status == "fixed", source=str(path), line=line)
        for met in (row.get("metabolites") or pid).split(";"):
            met = met.strip()
            if met in pool_of:
                raise FluxasnInputError(f"metabolite {met!r} is already in pool {pool_of[met]!r}", **kw)
            pool_of[met] = pid
    if unit is None:
        raise FluxasnInputError("no pool sizes", source=path)
    return PoolTable(pools, pool_of, unit, str(path))
