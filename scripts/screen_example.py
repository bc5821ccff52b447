"""Run the example screen (scripts/screen_example.toml) locally, or on Dask.

Usage::

    python scripts/screen_example.py                      # local process pool
    python scripts/screen_example.py --processes 1        # in this process
    python scripts/screen_example.py --dask               # a LocalCluster of 2 workers
    python scripts/screen_example.py --dask --scheduler tcp://host:8786

Kill it at any point (Ctrl-C, or SIGKILL) and run it again: finished chunks
are kept and the result file is the same as that of an uninterrupted run.
The same spec runs from the command line as ``fluxasn screen SPEC``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=HERE / "screen_example.toml")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--processes", type=int, default=None)
    parser.add_argument("--dask", action="store_true")
    parser.add_argument("--scheduler", default=None)
    args = parser.parse_args()

    from fluxasn.analysis.screen import run_screen

    result = run_screen(args.spec, out=args.out, processes=args.processes,
                        backend="dask" if args.dask else "local", scheduler=args.scheduler)
    print(result)
    frame = result.to_frame()
    pairs = frame[frame["knockouts"] == "gene_pairs"]
    lethal = pairs[(pairs["status"] == "optimal") & (pairs["growth"] < 1e-6)]
    print(f"\n{len(lethal)} lethal gene pairs; first ones:")
    print(lethal.head(10).to_string(index=False))


if __name__ == "__main__":  # required: pools start workers with "spawn"
    main()
