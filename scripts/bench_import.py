#!/usr/bin/env python
"""Time ``import fluxasn`` beside ``import cobra`` (fresh interpreters, best of several runs).

``import fluxasn`` loads only the package's ground floor (names are imported
when first used), so it should cost a small fraction of ``import cobra``;
the first analysis then pays for cobra once. Also timed: the first use of a
name (``fluxasn.load_model``), which imports cobra, and ``fluxasn --help``.

Usage: python scripts/bench_import.py [--repeat 5]
"""
import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path


def best(command, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    python = sys.executable
    base = best([python, "-c", "pass"], args.repeat)
    rows = [
        ("python -c pass", base),
        ("import cobra", best([python, "-c", "import cobra"], args.repeat)),
        ("import fluxasn", best([python, "-c", "import fluxasn"], args.repeat)),
        ("import fluxasn; fluxasn.load_model", best([python, "-c", "import fluxasn; fluxasn.load_model"],
                                                    args.repeat)),
    ]
    cli = shutil.which("fluxasn") or str(Path(python).with_name("fluxasn"))
    if Path(cli).exists():
        rows.append(("fluxasn --help", best([cli, "--help"], args.repeat)))
    cobra = rows[1][1] - base
    print(f"best of {args.repeat} fresh interpreters; 'net' = minus the interpreter's own start")
    print(f"{'command':<40} {'wall s':>8} {'net s':>8} {'net / import cobra':>20}")
    for name, seconds in rows:
        net = seconds - base
        print(f"{name:<40} {seconds:8.3f} {net:8.3f} {net / cobra:20.3f}")


if __name__ == "__main__":
    main()
