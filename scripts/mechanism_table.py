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


def suite(model) -> tuple:
    import fluxasn
    from fluxasn.analysis.readouts import growth_limits

    table = {}
    limits = []
    for name in MECHANISMS:
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
              + f" [{time.perf_counter() - start:.0f} s]", flush=True)
    frame = pd.DataFrame(table).loc[[c.id for c in CASES]]
    frame.loc["passed"] = [int((frame[c] == "pass").sum()) for c in frame.columns]
    return frame, pd.DataFrame(limits)


def nci60(model) -> tuple:
    from scipy.stats import spearmanr

    import fluxasn
    from fluxasn.analysis.rates import constrain_with_measurements

    rows = []
    names = [n for n, (_, rates) in MECHANISMS.items() if not rates]
    for line in fluxasn.nci60_cell_lines():
        data = fluxasn.load_nci60(line)
        measured = float(data.table.loc[data.table["key"] == "biomass", "flux"].iloc[0])
        row = {"cell_line": line, "measured_growth": measured}
        for name in names:
            with model:
                apply_mechanism(model, name)
                constrain_with_measurements(model, data, relax=True, leave_out=["biomass"])
                row[name] = model.slim_optimize(error_value=float("nan"))
        rows.append(row)
    frame = pd.DataFrame(rows)
    rho = {name: spearmanr(frame["measured_growth"], frame[name]).statistic for name in names}
    return frame, rho


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="folder to write the tables to")
    args = parser.parse_args()
    import fluxasn

    model = fluxasn.load_model("core")
    cases, limits = suite(model)
    lines, rho = nci60(model)
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 90):
        print("\nLiterature suite on the fluxasn core model (RPMI-1640 + 10% FBS): mechanism x case")
        print(cases.to_string())
        print("\nWhat limits growth (three largest shadow prices, 1/h per unit)")
        print(limits.to_string(index=False))
        print("\nNCI-60: predicted maximum growth (1/h) under each line's measured rates (growth left out)")
        print(lines.round(5).to_string(index=False))
        print("Spearman rho against measured growth: "
              + "; ".join(f"{k} {v:.3f}" for k, v in rho.items()))
    if args.csv is not None:
        args.csv.mkdir(parents=True, exist_ok=True)
        cases.to_csv(args.csv / "mechanism_cases.csv")
        limits.to_csv(args.csv / "mechanism_limits.csv", index=False)
        lines.to_csv(args.csv / "mechanism_nci60.csv", index=False)


if __name__ == "__main__":
    main()
