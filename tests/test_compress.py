"""Exact LP compression (fluxasn.lp.compress) on networks solved by hand."""
from __future__ import annotations

import cobra
import numpy as np
import pytest
from cobra.flux_analysis import flux_variability_analysis

from fluxasn.lp.compress import InfeasibleCompression, compress
from fluxasn.analysis.fva import fva
from fluxasn.lp.problem import LinearProblem


def _triplets(entries):
    rows, cols, vals = zip(*entries)
    return np.array(rows), np.array(cols), np.array(vals, dtype=float)


def test_chain_merges_with_ratios_and_intersected_bounds():
    # Columns: v0 -> A (uptake), A -> 2 B (v1), B -> (v2), plus v3 free elsewhere.
    # Rows: A: v0 - v1 = 0; B: 2 v1 - v2 = 0.  So v1 = v0, v2 = 2 v0.
    matrix = _triplets([(0, 0, 1.0), (0, 1, -1.0), (1, 1, 2.0), (1, 2, -1.0), (2, 3, 1.0)])
    bounds = [(0.0, 0.0), (0.0, 0.0), (-5.0, 5.0)]
    lb = np.array([0.0, -10.0, 0.0, -1.0])
    ub = np.array([10.0, 3.0, 4.0, 1.0])
    comp = compress(4, matrix, bounds, lb, ub, c=np.array([0.0, 0.0, 1.0, 0.0]))
    g = comp.group
    assert g[0] == g[1] == g[2] >= 0 and g[3] >= 0 and g[3] != g[0]
    # ratios relative to the root: v1 = v0 and v2 = 2 v0 (up to the root's choice)
    r = comp.ratio
    assert r[1] / r[0] == pytest.approx(1.0) and r[2] / r[0] == pytest.approx(2.0)
    # bounds on v0: [0, 10] & v1 in [-10, 3] -> [.., 3] & v2 = 2 v0 <= 4 -> v0 <= 2
    lo, hi = comp.lb[g[0]] * r[0], comp.ub[g[0]] * r[0]
    assert sorted((lo, hi)) == pytest.approx([0.0, 2.0])
    # the objective weight of v2 moved to the group: c_group = 2 (per unit v0)
    assert comp.c[g[0]] * (1 / r[0]) == pytest.approx(2.0)
    # the two coupling rows are gone, the inequality row on v3 stays
    assert comp.row_bounds == [(-5.0, 5.0)]
    assert comp.n_merged == 2 and comp.n_zero == 0
    w = np.zeros(comp.n_cols)
    w[g[0]] = 1.5 / r[0]
    w[g[3]] = 0.25
    assert comp.expand(w) == pytest.approx([1.5, 1.5, 3.0, 0.25])


def test_dead_end_and_zero_columns_cascade():
    # A made by v0 and v1, used by nothing -> both can only be 0 if one-way...
    # Row A: v0 + v1 = 0 with v0 in [0, 5], v1 in [0, 5] couples v1 = -v0;
    # the intersection [0, 5] & [-5, 0] is {0}: the group is 0.
    # Row B: v2 - v3 = 0, v3 fixed at 0 -> v2 = 0 by the cascade.
    matrix = _triplets([(0, 0, 1.0), (0, 1, 1.0), (1, 2, 1.0), (1, 3, -1.0), (2, 4, 1.0),
                        (2, 5, -1.0)])
    bounds = [(0.0, 0.0)] * 3
    lb = np.array([0.0, 0.0, -1.0, 0.0, -2.0, -2.0])
    ub = np.array([5.0, 5.0, 1.0, 0.0, 2.0, 2.0])
    comp = compress(6, matrix, bounds, lb, ub)
    assert list(comp.group[:4]) == [-1, -1, -1, -1]
    assert comp.group[4] >= 0 and comp.group[4] == comp.group[5]
    assert comp.n_zero == 4
    assert comp.row_bounds == []


def test_cycle_with_inconsistent_ratios_is_zero():
    # v1 = v0, v2 = v1, and v0 = 2 v2 around a cycle: only 0 satisfies all three.
    matrix = _triplets([(0, 0, 1.0), (0, 1, -1.0), (1, 1, 1.0), (1, 2, -1.0), (2, 0, 1.0),
                        (2, 2, -2.0)])
    comp = compress(3, matrix, [(0.0, 0.0)] * 3, np.full(3, -10.0), np.full(3, 10.0))
    assert list(comp.group) == [-1, -1, -1]


def test_crossing_bounds_raise():
    # v1 = v0 with v0 in [1, 2] and v1 in [3, 4]: no feasible point.
    matrix = _triplets([(0, 0, 1.0), (0, 1, -1.0)])
    with pytest.raises(InfeasibleCompression):
        compress(2, matrix, [(0.0, 0.0)], np.array([1.0, 3.0]), np.array([2.0, 4.0]))


def test_reduce_false_is_the_identity():
    matrix = _triplets([(0, 0, 1.0), (0, 1, -1.0)])
    comp = compress(2, matrix, [(0.0, 0.0)], np.zeros(2), np.ones(2), reduce=False)
    assert list(comp.group) == [0, 1] and list(comp.ratio) == [1.0, 1.0]
    assert comp.row_bounds == [(0.0, 0.0)]


def test_compressed_lp_has_the_same_optima(textbook):
    """Every reaction's min and max on the compressed LP equal cobra's FVA."""
    lp = LinearProblem(textbook, solver="glpk")
    comp = compress(lp.n_cols, lp.matrix, lp.row_bounds, lp.lb0, lp.ub0, lp.c0)
    assert comp.n_cols < lp.n_cols
    red = type(lp).from_arrays(matrix=comp.matrix, row_bounds=comp.row_bounds, lb=comp.lb,
                               ub=comp.ub, c=comp.c, maximize=True, tolerance=1e-7)
    status, value = red.solve_fresh()
    assert status == "optimal"
    assert value == pytest.approx(textbook.slim_optimize(), abs=1e-9)
    theirs = flux_variability_analysis(textbook, fraction_of_optimum=0.0, processes=1)
    for j, rid in enumerate(lp.reaction_ids):
        g, t = comp.group[j], comp.ratio[j]
        if g < 0:
            assert theirs.loc[rid].abs().max() <= 1e-9, rid
            continue
        values = []
        for maximize in (False, True):
            red.set_objective({int(g): 1.0}, maximize=maximize)
            status, value = red.solve_fresh()
            assert status == "optimal"
            values.append(t * value)
        assert sorted(values) == pytest.approx(
            [theirs.at[rid, "minimum"], theirs.at[rid, "maximum"]], abs=1e-6), rid


def test_fva_on_a_coupled_group_with_negative_ratio():
    """A group whose member runs against the root: the member's ends swap."""
    model = cobra.Model("swap")
    a, b = cobra.Metabolite("a", compartment="c"), cobra.Metabolite("b", compartment="c")
    model.add_metabolites([a, b])
    up = cobra.Reaction("UP", lower_bound=0, upper_bound=4)
    up.add_metabolites({a: 1})
    # REV is written backwards (b -> a run in reverse), so v_REV = -v_UP
    rev = cobra.Reaction("REV", lower_bound=-10, upper_bound=10)
    rev.add_metabolites({a: 1, b: -1})
    out = cobra.Reaction("OUT", lower_bound=0, upper_bound=3)
    out.add_metabolites({b: -1})
    model.add_reactions([up, rev, out])
    model.objective = "OUT"
    ours = fva(model, processes=1, fraction_of_optimum=0.0)
    assert ours.loc["UP"].tolist() == pytest.approx([0.0, 3.0])
    assert ours.loc["REV"].tolist() == pytest.approx([-3.0, 0.0])
    assert ours.loc["OUT"].tolist() == pytest.approx([0.0, 3.0])
    theirs = flux_variability_analysis(model, fraction_of_optimum=0.0, processes=1)
    assert (ours - theirs).abs().max().max() <= 1e-9


def test_fva_when_every_reaction_is_zero():
    """Compression leaves no column: FVA still runs (GLPK aborts on an LP without columns)."""
    model = cobra.Model("dead")
    a = cobra.Metabolite("a", compartment="c")
    model.add_metabolites([a])
    up = cobra.Reaction("UP", lower_bound=0, upper_bound=0)  # closed uptake
    up.add_metabolites({a: 1})
    use = cobra.Reaction("USE", lower_bound=0, upper_bound=10)
    use.add_metabolites({a: -1})
    model.add_reactions([up, use])
    model.objective = "USE"
    lp = LinearProblem(model, solver="glpk")
    assert compress(lp.n_cols, lp.matrix, lp.row_bounds, lp.lb0, lp.ub0).n_cols == 0
    ours = fva(model, processes=1)
    assert (ours == 0).all().all()
    theirs = flux_variability_analysis(model, processes=1)
    assert (ours - theirs).abs().max().max() <= 1e-9
