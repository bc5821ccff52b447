"""The enzyme-capacity layer: a protein pool that every analysis sees as an ordinary LP row.

:func:`add_enzyme_capacity` limits the enzyme mass the model's reactions may
use (the protein pool of GECKO and sMOMENT)::

    sum_j cost_fwd_j v_j^+ + cost_rev_j v_j^-  <=  pool      (g enzyme / gDW)

with the costs of :func:`fluxasn.core.enzymes.enzyme_costs`. The row is written
so that it is linear in *net* fluxes: an irreversible reaction contributes
``cost_fwd v_j``; a reversible one gets one extra variable ``r_j >= 0`` (its
reverse part) with ``v_j + r_j >= 0`` and contributes
``cost_fwd v_j + (cost_fwd + cost_rev) r_j``. Because every cost is positive
and the pool row is an upper bound, the smallest admissible ``r_j`` is
``max(0, -v_j)``, so the feasible net fluxes are exactly those of GECKO's
split formulation. cobra (FBA, pFBA, cobra's FVA and deletions) and
fluxasn's own warm LPs (FVA, knockout screens, readouts, scenarios) therefore
solve the same LP. Everything is added with ``model.add_cons_vars`` and is
undone on leaving ``with model:``.

:func:`calibrate_capacity` finds the pool at which maximum growth equals a
measured growth rate (one LP: the least enzyme use that supports it);
:func:`enzyme_usage` gives the enzyme mass each reaction uses in a flux
distribution; :func:`pool_shadow_price` the growth gained per g/gDW of pool.

References
----------
- Sanchez BJ et al. (2017) Improving the phenotype predictions of a yeast
  genome-scale metabolic model by incorporating enzymatic constraints. Mol Syst
  Biol 13:935 (GECKO).
- Bekiaris PS, Klamt S (2020) Automatic construction of metabolic models with
  enzyme constraints. BMC Bioinformatics 21:19 (sMOMENT).
"""
from __future__ import annotations

import math
from functools import partial
from dataclasses import dataclass
from typing import Dict, Optional

import cobra
import pandas as pd
from cobra.util.context import get_context
from optlang.symbolics import Zero

from fluxasn.config import ZERO
from fluxasn.lp.problem import POOL_CONSTRAINT as _POOL_ROW_NAME
from fluxasn.core.enzymes import EnzymeCosts, enzyme_costs, pool_parameters
from fluxasn.core.resolver import ModelResolver
from fluxasn.exceptions import FluxasnInputError, InfeasibleError
from fluxasn.lp.highs import solve_arrays
from fluxasn.lp.netflux import extract

__all__ = [
    "POOL_CONSTRAINT",
    "POOL_ROW_SCALE",
    "EnzymePool",
    "add_enzyme_capacity",
    "calibrate_capacity",
    "enzyme_usage",
    "pool_shadow_price",
]

#: Name of the pool row in ``model.constraints`` (defined by the LP layer, which picks solvers by it).
POOL_CONSTRAINT = _POOL_ROW_NAME
#: The row is written in mg enzyme / gDW (costs and pool x 1000): with costs
#: from ~1e-6 to ~1 g/gDW per mmol/gDW/h, a row in g/gDW left the solvers'
#: absolute feasibility tolerance (1e-7) worth up to 1e-6 mmol/gDW/h of flux,
#: and cobra's FVA then differed from exact rational arithmetic (glpk_exact) by
#: 1.6e-6 on the core model; in mg/gDW it is within 1e-9.
POOL_ROW_SCALE = 1000.0
#: Prefix of the reverse-part variables and their link rows (the pool's own accounting).
REVERSE_PREFIX = "fluxasn_enzyme_rev_"


@dataclass
class EnzymePool:
    """The pool row added to a model and what it holds.

    Attributes
    ----------
    constraint
        The optlang constraint (its ``ub`` is the pool, g/gDW).
    costs
        The reactions' costs.
    reverse
        Reaction id -> the variable of its reverse part (reversible reactions).
    """

    constraint: object
    costs: EnzymeCosts
    reverse: Dict[str, object]

    @property
    def pool(self) -> float:
        """The pool (g enzyme / gDW)."""
        return float(self.constraint.ub) / POOL_ROW_SCALE

    @pool.setter
    def pool(self, value: float) -> None:
        self.constraint.ub = _check_pool(value) * POOL_ROW_SCALE


def _number(value, *, name: str, unit: str, positive: bool) -> float:
    """``value`` as a finite float, > 0 (``positive``) or >= 0; else an error naming ``name``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not (number > 0 if positive else number >= 0):
        raise FluxasnInputError(f"{name} must be a finite number {'>' if positive else '>='} 0 ({unit}), "
                                f"got {value!r}", identifier=name)
    return number


def _check_pool(value) -> float:
    return _number(value, name="pool", unit="g enzyme / gDW", positive=True)


def add_enzyme_capacity(
    model: cobra.Model,
    costs: Optional[EnzymeCosts] = None,
    *,
    pool: Optional[float] = None,
) -> EnzymePool:
    """Add the protein-pool row to ``model`` (undone on leaving ``with model:``).

    Parameters
    ----------
    model
        Any cobra model.
    costs
        From :func:`fluxasn.core.enzymes.enzyme_costs` (default: the model's
        costs from the bundled tables).
    pool
        Enzyme mass the model's reactions may use, g / gDW (default: protein
        content x enzyme mass fraction, :func:`fluxasn.core.enzymes.pool_parameters`).

    Returns
    -------
    EnzymePool

    Notes
    -----
    Each reaction is charged for the directions its bounds allow when the
    pool is added (an irreversible reaction ``cost_fwd v``); add the pool
    after any change that opens a reaction in a new direction, or that
    direction would earn enzyme back.

    When the costs span more than :data:`WIDE_COST_SPAN` (genome-scale models:
    kcat from 3e-6 to 4e6 1/s), the model's solver tolerance is lowered to
    :data:`WIDE_COST_TOLERANCE` (also undone on leaving ``with model:``); at
    cobra's default 1e-7, GLPK's optimum missed the exact one by 0.77% on
    Human-GEM.

    Raises
    ------
    FluxasnInputError
        A model that already holds a pool, costs of reactions the model lacks,
        or a pool that is not a positive number; the model is not changed.
    """
    pool = _check_pool(pool_parameters().pool if pool is None else pool)
    if POOL_CONSTRAINT in model.constraints:
        raise FluxasnInputError("the model already holds an enzyme pool", identifier=POOL_CONSTRAINT)
    costs = enzyme_costs(model) if costs is None else costs
    unknown = [rid for rid in costs.table["reaction"] if rid not in model.reactions]
    if unknown:
        raise FluxasnInputError(f"costs name reactions that model {model.id!r} lacks: " + ", ".join(unknown[:5]),
                                identifier=unknown[0])
    coefficients: Dict[object, float] = {}
    new_variables, new_constraints = [], []
    reverse: Dict[str, object] = {}

    def charge(variable, value: float) -> None:
        coefficients[variable] = coefficients.get(variable, 0.0) + POOL_ROW_SCALE * value

    for rid, (forward, backward) in costs.costs().items():
        reaction = model.reactions.get_by_id(rid)
        if reaction.lower_bound >= 0:  # forward only: cost_fwd v
            charge(reaction.forward_variable, forward)
            charge(reaction.reverse_variable, -forward)
        elif reaction.upper_bound <= 0:  # reverse only: v <= 0, uses cost_rev (-v)
            charge(reaction.forward_variable, -backward)
            charge(reaction.reverse_variable, backward)
        else:  # cost_fwd v + (cost_fwd + cost_rev) r, with r >= 0 and v + r >= 0
            part = model.problem.Variable(REVERSE_PREFIX + rid, lb=0)
            link = model.problem.Constraint(reaction.flux_expression + part, lb=0,
                                            name=f"{REVERSE_PREFIX}{rid}_link")
            new_variables.append(part)
            new_constraints.append(link)
            reverse[rid] = part
            charge(reaction.forward_variable, forward)
            charge(reaction.reverse_variable, -forward)
            charge(part, forward + backward)
    row = model.problem.Constraint(Zero, lb=None, ub=pool * POOL_ROW_SCALE, name=POOL_CONSTRAINT)
    model.add_cons_vars(new_variables + new_constraints + [row])
    model.solver.update()
    row.set_linear_coefficients(coefficients)
    _tighten_tolerance(model, costs)
    return EnzymePool(row, costs, reverse)


#: Costs spanning more than this factor get the solver tolerance :data:`WIDE_COST_TOLERANCE`.
WIDE_COST_SPAN = 1e6
#: Feasibility tolerance for a pool whose costs span more than :data:`WIDE_COST_SPAN`:
#: on Human-GEM + RPMI-1640 (costs 4e-9 to 9e3 g/gDW per mmol/gDW/h) GLPK at
#: cobra's default 1e-7 gave growth 0.77% above the exact optimum at the
#: calibrated pool, at 1e-9 within 2.3e-8 of it.
WIDE_COST_TOLERANCE = 1e-9


def _tighten_tolerance(model: cobra.Model, costs: EnzymeCosts) -> None:
    """Lower the model's solver tolerance for a badly scaled pool row (undone on leaving ``with model:``)."""
    values = [c for pair in costs.costs().values() for c in pair if c > 0]
    if not values or max(values) / min(values) <= WIDE_COST_SPAN or model.tolerance <= WIDE_COST_TOLERANCE:
        return
    before = model.tolerance
    context = get_context(model)
    model.tolerance = WIDE_COST_TOLERANCE
    if context is not None:
        context(partial(setattr, model, "tolerance", before))


def enzyme_usage(pool: EnzymePool, fluxes: pd.Series) -> pd.Series:
    """Enzyme mass each reaction uses in a flux distribution (g / gDW), largest first.

    ``fluxes`` are net fluxes (mmol/gDW/h), e.g. ``model.optimize().fluxes``.
    """
    out = {}
    for rid, (forward, backward) in pool.costs.costs().items():
        v = float(fluxes.get(rid, 0.0))
        use = forward * v if v > 0 else -backward * v
        if use > ZERO:
            out[rid] = use
    return pd.Series(out, name="enzyme_g_per_gDW", dtype=float).sort_values(ascending=False)


def pool_shadow_price(model: cobra.Model, pool: EnzymePool) -> pd.Series:
    """Growth gained per g/gDW more pool at maximum growth: ``shadow_price`` ((1/h) per (g/gDW)) and ``status``.

    Positive when the pool limits growth; zero when it has room. This is the
    dual value of the pool row (an upper bound) of the growth maximisation as
    cobra reports it; checked against finite differences in the tests (a
    degenerate optimum can have several valid values).
    """
    with model:
        model.objective = ModelResolver(model).biomass()
        model.slim_optimize(error_value=math.nan)
        status = str(model.solver.status)
        dual = pool.constraint.dual if status == "optimal" else None
    value = float(dual) * POOL_ROW_SCALE if dual is not None else math.nan  # per g/gDW
    return pd.Series({"shadow_price": 0.0 if abs(value) < ZERO else value, "status": status})


def calibrate_capacity(
    model: cobra.Model,
    *,
    growth: float,
    costs: Optional[EnzymeCosts] = None,
) -> float:
    """The pool (g / gDW) at which maximum growth equals ``growth`` (1/h).

    One LP, solved by HiGHS on fluxasn's net-flux LP (on Human-GEM GLPK's
    answer to it was 0.77% below the exact one, HiGHS's within 1e-9): the
    least enzyme use among flux distributions that grow at ``growth``. On a model that already holds a pool, its own row (and costs)
    is used and ``costs`` is ignored. With that pool, maximum growth is ``growth``; with more it is
    higher, with less lower (enzyme use is monotone in growth). The model is
    not changed.

    Raises
    ------
    FluxasnInputError
        ``growth`` is not a number >= 0.
    InfeasibleError
        The model cannot grow at ``growth`` whatever the pool.
    """
    target = _number(growth, name="growth", unit="1/h", positive=False)
    with model:
        if POOL_CONSTRAINT not in model.constraints:
            add_enzyme_capacity(model, costs, pool=1e6)
        ModelResolver(model).biomass().lower_bound = target
        status, value = _least_enzyme(model)
    if status != "optimal":
        raise InfeasibleError(f"model {model.id!r} cannot grow at {target:g} 1/h whatever the pool "
                              f"(solver status {status})")
    return float(value) / POOL_ROW_SCALE


def _least_enzyme(model: cobra.Model):
    """Status and least pool-row activity (mg/gDW) of the model's LP, by HiGHS on its net-flux form.

    The pool row itself is the objective and its bound is lifted, so the
    model's objective is not rebuilt (a 10,000-term optlang objective takes
    seconds on Human-GEM).
    """
    lp = extract(model)
    row = lp.row_names.index(POOL_CONSTRAINT)
    matrix = lp.sparse().tocsr()
    cost = matrix[row].toarray().ravel()
    lower, upper = lp.row_arrays()
    upper[row] = math.inf
    status, _, objective = solve_arrays(matrix, lower, upper, cost, lp.lb, lp.ub)
    return status, objective
