"""Which growth-limiting mechanism moves which literature case, and how well each predicts NCI-60 growth.

Runs the literature suite (tests/validation/cases.py: 16 phenotypes of
asparagine, aspartate, respiration and hypoxia, each with its citation) on the
core model under every mechanism of tests/validation/mechanisms.py (plain FBA,
the enzyme pool, the pool calibrated to the median measured NCI-60 growth,
each with and without the median NCI-60 exchange rates), and prints:

1. the mechanism x case table (pass / FAIL / not modelled), the pool used, and
   what limits the growth of the control and of complex I inhibition under
   each mechanism;
2. for each of the 11 bundled NCI-60 lines, the predicted maximum growth
   under its measured uptake and secretion rates (measured growth left out)
   per mechanism without rates, against the measured growth, with Spearman's
   rho.

Every number comes from the bundled parameter set (data/enzymes); no case
sets its own. Usage::

    python scripts/mechanism_table.py             # core model
    python scripts/mechanism_table.py --csv out/  # also write the tables as CSV
    python scripts/mechanism_table.py ../shared/models/human-gem/Human-GEM_1.19.0.json.gz
        # any model file, with --medium (default RPMI-1640); kcats and MWs matched
        # by gene and EC number (fluxasn.core.enzymes.enzyme_costs), coverage printed
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "validation"))

from cases import CASES, ETC_I, evaluate_all  # noqa: E402
from mechanisms import MECHANISMS, apply_mechanism  # noqa: E402


def coverage(model) -> None:
    """How many of the model's gene-associated reactions the bundled kcat/MW set covers."""
    from fluxasn.core.enzymes import enzyme_costs

    costs = enzyme_costs(model)
    print(f"enzyme costs ({costs.source}): {len(costs)} reactions costed", flush=True)
    print(costs.coverage().to_string(index=False), flush=True)


def suite(model, names) -> tuple:
    import fluxasn
    from fluxasn.analysis.readouts import growth_limits

    table = {}
    limits = []
    for name in names:
        start = time.perf_counter()
        with model:
            info, rates = apply_mechanism(model, name)
            rows = evaluate_all(model, measurements=rates)
            for scenario in ("control", ETC_I):
                with model:
                    if rates is None:
                        fluxasn.apply_scenario(model, scenario)
                        measured = ()
                    else:
                        _, constrained = fluxasn.apply_scenario_with_rates(model, scenario, rates)
                        measured = constrained.reactions()
                    found = growth_limits(model, measured=measured)
                    limits.append({"mechanism": name, "scenario": scenario, "growth": round(found.growth, 5),
                                   "limited by": found.summary()})
        table[name] = {r["case"]: r["result"] for r in rows}
        pool = info.get("pool_g_per_gDW")
        print(f"{name}: {sum(v == 'pass' for v in table[name].values())} pass"
              + (f"; pool {pool:.4g} g/gDW ({info['pool_source']})" if pool is not None else "")
              + "".join(f"; {key}: {info[key]}" for key in ("redox", "vents") if key in info)
              + f" [{time.perf_counter() - start:.0f} s]", flush=True)
    frame = pd.DataFrame(table).loc[[c.id for c in CASES]]
    frame.loc["passed"] = [int((frame[c] == "pass").sum()) for c in frame.columns]
    return frame, pd.DataFrame(limits)


def nci60(model, names) -> tuple:
    from scipy.stats import spearmanr

    import fluxasn
    from fluxasn.analysis.rates import constrain_with_measurements

    rows = []
    names = [n for n in names if not MECHANISMS[n][1]]
    for line in fluxasn.nci60_cell_lines():
        data = fluxasn.load_nci60(line)
        measured = float(data.table.loc[data.table["key"] == "biomass", "flux"].iloc[0])
        row = {"cell_line": line, "measured_growth": measured}
        for name in names:
            with model:
                apply_mechanism(model, name)
                applied = constrain_with_measurements(model, data, relax=True, leave_out=["biomass"])
                if "biomass" not in applied.left_out:
                    raise SystemExit(f"{line}: the measured growth was not left out ({applied.left_out})")
                row[name] = model.slim_optimize(error_value=float("nan"))
        rows.append(row)
    frame = pd.DataFrame(rows)
    rho = {name: spearmanr(frame["measured_growth"], frame[name]).statistic for name in names}
    return frame, rho


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default="core", help="'core' or a model file")
    parser.add_argument("--medium", default="RPMI-1640")
    parser.add_argument("--mechanisms", help="comma-separated subset of: " + ", ".join(MECHANISMS))
    parser.add_argument("--no-nci60", action="store_true", help="skip the NCI-60 growth comparison")
    parser.add_argument("--no-suite", action="store_true", help="only the NCI-60 growth comparison")
    parser.add_argument("--csv", type=Path, help="folder to write the tables to")
    args = parser.parse_args()
    import fluxasn

    names = list(MECHANISMS) if not args.mechanisms else [m.strip() for m in args.mechanisms.split(",")]
    unknown = [m for m in names if m not in MECHANISMS]
    if unknown:
        parser.error(f"unknown mechanism(s) {unknown}; known: {list(MECHANISMS)}")
    start = time.perf_counter()
    model = fluxasn.load_model(args.model, medium=args.medium)
    label = "the fluxasn core model" if args.model == "core" else model.id or Path(args.model).name
    print(f"{label}: {len(model.reactions)} reactions, medium {args.medium} + 10% FBS, "
          f"loaded in {time.perf_counter() - start:.0f} s", flush=True)
    coverage(model)
    cases, limits = (None, None) if args.no_suite else suite(model, names)
    lines, rho = (None, {}) if args.no_nci60 else nci60(model, names)
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 90):
        if cases is not None:
            print(f"\nLiterature suite on {label} ({args.medium} + 10% FBS): mechanism x case")
            print(cases.to_string())
            print("\nWhat limits growth (three largest shadow prices, 1/h per unit)")
            print(limits.to_string(index=False))
        if lines is not None:
            print("\nNCI-60: predicted maximum growth (1/h) under each line's measured rates (growth left out)")
            print(lines.round(5).to_string(index=False))
            print("Spearman rho against measured growth: "
                  + "; ".join(f"{k} {v:.3f}" for k, v in rho.items()))
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        if cases is not None:
            cases.to_csv(args.csv / "mechanism_cases.csv")
            limits.to_csv(args.csv / "mechanism_limits.csv", index=False)
        if lines is not None:
            lines.to_csv(args.csv / "mechanism_nci60.csv", index=False)


if __name__ == "__main__":
    main()
