"""Where aspartate comes from, and how much purine and pyrimidine synthesis the cell can run.

Units: fluxes in mmol/gDW/h.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import cobra
import pandas as pd
from cobra.exceptions import OptimizationError
from cobra.flux_analysis import pfba

from fluxasn.analysis.readouts._common import (
    ZERO,
    _check_fraction,
    _clean,
    _expression_ranges,
    _fix_growth,
    _optimize,
    _resolver,
    _status,
)
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import RoleError
from fluxasn.lp.cache import growth_lp
from fluxasn.lp.netflux import UnsupportedProblem

__all__ = ['aspartate_sources', 'nucleotide_capacity']


def _categories(model, resolver: ModelResolver, metabolite, roles: Sequence[str], *, split_other=False):
    """Reactions of ``metabolite`` grouped by source: roles, uptake, transport, other.

    Uptake is a boundary reaction or a transport from the extracellular
    compartment (found by :func:`fluxasn.core.compartments.find_compartments`;
    without one, only boundary reactions count as uptake).

    With ``split_other`` every other reaction is its own group (so that the
    share of a role is over every producing reaction, not over a lumped net).
    """
    groups: Dict[str, List[cobra.Reaction]] = {}
    assigned = set()
    for label, role_names in roles:
        reactions = []
        for role in role_names:
            try:
                reactions += [r for r in resolver.role_reactions(role) if metabolite in r.metabolites]
            except RoleError:
                continue
        reactions = [r for r in dict.fromkeys(reactions) if r.id not in assigned]
        if reactions:
            groups[label] = reactions
            assigned.update(r.id for r in reactions)
    uptake, transport, other = [], [], []
    outside = resolver.compartments.extracellular
    for reaction in metabolite.reactions:
        if reaction.id in assigned:
            continue
        partners = [
            m for m in reaction.metabolites
            if m is not metabolite and m.compartment != metabolite.compartment
            and _same_species(m, metabolite)
        ]
        if reaction.boundary:
            uptake.append(reaction)
        elif partners and outside is not None and any(m.compartment == outside for m in partners):
            uptake.append(reaction)
        elif partners:
            transport.append(reaction)
        else:
            other.append(reaction)
    for label, reactions in (("uptake", uptake), ("transport", transport), ("other", other)):
        if reactions and split_other:
            for reaction in reactions:
                groups[f"{label}:{reaction.id}"] = [reaction]
        elif reactions:
            groups[label] = reactions
    return groups


def _net_supply(met: cobra.Metabolite, reactions) -> Dict[str, float]:
    """Reaction id -> stoichiometric coefficient of ``met`` (net supply of a group)."""
    out: Dict[str, float] = {}
    for reaction in reactions:
        out[reaction.id] = out.get(reaction.id, 0.0) + float(reaction.metabolites[met])
    return out


def _same_species(a: cobra.Metabolite, b: cobra.Metabolite) -> bool:
    def base(m):
        for suffix in (f"_{m.compartment}", f"[{m.compartment}]", f"{m.compartment}"):
            if m.compartment and m.id.endswith(suffix):
                return m.id[: -len(suffix)]
        return m.id

    return base(a) == base(b) or (bool(a.name) and a.name == b.name)


#: Source groups of aspartate in the cytosol and the mitochondrion, as (label, roles).
_ASP_SOURCES = (
    (("GOT1", ("GOT1",)), ("asparaginase", ("ASPG", "ASRGL1"))),
    (("GOT2", ("GOT2",)), ("asparaginase", ("ASPG", "ASRGL1"))),
)


def aspartate_sources(
    model: cobra.Model,
    *,
    fraction_of_optimum: float = 1.0,
    compartments: Sequence[str] = ("cytosol", "mitochondrion"),
    resolver: Optional[ModelResolver] = None,
) -> pd.DataFrame:
    """Where cytosolic and mitochondrial aspartate (and mitochondrial OAA) come from.

    The reactions of each metabolite are grouped by source: the role reactions
    (GOT1 in the cytosol, GOT2 in mitochondria, intracellular asparaginase),
    uptake from the medium, transport from another compartment, and other.
    For each group the *net supply* is the sum over its reactions of
    stoichiometric coefficient x flux (positive: the group makes the
    metabolite). Shares are over the groups with a positive net supply; the
    ``other`` group lumps the remaining producers and consumers (biomass,
    ASNS, nucleotide synthesis), so its net is usually negative. A last row
    gives the oxaloacetate supply of pyruvate carboxylase (PC) in
    mitochondria, its share taken over every OAA-producing reaction there.

    Parameters
    ----------
    fraction_of_optimum
        Growth is held at or above this fraction of its maximum, for both the
        pFBA flux distribution and the FVA ranges.
    compartments
        The cytosol and the mitochondrion, as compartment ids of the model or
        as kinds (default ``cytosol``, ``mitochondrion``: found in each model
        by :func:`fluxasn.core.compartments.find_compartments`, whatever its
        ids). A compartment the model lacks, or without aspartate (a network
        without mitochondria), is left out; :class:`RoleError` is raised only
        if none has it, naming what was not found.

    Returns
    -------
    pandas.DataFrame
        Columns ``compartment`` (the model's compartment id), ``metabolite``, ``source``, ``reactions``,
        ``flux`` (net supply in the pFBA solution), ``share`` (flux over the
        sum of positive supplies of that metabolite, 0 for a net consumer),
        ``minimum`` and ``maximum`` (FVA range of the net supply) and
        ``status``.

    Notes
    -----
    pFBA (Lewis et al. 2010) picks the flux distribution of least total flux
    among the optimal ones; the FVA range covers every optimal distribution,
    so the pFBA supply lies inside it.

    References
    ----------
    - Lewis NE et al. Omic data from evolved E. coli are consistent with
       computed optimal growth from genome-scale models. Mol Syst Biol 6:390 (2010).
    - Birsoy K et al. An essential role of the mitochondrial electron
       transport chain in cell proliferation is to enable aspartate synthesis.
       Cell 162:540 (2015).
    """
    _check_fraction(fraction_of_optimum)
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    targets = []
    missing = []
    ids = []
    for compartment, sources in zip(compartments, _ASP_SOURCES):
        try:
            cid = resolver.compartment(compartment)
            met = resolver.metabolite("aspartate", cid)
        except RoleError as error:  # e.g. a network without mitochondria
            missing.append(str(error))
            ids.append(None)
            continue
        ids.append(cid)
        targets.append((cid, "aspartate", met, _categories(model, resolver, met, sources)))
    if not targets:
        raise RoleError("; ".join(missing))
    if len(ids) > 1 and ids[1] is not None:
        try:
            oaa = resolver.metabolite("oaa", ids[1])
        except RoleError:
            oaa = None
        if oaa is not None:
            groups = _categories(model, resolver, oaa, (("PC", ("PC",)),), split_other=True)
            targets.append((ids[1], "oxaloacetate", oaa, groups))

    rows = []
    with model:
        model.objective = biomass
        try:
            solution = pfba(model, fraction_of_optimum=fraction_of_optimum)
            fluxes, status = solution.fluxes, solution.status
        except OptimizationError as error:  # infeasible: recorded, not raised
            fluxes, status = None, _status(model) if _status(model) != "optimal" else type(error).__name__
    pending = []  # (row, expression): FVA of every group in one pass
    for compartment, name, met, groups in targets:
        supplies = {}
        for label, reactions in groups.items():
            if fluxes is None:
                supplies[label] = float("nan")
            else:
                supplies[label] = _clean(sum(r.metabolites[met] * fluxes[r.id] for r in reactions))
        positive = sum(v for v in supplies.values() if v > 0) if fluxes is not None else float("nan")
        for label, reactions in groups.items():
            if name == "oxaloacetate" and label != "PC":
                continue
            flux = supplies[label]
            # no supply at all (no growth): a share is undefined
            share = max(flux, 0.0) / positive if positive > ZERO else float("nan")
            row = {
                "compartment": compartment,
                "metabolite": name,
                "source": label,
                "reactions": ";".join(r.id for r in reactions),
                "flux": flux,
                "share": share,
            }
            pending.append((row, _net_supply(met, reactions)))
    ranges = _expression_ranges(
        model, [e for _, e in pending], biomass=biomass, fraction=fraction_of_optimum, resolver=resolver
    )
    for (row, _), (low, high, fva_status) in zip(pending, ranges):
        row.update(minimum=low, maximum=high, status=status if status != "optimal" else fva_status)
        rows.append(row)
    return pd.DataFrame(rows, columns=[
        "compartment", "metabolite", "source", "reactions", "flux", "share", "minimum", "maximum", "status",
    ])


def nucleotide_capacity(
    model: cobra.Model,
    *,
    growth_fraction: float = 0.5,
    compartment: str = "cytosol",
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """Maximum purine (IMP) and pyrimidine (UMP) synthesis at a fixed fraction of maximum growth.

    A demand reaction drains IMP (purines) or UMP (pyrimidines) from the
    cytosol; its maximum flux, with growth held at ``growth_fraction`` of its
    maximum, is the synthesis capacity beyond what growth itself uses. IMP and
    UMP synthesis each take one aspartate (PAICS; aspartate
    transcarbamoylase of CAD), so the capacity follows aspartate supply.

    Parameters
    ----------
    growth_fraction
        Growth is held at this fraction of its maximum.
    compartment
        Where IMP and UMP are drained: a compartment id of the model or a kind
        (default ``cytosol``, found by
        :func:`fluxasn.core.compartments.find_compartments`).

    Returns
    -------
    pandas.Series
        ``purine_capacity``, ``pyrimidine_capacity`` (mmol/gDW/h),
        ``status`` (the first non-optimal status met, else ``optimal``).

    Raises
    ------
    RoleError
        The model has no such compartment, or no IMP or UMP in it (naming
        what was not found).
    """
    _check_fraction(growth_fraction, "growth_fraction")
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    targets = [(label, resolver.metabolite(query, compartment))
               for label, query in (("purine_capacity", "imp"), ("pyrimidine_capacity", "ump"))]
    try:
        return _capacity_warm(model, targets, biomass=biomass, fraction=growth_fraction)
    except UnsupportedProblem:
        return _capacity_cobra(model, targets, biomass=biomass, fraction=growth_fraction)


def _capacity_warm(model, targets, *, biomass, fraction) -> pd.Series:
    """Both capacities on one warm LP holding both demand reactions."""
    with model:
        demands = [model.add_boundary(met, type="demand", reaction_id=f"_fluxasn_DM_{met.id}")
                   for _, met in targets]
        lp, status = growth_lp(model, biomass=biomass, fraction=fraction)
        columns = [lp.index[d.id] for d in demands]
    out, statuses = {}, [status]
    for (label, _), column in zip(targets, columns):
        if status != "optimal":
            out[label] = float("nan")
            continue
        lp.set_objective({column: 1.0}, maximize=True)
        s, value = lp.solve_new_objective()
        out[label] = _clean(value) if s == "optimal" else float("nan")
        statuses.append(s)
    out["status"] = next((s for s in statuses if s != "optimal"), "optimal")
    return pd.Series(out)


def _capacity_cobra(model, targets, *, biomass, fraction) -> pd.Series:
    out = {}
    statuses = []
    for label, met in targets:
        with model:
            optimum, status = _fix_growth(model, biomass, fraction)
            if status != "optimal":
                out[label] = float("nan")
                statuses.append(status)
                continue
            demand = model.add_boundary(met, type="demand", reaction_id=f"_fluxasn_DM_{met.id}")
            model.objective = demand
            value, status = _optimize(model)
            out[label] = value
            statuses.append(status)
    out["status"] = next((s for s in statuses if s != "optimal"), "optimal")
    return pd.Series(out)


