"""fva() against cobra's flux_variability_analysis (minimum/maximum within 1e-6)."""
from __future__ import annotations

import random

import cobra
import numpy as np
import pandas as pd
import pytest
from cobra.flux_analysis import flux_variability_analysis

import fluxasn.analysis.fva as fva_module
from fluxasn.analysis.fva import fva
from fluxasn.exceptions import FluxasnInputError, InfeasibleError

TOL = 1e-6


def assert_fva_agrees(model, ours: pd.DataFrame, theirs: pd.DataFrame, fraction: float = 1.0):
    """Ours equals cobra's within 1e-6; where not, GLPK's exact simplex decides.

    cobra's GLPK answers depend on the order of its warm-started solves and
    can land on an inaccurate vertex: on iJO1366 (fraction 1.0) cobra
    reported max(OPHHX3) = 2.19e-4 in a full run, 2.4e-11 when asked for that
    reaction alone, and GLPK's exact rational simplex (cobra with solver
    ``glpk_exact``) gives 0. Such rows are settled by that exact solve.
    """
    assert list(ours.columns) == ["minimum", "maximum"]
    assert list(ours.index) == list(theirs.index)
    diff = (ours - theirs).abs()
    bad = diff[(diff > TOL).any(axis=1)].index
    if len(bad):
        exact = model.copy()
        exact.solver = "glpk_exact"
        settled = flux_variability_analysis(exact, list(bad), fraction_of_optimum=fraction,
                                            processes=1)
        assert ((ours.loc[bad] - settled).abs() <= TOL).all().all(), (
            ours.loc[bad], theirs.loc[bad], settled)
    return bad


def test_textbook_full_and_fraction(textbook):
    before = {r.id: r.bounds for r in textbook.reactions}
    stats = {}
    ours = fva(textbook, processes=1, stats=stats)
    assert_fva_agrees(textbook, ours, flux_variability_analysis(textbook, processes=1))
    assert stats["skipped"] > 0 and stats["lps"] < 1 + 2 * len(textbook.reactions)
    ours = fva(textbook, fraction_of_optimum=0.9, processes=1)
    assert_fva_agrees(textbook, ours,
                      flux_variability_analysis(textbook, fraction_of_optimum=0.9, processes=1),
                      0.9)
    assert {r.id: r.bounds for r in textbook.reactions} == before
    assert textbook.objective.direction == "max"


def test_both_solvers_and_a_subset(textbook):
    ids = ["PGI", "PFK", "EX_glc__D_e", "ATPM", "FRD7", "SUCDi"]
    theirs = flux_variability_analysis(textbook, ids, fraction_of_optimum=0.95, processes=1)
    for solver in ("glpk", "highs"):
        ours = fva(textbook, ids, fraction_of_optimum=0.95, processes=1, solver=solver)
        assert_fva_agrees(textbook, ours, theirs, 0.95)


def test_hand_solved_network():
    """uptake <= 10 -> A; A -> B by R1 or R2 (parallel); B -> growth.

    At the optimum (growth 10) R1 and R2 share 10 freely: each ranges 0..10;
    at 50% of the optimum growth ranges 5..10.
    """
    model = cobra.Model("parallel")
    a, b = cobra.Metabolite("a"), cobra.Metabolite("b")
    up = cobra.Reaction("UP", lower_bound=0, upper_bound=10)
    up.add_metabolites({a: 1})
    r1 = cobra.Reaction("R1", lower_bound=0, upper_bound=1000)
    r1.add_metabolites({a: -1, b: 1})
    r2 = cobra.Reaction("R2", lower_bound=0, upper_bound=1000)
    r2.add_metabolites({a: -1, b: 1})
    grow = cobra.Reaction("GROW", lower_bound=0, upper_bound=1000)
    grow.add_metabolites({b: -1})
    model.add_reactions([up, r1, r2, grow])
    model.objective = "GROW"
    frame = fva(model, processes=1)
    assert frame.loc["R1"].tolist() == pytest.approx([0.0, 10.0])
    assert frame.loc["GROW"].tolist() == pytest.approx([10.0, 10.0])
    half = fva(model, ["GROW", "UP"], fraction_of_optimum=0.5, processes=1)
    assert half.loc["GROW"].tolist() == pytest.approx([5.0, 10.0])
    assert half.loc["UP"].tolist() == pytest.approx([5.0, 10.0])


def _blocked_network():
    model = cobra.Model("blocked")
    a, b, c, d = (cobra.Metabolite(x) for x in "abcd")
    reactions = [cobra.Reaction("UP", lower_bound=0, upper_bound=5e-5),
                 cobra.Reaction("GROW", lower_bound=0, upper_bound=1000)]
    reactions[0].add_metabolites({a: 1})
    reactions[1].add_metabolites({b: -1})
    for k in range(1, 7):
        route = cobra.Reaction(f"R{k}", lower_bound=0, upper_bound=1000)
        route.add_metabolites({a: -1, b: 1})
        reactions.append(route)
    for name, stoich in (("L1", {c: -1, d: 1}), ("L2", {d: -1, c: 1})):
        loop = cobra.Reaction(name, lower_bound=0, upper_bound=1000)
        loop.add_metabolites(stoich)
        reactions.append(loop)
    for k in range(1, 4):
        g, h = cobra.Metabolite(f"g{k}"), cobra.Metabolite(f"h{k}")
        for name, stoich in ((f"G{k}", {g: -1, h: 1}), (f"H{k}", {h: -1, g: 1}),
                             (f"Z{k}", {g: -1, h: -1, b: 1})):
            rxn = cobra.Reaction(name, lower_bound=0, upper_bound=1000)
            rxn.add_metabolites(stoich)
            reactions.append(rxn)
    model.add_reactions(reactions)
    model.objective = "GROW"
    return model


def test_blocked_columns_are_proven_in_few_lps():
    """Blocked one-way columns that the compression cannot see, beside alternatives and a loop.

    uptake <= 5e-5 -> a (less than the LP's cap on one column's reward, 1e-4,
    so the routes compete); a -> b by six parallel routes R1..R6; b -> growth; a
    free loop c <-> d by L1, L2 (up to 1000); and three copies of g -> h,
    h -> g, g + h -> b, where ``g + h -> b`` (Z) is blocked: the balances of
    g and h force 2 Z = 0, but each has three entries, so only an LP shows
    it. FVA equals cobra's, and the blocked LPs do not grow with the number
    of routes: one LP per direction switches on every route and the loop,
    one more proves the Z reactions 0 (summing the fluxes would reward the
    loop; a vertex switches on one route per LP: 6 LPs with HiGHS' simplex).
    """
    model = _blocked_network()
    for fraction in (1.0, 0.5):
        stats = {}
        ours = fva(model, fraction_of_optimum=fraction, processes=1, stats=stats)
        assert_fva_agrees(model, ours, flux_variability_analysis(
            model, fraction_of_optimum=fraction, processes=1), fraction)
        assert ours.loc[["Z1", "Z2", "Z3"]].abs().max().max() == 0.0
        assert ours.loc["L1", "maximum"] == pytest.approx(1000.0)
        assert stats["blocked"] <= 2, stats


def test_going_back_to_the_first_compression_keeps_cobras_answers(monkeypatch):
    """When most LPs on the LP compressed again (without the blocked columns)
    need the full LP, FVA goes back to the first compression; answers unchanged."""
    import fluxasn.analysis.fva as fva_module

    model = _blocked_network()
    monkeypatch.setattr(fva_module, "RECHECK", 2)
    real = fva_module._Accurate._solve

    def always_full(self, maximize, weights, limit):  # as if every vertex missed
        self.counts["full"] += 1
        return real(self, maximize, weights, limit)

    monkeypatch.setattr(fva_module._Accurate, "_solve", always_full)
    stats = {}
    ours = fva(model, processes=1, stats=stats)
    assert stats.get("first_compression") == 1
    assert_fva_agrees(model, ours, flux_variability_analysis(model, processes=1))


def test_iJO1366_subset(ijo1366):
    ids = [r.id for r in ijo1366.reactions][:500] + ["OPHHX3", "OPHHX"]
    ours = fva(ijo1366, ids, processes=1)
    assert_fva_agrees(ijo1366, ours, flux_variability_analysis(ijo1366, ids, processes=1))


def test_core_model(core_model):
    assert_fva_agrees(core_model, fva(core_model, processes=1),
                      flux_variability_analysis(core_model, processes=1))


def test_loopless_matches_cobra(textbook):
    """loopless=True: the loop law (cobra's MILP); "cyclefreeflux": cobra's default steps."""
    ours = fva(textbook, loopless=True, processes=1)
    np.random.seed(0)  # cobra's Fast-SNP draws unseeded random vectors (GLPK cycled with some, test_loopless)
    theirs = flux_variability_analysis(textbook, loopless="fastSNP", processes=1)
    assert ((ours - theirs).abs() <= TOL).all().all()
    ours = fva(textbook, loopless="cyclefreeflux", processes=1)
    theirs = flux_variability_analysis(textbook, loopless="cycleFreeFlux", processes=1)
    assert ((ours - theirs).abs() <= TOL).all().all()


def test_pool_equals_in_process(textbook):
    # 95 reactions: fewer LPs than PARALLEL_MIN_LPS, so no pool is started
    one = fva(textbook, processes=1)
    two = fva(textbook, processes=2, stats=(stats := {}))
    assert "blocks" not in stats
    assert ((one - two).abs() <= 1e-9).all().all()


def test_workers_solve_blocks_prepared_once(ijo1366):
    """processes=2: this process prepares, the workers solve blocks; cobra's answers."""
    fraction = 0.9
    stats: dict = {}
    ours = fva(ijo1366, fraction_of_optimum=fraction, processes=2, stats=stats)
    assert 2 <= stats["blocks"] <= 2 * fva_module.BLOCKS_PER_WORKER
    one = fva(ijo1366, fraction_of_optimum=fraction, processes=1)
    assert ((ours - one).abs() <= TOL).all().all()
    theirs = flux_variability_analysis(ijo1366, fraction_of_optimum=fraction, processes=1)
    assert_fva_agrees(ijo1366, ours, theirs, fraction)


def test_infeasible_and_bad_input(textbook):
    before = [(r.id, r.bounds) for r in textbook.reactions], str(textbook.objective.expression)
    with pytest.raises(FluxasnInputError) as info:
        fva(textbook, ["NOPE"], processes=1)
    assert info.value.identifier == "NOPE"
    with pytest.raises(FluxasnInputError):
        fva(textbook, fraction_of_optimum=1.5, processes=1)
    with textbook:
        textbook.reactions.ATPM.lower_bound = 500  # more ATP than the network can make
        with pytest.raises(InfeasibleError):
            fva(textbook, processes=1)
    assert ([(r.id, r.bounds) for r in textbook.reactions], str(textbook.objective.expression)) == before
    assert len(textbook.constraints) == len(textbook.metabolites)  # no row left behind


@pytest.mark.genome_scale
def test_human_gem_rpmi_subset(human_gem):
    from fluxasn.core.media import apply_medium

    apply_medium(human_gem, "RPMI-1640")
    every = [r.id for r in human_gem.reactions]
    # The first 100, 60 more spread over the model, and MAR01616/MAR11443: a
    # coupled pair whose minimum (-189.0079632, exact) is sensitive to tiny
    # misses of the vertex (-189.0079660 before polishing; see fva._Accurate).
    # (150 spread reactions took 115 s of a CI run whose budget is 20 minutes.)
    ids = every[:100] + random.Random(5).sample(every[100:], 60) + ["MAR01616", "MAR11443"]
    ids = list(dict.fromkeys(ids))
    stats = {}
    ours = fva(human_gem, ids, processes=1, stats=stats)
    assert_fva_agrees(human_gem, ours, flux_variability_analysis(human_gem, ids, processes=1))
    # the compressed LP is much smaller than the model's (12,971 x 8,456)
    assert stats["columns"] < 0.7 * len(every) and stats["rows"] < 0.5 * 8456


def test_lp_tolerances_follow_the_model_and_tighten_for_wide_ranges(core_model):
    """GLPK's optlang interface has no optimality tolerance: the LP's dual tolerance follows
    model.tolerance (it stayed at 1e-7 before, and HiGHS then returned growth 0.0222809 for
    0.0222865 on Human-GEM with an enzyme pool). A row spanning more than 1e10 gets 1e-9."""
    from fluxasn.lp.netflux import WIDE_RANGE, extract

    assert (extract(core_model).tolerance, extract(core_model).opt_tolerance) == (1e-7, 1e-7)
    core_model.tolerance = 1e-9
    data = extract(core_model)
    assert (data.tolerance, data.opt_tolerance) == (1e-9, 1e-9)
    core_model.tolerance = 1e-7
    wide = core_model.problem.Constraint(
        core_model.reactions.ASNS1.flux_expression * 1e-6 + core_model.reactions.ASPTA.flux_expression * 1e6,
        ub=1000, name="wide_row")
    core_model.add_cons_vars([wide])
    assert 1e12 > WIDE_RANGE
    data = extract(core_model)
    assert (data.tolerance, data.opt_tolerance) == (1e-9, 1e-9)
