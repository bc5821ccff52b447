"""Warm LPs reused between readouts while, and only while, the model's state is unchanged.

A readout that needs growth held at a fraction of its maximum builds one warm
LP (:func:`growth_lp`): the model's LP with the growth objective solved and
the row ``growth >= fraction x maximum`` added. Several readouts of the same
scenario share it through a :class:`WarmCache` (the scenario runner keeps one
per scenario on its :class:`~fluxasn.core.resolver.ModelResolver`).

The cache key is the model's whole LP state (:func:`model_state`): every
reaction's bounds and stoichiometry, every solver constraint's bounds and
(for constraints other than mass balances) coefficients, and every other
solver variable's bounds, besides the growth reaction and the fraction. A
change to any of them, including a constraint's bounds changed in place,
builds a new LP; nothing cached outlives the state it was built from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

from fluxasn.config import ZERO
from fluxasn.lp.netflux import constraint_terms
from fluxasn.lp.problem import LinearProblem, default_solver
from fluxasn.lp.status import OPTIMAL

__all__ = ["WarmCache", "growth_lp", "model_state"]


def model_state(model) -> int:
    """A hash of everything that defines the model's LP (see the module docstring)."""
    reactions = tuple(
        (r.id, r.lower_bound, r.upper_bound, tuple((m.id, c) for m, c in r._metabolites.items()))
        for r in model.reactions
    )
    metabolites = {m.id for m in model.metabolites}
    model.solver.update()
    constraints = []
    for con in model.solver.constraints:
        if con.name in metabolites:
            constraints.append((con.name, con.lb, con.ub))
        else:
            constraints.append((con.name, con.lb, con.ub,
                                tuple(sorted(constraint_terms(model.solver, con)))))
    n_variables = len(model.solver.variables)
    others = ()
    if n_variables != 2 * len(model.reactions):
        names = {r.forward_variable.name for r in model.reactions} | {r.reverse_variable.name for r in model.reactions}
        others = tuple((v.name, v.lb, v.ub) for v in model.solver.variables if v.name not in names)
    return hash((reactions, tuple(constraints), others))


@dataclass
class WarmCache:
    """Holds one warm growth LP and the state it was built from."""

    key: Optional[tuple] = None
    lp: object = field(default=None, repr=False)
    status: str = ""

    def clear(self) -> None:
        self.key, self.lp, self.status = None, None, ""


def growth_lp(model, *, biomass, fraction: float, cache: Optional[WarmCache] = None) -> Tuple[object, str]:
    """A warm LP of ``model`` (GLPK; HiGHS with an enzyme pool) with growth held at ``fraction`` of its maximum.

    Returns ``(lp, status)``: the status of the growth maximisation; when it
    is optimal the LP carries the row ``growth >= fraction x maximum``
    (minus 1e-9, so that the optimum itself stays feasible). The model is not
    changed. Raises :class:`~fluxasn.lp.netflux.UnsupportedProblem` for a
    model whose LP is not linear in net fluxes.
    """
    key = (biomass.id, float(fraction), model_state(model))
    if cache is not None and cache.key == key:
        return cache.lp, cache.status
    with model:
        model.objective = biomass
        model.objective_direction = "max"
        lp = LinearProblem(model, solver=default_solver(model, "glpk"))
    # GLPK, primal simplex from the previous basis after each objective change
    # (measured on Human-GEM + RPMI: 10 s for the first solve, 0.01-0.2 s per
    # FVA step; HiGHS was as fast on most scenarios but fell back to solves
    # from scratch, 45 s each, on every step of the hypoxia scenario); HiGHS
    # with an enzyme pool (default_solver)
    status, optimum = lp.solve_new_objective()
    if status == OPTIMAL:
        lp.add_objective_bound(1.0, max(0.0, fraction * optimum - ZERO))
    if cache is not None:
        cache.key, cache.lp, cache.status = key, lp, status
    return lp, status
