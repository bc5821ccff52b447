"""Redox constraints (:mod:`fluxasn.analysis.redox`).

Mini network (one compartment ``c``): S uptake <= 1; DH_NAD ``s + nad <=> p + nadh``
and DH_NADP ``s + nadp <=> p + nadph`` (a cofactor pair); an NADH source
(<= 5); P secreted; objective: NADPH sink. Unconstrained, the pair runs as a
transhydrogenase (DH_NAD reverse 5, DH_NADP forward 6): NADPH sink 6. With the
cycle closed, NADPH comes from S alone: 1.
"""
from __future__ import annotations

import math

import cobra
import pytest

from fluxasn.analysis import redox as X
from fluxasn.exceptions import FluxasnInputError


def build_pair() -> cobra.Model:
    model = cobra.Model("redox_mini")
    mets = {i: cobra.Metabolite(f"{i}_c", compartment="c") for i in ("s", "p", "nad", "nadh", "nadp", "nadph")}

    def add(rid, stoich, lb, ub):
        r = cobra.Reaction(rid, lower_bound=lb, upper_bound=ub)
        r.add_metabolites({mets[k]: v for k, v in stoich.items()})
        model.add_reactions([r])
        return r

    add("EX_s", {"s": 1}, 0, 1)
    add("DH_NAD", {"s": -1, "nad": -1, "p": 1, "nadh": 1}, -1000, 1000)
    add("DH_NADP", {"s": -1, "nadp": -1, "p": 1, "nadph": 1}, -1000, 1000)
    add("NADH_SRC", {"nad": -1, "nadh": 1}, 0, 5)
    add("EX_p", {"p": -1}, 0, 1000)
    sink = add("NADPH_SINK", {"nadph": -1, "nadp": 1}, 0, 1000)
    model.objective = sink
    return model


def test_pairs_detected_on_mini():
    assert X.transhydrogenase_pairs(build_pair()) == [("DH_NAD", "DH_NADP")]


def test_block_transhydrogenation_closes_the_cycle():
    model = build_pair()
    assert model.slim_optimize() == pytest.approx(6.0)
    with model:
        added = X.block_transhydrogenation(model)
        assert added == ["fluxasn_redox_th_DH_NAD"]
        assert model.slim_optimize() == pytest.approx(1.0)
    assert "fluxasn_redox_th_DH_NAD" not in model.constraints
    assert model.slim_optimize() == pytest.approx(6.0)


def test_block_skips_pair_that_cannot_cycle():
    model = build_pair()
    model.reactions.DH_NADP.lower_bound = -1000
    model.reactions.DH_NADP.upper_bound = 0  # cannot produce NADPH
    with model:
        assert X.block_transhydrogenation(model) == []


def test_dg_prime_range_by_hand():
    model = build_pair()
    table = {"DH_NAD": (40.0, 0.0)}
    lo, hi = X.dg_prime_range(model, "DH_NAD", state="control", concentrations=(1e-3, 1e-3), dg0=table)
    expected = 40.0 - X.RT * math.log(700.0)  # s, p cancel; [NADH]/[NAD+] = 1/700
    assert lo == pytest.approx(expected) and hi == pytest.approx(expected)
    lo, hi = X.dg_prime_range(model, "DH_NAD", state="control", concentrations=(1e-6, 1e-2), dg0=table)
    assert hi - lo == pytest.approx(2 * X.RT * math.log(1e4))


def test_direction_forced_and_undone():
    model = build_pair()
    table = {"DH_NAD": (40.0, 0.0), "DH_NADP": (0.0, 0.0)}
    frame = X.forced_directions(model, concentrations=(1e-3, 1e-3), dg0=table)
    assert dict(zip(frame.reaction, frame.direction)) == {"DH_NAD": "reverse", "DH_NADP": "reverse"}
    with model:
        added = X.constrain_redox_directions(model, concentrations=(1e-3, 1e-3), dg0={"DH_NAD": (40.0, 0.0)})
        assert added == ["fluxasn_redox_dir_DH_NAD"]
        model.objective = "DH_NAD"
        assert model.slim_optimize() == pytest.approx(0.0, abs=1e-9)
    assert "fluxasn_redox_dir_DH_NAD" not in model.constraints


@pytest.mark.parametrize("kwargs, ident", [
    ({"reaction_id": "NOPE"}, "NOPE"),
    ({"reaction_id": "EX_p"}, "EX_p"),
    ({"reaction_id": "DH_NAD", "state": "anoxic"}, "anoxic"),
    ({"reaction_id": "DH_NAD", "concentrations": (1e-2, 1e-6)}, "concentrations"),
])
def test_errors_name_identifier(kwargs, ident):
    with pytest.raises(FluxasnInputError) as info:
        X.dg_prime_range(build_pair(), dg0={"DH_NAD": (1.0, 0.0), "NOPE": (1.0, 0.0)}, **kwargs)
    assert info.value.identifier == ident


def test_block_rejects_wrong_pair():
    with pytest.raises(FluxasnInputError) as info:
        X.block_transhydrogenation(build_pair(), pairs=[("DH_NADP", "DH_NAD")])
    assert info.value.identifier == "DH_NADP"


# ---- core model -----------------------------------------------------------------

def test_core_pairs(core_model):
    assert X.transhydrogenase_pairs(core_model) == [
        ("GDHm", "GLUDym"), ("ICDHxm", "ICDHym"), ("ME1m", "ME2m"), ("MTHFD2m", "MTHFDm"), ("P5CRxm", "P5CRm")]


def test_core_block_closes_mitochondrial_transhydrogenase(core_model):
    import fluxasn
    from cobra.flux_analysis import flux_variability_analysis as fva

    m = core_model
    constraints_before = {c.name for c in m.constraints}
    bounds_before = {r.id: r.bounds for r in m.reactions}
    with m:
        fluxasn.apply_scenario(m, "glucose_uncapped+etc_i")
        before = fva(m, reaction_list=["GDHm", "MTHFD2m"], fraction_of_optimum=0.0)
        assert (before["minimum"] < -1.0).all()  # NADH-consuming direction open (cycles with GLUDym/MTHFDm)
        added = X.block_transhydrogenation(m)
        assert sorted(added) == ["fluxasn_redox_th_GDHm", "fluxasn_redox_th_MTHFD2m"]
        after = fva(m, reaction_list=["GDHm", "MTHFD2m"], fraction_of_optimum=0.0)
        assert (after["minimum"] >= -1e-9).all()
    assert {c.name for c in m.constraints} == constraints_before
    assert {r.id: r.bounds for r in m.reactions} == bounds_before


def test_core_directions(core_model):
    m = core_model
    frame = X.forced_directions(m, state="control").set_index("reaction")
    # with 1 uM - 10 mM no NAD(P)-linked step is forced; complex I is (forward). SDH (r0509) is
    # not: from the reduction potentials (fumarate/succinate +0.031 V, UQ/UQH2 +0.045 V) its
    # dG'0 is -2.7 kJ/mol, so fumarate can accept electrons from ubiquinol (Spinelli 2021)
    assert set(frame.index[frame.direction != "both"]) == {"NADH2_u10mi"}
    assert frame.loc["r0509", "dg_min"] < 0 < frame.loc["r0509", "dg_max"]
    assert X.DG0["NADH2_u10mi"][0] == pytest.approx(-2 * 96.485 * (0.045 + 0.320), abs=0.01)
    assert X.DG0["r0509"][0] == pytest.approx(-2 * 96.485 * (0.045 - 0.031), abs=0.01)
    assert not frame.conflict.any()
    narrow = X.forced_directions(m, state="control", concentrations=(1e-5, 1e-3)).set_index("reaction")
    assert narrow.loc["MDHm", "direction"] == "reverse"  # malate -> OAA in mitochondria needs wider ranges
    with m:
        added = X.constrain_redox_directions(m, state="control", concentrations=(1e-5, 1e-3))
        assert "fluxasn_redox_dir_MDHm" in added
        m.objective = "MDHm"
        m.objective_direction = "max"
        assert m.slim_optimize() <= 1e-9
    assert not any(c.name.startswith("fluxasn_redox_") for c in m.constraints)


# ---- any id scheme ----------------------------------------------------------------

def build_pair_renamed() -> cobra.Model:
    """The mini network with Human-GEM-style ids: cofactors known only by name and formula."""
    model = build_pair()
    names = {"nad_c": ("MAM02552c", "NAD+", "C21H26N7O14P2"), "nadh_c": ("MAM02553c", "NADH", "C21H27N7O14P2"),
             "nadp_c": ("MAM02554c", "NADP+", "C21H25N7O17P3"), "nadph_c": ("MAM02555c", "NADPH", "C21H26N7O17P3"),
             "s_c": ("MAM00001c", "s", "C4H4O5"), "p_c": ("MAM00002c", "p", "C4H2O5")}
    for old, (new, name, formula) in names.items():
        met = model.metabolites.get_by_id(old)
        met.id, met.name, met.formula = new, name, formula
    for r in model.reactions:
        r.id = "MAR_" + r.id
    model.repair()
    return model


def test_pairs_and_block_in_any_id_scheme():
    model = build_pair_renamed()
    assert X.transhydrogenase_pairs(model) == [("MAR_DH_NAD", "MAR_DH_NADP")]
    assert model.slim_optimize() == pytest.approx(6.0)
    with model:
        assert X.block_transhydrogenation(model) == ["fluxasn_redox_th_MAR_DH_NAD"]
        assert model.slim_optimize() == pytest.approx(1.0)
    lo, hi = X.dg_prime_range(model, "MAR_DH_NAD", concentrations=(1e-3, 1e-3), dg0={"MAR_DH_NAD": (40.0, 0.0)})
    assert lo == pytest.approx(40.0 - X.RT * math.log(700.0)) and hi == pytest.approx(lo)


def test_dg0_carried_to_human_gem_ids_with_orientation():
    """MDHm as Human-GEM writes it (MAR04141: OAA + NADH + H+ -> malate + NAD+) gets the negated dG'0."""
    model = cobra.Model("hg_like")
    m = {k: cobra.Metabolite(f"{k}m", name=n, formula=f, compartment="m") for k, n, f in (
        ("MAM02039", "H+", "H"), ("MAM02439", "malate", "C4H4O5"), ("MAM02552", "NAD+", "C21H26N7O14P2"),
        ("MAM02553", "NADH", "C21H27N7O14P2"), ("MAM02633", "OAA", "C4H2O5"))}
    mdh = cobra.Reaction("MAR04141", lower_bound=-1000, upper_bound=1000)
    mdh.add_metabolites({m["MAM02039"]: -1, m["MAM02439"]: 1, m["MAM02552"]: 1, m["MAM02553"]: -1, m["MAM02633"]: -1})
    wrong = cobra.Reaction("MAR04388", lower_bound=-1000, upper_bound=1000)  # LDH's id on other metabolites
    wrong.add_metabolites({m["MAM02439"]: -1, m["MAM02633"]: 1})
    model.add_reactions([mdh, wrong])
    table = X.dg0_for_model(model)
    assert table == {"MAR04141": (-X.DG0["MDHm"][0], X.DG0["MDHm"][1])}  # LDH's formulas do not match: left out
    lo, hi = X.dg_prime_range(model, "MAR04141", state="control", concentrations=(1e-3, 1e-3))
    # reverse of MDHm: -(dG'0 +/- 2 sd) + RT ln([NAD+]/[NADH]) with NAD+/NADH 7-8 (mitochondria)
    assert lo == pytest.approx(-X.DG0["MDHm"][0] - 2 * 0.30 + X.RT * math.log(7.0))
    assert hi == pytest.approx(-X.DG0["MDHm"][0] + 2 * 0.30 + X.RT * math.log(8.0))


# ---- exactness against cobra ------------------------------------------------------

@pytest.mark.parametrize("which", ["directions", "transhydrogenation", "both"])
def test_fva_and_knockouts_with_redox_rows_agree_with_cobra(core_model, which):
    """fluxasn's own LPs carry the redox rows exactly: FVA and knockouts equal cobra's (1e-6, same statuses).

    Core model, glucose uncapped, the calibrated pool (growth 0.025 1/h) and
    each redox constraint alone and both together. The directions use the
    narrower 10 uM - 1 mM range so that more than complex I is forced (MDHm
    among them), i.e. the rows bind somewhere.

    The reference is cobra on a copy of the constrained model solved by
    optlang's HiGHS interface (cobra's "hybrid"): with the pool and the redox rows, cobra's GLPK
    single-gene deletion cycled in glp_simplex for over 10 minutes on one
    knockout (2026-12-07), so GLPK cannot serve as the reference here.
    """
    import fluxasn
    from _knockouts import assert_same_knockouts as same
    from cobra.flux_analysis import double_gene_deletion, flux_variability_analysis, single_gene_deletion

    from fluxasn.analysis.capacity import add_enzyme_capacity, calibrate_capacity
    from fluxasn.core.enzymes import enzyme_costs

    m = core_model
    with m:
        fluxasn.apply_scenario(m, "glucose_uncapped")
        costs = enzyme_costs(m)
        add_enzyme_capacity(m, costs, pool=calibrate_capacity(m, growth=0.025, costs=costs))
        added = []
        if which in ("directions", "both"):
            added += X.constrain_redox_directions(m, state="control", concentrations=(1e-5, 1e-3))
        if which in ("transhydrogenation", "both"):
            added += X.block_transhydrogenation(m)
        assert added and all(name in m.constraints for name in added)
        reference = m.copy()
        reference.solver = "hybrid"  # optlang: HiGHS for LPs
        assert all(name in reference.constraints for name in added)
        # every reaction with both rows; alone, the constrained reactions and every 4th other one (CI time)
        ids = [r.id for r in m.reactions]
        if which != "both":
            named = {r.id for r in m.reactions if any(r.id in n for n in added)}
            ids = [rid for i, rid in enumerate(ids) if rid in named or i % 4 == 0]
        ours = fluxasn.fva(m, ids, processes=1)
        ref = flux_variability_analysis(reference, ids, processes=1)
        for end in ("minimum", "maximum"):
            diff = (ours.loc[ids, end] - ref.loc[ids, end]).abs()
            assert diff.max() <= 1e-6, (end, diff.idxmax(), diff.max())
        same(fluxasn.knockout_screen(m, processes=1).to_frame(), single_gene_deletion(reference, processes=1))
        if which == "both":
            genes = [g for g in ("GOT1", "GOT2", "PC", "MDH1", "MDH2", "LDHA", "SLC25A12", "IDH1", "GLUD1", "ME2")
                     if g in m.genes]
            assert len(genes) >= 8
            pairs = fluxasn.knockout_screen(m, genes=genes, order=2, processes=1).to_frame()
            cobra_pairs = double_gene_deletion(reference, gene_list1=genes, processes=1)
            same(pairs, cobra_pairs[cobra_pairs["ids"].map(len) == 2])
    assert not any(c.name.startswith("fluxasn_redox_") for c in m.constraints)
