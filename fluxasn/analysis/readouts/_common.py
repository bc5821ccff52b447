"""Helpers shared by the readouts: optimise, hold growth, ranges of linear expressions.

Units: fluxes in mmol/gDW/h, growth in 1/h.
"""
from __future__ import annotations

from typing import List, Tuple

import cobra

from fluxasn.config import NO_GROWTH, ZERO
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError
from fluxasn.lp.cache import WarmCache, growth_lp
from fluxasn.lp.netflux import UnsupportedProblem

#: Growth below this (1/h) counts as no growth.
GROWTH_TOLERANCE = NO_GROWTH


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
        biomass.lower_bound = max(0.0, fraction * optimum - ZERO)
    return optimum, status


def _cache(resolver):
    """The warm-LP cache kept on a resolver (one per scenario run), or None."""
    if resolver is None:
        return None
    return resolver.cache.setdefault("growth_lp", WarmCache())


def _expression_ranges(model, expressions, *, biomass, fraction, resolver=None) -> List[Tuple[float, float, str]]:
    """Minimum and maximum of each linear expression with growth >= ``fraction`` x its maximum.

    ``expressions`` are ``{reaction id: coefficient}`` mappings on net fluxes.
    Solved on one warm LP (:func:`fluxasn.lp.cache.growth_lp`: the model's own
    LP in net fluxes, GLPK), shared through the resolver's cache while the
    model's state is unchanged; through cobra if that LP cannot express the model.
    """
    try:
        return _ranges_warm(model, expressions, biomass=biomass, fraction=fraction, resolver=resolver)
    except UnsupportedProblem:
        return _ranges_cobra(model, expressions, biomass=biomass, fraction=fraction)


def _ranges_warm(model, expressions, *, biomass, fraction, resolver=None):
    lp, status = growth_lp(model, biomass=biomass, fraction=fraction, cache=_cache(resolver))
    if status != "optimal":
        return [(float("nan"), float("nan"), status) for _ in expressions]
    out = []
    for coefficients in expressions:
        columns = {lp.index[rid]: float(c) for rid, c in coefficients.items() if c}
        # a new objective on unchanged constraints: GLPK warm primal; HiGHS (a model
        # with an enzyme pool) presolved from scratch, its warm primal took minutes
        lp.set_objective(columns, maximize=False)
        s1, low = lp.solve_new_objective()
        lp.set_objective(columns, maximize=True)
        s2, high = lp.solve_new_objective()
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


def _check_fraction(value, name="fraction_of_optimum"):
    if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise FluxasnInputError(f"{name} must be between 0 and 1, got {value!r}", identifier=name)


