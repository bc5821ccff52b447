"""Peak memory of a screen of ~1,000,000 reaction pairs (results stream to Parquet).

Builds a synthetic model (an uptake, a growth sink and N side reactions that
carry no flux at the optimum, so the screen exercises the pair generator, the
chunking and the Parquet writer rather than the LP solver), writes a spec and
runs ``run_screen`` in this process, then prints the rows written and the
peak resident memory (``resource.getrusage``, kilobytes on Linux).

Usage::

    python scripts/screen_memory.py              # N = 1415: 1,000,405 pairs
    python scripts/screen_memory.py --n 450      # ~100,000 pairs (the CI test)
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def build_parallel_model(n: int):
    """uptake (<= 10) -> A -> growth; N side reactions A -> W_i -> (zero flux at optimum)."""
    import cobra

    model = cobra.Model(f"parallel_{n}")
    a = cobra.Metabolite("a", compartment="c")
    up = cobra.Reaction("UP", lower_bound=0, upper_bound=10)
    up.add_metabolites({a: 1})
    grow = cobra.Reaction("GROW", lower_bound=0, upper_bound=1000)
    grow.add_metabolites({a: -1})
    reactions = [up, grow]
    for i in range(n):
        w = cobra.Metabolite(f"w{i}", compartment="c")
        side = cobra.Reaction(f"S{i}", lower_bound=0, upper_bound=1000)
        side.add_metabolites({a: -1, w: 1})
        out = cobra.Reaction(f"X{i}", lower_bound=0, upper_bound=1000)
        out.add_metabolites({w: -1})
        reactions += [side, out]
    model.add_reactions(reactions)
    model.objective = "GROW"
    return model


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1415, help="side reactions screened in pairs")
    parser.add_argument("--chunk-size", type=int, default=20000)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: temporary)")
    args = parser.parse_args(argv)
    import cobra

    from fluxasn.analysis.screen import run_screen

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        model = build_parallel_model(args.n)
        cobra.io.save_json_model(model, str(folder / "parallel.json"))
        ids = json.dumps([f"S{i}" for i in range(args.n)])
        spec = folder / "memory.toml"
        spec.write_text(
            "[screen]\n"
            f"chunk_size = {args.chunk_size}\n"
            "[[model]]\nname = \"parallel\"\nsource = \"parallel.json\"\n"
            "[[knockouts]]\nname = \"pairs\"\nkind = \"reaction\"\norder = 2\n"
            f"ids = {ids}\n"
        )
        out = args.out or folder / "out"
        start = time.perf_counter()
        result = run_screen(spec, out=out, processes=1, progress=False)
        elapsed = time.perf_counter() - start
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(result.path).metadata.num_rows
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"n": args.n, "rows": rows, "seconds": round(elapsed, 1),
                      "peak_rss_mb": round(peak_kb / 1024, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
