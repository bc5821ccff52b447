"""Loopless FVA and loopless FBA against hand-solved answers and cobra's MILP/CycleFreeFlux."""
from __future__ import annotations

import math
import warnings

import cobra
import numpy as np
import pandas as pd
import pytest
from cobra.flux_analysis import flux_variability_analysis, loopless_solution as cobra_loopless_solution
from cobra.flux_analysis.find_cyclic_reactions import find_cyclic_reactions

from fluxasn.analysis.fva import fva
from fluxasn.analysis.loopless import cyclic_reactions, loopless_bounds, loopless_solution
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

TOL = 1e-6


def _loop_network() -> cobra.Model:
    """A -> B, then B -> C by R2 (forward), R4 (either way) and back by R3: three loops.

    Uptake of A at most 10; the objective drains C. Hand-solved loopless FVA at
    full growth (10): R3 runs C -> B, which needs a net B -> C of more than 10
    through R2/R4 and so closes a loop: R3 = 0. Then R2 + R4 = 10 and R4 < 0
    with R2 > 0 is the loop R2 + (-R4): R4 in [0, 10], R2 in [0, 10].
    Plain FVA lets the loops run to the bound of 1000.
    """
    model = cobra.Model("loops")
    a, b, c = (cobra.Metabolite(m, compartment="c") for m in "ABC")
    def rxn(rid, stoich, lb, ub):
        r = cobra.Reaction(rid, lower_bound=lb, upper_bound=ub)
        r.add_metabolites(stoich)
        return r
    model.add_reactions([
        rxn("EX_A", {a: -1}, -10, 0),
        rxn("R1", {a: -1, b: 1}, 0, 1000),
        rxn("R2", {b: -1, c: 1}, 0, 1000),
        rxn("R3", {c: -1, b: 1}, 0, 1000),
        rxn("R4", {b: -1, c: 1}, -1000, 1000),
        rxn("EX_C", {c: -1}, 0, 1000),
    ])
    model.objective = "EX_C"
    return model


def _largest_loop(model, fluxes) -> float:
    """Total flux of the largest internal cycle conformal to ``fluxes`` (SciPy's LP, independent of fluxasn)."""
    from scipy.optimize import linprog

    internal = [r for r in model.reactions if not r.boundary and abs(fluxes[r.id]) > 1e-9]
    mets = sorted({m.id for r in internal for m in r.metabolites})
    S = np.zeros((len(mets), len(internal)))
    for k, r in enumerate(internal):
        for m, coef in r.metabolites.items():
            S[mets.index(m.id), k] = coef
    v = np.array([fluxes[r.id] for r in internal])
    res = linprog(-np.sign(v), A_eq=S, b_eq=np.zeros(len(mets)),
                  bounds=list(zip(np.minimum(v, 0), np.maximum(v, 0))), method="highs")
    assert res.status == 0
    return -res.fun


def _state(model):
    return ([(r.id, r.bounds) for r in model.reactions], str(model.objective.expression),
            model.objective.direction, len(model.constraints), len(model.variables))


def loopless_fva(model, *, method="strict", stats=None, **kwargs):
    return fva(model, loopless=method, stats=stats, **kwargs)


def test_hand_solved_loop_network():
    model = _loop_network()
    before = _state(model)
    plain = fva(model, processes=1)
    assert plain.loc["R3", "maximum"] == pytest.approx(1000) and plain.loc["R4", "minimum"] == pytest.approx(-990)
    for fraction, low in ((1.0, 10.0), (0.5, 5.0)):
        stats = {}
        ours = loopless_fva(model, fraction_of_optimum=fraction, processes=1, stats=stats)
        expected = {"EX_A": (-10, -low), "R1": (low, 10), "R2": (0, 10), "R3": (0, 0),
                    "R4": (0, 10), "EX_C": (low, 10)}
        for rid, (lo, hi) in expected.items():
            assert ours.loc[rid].tolist() == pytest.approx([lo, hi], abs=TOL), rid
        assert stats["cyclic"] == 3 and stats["bounds"] == 4  # R2 max, R3 max, R4 min and max
    ids, directions = cyclic_reactions(model)
    assert dict(zip(ids, directions)) == {"R2": (False, True), "R3": (False, True), "R4": (True, True)}
    assert _state(model) == before


def test_core_model_equals_cobra_milp(core_model):
    """The loop law: cobra's add_loopless MILP (loopless="fastSNP") on the bundled core model."""
    before = _state(core_model)
    for fraction in (1.0, 0.9):
        stats = {}
        ours = loopless_fva(core_model, fraction_of_optimum=fraction, processes=1, stats=stats)
        # cobra's Fast-SNP draws unseeded np.random vectors; with some draws GLPK's simplex cycled
        # inside it for over 8 minutes (CI, 2026-12-07), so the reference is seeded
        np.random.seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = flux_variability_analysis(core_model, loopless="fastSNP", processes=1,
                                               fraction_of_optimum=fraction)
        assert ((ours - theirs).abs() <= TOL).all().all()
        # the loops matter here: 15 bounds of 11 cyclic reactions move, some by hundreds
        plain = fva(core_model, processes=1, fraction_of_optimum=fraction)
        assert stats["bounds"] == 15 and (plain - ours).abs().max().max() > 900
    assert _state(core_model) == before


def test_cyclic_reactions_equal_cobra(core_model):
    np.random.seed(0)  # cobra's search is randomised
    ours = cyclic_reactions(core_model)
    theirs = find_cyclic_reactions(core_model)
    assert ours == theirs and len(ours[0]) == 11


def test_cyclefreeflux_steps_equal_cobra_on_the_textbook_model(textbook):
    """cobra's CycleFreeFlux FVA where its answer does not depend on the vertex (textbook, full growth)."""
    ours = loopless_fva(textbook, method="cyclefreeflux", processes=1)
    theirs = flux_variability_analysis(textbook, loopless="cycleFreeFlux", processes=1)
    assert ((ours - theirs).abs() <= TOL).all().all()


def test_loopless_solution_equals_cobra(core_model):
    """Same loopy optimum in: same boundary fluxes, objective and least total internal flux, no loop."""
    sol = core_model.optimize()
    with core_model:  # an optimum with a loop: ICDHxm at its maximum (1000) at full growth
        from cobra.util.solver import linear_reaction_coefficients

        (biomass,) = linear_reaction_coefficients(core_model)
        biomass.lower_bound = sol.objective_value
        core_model.objective = "ICDHxm"
        loopy = core_model.optimize().fluxes
    ours = loopless_solution(core_model, loopy.to_dict())
    theirs = cobra_loopless_solution(core_model, loopy.to_dict())
    boundary = [r.id for r in core_model.reactions if r.boundary]
    internal = [r.id for r in core_model.reactions if not r.boundary]
    assert np.allclose(ours.fluxes[boundary], theirs.fluxes[boundary], atol=TOL)
    assert ours.objective_value == pytest.approx(theirs.objective_value, abs=TOL)
    assert ours.fluxes[internal].abs().sum() == pytest.approx(theirs.fluxes[internal].abs().sum(), abs=1e-5)
    assert _largest_loop(core_model, ours.fluxes) < 1e-7
    assert _largest_loop(core_model, loopy) > 1000
    default = loopless_solution(core_model)
    assert default.objective_value == pytest.approx(sol.objective_value, abs=TOL)


def test_statuses_nan_and_bad_input(core_model):
    plain = fva(core_model, processes=1)
    plain.loc["GDHm", "maximum"] = math.nan  # a bound FVA could not settle stays NaN
    out = loopless_bounds(core_model, plain)
    assert math.isnan(out.loc["GDHm", "maximum"]) and not math.isnan(out.loc["GDHm", "minimum"])
    with pytest.raises(FluxasnInputError):
        loopless_bounds(core_model, plain, method="fastest")
    with pytest.raises(FluxasnInputError) as info:
        loopless_solution(core_model, {"GDHm": 1.0})
    assert info.value.identifier is not None
    model = _loop_network()
    model.reactions.EX_C.lower_bound = 50  # more C than A can make
    with pytest.raises(InfeasibleError):
        loopless_fva(model, processes=1)
