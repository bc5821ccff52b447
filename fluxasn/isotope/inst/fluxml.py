"""Non-stationary FluxML configurations (13CFLUX v3) as INST-MFA problems.

:func:`inst_problem_from_fluxml` turns what
:func:`fluxasn.isotope.formats.fluxml.read_fluxml` returns for configurations
with ``stationary="false"`` into an :class:`~fluxasn.isotope.inst.problem.INSTProblem`:
network, flux data and constraints as for the stationary problem, one time
course per configuration (its MS groups read at every time, ``group@time``),
and pool sizes from ``<poolsizevalue>`` (start values), ``<poolsizemeasurement>``
(measured, with sd) and ``<psize>`` bounds.

Units: 13CFLUX v3 is unit-free (a flux is read in pool-size unit per time
unit), and so is this adapter: times, fluxes and pool sizes are used as the
file writes them. Time is in the configuration's ``<timeunit>``
(:func:`fluxml_units`), fluxes in the file's pool-size unit per that time
unit. The problem is built with ``pool_unit="mmol/gDW"`` and
``flux_unit="mmol/gDW/h"``, whose ratio is 1, so the file's numbers pass
through unscaled.

Start labelling: 13CFLUX v3 starts every pool at natural abundance,
:data:`X3CFLUX_INITIAL_13C` (measured with x3cflux 3.1.2 on one-reaction
FluxML files; ``scripts/bench_inst.py`` prints it), and the unlabelled
positions of inputs at :data:`~fluxasn.isotope.formats.fluxml_types.X3CFLUX_NATURAL_13C`
when their labels carry ``purity``.
"""
from __future__ import annotations

import copy
import dataclasses
import re
from typing import Dict, Mapping, Optional, Sequence, Union

import numpy as np

from fluxasn.exceptions import FluxasnInputError
from fluxasn.isotope.formats.fluxml_types import FluxMLInput
from fluxasn.isotope.inst.problem import INSTProblem, Pool, TimeCourse
from fluxasn.isotope.inst.simulate import INSTSystem

__all__ = ["X3CFLUX_INITIAL_13C", "HOURS_PER_TIME_UNIT", "inst_problem_from_fluxml", "fluxml_units"]

#: Hours per FluxML ``<timeunit>`` that ``hours=True`` converts (other units are refused by name).
HOURS_PER_TIME_UNIT = {"s": 1.0 / 3600.0, "min": 1.0 / 60.0, "h": 1.0, "d": 24.0}

#: 13C probability of every position before the tracer switch in 13CFLUX v3 (x3cflux 3.1.2).
X3CFLUX_INITIAL_13C = 0.01109

_PSIZE = re.compile(r"^\s*([A-Za-z_]\w*)\s*(<=|>=|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


def fluxml_units(data: FluxMLInput, *, hours: bool = False) -> Dict[str, str]:
    """Units of the time courses of non-stationary FluxML configurations.

    Parameters
    ----------
    data
        The read configurations.
    hours
        Units after :func:`inst_problem_from_fluxml` ``(hours=True)``: time in
        h, fluxes per h; ``file_time`` names the file's unit.

    Returns
    -------
    dict
        ``time``: the ``<timeunit>`` of the configurations ("unstated" when
        none gives one), or "h"; ``flux``: "pool-size unit/<time>" (13CFLUX is
        unit-free); ``pool``: "as in the file".

    Raises
    ------
    FluxasnInputError
        Configurations state different time units; with ``hours``, no time
        unit or one not in :data:`HOURS_PER_TIME_UNIT`.
    """
    units = {c.time_unit for c in data.configurations if c.time_unit}
    if len(units) > 1:
        c = data.configurations[-1]
        raise FluxasnInputError(f"configurations fitted together state different time units {sorted(units)}",
                                source=c.source, line=c.line, identifier=f"<configuration name=\"{c.name}\">")
    time = units.pop() if units else "unstated"
    if hours:
        _hours_per_unit(data, time)
        return {"time": "h", "flux": "pool-size unit/h", "pool": "as in the file", "file_time": time}
    return {"time": time, "flux": f"pool-size unit/{time}", "pool": "as in the file"}


def _hours_per_unit(data: FluxMLInput, unit: str) -> float:
    if unit not in HOURS_PER_TIME_UNIT:
        c = data.configurations[0]
        said = "states no <timeunit>" if unit == "unstated" else f"states <timeunit> {unit!r}"
        raise FluxasnInputError(f"cannot convert times to hours: the configuration {said}; expected one of "
                                f"{sorted(HOURS_PER_TIME_UNIT)}", source=c.source, line=c.line,
                                identifier="<timeunit>")
    return HOURS_PER_TIME_UNIT[unit]


def _per_hour(data: FluxMLInput, k: float):
    """Network, flux data, fixed fluxes, bounds and constraints with fluxes multiplied by ``k`` (per h)."""
    net = copy.deepcopy(data.network)
    for f in net.fluxes:
        f.lower, f.upper = f.lower * k, f.upper * k
    for pair in net.pairs.values():
        pair.lower, pair.upper = pair.lower * k, pair.upper * k
    fluxes = [dataclasses.replace(m, value=m.value * k, sd=m.sd * k) for m in data.fluxes]
    fixed = {name: x * k for name, x in data.fixed.items()}
    bounds = {name: (lo * k, hi * k) for name, (lo, hi) in data.bounds.items()}
    constraints = [(coef, lo * k, hi * k) for coef, lo, hi in data.constraints]
    return net, fluxes, fixed, bounds, constraints


def inst_problem_from_fluxml(
    data: FluxMLInput,
    *,
    pools: Optional[Mapping[str, Union[float, Pool]]] = None,
    fit_pools: bool = True,
    quasi_steady: Sequence[str] = (),
    ignore_scale: bool = False,
    horizon: Optional[float] = None,
    tol: float = 1e-8,
    hours: bool = False,
) -> INSTProblem:
    """An INST-MFA problem from non-stationary FluxML configurations.

    Parameters
    ----------
    data
        :func:`~fluxasn.isotope.formats.fluxml.read_fluxml` of one or more
        configurations with ``stationary="false"`` (fitted jointly: they
        share fluxes and pool sizes).
    pools
        Pool sizes by metabolite (file units), overriding or completing the
        file's ``<poolsizevalue>``; a :class:`Pool` is taken as it is.
    fit_pools
        Fit pool sizes (the file's values are start values, as in 13CFLUX);
        False holds them at their values. A measured pool size
        (``<poolsizemeasurement>``) is always fitted, with its sd.
    quasi_steady
        Metabolites simulated without pool (instantaneous).
    ignore_scale
        Groups with ``scale="auto"`` get one fitted scale factor per group and
        time point (closed form, as 13CFLUX v3; counted as parameters in the
        degrees of freedom). True compares their data with the simulated MID
        fractions as they stand (no scale factor, no sum-to-1 check).
    horizon
        Last simulated time (file time unit); default the last measured time.
    tol
        Local error bound of the integrator (MID fractions).
    hours
        Convert times to hours (the file's ``<timeunit>``, a key of
        :data:`HOURS_PER_TIME_UNIT`): fluxes, their measurements, bounds,
        fixed values and constraints become pool-size unit per hour (x 3600
        for a file in s); pool sizes are unchanged. Default: the file's units.

    Returns
    -------
    INSTProblem
        Times shifted by the configuration's ``time`` attribute (the tracer
        switch); units as :func:`fluxml_units` states.

    Raises
    ------
    FluxasnInputError
        A stationary configuration; an ``<xch>`` constraint fluxasn cannot state; a
        ``<psize>`` statement other than ``pool <= c``, ``>= c`` or ``= c``;
        two measured sizes of one pool; pool sizes that differ between
        configurations; a metabolite of the simulated network without a pool
        size. Each names file, line (where known) and identifier.

    Notes
    -----
    Only metabolites the measured fragments depend on are simulated; pool
    sizes of the others are not parameters and are not read.
    """
    if not data.configurations:
        raise FluxasnInputError("no configuration read: choose a non-stationary one with configuration=",
                                source=data.source)
    for c in data.configurations:
        if c.stationary:
            raise FluxasnInputError(
                f"configuration {c.name!r} is isotopically stationary: fit it with the stationary 13C-MFA "
                "(fit_13c), or choose a configuration with stationary=\"false\"",
                source=c.source, line=c.line, identifier=f"<configuration name=\"{c.name}\">")
    if data.exchange_constraints:
        stmt, line = data.exchange_constraints[0]
        raise FluxasnInputError(f"exchange constraint {stmt!r} cannot be stated in fluxasn's fluxes (FluxML's "
                                "xch is min(forward, backward))", source=data.source, line=line, identifier="<xch>")
    unit = fluxml_units(data)["time"]
    f = _hours_per_unit(data, unit) if hours else 1.0  # hours per file time unit
    courses = []
    for exp, conf in zip(data.experiments, data.configurations):
        mids = []
        for m in exp.mids:
            if m.scale and ignore_scale:
                m = dataclasses.replace(m, scale=False, tolerance=np.inf)
            mids.append(((conf.times[m.id] - (conf.start_time or 0.0)) * f, m))
        courses.append(TimeCourse(exp.name, exp.tracers, mids, natural_13c=exp.natural_13c,
                                  initial_13c=X3CFLUX_INITIAL_13C))
    if hours:
        net, fluxes, fixed, bounds, constraints = _per_hour(data, 1.0 / f)
    else:
        net, fluxes, fixed, bounds, constraints = data.network, data.fluxes, data.fixed, data.bounds, data.constraints
    targets = [m.emu for c in courses for _, m in c.mids]
    needed = INSTSystem(net.transitions(), targets, net.sources, quasi_steady=quasi_steady).pool_ids
    return INSTProblem(net, courses, pools=_pools(data, needed, pools or {}, fit_pools),
                       quasi_steady=quasi_steady, fluxes=fluxes, fixed=fixed, bounds=bounds,
                       constraints=constraints, horizon=None if horizon is None else horizon * f,
                       pool_unit="mmol/gDW", flux_unit="mmol/gDW/h", tol=tol)


def _pools(data: FluxMLInput, needed, given, fit_pools: bool) -> Dict[str, Pool]:
    first = data.configurations[0]
    values: Dict[str, float] = {}
    for c in data.configurations:
        for pid, x in c.pool_sizes.items():
            if pid in needed and pid in values and values[pid] != x:
                raise FluxasnInputError(f"pool size {x} differs from {values[pid]} of another configuration "
                                        "(the time courses share their pools)", source=c.source, line=c.line,
                                        identifier=pid)
            values[pid] = x
    measured: Dict[str, tuple] = {}
    for c in data.configurations:
        for did, pid, x, sd, _ in c.pool_size_data:
            if pid not in needed:
                continue
            if pid in measured and measured[pid] != (x, sd):
                raise FluxasnInputError("pool size measured twice with different values (one pool size is "
                                        "fitted)", source=c.source, line=c.line, identifier=did)
            measured[pid] = (x, sd)
    lower: Dict[str, float] = {}
    upper: Dict[str, float] = {}
    held: Dict[str, float] = {}
    for stmt in first.pool_size_constraints:
        m = _PSIZE.match(stmt)
        if not m:
            raise FluxasnInputError(f"<psize> statement {stmt!r} is not read; expected 'pool <= c', "
                                    "'pool >= c' or 'pool = c'", source=first.source, identifier="<psize>")
        pid, op, x = m.group(1), m.group(2), float(m.group(3))
        if op == "=":
            held[pid] = x
        elif op == "<=":
            upper[pid] = min(upper.get(pid, np.inf), x)
        else:
            lower[pid] = max(lower.get(pid, 0.0), x)
    out = {}
    for pid in needed:
        if isinstance(given.get(pid), Pool):
            out[pid] = given[pid]
            continue
        start = given[pid] if pid in given else measured[pid][0] if pid in measured else values.get(pid, 1.0)
        floor = min(Pool.lower, 1e-3 * float(start))  # Pool's default, or a thousandth of a smaller start
        kw = dict(source=first.source, line=first.line, lower=lower.get(pid) or floor, upper=upper.get(pid, np.inf))
        if pid in held:
            out[pid] = Pool(pid, held[pid], fixed=True, source=first.source, line=first.line)
        elif pid in given:
            out[pid] = Pool(pid, float(given[pid]), fixed=not fit_pools, **kw)
        elif pid in measured:
            out[pid] = Pool(pid, measured[pid][0], sd=measured[pid][1], **kw)
        elif pid in values:
            out[pid] = Pool(pid, values[pid], fixed=not fit_pools, **kw)
        else:
            raise FluxasnInputError(
                f"configuration {first.name!r} gives no pool size for metabolite {pid}, which the time "
                f"courses depend on; give <poolsizevalue pool=\"{pid}\"> in its <simulation><variables>, "
                "a pool size (pools=), or declare it quasi-steady", source=first.source, line=first.line,
                identifier=pid)
    return out
