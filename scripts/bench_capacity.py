"""What the enzyme-capacity row costs: fluxasn with and without the pool, and against cobra with it.

For each model the script times, in this process with ``processes=1``:

* fluxasn FVA of a reaction set and a single-gene knockout screen, without
  the pool and with it (``add_enzyme_capacity`` at a pool calibrated to half
  the maximum growth, so the row binds);
* a double-gene screen of the first ``--pair-genes`` of those genes;
* cobra's ``flux_variability_analysis``, ``single_gene_deletion`` and
  ``double_gene_deletion`` on the same model with the same pool (and, with
  ``--redox``, the redox rows; ``--cobra-solver`` picks cobra's solver),

and prints the time ratio pool / no pool for fluxasn (goal: at most 1.5x;
on the core model each task takes a fraction of a second, so the least of
``--repeat`` runs is taken)
and cobra / fluxasn with the pool, with the largest difference between the two
tools' answers (goal: within 1e-6, identical statuses).

FVA runs at ``--fraction`` of the optimum (default 0.99). At 1.0 with a
binding pool some Human-GEM ranges are not determined to 1e-6 by any LP
solver at tolerance 1e-9: MAR02359's minimum is 1.03e-5 at growth >= the
optimum and 0 at 1 - 1e-7 of it (HiGHS from scratch at tolerance 1e-10), so a
growth shortfall of 2e-9 1/h moves it by 1e-5 (cobra 9.66e-6, fluxasn 0).

Usage::

    python scripts/bench_capacity.py                       # core model; Human-GEM + RPMI-1640
    python scripts/bench_capacity.py --models core         # the core model only
    python scripts/bench_capacity.py --fva-reactions 300 --genes 200
    python scripts/bench_capacity.py --redox --cobra-solver hybrid   # + the redox rows; cobra on HiGHS
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

from bench_screens import HUMAN_GEM, compare_rows


def load(name: str):
    import fluxasn
    from fluxasn.core.media import apply_medium

    if name == "core":
        model = fluxasn.load_model("core")
        fluxasn.apply_scenario(model, "glucose_uncapped")
        return model, "fluxasn core + RPMI-1640, glucose uncapped"
    model = fluxasn.read_model_file(HUMAN_GEM)
    apply_medium(model, "RPMI-1640")
    return model, "Human-GEM 1.19.0 + RPMI-1640"


def timed(func, repeat: int = 1):
    """The value and the least wall time over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return value, best


def bench(name: str, args) -> list:
    import fluxasn
    from cobra.flux_analysis import double_gene_deletion, flux_variability_analysis, single_gene_deletion

    from fluxasn.analysis.redox import block_transhydrogenation, constrain_redox_directions

    model, label = load(name)
    rng = np.random.default_rng(args.seed)
    reactions = [r.id for r in model.reactions]
    if len(reactions) > args.fva_reactions:
        reactions = sorted(rng.choice(reactions, size=args.fva_reactions, replace=False).tolist())
    genes = [g.id for g in model.genes]
    if len(genes) > args.genes:
        genes = sorted(rng.choice(genes, size=args.genes, replace=False).tolist())
    pair_genes = genes[:args.pair_genes]
    rows = []
    fva_here = name == "core" or args.fva_reactions > 0
    fraction = args.fraction
    n = args.repeat if name == "core" else 1  # sub-second tasks: the least of several runs
    t_fva = timed(lambda: fluxasn.fva(model, reactions, fraction_of_optimum=fraction, processes=1), n)[1] if fva_here else math.nan
    plain_ko, t_ko = timed(lambda: fluxasn.knockout_screen(model, genes=genes, processes=1), n)
    plain_ko2, t_ko2 = timed(lambda: fluxasn.knockout_screen(model, genes=pair_genes, order=2, processes=1), n)
    costs = fluxasn.enzyme_costs(model)
    with model:
        pool = fluxasn.calibrate_capacity(model, growth=0.5 * model.slim_optimize(), costs=costs)
        fluxasn.add_enzyme_capacity(model, costs, pool=pool)
        extra = ""
        if args.redox:
            forced = constrain_redox_directions(model, state="control")
            blocked = block_transhydrogenation(model)
            extra = f"; redox: {len(forced)} directions forced, {len(blocked)} transhydrogenation pairs blocked"
        reference = model
        if args.cobra_solver != "glpk":
            reference = model.copy()
            reference.solver = args.cobra_solver
        ours_fva, t_fva_pool = (timed(lambda: fluxasn.fva(model, reactions, fraction_of_optimum=fraction, processes=1), n) if fva_here
                                else (None, math.nan))
        ours_ko, t_ko_pool = timed(lambda: fluxasn.knockout_screen(model, genes=genes, processes=1), n)
        ours_ko2, t_ko2_pool = timed(lambda: fluxasn.knockout_screen(model, genes=pair_genes, order=2, processes=1),
                                     n)
        ref_fva, t_cobra_fva = (timed(lambda: flux_variability_analysis(reference, reactions,
                                                                   fraction_of_optimum=fraction, processes=1), n)
                                if fva_here else (None, math.nan))
        ref_ko, t_cobra_ko = timed(lambda: single_gene_deletion(reference, gene_list=genes, processes=1), n)
        ref_ko2, t_cobra_ko2 = timed(lambda: double_gene_deletion(reference, gene_list1=pair_genes, processes=1), n)
    ref_ko2 = ref_ko2[ref_ko2["ids"].map(len) == 2]
    fva_diff = math.nan if ours_fva is None else float(np.max(np.abs(
        ours_fva.loc[reactions, ["minimum", "maximum"]].to_numpy()
        - ref_fva.loc[reactions, ["minimum", "maximum"]].to_numpy())))
    checked, agree, ko_diff = compare_rows(ours_ko.to_frame(), ref_ko)
    checked2, agree2, ko2_diff = compare_rows(ours_ko2.to_frame(), ref_ko2)
    tasks = (
        (f"FVA of {len(reactions)} reactions at {fraction:g} of the optimum", t_fva, t_fva_pool, t_cobra_fva, fva_diff,
         fva_diff <= 1e-6, "", ""),
        (f"single-gene screen of {len(genes)} genes", t_ko, t_ko_pool, t_cobra_ko, ko_diff, agree,
         plain_ko.lps_solved, ours_ko.lps_solved),
        (f"double-gene screen of {len(pair_genes)} genes ({checked2} pairs)", t_ko2, t_ko2_pool, t_cobra_ko2,
         ko2_diff, agree2, plain_ko2.lps_solved, ours_ko2.lps_solved),
    )
    for task, plain, with_pool, cobra_time, diff, ok, lps, lps_pool in tasks[0 if fva_here else 1:]:
        rows.append({
            "model": label, "task": task, "fluxasn_s": round(plain, 2), "fluxasn_pool_s": round(with_pool, 2),
            "pool_cost": round(with_pool / plain, 2), "goal_pool_cost": "<= 1.5",
            # a binding pool leaves fewer alternative optima, so more knockouts change growth and need an LP
            "lps": lps, "lps_pool": lps_pool,
            "cobra_pool_s": round(cobra_time, 2), "cobra_over_fluxasn": round(cobra_time / with_pool, 1),
            "max_diff": f"{diff:.1e}", "agree": bool(ok),
        })
    print(f"{label}: {len(costs)} reactions costed; pool {pool:.4g} g/gDW (half the maximum growth){extra}; "
          f"cobra solver {args.cobra_solver}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="core,human-gem")
    parser.add_argument("--fva-reactions", type=int, default=500, help="0: no FVA on genome-scale models")
    parser.add_argument("--fraction", type=float, default=0.99, help="FVA at this fraction of the optimum")
    parser.add_argument("--genes", type=int, default=300)
    parser.add_argument("--pair-genes", type=int, default=20, help="double-gene screen of the first N sampled genes")
    parser.add_argument("--redox", action="store_true",
                        help="also the redox constraints (control-cell directions, transhydrogenation blocked)")
    parser.add_argument("--cobra-solver", default="glpk",
                        help="cobra's solver for the reference (glpk, glpk_exact, hybrid = optlang HiGHS)")
    parser.add_argument("--seed", type=int, default=20261206)
    parser.add_argument("--repeat", type=int, default=5, help="runs per task on the core model (least time)")
    args = parser.parse_args()
    rows = []
    for name in args.models.split(","):
        rows.extend(bench(name.strip(), args))
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
