"""Loopless FVA: fluxasn against COBRApy, side by side in one run.

For each model the script prints, with wall times (one process each):

* the cyclic reactions: ``fluxasn.analysis.loopless.cyclic_reactions`` and
  cobra's ``find_cyclic_reactions`` (same set?);
* the loop law (``method="strict"``) against cobra's MILP,
  ``flux_variability_analysis(loopless="fastSNP")``: max |difference| and
  rows over 1e-6 on every row cobra computed;
* cobra's CycleFreeFlux steps (``method="cyclefreeflux"``) against cobra's
  ``loopless="cycleFreeFlux"`` (its ``loopless=True``), and cobra against
  *itself* on the same reactions in reverse order: CycleFreeFlux FVA depends
  on which optimal vertex the LP solver returns, so cobra's own answers move
  with the order of the reactions.

Human-GEM 1.19.0 + RPMI-1640: plain FVA of every reaction, then the
CycleFreeFlux loopless bounds of every reaction (wall time), cobra on a
sample of cyclic reactions (each in a forked child with a time limit;
cobra's own ``find_cyclic_reactions`` is given a limit too and, when it does
not finish, cobra is handed fluxasn's cyclic set so that its per-reaction
time can be measured at all), and the loop law on a few bounds.

Usage::

    python scripts/bench_loopless.py                      # all of it
    python scripts/bench_loopless.py --models core iJO1366
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
HUMAN_GEM = REPO.parent / "shared" / "models" / "human-gem" / "Human-GEM_1.19.0.json.gz"
TOL = 1e-6


def load(name: str):
    import fluxasn

    if name == "human-gem":
        from fluxasn.core.media import apply_medium

        model = fluxasn.read_model_file(HUMAN_GEM)
        apply_medium(model, "RPMI-1640")
        return model
    if name == "core":
        return fluxasn.load_model("core")
    from cobra.io import load_model

    return load_model(name)


def _child(queue, func, args):
    warnings.simplefilter("ignore")
    try:
        queue.put(("ok", func(*args)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which prints it
        queue.put(("error", repr(error)))


def limited(func, args, seconds: float):
    """``(status, result, wall seconds)`` of ``func(*args)`` in a forked child, killed after ``seconds``."""
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(queue, func, args))
    start = time.time()
    proc.start()
    proc.join(seconds)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return "timeout", None, time.time() - start
    status, result = queue.get() if not queue.empty() else ("error", "no result")
    return status, result, time.time() - start


def cobra_fva(model, ids, loopless, fraction, cyclic=None):
    import cobra.flux_analysis.variability as variability

    if cyclic is not None:  # hand cobra a precomputed cyclic set
        variability.find_cyclic_reactions = lambda *a, **k: cyclic
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return variability.flux_variability_analysis(model, ids, loopless=loopless, processes=1,
                                                     fraction_of_optimum=fraction)


def cobra_cyclic(model):
    from cobra.flux_analysis.find_cyclic_reactions import find_cyclic_reactions

    np.random.seed(0)
    return find_cyclic_reactions(model)


def compare(ours: pd.DataFrame, theirs: pd.DataFrame):
    rows = theirs.index
    diff = (ours.loc[rows] - theirs).abs()
    both_nan = ours.loc[rows].isna() & theirs.isna()
    diff = diff.where(~both_nan, 0.0)
    bad = diff[(diff > TOL).any(axis=1)].index
    return float(diff.max().max()), len(bad), len(rows)


def line(label: str, ours_s: float, theirs_s, agree: str) -> None:
    ratio = f"{theirs_s / ours_s:7.1f}x" if isinstance(theirs_s, float) and ours_s > 0 else "      -"
    theirs_txt = f"{theirs_s:8.1f} s" if isinstance(theirs_s, float) else f"{theirs_s:>10}"
    print(f"  {label:44s} fluxasn {ours_s:8.1f} s   cobra {theirs_txt}   {ratio}   {agree}", flush=True)


def small_model(name: str, fraction: float, limit: float, sample: int = 0) -> None:
    """``sample``: cobra runs on this many cyclic reactions only (0: every reaction)."""
    from fluxasn.analysis.fva import fva
    from fluxasn.analysis.loopless import cyclic_reactions, loopless_bounds

    model = load(name)
    print(f"\n{name} ({len(model.reactions)} reactions), fraction_of_optimum {fraction}", flush=True)
    t = time.time()
    ours_cyc = cyclic_reactions(model)
    t_ours = time.time() - t
    status, theirs_cyc, t_theirs = limited(cobra_cyclic, (model,), limit)
    same = (status == "ok" and dict(zip(*ours_cyc)) == dict(zip(*theirs_cyc)))
    line(f"cyclic reactions ({len(ours_cyc[0])})", t_ours, t_theirs if status == "ok" else status,
         f"same set and directions: {same}")
    t = time.time()
    plain = fva(model, processes=1, fraction_of_optimum=fraction)
    t_plain = time.time() - t
    subset = random.Random(3).sample(ours_cyc[0], sample) if sample else None
    for method, cobra_name in (("strict", "fastSNP"), ("cyclefreeflux", "cycleFreeFlux")):
        stats = {}
        t = time.time()
        ours = loopless_bounds(model, plain, fraction_of_optimum=fraction, method=method, stats=stats)
        t_ours = time.time() - t + t_plain
        status, theirs, t_theirs = limited(cobra_fva, (model, subset, cobra_name, fraction), limit)
        if status != "ok":
            line(f"FVA {method} vs cobra {cobra_name}", t_ours, status, "")
            print(f"    fluxasn steps: {stats}", flush=True)
            continue
        worst, bad, n = compare(ours, theirs)
        what = f" (cobra: {sample} cyclic reactions)" if sample else ""
        line(f"FVA {method} vs cobra {cobra_name}{what}", t_ours, t_theirs,
             f"max|diff| {worst:.2e}, rows > 1e-6: {bad} of {n}")
        print(f"    fluxasn steps: {stats}", flush=True)
    cyc = subset or ours_cyc[0]
    s1, a, _ = limited(cobra_fva, (model, cyc, "cycleFreeFlux", fraction), limit)
    s2, b, _ = limited(cobra_fva, (model, cyc[::-1], "cycleFreeFlux", fraction), limit)
    if s1 == s2 == "ok":
        worst, bad, n = compare(a, b)
        print(f"  cobra cycleFreeFlux, cyclic reactions in model order vs reversed: "
              f"max|diff| {worst:.2e}, rows > 1e-6: {bad} of {n}", flush=True)


def human_gem(sample: int, limit: float, cyclic_limit: float, strict_bounds: int) -> None:
    from fluxasn.analysis.fva import fva
    from fluxasn.analysis.loopless import cyclic_reactions, loopless_bounds

    model = load("human-gem")
    print(f"\nHuman-GEM 1.19.0 + RPMI-1640 ({len(model.reactions)} reactions), fraction 1.0; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    t = time.time()
    cyc = cyclic_reactions(model)
    t_cyc = time.time() - t
    status, theirs_cyc, t_theirs = limited(cobra_cyclic, (model,), cyclic_limit)
    agree = f"same set: {dict(zip(*cyc)) == dict(zip(*theirs_cyc))}" if status == "ok" else ""
    line(f"cyclic reactions ({len(cyc[0])})", t_cyc, t_theirs if status == "ok" else
         f">{cyclic_limit:.0f} s", agree)
    ids = random.Random(7).sample(cyc[0], sample)
    rows, times, finished = [], [], []
    for rid in ids:
        status, theirs, seconds = limited(cobra_fva, (model, [rid], "cycleFreeFlux", 1.0, cyc), limit)
        times.append(seconds)
        if status == "ok":
            finished.append(rid)
            rows.append(theirs)
        print(f"    cobra cycleFreeFlux {rid}: {status} in {seconds:.1f} s"
              + (f"  cobra {theirs.loc[rid].tolist()}" if status == "ok" else ""),
              flush=True)
    if rows:
        theirs = pd.concat(rows)
        per = float(np.mean([s for s, r in zip(times, ids) if r in finished]))
        print(f"  cobra: {len(finished)} of {len(ids)} reactions within {limit:.0f} s each, "
              f"{per:.1f} s per reaction (given the cyclic set) -> all {len(cyc[0])} cyclic reactions "
              f"~{per * len(cyc[0]) / 3600:.1f} h", flush=True)
        sub = fva(model, finished, processes=1)
        t = time.time()
        alone = loopless_bounds(model, sub, method="cyclefreeflux")
        worst, bad, n = compare(alone, theirs)
        print(f"  fluxasn on the same reactions: {time.time() - t:.1f} s (with its cyclic search); "
              f"vs cobra max|diff| {worst:.2e}, rows > 1e-6: {bad} of {n}", flush=True)
        print(alone.join(theirs, rsuffix="_cobra").to_string(), flush=True)
    t = time.time()
    plain = fva(model)  # worker processes: every core
    t_plain = time.time() - t
    stats = {}
    t = time.time()
    def progress(done, total):
        print(f"    ... {done} of {total} loopless bounds after {time.time() - t:.0f} s", flush=True)

    ours = loopless_bounds(model, plain, method="cyclefreeflux", stats=stats, progress=progress)
    t_loop = time.time() - t
    print(f"  plain FVA, all reactions: {t_plain:.1f} s; CycleFreeFlux loopless bounds "
          f"(includes the cyclic search): {t_loop:.1f} s; total {t_plain + t_loop:.1f} s "
          f"({t_plain + t_loop < 600 and 'under' or 'over'} 10 minutes)", flush=True)
    print(f"    fluxasn steps: {stats}", flush=True)
    if rows:
        worst, bad, n = compare(ours, theirs)
        print(f"  fluxasn's full run vs cobra's sample: max|diff| {worst:.2e}, rows > 1e-6: {bad} of {n}",
              flush=True)
    if strict_bounds:
        pick = plain.loc[ids[:strict_bounds]]  # noqa: the full plain FVA above
        st = {}
        t = time.time()
        strict = loopless_bounds(model, pick, method="strict", stats=st)
        print(f"  loop law (strict) on {len(pick)} reactions: {time.time() - t:.1f} s, steps {st}", flush=True)
        print(strict.join(ours.loc[pick.index], rsuffix="_cff").to_string(), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["core", "iJO1366", "human-gem"])
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per cobra task")
    parser.add_argument("--small-sample", type=int, default=10,
                        help="cyclic reactions cobra runs on iJO1366 (0: all)")
    parser.add_argument("--sample", type=int, default=6, help="Human-GEM reactions cobra runs")
    parser.add_argument("--cyclic-limit", type=float, default=300.0,
                        help="seconds for cobra's find_cyclic_reactions on Human-GEM")
    parser.add_argument("--strict-bounds", type=int, default=0,
                        help="Human-GEM sample reactions also run with the loop law")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    for name in args.models:
        if name == "human-gem":
            human_gem(args.sample, args.limit, args.cyclic_limit, args.strict_bounds)
        else:
            for fraction in (1.0, 0.9):
                small_model(name, fraction, args.limit, 0 if name == "core" else args.small_sample)


if __name__ == "__main__":
    main()
