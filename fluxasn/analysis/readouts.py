"""Readouts of asparagine, aspartate and nucleotide dependency: model in, pandas out.

Every readout is a pure function of a cobra model (after a scenario was
applied inside ``with model:``): it works inside its own ``with model:``
block, so nothing it adds (demand reactions, constraints, objectives) leaks.
A solver status other than optimal is returned in the result, never raised.

Units: fluxes in mmol/gDW/h, growth in 1/h, shadow prices in
(1/h) per (mmol/gDW/h).

Roles and metabolites are found through :class:`fluxasn.core.resolver.ModelResolver`,
so every readout runs on any model the role mapping understands.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import cobra
import numpy as np
import pandas as pd

from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, RoleError

__all__ = [
    "growth",
    "asns_range",
    "aspartate_sources",
    "nucleotide_capacity",
    "shadow_prices",
    "essential_genes",
    "asns_partners",
    "growth_envelope",
    "Envelope",
    "CapacityGroup",
    "capacity_group",
    "minimum_capacity",
    "capacity_scan",
    "SHADOW_PRICE_METABOLITES",
]

#: Metabolites (cytosolic) whose shadow prices are read out.
SHADOW_PRICE_METABOLITES: Tuple[Tuple[str, str, str], ...] = (
    ("asparagine", "asparagine", "c"),
    ("aspartate", "aspartate", "c"),
    ("glutamine", "glutamine", "c"),
    ("nad", "nad", "c"),
)

#: Growth below this (1/h) counts as no growth.
GROWTH_TOLERANCE = 1e-6

#: Solver values closer to zero than this are reported as 0 (solver noise;
#: the feasibility tolerance of GLPK and HiGHS is 1e-7).
ZERO = 1e-9


def _clean(value: float) -> float:
    value = float(value)
    return 0.0 if abs(value) < ZERO else value


def _resolver(model, resolver):
    return resolver if resolver is not None else ModelResolver(model)


def _status(model) -> str:
    return str(model.solver.status)


def _optimize(model) -> Tuple[float, str]:
    value = model.slim_optimize(error_value=float("nan"))
    status = _status(model)
    if status != "optimal":
        return float("nan"), status
    return _clean(value), status


def _set_objective(model, expression, direction="max"):
    model.objective = model.problem.Objective(expression, direction=direction)


def _fix_growth(model, biomass: cobra.Reaction, fraction: float) -> Tuple[float, str]:
    """Maximise growth, then require ``fraction`` of it; return (optimum, status)."""
    with model:
        model.objective = biomass
        optimum, status = _optimize(model)
    if status == "optimal":
        biomass.lower_bound = max(0.0, fraction * optimum - 1e-9)
    return optimum, status


# --- growth ---------------------------------------------------------------------


def growth(model: cobra.Model, *, resolver: Optional[ModelResolver] = None) -> pd.Series:
    """Maximum growth.

    Returns
    -------
    pandas.Series
        ``growth`` (1/h; NaN unless optimal) and ``status``.
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    with model:
        model.objective = biomass
        value, status = _optimize(model)
    return pd.Series({"growth": value, "status": status})


# --- ASNS flux range -----------------------------------------------------------------


def _expression_ranges(model, expressions, *, biomass, fraction, resolver=None) -> List[Tuple[float, float, str]]:
    """Minimum and maximum of each linear expression with growth >= ``fraction`` x its maximum.

    ``expressions`` are ``{reaction id: coefficient}`` mappings on net fluxes.
    Solved on one warm :class:`fluxasn.lp.problem.LinearProblem` (the model's
    own LP in net fluxes, GLPK), as the analysis layer's FVA does; through
    cobra if that LP cannot express the model.
    """
    try:
        return _ranges_warm(model, expressions, biomass=biomass, fraction=fraction, resolver=resolver)
    except _Unsupported:
        return _ranges_cobra(model, expressions, biomass=biomass, fraction=fraction)


class _Unsupported(Exception):
    pass


def _fingerprint(model, biomass, fraction):
    """Identifies the LP of a model state: bounds, growth reaction, growth fraction."""
    return (
        biomass.id, float(fraction), len(model.reactions), len(model.constraints),
        hash(tuple(r.bounds for r in model.reactions)),
    )


def _warm_problem(model, *, biomass, fraction, resolver=None):
    """A warm LP with growth >= fraction x maximum, reused between readouts of one model state."""
    from fluxasn.lp.problem import LinearProblem, UnsupportedProblem

    key = _fingerprint(model, biomass, fraction)
    cache = getattr(resolver, "_warm_lp", None) if resolver is not None else None
    if cache is not None and cache[0] == key:
        return cache[1], cache[2]
    with model:
        model.objective = biomass
        model.objective_direction = "max"
        try:
            lp = LinearProblem(model, solver="glpk")
        except UnsupportedProblem as error:
            raise _Unsupported(str(error)) from error
    # GLPK, primal simplex from the previous basis after each objective change
    # (measured on Human-GEM + RPMI: 10 s for the first solve, 0.01-0.2 s per
    # FVA step; HiGHS was as fast on most scenarios but fell back to solves
    # from scratch, 45 s each, on every step of the hypoxia scenario)
    status, optimum = lp.solve(method="primal")
    if status == "optimal":
        lp.add_objective_bound(1.0, max(0.0, fraction * optimum - 1e-9))
    if resolver is not None:
        resolver._warm_lp = (key, lp, status)
    return lp, status


def _ranges_warm(model, expressions, *, biomass, fraction, resolver=None):
    lp, status = _warm_problem(model, biomass=biomass, fraction=fraction, resolver=resolver)
    if status != "optimal":
        return [(float("nan"), float("nan"), status) for _ in expressions]
    out = []
    for coefficients in expressions:
        columns = {lp.index[rid]: float(c) for rid, c in coefficients.items() if c}
        lp.set_objective(columns, maximize=False)
        s1, low = lp.solve(method="primal")
        lp.set_objective(columns, maximize=True)
        s2, high = lp.solve(method="primal")
        out.append((_clean(low) if s1 == "optimal" else float("nan"),
                    _clean(high) if s2 == "optimal" else float("nan"),
                    s1 if s1 != "optimal" else s2))
    return out


def _ranges_cobra(model, expressions, *, biomass, fraction):
    out = []
    with model:
        optimum, status = _fix_growth(model, biomass, fraction)
        if status != "optimal":
            return [(float("nan"), float("nan"), status) for _ in expressions]
        for coefficients in expressions:
            expression = sum(c * model.reactions.get_by_id(rid).flux_expression for rid, c in coefficients.items())
            _set_objective(model, expression, "min")
            low, s1 = _optimize(model)
            _set_objective(model, expression, "max")
            high, s2 = _optimize(model)
            out.append((low, high, s1 if s1 != "optimal" else s2))
    return out


def _expression_range(model, expression, *, biomass, fraction, resolver=None) -> Tuple[float, float, str]:
    return _expression_ranges(model, [expression], biomass=biomass, fraction=fraction, resolver=resolver)[0]


def asns_range(
    model: cobra.Model,
    *,
    fraction_of_optimum: float = 1.0,
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """Flux variability of ASNS (total flux of the role's reactions).

    Parameters
    ----------
    fraction_of_optimum
        Growth is held at or above this fraction of its maximum.

    Returns
    -------
    pandas.Series
        ``minimum``, ``maximum`` (mmol/gDW/h) and ``status``.

    Notes
    -----
    A single ASNS reaction goes through :func:`fluxasn.analysis.fva.fva`;
    several (e.g. compartment copies) through the FVA of their summed flux.
    Tested against :func:`cobra.flux_analysis.flux_variability_analysis`.
    """
    _check_fraction(fraction_of_optimum)
    resolver = _resolver(model, resolver)
    reactions = resolver.role_reactions("ASNS")
    biomass = resolver.biomass()
    if len(reactions) == 1:  # one reaction: the analysis layer's FVA
        from fluxasn.analysis.fva import fva

        with model:
            model.objective = biomass
            model.objective_direction = "max"
            growth_value, status = _optimize(model)
            if status != "optimal":
                return pd.Series({"minimum": float("nan"), "maximum": float("nan"), "status": status})
            table = fva(model, [reactions[0].id], fraction_of_optimum=fraction_of_optimum, processes=1)
        row = table.iloc[0]
        return pd.Series({"minimum": _clean(row["minimum"]), "maximum": _clean(row["maximum"]), "status": "optimal"})
    low, high, status = _expression_range(
        model, {r.id: 1.0 for r in reactions}, biomass=biomass, fraction=fraction_of_optimum,
        resolver=resolver,
    )
    return pd.Series({"minimum": low, "maximum": high, "status": status})


def _check_fraction(value, name="fraction_of_optimum"):
    if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise FluxasnInputError(f"{name} must be between 0 and 1, got {value!r}", identifier=name)


# --- aspartate sources --------------------------------------------------------------------


def _categories(model, resolver: ModelResolver, metabolite, roles: Sequence[str], *, split_other=False):
    """Reactions of ``metabolite`` grouped by source: roles, uptake, transport, other.

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
        elif partners and any(m.compartment == "e" for m in partners):
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


#: Source groups of aspartate per compartment, as (label, roles).
_ASP_SOURCES = {
    "c": (("GOT1", ("GOT1",)), ("asparaginase", ("ASPG", "ASRGL1"))),
    "m": (("GOT2", ("GOT2",)), ("asparaginase", ("ASPG", "ASRGL1"))),
}


def aspartate_sources(
    model: cobra.Model,
    *,
    fraction_of_optimum: float = 1.0,
    compartments: Sequence[str] = ("c", "m"),
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
        Compartment ids of the cytosol and mitochondria (default ``c``, ``m``);
        a compartment without aspartate (a network without mitochondria) is
        left out, and :class:`RoleError` is raised only if none has it.

    Returns
    -------
    pandas.DataFrame
        Columns ``compartment``, ``metabolite``, ``source``, ``reactions``,
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
    .. [1] Lewis NE et al. Omic data from evolved E. coli are consistent with
       computed optimal growth from genome-scale models. Mol Syst Biol 6:390 (2010).
    .. [2] Birsoy K et al. An essential role of the mitochondrial electron
       transport chain in cell proliferation is to enable aspartate synthesis.
       Cell 162:540 (2015).
    """
    _check_fraction(fraction_of_optimum)
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    targets = []
    missing = []
    for compartment, label in zip(compartments, ("c", "m")):
        try:
            met = resolver.metabolite("aspartate", compartment)
        except RoleError as error:  # e.g. a network without mitochondria
            missing.append(str(error))
            continue
        targets.append((compartment, "aspartate", met, _categories(model, resolver, met, _ASP_SOURCES[label])))
    if not targets:
        raise RoleError("; ".join(missing))
    if len(compartments) > 1:
        try:
            oaa = resolver.metabolite("oaa", compartments[1])
        except RoleError:
            oaa = None
        if oaa is not None:
            groups = _categories(model, resolver, oaa, (("PC", ("PC",)),), split_other=True)
            targets.append((compartments[1], "oxaloacetate", oaa, groups))

    rows = []
    with model:
        model.objective = biomass
        try:
            from cobra.flux_analysis import pfba

            solution = pfba(model, fraction_of_optimum=fraction_of_optimum)
            fluxes, status = solution.fluxes, solution.status
        except Exception as error:  # infeasible: recorded, not raised
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


# --- nucleotide synthesis capacity ----------------------------------------------------------------


def nucleotide_capacity(
    model: cobra.Model,
    *,
    growth_fraction: float = 0.5,
    compartment: str = "c",
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """Maximum purine (IMP) and pyrimidine (UMP) synthesis at a fixed fraction of maximum growth.

    A demand reaction drains IMP (purines) or UMP (pyrimidines) from the
    cytosol; its maximum flux, with growth held at ``growth_fraction`` of its
    maximum, is the synthesis capacity beyond what growth itself uses. IMP and
    UMP synthesis each take one aspartate (PAICS; aspartate
    transcarbamoylase of CAD), so the capacity follows aspartate supply.

    Returns
    -------
    pandas.Series
        ``purine_capacity``, ``pyrimidine_capacity`` (mmol/gDW/h),
        ``status`` (the first non-optimal status met, else ``optimal``).
    """
    _check_fraction(growth_fraction, "growth_fraction")
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    targets = [(label, resolver.metabolite(query, compartment))
               for label, query in (("purine_capacity", "imp"), ("pyrimidine_capacity", "ump"))]
    try:
        return _capacity_warm(model, targets, biomass=biomass, fraction=growth_fraction)
    except _Unsupported:
        return _capacity_cobra(model, targets, biomass=biomass, fraction=growth_fraction)


def _capacity_warm(model, targets, *, biomass, fraction) -> pd.Series:
    """Both capacities on one warm LP holding both demand reactions."""
    with model:
        demands = [model.add_boundary(met, type="demand", reaction_id=f"_fluxasn_DM_{met.id}")
                   for _, met in targets]
        lp, status = _warm_problem(model, biomass=biomass, fraction=fraction)
        columns = [lp.index[d.id] for d in demands]
    out, statuses = {}, [status]
    for (label, _), column in zip(targets, columns):
        if status != "optimal":
            out[label] = float("nan")
            continue
        lp.set_objective({column: 1.0}, maximize=True)
        s, value = lp.solve(method="primal")
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


# --- shadow prices -------------------------------------------------------------------


def shadow_prices(
    model: cobra.Model,
    *,
    metabolites: Sequence[Tuple[str, str, str]] = SHADOW_PRICE_METABOLITES,
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """Growth gained per unit of a metabolite supplied, from the duals of maximum growth.

    Parameters
    ----------
    metabolites
        (label, metabolite name, compartment) triples; default cytosolic
        asparagine, aspartate, glutamine and NAD+.

    Returns
    -------
    pandas.Series
        ``shadow_price_<label>`` in (1/h) per (mmol/gDW/h) (NaN for a
        metabolite the model does not have) and ``status``.

    Notes
    -----
    Sign convention: positive means supplying the metabolite (a source of
    1 mmol/gDW/h into its mass balance) raises maximum growth, i.e. the
    metabolite limits growth; zero means it is in excess. This is minus the
    dual value of the metabolite's mass balance as cobra reports it for a
    maximisation (checked against finite differences in the tests). At a
    degenerate optimum the dual is one of several valid values.
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    resolved = []
    for label, name, compartment in metabolites:
        try:
            resolved.append((label, resolver.metabolite(name, compartment)))
        except RoleError:  # the model has no such metabolite: NaN, not an error
            resolved.append((label, None))
    out = {}
    with model:
        model.objective = biomass
        value, status = _optimize(model)
        for label, met in resolved:
            if status == "optimal" and met is not None:
                dual = model.constraints[met.id].dual
                out[f"shadow_price_{label}"] = _clean(-float(dual)) if dual is not None else float("nan")
            else:
                out[f"shadow_price_{label}"] = float("nan")
    out["status"] = status
    return pd.Series(out)


# --- genes ---------------------------------------------------------------------------------


def _screen(model, genes, processes):
    from fluxasn.analysis.knockouts import knockout_screen

    return knockout_screen(model, genes=genes, order=1, processes=processes).to_frame()


def essential_genes(
    model: cobra.Model,
    *,
    genes: Optional[Sequence[str]] = None,
    threshold: float = 0.01,
    processes: int = 1,
    resolver: Optional[ModelResolver] = None,
) -> pd.DataFrame:
    """Genes whose single knock-out stops growth.

    Parameters
    ----------
    genes
        Gene ids to screen (default: every gene of the model).
    threshold
        A gene is essential if growth after its knock-out is below
        ``threshold`` x the unperturbed growth, or not optimal (infeasible).

    Returns
    -------
    pandas.DataFrame
        One row per screened gene: ``gene``, ``growth`` (1/h), ``status``,
        ``essential`` (bool); ``attrs["reference_growth"]`` holds the
        unperturbed growth.
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    genes = [getattr(g, "id", g) for g in (genes if genes is not None else model.genes)]
    with model:
        model.objective = biomass
        reference, status = _optimize(model)
        if status != "optimal" or reference < GROWTH_TOLERANCE:
            frame = pd.DataFrame({"gene": genes, "growth": float("nan"), "status": status, "essential": False})
            frame.attrs["reference_growth"] = reference
            return frame
        screen = _screen(model, genes, processes)
    gene_ids = [next(iter(ids)) for ids in screen["ids"]]
    growths = screen["growth"].to_numpy(dtype=float)
    statuses = list(screen["status"])
    essential = [
        (s != "optimal") or (g < threshold * reference) for g, s in zip(growths, statuses)
    ]
    frame = pd.DataFrame({"gene": gene_ids, "growth": growths, "status": statuses, "essential": essential})
    frame.attrs["reference_growth"] = reference
    return frame


def asns_partners(
    model: cobra.Model,
    *,
    genes: Optional[Sequence[str]] = None,
    threshold: float = 0.01,
    processes: int = 1,
    resolver: Optional[ModelResolver] = None,
) -> pd.DataFrame:
    """Synthetic-lethal partners of ASNS: a double-knock-out screen anchored on ASNS.

    A gene ``g`` is a partner if the ASNS + ``g`` double loss stops growth
    (below ``threshold`` x unperturbed growth) while neither single loss does.
    The screen knocks out the ASNS role reactions once and then every gene in
    turn, which is the ASNS row of a full pair screen.

    Returns
    -------
    pandas.DataFrame
        ``gene``, ``growth`` (ASNS + gene, 1/h), ``single_growth`` (gene
        alone), ``status``, ``partner`` (bool). ``attrs`` holds
        ``reference_growth``, ``asns_ko_growth`` and ``note`` (why the screen
        is empty, when it is).
    """
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    asns = resolver.role_reactions("ASNS")
    asns_genes = {g.id for r in asns for g in r.genes}
    genes = [getattr(g, "id", g) for g in (genes if genes is not None else model.genes)]
    genes = [g for g in genes if g not in asns_genes]
    singles = essential_genes(model, genes=genes, threshold=threshold, processes=processes, resolver=resolver)
    reference = singles.attrs["reference_growth"]
    with model:
        for reaction in asns:
            reaction.bounds = (0.0, 0.0)
        model.objective = biomass
        anchored, status = _optimize(model)
        empty = pd.DataFrame(columns=["gene", "growth", "single_growth", "status", "partner"])
        note = ""
        if not (reference >= GROWTH_TOLERANCE):
            note = "no growth before any knock-out"
        elif status != "optimal" or anchored < threshold * reference:
            note = "ASNS loss alone stops growth: no partner can be synthetic lethal"
        if note:
            empty.attrs.update(reference_growth=reference, asns_ko_growth=anchored, note=note)
            return empty
        double = _screen(model, genes, processes)
    growths = double["growth"].to_numpy(dtype=float)
    statuses = list(double["status"])
    single_essential = dict(zip(singles["gene"], singles["essential"]))
    single_growth = dict(zip(singles["gene"], singles["growth"]))
    gene_ids = [next(iter(ids)) for ids in double["ids"]]
    partner = [
        ((s != "optimal") or (g < threshold * reference)) and not single_essential[gid]
        for gid, g, s in zip(gene_ids, growths, statuses)
    ]
    frame = pd.DataFrame({
        "gene": gene_ids, "growth": growths, "single_growth": [single_growth[g] for g in gene_ids],
        "status": statuses, "partner": partner,
    })
    frame.attrs.update(reference_growth=reference, asns_ko_growth=anchored, note="")
    return frame


# --- production envelopes ---------------------------------------------------------------------


@dataclass
class Envelope:
    """Growth against a controlled flux (ASNS flux or aspartate supply).

    Attributes
    ----------
    frame
        Columns ``x`` (the controlled flux, mmol/gDW/h), ``growth_minimum``,
        ``growth_maximum`` (1/h) and ``status``.
    x_label
        What ``x`` is.
    """

    frame: pd.DataFrame
    x_label: str
    title: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.frame.copy()

    def __str__(self) -> str:
        return f"{self.title}\n" + self.frame.to_string(index=False, float_format=lambda v: f"{v:.4g}")

    def __repr__(self) -> str:
        return f"<Envelope {self.title}: {len(self.frame)} points>"

    def _repr_html_(self) -> str:
        return f"<p><strong>{html.escape(self.title)}</strong></p>" + self.frame.to_html(index=False)

    def plot(self, ax=None):
        """Plot the envelope (matplotlib); returns the axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 3.5))
        frame = self.frame
        ax.fill_between(frame["x"], frame["growth_minimum"], frame["growth_maximum"], alpha=0.3)
        ax.plot(frame["x"], frame["growth_maximum"], marker="o", ms=3)
        ax.set_xlabel(self.x_label)
        ax.set_ylabel("growth [1/h]")
        ax.set_title(self.title, fontsize=9)
        return ax


def _growth_bounds(model) -> Tuple[float, float, str]:
    """Minimum and maximum of the current (growth) objective: (low, high, status); the
    status is the maximisation's unless that was optimal and the minimisation's was not."""
    model.objective_direction = "max"
    high, status = _optimize(model)
    model.objective_direction = "min"
    low, status_min = _optimize(model)
    model.objective_direction = "max"
    return low, high, status if status != "optimal" else status_min


def growth_envelope(
    model: cobra.Model,
    *,
    against: str = "ASNS",
    points: int = 15,
    maximum: Optional[float] = None,
    resolver: Optional[ModelResolver] = None,
) -> Envelope:
    """Growth (minimum and maximum) at fixed values of ASNS flux or aspartate supply.

    Parameters
    ----------
    against
        ``"ASNS"``: the total flux of the ASNS role reactions, scanned over its
        feasible range; ``"aspartate"``: the aspartate uptake from the medium,
        the uptake limit of aspartate from the medium,
        scanned from 0 to ``maximum`` (default: 10 x the current uptake limit,
        at least 1 mmol/gDW/h), transport reactions as in the model.
    points
        Number of values scanned (>= 2).

    Returns
    -------
    Envelope

    Notes
    -----
    For ASNS each point fixes the total ASNS flux and minimises then
    maximises growth, as :func:`cobra.flux_analysis.production_envelope` does
    with growth as the objective (tested against it). For aspartate each
    point sets the uptake *limit* (supply available, not forced), so
    ``growth_maximum`` is the growth the supply allows.
    """
    if not isinstance(points, int) or points < 2:
        raise FluxasnInputError(f"points must be an integer >= 2, got {points!r}", identifier="points")
    if against not in ("ASNS", "aspartate"):
        raise FluxasnInputError(
            f"envelope against {against!r}: expected 'ASNS' or 'aspartate'", identifier="against"
        )
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    rows = []
    with model:
        if against == "ASNS":
            reactions = resolver.role_reactions("ASNS")
            expression = sum(r.flux_expression for r in reactions)
            low, high, status = _expression_range(model, {r.id: 1.0 for r in reactions}, biomass=biomass, fraction=0.0)
            if status != "optimal":
                frame = pd.DataFrame({"x": [], "growth_minimum": [], "growth_maximum": [], "status": []})
                return Envelope(frame, "ASNS flux [mmol/gDW/h]", f"growth vs ASNS flux ({status})")
            values = np.linspace(low, high if maximum is None else min(high, maximum), points)
            constraint = model.problem.Constraint(expression, lb=low, ub=high, name="_fluxasn_asns_total")
            model.add_cons_vars(constraint)
            label = "ASNS flux [mmol/gDW/h]"
        else:
            exchange = resolver.exchange("aspartate")
            top = maximum if maximum is not None else max(1.0, 10.0 * resolver.uptake_limit(exchange))
            values = np.linspace(0.0, float(top), points)
            label = "aspartate uptake [mmol/gDW/h]"
        for x in values:
            if against == "ASNS":
                constraint.lb = float(low)
                constraint.ub = float(x)
                constraint.lb = float(x)
            else:
                resolver.set_uptake_limit(exchange, float(x))
            model.objective = biomass
            rows.append((float(x),) + _growth_bounds(model))
    frame = pd.DataFrame(rows, columns=["x", "growth_minimum", "growth_maximum", "status"])
    name = "ASNS flux" if against == "ASNS" else "aspartate supply"
    return Envelope(frame, label, f"growth vs {name} ({model.id})")


# --- route capacities ------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityGroup:
    """A group of reactions, each with the directional flux variable that counts.

    Attributes
    ----------
    terms
        ``(reaction, "forward" | "reverse")`` pairs: the flux that counts is
        the reaction's forward (or reverse) irreversible part, so a reversible
        reaction contributes only in the chosen direction.
    label
        What the group is (for tables and plots).
    """

    terms: Tuple[Tuple[cobra.Reaction, str], ...]
    label: str

    def expression(self):
        """The group's total directional flux (an optlang expression, mmol/gDW/h)."""
        return sum(r.forward_variable if side == "forward" else r.reverse_variable for r, side in self.terms)

    def describe(self) -> str:
        return ", ".join(f"{r.id} ({side})" for r, side in self.terms)


def _members(model, resolver: ModelResolver, item, metabolite: Optional[str]) -> List[cobra.Reaction]:
    """Reactions named by ``item``: a Reaction, a reaction id, a role or a gene symbol."""
    if isinstance(item, cobra.Reaction):
        if item.id not in model.reactions:
            raise FluxasnInputError(f"reaction {item.id!r} is not in model {model.id!r}", identifier=item.id)
        return [model.reactions.get_by_id(item.id)]
    if not isinstance(item, str) or not item.strip():
        raise FluxasnInputError(
            f"a capacity group member is a reaction id, a role or a gene symbol; got {item!r}", identifier=str(item)
        )
    if item in model.reactions:
        return [model.reactions.get_by_id(item)]
    try:
        return resolver.role_reactions(item)
    except RoleError:
        pass
    reactions = resolver.gene_reactions(item, metabolite=metabolite)
    if reactions:
        return reactions
    raise FluxasnInputError(
        f"{item!r} is neither a reaction of model {model.id!r}, a role it has, nor a gene with "
        + (f"reactions involving {metabolite!r}" if metabolite else "reactions"),
        identifier=item,
    )


def capacity_group(
    model: cobra.Model,
    reactions: Sequence,
    *,
    producing: Optional[str] = None,
    direction: Optional[str] = None,
    label: Optional[str] = None,
    resolver: Optional[ModelResolver] = None,
) -> CapacityGroup:
    """Resolve reactions (ids, roles or gene symbols) into a directional :class:`CapacityGroup`.

    Parameters
    ----------
    reactions
        Reaction ids, :class:`cobra.Reaction` objects, role names
        (:data:`fluxasn.core.roles.ROLES`, e.g. ``"PC"``) or HGNC gene symbols
        (e.g. ``"IDH1"``: the reactions of that gene).
    producing
        A metabolite (name or dictionary id, e.g. ``"isocitrate"``): each
        reaction counts in the direction that produces it, whichever way the
        model writes the reaction, and gene members keep only reactions that
        involve it. This makes a group mean the same on every model:
        ``["IDH1", "IDH2"]`` producing isocitrate is reductive carboxylation.
    direction
        ``"forward"`` or ``"reverse"`` as the reactions are written (instead
        of ``producing``; default ``"forward"``).

    Raises
    ------
    FluxasnInputError
        An unknown member (named), an empty list, both ``producing`` and
        ``direction`` given, an unknown direction or metabolite, or a reaction
        in which ``producing`` does not occur exactly once (named).
    """
    resolver = _resolver(model, resolver)
    if producing is not None and direction is not None:
        raise FluxasnInputError("give either producing= or direction=, not both", identifier="direction")
    direction = "forward" if producing is None and direction is None else direction
    if direction is not None and direction not in ("forward", "reverse"):
        raise FluxasnInputError(
            f"direction must be 'forward' or 'reverse', got {direction!r}", identifier="direction"
        )
    if isinstance(reactions, (str, cobra.Reaction)):
        reactions = [reactions]
    if not len(reactions):
        raise FluxasnInputError("a capacity group needs at least one reaction", identifier="reactions")
    entry = None
    if producing is not None:
        from fluxasn.core.resolver import _entry

        entry = _entry(producing)
        if entry is None:
            raise FluxasnInputError(
                "unknown metabolite; expected a name or identifier of the bundled dictionary", identifier=producing
            )
    terms: List[Tuple[cobra.Reaction, str]] = []
    for item in reactions:
        for reaction in _members(model, resolver, item, producing):
            if any(reaction is r for r, _ in terms):
                continue
            if producing is None:
                terms.append((reaction, direction))
                continue
            signs = [c for m, c in reaction.metabolites.items() if resolver._metabolite_is(m, entry)]
            if len(signs) != 1:
                raise FluxasnInputError(
                    f"reaction {reaction.id!r} of {item!r} has {producing!r} {len(signs)} times; "
                    "expected exactly once to tell which direction produces it",
                    identifier=reaction.id,
                )
            terms.append((reaction, "forward" if signs[0] > 0 else "reverse"))
    if label is None:
        label = " + ".join(str(getattr(i, "id", i)) for i in reactions)
        label += f" (producing {producing})" if producing else f" ({direction})"
    return CapacityGroup(tuple(terms), label)


def minimum_capacity(
    model: cobra.Model,
    group: CapacityGroup,
    *,
    fraction_of_optimum: float = 1.0,
    resolver: Optional[ModelResolver] = None,
) -> pd.Series:
    """The smallest total flux a reaction group must carry for a fraction of maximum growth.

    Parameters
    ----------
    group
        From :func:`capacity_group` (e.g. IDH1 + IDH2 producing isocitrate).
    fraction_of_optimum
        Growth is held at this fraction of its maximum (1.0: the optimum).

    Returns
    -------
    pandas.Series
        ``minimum_capacity`` (mmol/gDW/h; NaN unless optimal), ``growth``
        (the maximum, 1/h) and ``status``.

    Notes
    -----
    One LP: minimise the group's directional flux subject to growth at
    least ``fraction_of_optimum`` of its maximum. A capacity (enzyme amount
    x kcat) below this value lowers growth; at or above it growth is the
    maximum. For a single reversible reaction counted in reverse this is
    ``max(0, -v_max)`` with ``v_max`` the FVA maximum of its net flux at the
    same fraction (tested against cobra's FVA).
    """
    _check_fraction(fraction_of_optimum)
    fraction = float(fraction_of_optimum)
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    with model:
        optimum, status = _fix_growth(model, biomass, fraction)
        if status != "optimal":
            return pd.Series({"minimum_capacity": float("nan"), "growth": float("nan"), "status": status})
        _set_objective(model, group.expression(), "min")
        value, status = _optimize(model)
    return pd.Series({"minimum_capacity": value, "growth": optimum, "status": status})


def capacity_scan(
    model: cobra.Model,
    group: CapacityGroup,
    *,
    capacities: Sequence[float],
    resolver: Optional[ModelResolver] = None,
) -> Envelope:
    """Growth when a reaction group's total directional flux is capped at each capacity.

    Parameters
    ----------
    group
        From :func:`capacity_group`.
    capacities
        Caps in mmol/gDW/h (each >= 0).

    Returns
    -------
    Envelope
        ``x`` = capacity, ``growth_minimum`` / ``growth_maximum`` (1/h) with
        the group's flux at most ``x``, and ``status``.

    Notes
    -----
    The cap is one added constraint (``sum of directional fluxes <= x``),
    removed on leaving the function's ``with model:`` block. With
    :func:`minimum_capacity` the scan shows how much of a route a cell
    needs: below the minimum capacity growth falls, above it nothing changes.
    """
    values = []
    for c in capacities:
        try:
            value = float(c)
        except (TypeError, ValueError):
            value = float("nan")
        if not value >= 0:
            raise FluxasnInputError(f"capacities must be numbers >= 0 (mmol/gDW/h), got {c!r}", identifier="capacities")
        values.append(value)
    if not values:
        raise FluxasnInputError("capacities is empty", identifier="capacities")
    resolver = _resolver(model, resolver)
    biomass = resolver.biomass()
    rows = []
    with model:
        cap = model.problem.Constraint(group.expression(), lb=None, ub=values[0], name="_fluxasn_capacity")
        model.add_cons_vars(cap)
        model.objective = biomass
        for value in values:
            cap.ub = value
            rows.append((value,) + _growth_bounds(model))
    frame = pd.DataFrame(rows, columns=["x", "growth_minimum", "growth_maximum", "status"])
    return Envelope(frame, f"capacity of {group.label} [mmol/gDW/h]", f"growth vs capacity of {group.label} ({model.id})")
