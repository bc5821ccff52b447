"""Benchmark: the default scenario matrix against the same readouts done with plain COBRApy.

Usage::

    python scripts/bench_scenarios.py [core|<model file>] [--medium RPMI-1640] [--processes 2] [--capacity default]

Prints the wall time of :func:`fluxasn.analysis.scenarios.run_scenarios` and of
a COBRApy reference doing the same work per scenario (FBA, FVA of ASNS and of
every aspartate-producing reaction, pFBA, two demand optimisations, single
gene deletions on small models), and their ratio. Goals: core model < 30 s
on 2 cores; Human-GEM < 10 minutes; both with the enzyme-capacity row too
(``--capacity default``: the bundled pool, or a pool in g enzyme/gDW).
"""
from __future__ import annotations

import argparse
import time

import cobra
from cobra.flux_analysis import flux_variability_analysis, pfba, single_gene_deletion

import fluxasn
from fluxasn.core.resolver import ModelResolver
from fluxasn.analysis.scenarios import DEFAULT_SCENARIOS, apply_scenario, default_readouts, run_scenarios
from fluxasn.exceptions import FluxasnInputError, RoleError


def reference(model, scenarios, screens: bool) -> float:
    start = time.perf_counter()
    resolver = ModelResolver(model)
    for name in scenarios:
        with model:
            try:
                apply_scenario(model, name, resolver=resolver)
            except (FluxasnInputError, RoleError):
                continue
            model.slim_optimize()
            asns = resolver.role_reactions("ASNS")
            producers = [r for c in ("c", "m") for r in resolver.metabolite("aspartate", c).reactions]
            flux_variability_analysis(model, asns + producers, fraction_of_optimum=1.0, processes=1)
            try:
                pfba(model)
            except cobra.exceptions.Infeasible:
                pass
            for query in ("imp", "ump"):
                with model:
                    demand = model.add_boundary(resolver.metabolite(query, "c"), type="demand")
                    model.objective = demand
                    model.slim_optimize()
            if screens:
                single_gene_deletion(model, processes=1)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="core")
    parser.add_argument("--medium", default="RPMI-1640")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--capacity", default=None, help="'default' or a pool in g enzyme/gDW")
    args = parser.parse_args()
    model = fluxasn.load_model(args.model, medium=args.medium)
    if args.capacity is not None:
        pool = None if args.capacity == "default" else float(args.capacity)
        fluxasn.add_enzyme_capacity(model, fluxasn.enzyme_costs(model), pool=pool)
        print(f"enzyme-capacity row: pool {pool or 'default'} g/gDW; growth {model.slim_optimize():.4g} 1/h")
    start = time.perf_counter()
    matrix = run_scenarios(model, processes=args.processes)
    ours = time.perf_counter() - start
    ran = (~matrix.frame["status"].astype(str).str.startswith("not run")).sum()
    print(f"fluxasn run_scenarios ({ran} of {len(DEFAULT_SCENARIOS)} scenarios, readouts "
          f"{', '.join(default_readouts(model))}, processes={args.processes}): {ours:.1f} s")
    ref = reference(model, DEFAULT_SCENARIOS, screens="essential_genes" in default_readouts(model))
    print(f"COBRApy reference (comparable work without the ASNS partner screen, 1 process): {ref:.1f} s")
    print(f"ratio reference / fluxasn: {ref / ours:.2f}")


if __name__ == "__main__":
    main()
