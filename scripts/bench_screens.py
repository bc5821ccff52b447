"""fluxasn against COBRApy, side by side in one run: knockout screens and FVA.

Both tools run in this process with ``processes=1``; cobra uses its default
solver (GLPK through optlang), fluxasn its own warm LP layer (GLPK, or HiGHS
where measured faster: knockouts on models with >= 5,000 reactions). For each
task the script prints both times, their ratio against the goal, the LPs each
tool solves and whether the answers agree (growth or min/max within 1e-6,
identical statuses) on every row cobra computed.

Goals (Human-GEM with RPMI-1640): single-gene screen of all genes >= 20x,
double-gene screen of 200 genes (19,900 pairs) >= 50x, FVA of all reactions
>= 10x.

``--quick`` runs cobra on a random sample only and scales its time to the
full task (time per deletion or per reaction x count; printed as
"extrapolated"); agreement is then checked on the sample. fluxasn always runs
the full task, except FVA with ``--quick``, which runs both tools on the same
random reaction sample (``--fva-reactions``).

Usage::

    python scripts/bench_screens.py --quick                 # Human-GEM + RPMI, sampled cobra
    python scripts/bench_screens.py                         # full cobra runs (hours)
    python scripts/bench_screens.py --model iJO1366         # cobra's bundled iJO1366
    python scripts/bench_screens.py --tasks allpairs --allpairs-genes 400   # 2 processes
    python scripts/bench_screens.py --tasks allpairs --allpairs-genes all --check-pairs 20000

Measured 2026-12-07, Human-GEM + RPMI-1640, processes=2, shared machine (wall
includes starting the workers and their single-deletion tables): 200 genes
38.4 s (87 LPs), 400 genes 32.2-43.6 s (154-158 LPs; the witness search's
time budget moves LP counts, never answers), 1,000 genes 177.9 s (1,155 LPs),
all 2,887 genes 978.9 s; every sampled pair equal to COBRApy's.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's fluxasn, also in spawned workers
HUMAN_GEM = REPO.parent / "shared" / "models" / "human-gem" / "Human-GEM_1.19.0.json.gz"
TOL = 1e-6


def load(name: str, medium: str):
    if name.lower() in ("human-gem", "humangem", "human_gem"):
        import fluxasn
        from fluxasn.core.media import apply_medium

        model = fluxasn.read_model_file(HUMAN_GEM)
        apply_medium(model, medium)
        return model, f"Human-GEM 1.19.0 + {medium}"
    from cobra.io import load_model

    return load_model(name), name


def compare_rows(ours: pd.DataFrame, theirs: pd.DataFrame):
    theirs = theirs.assign(ids=theirs["ids"].map(frozenset))
    merged = ours.merge(theirs, on="ids", suffixes=("", "_c"))
    same_status = (merged["status"] == merged["status_c"]).all()
    both_nan = merged["growth"].isna() & merged["growth_c"].isna()
    diff = (merged["growth"] - merged["growth_c"]).abs().where(~both_nan, 0.0)
    worst = float(diff.max()) if len(diff) else 0.0
    return len(merged), bool(same_status and worst <= TOL), worst


def row(task, t_ours, t_cobra, extrapolated, goal, lps_ours, lps_cobra, agree, checked, worst,
        solver):
    ratio = t_cobra / t_ours if t_ours > 0 else math.inf
    return {
        "task": task, "fluxasn_s": round(t_ours, 1),
        "cobra_s": round(t_cobra, 1), "cobra_time": "extrapolated" if extrapolated else "measured",
        "ratio": round(ratio, 1), "goal": goal, "goal_met": ratio >= goal,
        "lps_fluxasn": lps_ours, "lps_cobra": lps_cobra,
        "rows_checked": checked, "max_diff": f"{worst:.1e}", "agree": agree,
        "fluxasn_solver": solver,
    }


def bench_single(model, args, rng):
    from cobra.flux_analysis import single_gene_deletion

    from fluxasn.analysis.knockouts import knockout_screen

    genes = [g.id for g in model.genes]
    start = time.perf_counter()
    ours = knockout_screen(model, genes=genes, processes=1)
    t_ours = time.perf_counter() - start
    sample = genes if not args.quick else rng.sample(genes, min(args.sample_genes, len(genes)))
    start = time.perf_counter()
    theirs = single_gene_deletion(model, sample, processes=1)
    t_cobra = (time.perf_counter() - start) * len(genes) / len(sample)
    checked, agree, worst = compare_rows(ours.to_frame(), theirs)
    return row(f"single-gene, {len(genes)} genes", t_ours, t_cobra, args.quick, 20,
               ours.lps_solved, len(genes), agree, checked, worst, _solver(model))


def bench_double(model, args, rng):
    from cobra.flux_analysis import double_gene_deletion

    from fluxasn.analysis.knockouts import knockout_screen

    genes = rng.sample([g.id for g in model.genes], min(args.pair_genes, len(model.genes)))
    n_pairs = len(genes) * (len(genes) - 1) // 2
    start = time.perf_counter()
    ours = knockout_screen(model, genes=genes, order=2, processes=1)
    t_ours = time.perf_counter() - start
    if args.quick:
        sub = genes[: args.sample_pair_genes]
        start = time.perf_counter()
        theirs = double_gene_deletion(model, sub, processes=1)
        elapsed = time.perf_counter() - start
        per_set = elapsed / len(theirs)  # cobra solved every unique set (pairs and singles)
        t_cobra = per_set * (n_pairs + len(genes))
    else:
        start = time.perf_counter()
        theirs = double_gene_deletion(model, genes, processes=1)
        t_cobra = time.perf_counter() - start
    theirs = theirs[theirs["ids"].map(len) == 2]
    checked, agree, worst = compare_rows(ours.to_frame(), theirs)
    return row(f"double-gene, {len(genes)} genes ({n_pairs} pairs)", t_ours, t_cobra, args.quick,
               50, ours.lps_solved, n_pairs + len(genes), agree, checked, worst, _solver(model))


def bench_fva(model, args, rng):
    from cobra.flux_analysis import flux_variability_analysis

    from fluxasn.analysis.fva import fva

    reactions = [r.id for r in model.reactions]
    if args.quick:
        reactions = sorted(rng.sample(reactions, min(args.fva_reactions, len(reactions))),
                           key=[r.id for r in model.reactions].index)
    stats = {}
    start = time.perf_counter()
    ours = fva(model, reactions, processes=1, stats=stats)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs = flux_variability_analysis(model, reactions, processes=1)
    t_cobra = time.perf_counter() - start
    diff = (ours - theirs).abs()
    worst = float(diff.max().max())
    bad = diff[(diff > TOL).any(axis=1)].index
    agree = len(bad) == 0
    note = ""
    if len(bad):  # settle with GLPK's exact simplex (cobra's solver "glpk_exact")
        exact = model.copy()
        exact.solver = "glpk_exact"
        settled = flux_variability_analysis(exact, list(bad), processes=1)
        ours_ok = bool(((ours.loc[bad] - settled).abs() <= TOL).all().all())
        cobra_ok = bool(((theirs.loc[bad] - settled).abs() <= TOL).all().all())
        note = (f"; {len(bad)} rows differ, exact re-solve: fluxasn "
                f"{'right' if ours_ok else 'WRONG'}, cobra {'right' if cobra_ok else 'wrong'}")
        agree = ours_ok
    what = f"FVA, {len(reactions)} reactions" + (" (random sample)" if args.quick else "")
    result = row(what, t_ours, t_cobra, False, 10, stats.get("lps"), 1 + 2 * len(reactions),
                 agree, len(reactions), worst, "glpk")
    result["note"] = note
    return result


def bench_allpairs(model, args, rng):
    """Every pair of ``--pair-genes`` random genes (``all``: every gene) on ``--processes``.

    Genes: ``random.Random(--pair-seed).sample(sorted(gene ids), N)``. ``all``
    streams through :func:`fluxasn.analysis.screen.run_screen` (Parquet parts,
    resumable); subsets run :func:`knockout_screen`, which also counts LPs.
    Agreement: COBRApy's ``double_gene_deletion(model, [a], [b])`` on
    ``--check-pairs`` random pairs, half of them drawn among pairs that grow
    less than the reference (the pairs an LP or a rule changed).
    """
    from fluxasn.analysis.knockouts import knockout_screen

    full = str(args.pair_genes_all).lower() == "all"
    if model is None and not full:
        model = load(args.model, args.medium)[0]
    if full:  # the screen reads the model itself; this process loads it only after the screen,
        genes = None  # so the memory printed is the screen's
    else:
        every = sorted(g.id for g in model.genes)
        genes = random.Random(args.pair_seed).sample(every, int(args.pair_genes_all))
        n_genes = len(genes)
    start = time.perf_counter()
    with PeakRSS() as memory:
        if full or args.stream:
            screen = _allpairs_screen(args, genes)
            path, lps = screen.path, None
        else:
            result = knockout_screen(model, genes=genes, order=2, processes=args.processes)
            frame, lps = result.to_frame(), result.lps_solved
    wall = time.perf_counter() - start
    if full:
        n_genes = len(screen.tasks[0].ids)
    n_pairs = n_genes * (n_genes - 1) // 2
    print(f"all-pairs: {n_genes} genes, {n_pairs} pairs, processes={args.processes}: "
          f"{wall:.1f} s wall, {n_pairs / wall:.0f} pairs/s, LPs {lps}, {memory.describe()}",
          flush=True)
    if full or args.stream:
        if args.dask_chunks:
            _dask_part(args, Path(path).parent)
        frame = pd.read_parquet(path, columns=["id1", "id2", "growth", "status"])
    if model is None:
        model = load(args.model, args.medium)[0]
    ref = model.slim_optimize()
    low = frame[~((frame["growth"] - ref).abs() <= 1e-9)]
    n_low = len(low)
    k = min(args.check_pairs, len(frame))
    low = low.sample(n=min(k // 2, len(low)), random_state=args.seed)
    sample = pd.concat([frame.drop(index=low.index).sample(n=k - len(low), random_state=args.seed),
                        low])  # k distinct pairs
    low_sampled = len(low)
    del frame, low
    if "ids" not in sample:
        sample = sample.assign(ids=[frozenset(p) for p in zip(sample.pop("id1"), sample.pop("id2"))])
    check_start = time.perf_counter()
    theirs = _cobra_pairs(model, args, [tuple(sorted(ids)) for ids in sample["ids"]])
    t_check = time.perf_counter() - check_start
    checked, agree, worst = compare_rows(sample, theirs)
    limited = int(theirs.pop("settled_by_highs").sum()) if "settled_by_highs" in theirs else 0
    print(f"cobra ({args.check_processes} processes) checked {checked} pairs in {t_check:.1f} s wall "
          f"({n_low} rows of the screen below the reference growth, {low_sampled} of them in "
          f"the sample), agree {agree}, max difference {worst:.2g}; "
          f"{limited} pairs hit GLPK's {CHECK_TIMEOUT:g} s limit in cobra and were settled by cobra "
          "on HiGHS (optlang hybrid)", flush=True)
    if not agree and checked:
        agree, worst = _settle(model, sample, theirs, args)
    out = row(f"all-pairs, {n_genes} genes ({n_pairs} pairs)", wall,
              t_check * args.check_processes / checked * n_pairs if checked else math.nan, True, 100,
              lps, n_pairs,
              agree, checked, worst, _solver(model))
    return out


def _settle(model, sample: pd.DataFrame, theirs: pd.DataFrame, args):
    """Rows where cobra's warm answer differs by more than TOL, solved again by cobra alone on
    a fresh copy of the model (cold GLPK, and HiGHS through optlang "hybrid"), as the tests
    settle them; every compared row is written to ``cobra_check.csv`` in ``--screen-dir``.

    Returns ``(agree, worst)`` after settling: a row agrees when fluxasn is within TOL of
    cobra's warm answer or of both fresh re-solves.
    """
    from cobra.flux_analysis import double_gene_deletion

    theirs = theirs.assign(ids=theirs["ids"].map(frozenset))
    merged = sample.merge(theirs, on="ids", suffixes=("", "_c"))
    diff = (merged["growth"] - merged["growth_c"]).abs()
    bad = merged[~(diff <= TOL) & ~(merged["growth"].isna() & merged["growth_c"].isna())
                 | (merged["status"] != merged["status_c"])]
    print(f"{len(bad)} rows differ from cobra's warm answer by more than {TOL:g} (or in status); "
          "each solved again by cobra on a fresh copy (cold GLPK, then HiGHS):", flush=True)
    settled = []
    for _, r in bad.iterrows():
        a, b = sorted(r["ids"])
        answers = {}
        for solver in ("glpk", "hybrid"):
            fresh = model.copy()
            fresh.solver = solver
            out = double_gene_deletion(fresh, [a], [b], processes=1).iloc[0]
            answers[solver] = (float(out["growth"]), out["status"])
        ok = all(st == r["status"] and abs(g - r["growth"]) <= TOL for g, st in answers.values())
        settled.append(ok)
        print(f"  {a} + {b}: fluxasn {r['growth']:.9g} ({r['status']}), cobra warm "
              f"{r['growth_c']:.9g}, cobra fresh GLPK {answers['glpk'][0]:.9g}, fresh HiGHS "
              f"{answers['hybrid'][0]:.9g}: {'fluxasn agrees with both fresh' if ok else 'DIFFERS'}",
              flush=True)
    if args.screen_dir:
        out = Path(args.screen_dir) / "cobra_check.csv"
        merged.assign(ids=merged["ids"].map(lambda s: "+".join(sorted(s)))).to_csv(out, index=False)
        print(f"compared rows written to {out}", flush=True)
    rest = merged.drop(index=bad.index)
    worst = float((rest["growth"] - rest["growth_c"]).abs().max()) if len(rest) else 0.0
    return all(settled), worst


class PeakRSS:
    """Largest memory of this process and all its descendants together, sampled in a thread.

    Resident memory (RSS) every ``interval`` seconds: its sum counts pages
    shared between processes (libraries, the interpreter) once per process, an
    upper bound. Proportional set size (PSS, ``/proc/<pid>/smaps_rollup``)
    every ``pss_every`` samples: a shared page counts 1/n in each of its n
    processes, so the sum is the physical memory the processes use together.
    """

    def __init__(self, interval: float = 0.25, pss_every: int = 4) -> None:
        self.interval = interval
        self.pss_every = pss_every
        self.peak_mb = math.nan
        self.pss_mb = math.nan
        self.samples = 0

    def __enter__(self):
        import threading

        import psutil

        self._stop = threading.Event()
        me = psutil.Process()
        self.before_mb = me.memory_info().rss / 2 ** 20
        peak = [0, 0, 0, 0]  # total, this process, descendants at the RSS peak; PSS peak

        def sample():
            while not self._stop.is_set():
                full = self.samples % self.pss_every == 0
                procs = [me] + me.children(recursive=True)
                rss = []
                pss = 0
                for proc in procs:
                    try:
                        rss.append(proc.memory_info().rss)
                        if full:
                            pss += proc.memory_full_info().pss
                    except psutil.Error:  # a worker that just ended
                        rss.append(0)
                if sum(rss) > peak[0]:
                    peak[:3] = [sum(rss), rss[0], sum(rss) - rss[0]]
                peak[3] = max(peak[3], pss)
                self.samples += 1
                self._stop.wait(self.interval)

        self._peak = peak
        self._thread = threading.Thread(target=sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb, self.self_mb, self.children_mb, self.pss_mb = (x / 2 ** 20 for x in self._peak)
        return False

    def describe(self) -> str:
        return (f"peak memory of all processes together: PSS {self.pss_mb:.0f} MB (shared pages "
                f"counted once, every {self.interval * self.pss_every:g} s); "
                f"RSS {self.peak_mb:.0f} MB: this process "
                f"{self.self_mb:.0f} MB ({self.before_mb:.0f} MB before the screen), its "
                f"workers {self.children_mb:.0f} MB; "
                f"the screen's own: {self.peak_mb - self.before_mb:.0f} MB (sampled every "
                f"{self.interval} s, {self.samples} samples)")


_CHECK_MODEL = None
_HIGHS_MODEL = None

#: Seconds one cobra (GLPK) deletion LP may take in the check. On Human-GEM + RPMI-1640 cobra's
#: GLPK ran over 20 minutes on the pair ENSG00000139428 + ENSG00000147383 (2026-12-07) while the
#: others take about 0.5 s; such a pair is settled by cobra on HiGHS instead.
CHECK_TIMEOUT = 120  # optlang-GLPK takes whole seconds


def _check_init(name: str, medium: str) -> None:
    global _CHECK_MODEL
    _CHECK_MODEL = load(name, medium)[0]


def _check_pairs(pairs):
    """cobra's ``double_gene_deletion`` per pair; a GLPK solve over :data:`CHECK_TIMEOUT` is
    settled by cobra on HiGHS (``settled_by_highs`` True)."""
    global _HIGHS_MODEL
    from cobra.flux_analysis import double_gene_deletion

    rows = []
    old = _CHECK_MODEL.solver.configuration.timeout
    _CHECK_MODEL.solver.configuration.timeout = CHECK_TIMEOUT
    try:
        for a, b in pairs:
            row = double_gene_deletion(_CHECK_MODEL, [a], [b], processes=1)
            slow = row["status"].iloc[0] == "time_limit"
            if slow:
                if _HIGHS_MODEL is None:
                    _HIGHS_MODEL = _CHECK_MODEL.copy()
                    _HIGHS_MODEL.solver = "hybrid"
                row = double_gene_deletion(_HIGHS_MODEL, [a], [b], processes=1)
            rows.append(row.assign(settled_by_highs=slow))
    finally:
        _CHECK_MODEL.solver.configuration.timeout = old
    return pd.concat(rows, ignore_index=True)


def _cobra_pairs(model, args, pairs):
    """COBRApy's ``double_gene_deletion`` of each pair, on ``--check-processes`` processes
    (each loads the model and applies the medium itself; one pair per call)."""
    global _CHECK_MODEL
    if not pairs:  # --check-pairs 0: time and memory only
        return pd.DataFrame({"ids": [], "growth": [], "status": []})
    if args.check_processes <= 1 or len(pairs) < 100:
        _CHECK_MODEL = model
        return _check_pairs(pairs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = 200
    batches = [pairs[i:i + size] for i in range(0, len(pairs), size)]
    with ProcessPoolExecutor(args.check_processes, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_check_init, initargs=(args.model, args.medium)) as pool:
        return pd.concat(list(pool.map(_check_pairs, batches)), ignore_index=True)


def _dask_part(args, out: Path) -> None:
    """Recompute ``--dask-chunks`` parts of the finished local screen on a Dask LocalCluster
    (``--processes`` workers) and check that every part and the result file are byte-identical."""
    import shutil

    from fluxasn.analysis.screen import run_screen

    target = out.parent / (out.name + "-dask")
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(out, target)
    parts = sorted((target / "parts").glob("*.parquet"))
    step = max(1, len(parts) // args.dask_chunks)
    chosen = parts[::step][: args.dask_chunks]
    for path in chosen:
        path.unlink()
    start = time.perf_counter()
    result = run_screen(out.parent / "allpairs.toml", out=target, backend="dask",
                        processes=args.processes, progress=False)
    wall = time.perf_counter() - start
    same_parts = all((out / "parts" / p.name).read_bytes() == p.read_bytes() for p in chosen)
    same = Path(result.path).read_bytes() == (out / "result.parquet").read_bytes()
    rows = sum(pd.read_parquet(p, columns=["status"]).shape[0] for p in chosen)
    print(f"Dask LocalCluster ({args.processes} workers): {result.computed} of {result.n_chunks} "
          f"chunks ({rows} pairs) computed again in {wall:.1f} s wall: parts byte-identical "
          f"{same_parts}, result file byte-identical {same}", flush=True)
    if not (same_parts and same and result.computed == len(chosen)):
        raise SystemExit("Dask run differs from the local run")


def _allpairs_screen(args, genes):
    """Every pair of ``genes`` (None: every gene) through run_screen (Parquet, resumable);
    returns its :class:`~fluxasn.analysis.screen.ScreenResult`."""
    import tempfile

    from fluxasn.analysis.screen import run_screen

    folder = Path(args.screen_dir) if args.screen_dir else Path(tempfile.mkdtemp(prefix="allpairs-"))
    folder.mkdir(parents=True, exist_ok=True)
    spec = folder / "allpairs.toml"
    n = len(genes) if genes is not None else None
    chunk = 100000 if n is None else min(100000, max(2000, n * (n - 1) // 2 // (8 * args.processes)))
    spec.write_text(
        f'[screen]\nname = "allpairs"\nmethod = "fba"\nchunk_size = {chunk}\n\n'
        f'[[model]]\nname = "human"\nsource = "{HUMAN_GEM}"\n\n'
        f'[[condition]]\nname = "medium"\nmedium = "{args.medium}"\n\n'
        '[[knockouts]]\nname = "pairs"\nkind = "gene"\norder = 2\nids = '
        + ('"all"' if genes is None else "[" + ", ".join(f'"{g}"' for g in genes) + "]") + "\n")
    return run_screen(spec, out=folder / "out", processes=args.processes, progress=False)


def _solver(model) -> str:
    from fluxasn.lp.problem import AUTO_HIGHS_REACTIONS

    return "highs" if len(model.reactions) >= AUTO_HIGHS_REACTIONS else "glpk"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="fluxasn vs cobra: knockout screens and FVA")
    parser.add_argument("--model", default="human-gem",
                        help="human-gem (with --medium applied) or a cobra bundled model")
    parser.add_argument("--medium", default="RPMI-1640")
    parser.add_argument("--quick", action="store_true",
                        help="run cobra on a sample and extrapolate its time")
    parser.add_argument("--tasks", default="single,double,fva")
    parser.add_argument("--pair-genes", type=int, default=200)
    parser.add_argument("--sample-genes", type=int, default=150)
    parser.add_argument("--sample-pair-genes", type=int, default=15)
    parser.add_argument("--fva-reactions", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--allpairs-genes", dest="pair_genes_all", default="200",
                        help="allpairs: number of random genes, or 'all'")
    parser.add_argument("--pair-seed", type=int, default=20261202,
                        help="allpairs: seed of random.Random over the sorted gene ids")
    parser.add_argument("--processes", type=int, default=2, help="allpairs: processes")
    parser.add_argument("--check-pairs", type=int, default=300,
                        help="allpairs: pairs checked against COBRApy")
    parser.add_argument("--check-processes", type=int, default=2,
                        help="allpairs: processes for COBRApy's check (each loads the model)")
    parser.add_argument("--dask-chunks", type=int, default=0,
                        help="allpairs through run_screen: recompute this many chunks on a Dask "
                             "LocalCluster and compare with the local run")
    parser.add_argument("--stream", action="store_true",
                        help="allpairs: run subsets through run_screen too (no LP count)")
    parser.add_argument("--screen-dir", default=None,
                        help="allpairs all: output folder (resumable), default a temporary one")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    start = time.perf_counter()
    tasks = [t.strip() for t in args.tasks.split(",")]
    model = None
    if tasks != ["allpairs"] or str(args.pair_genes_all).lower() != "all":
        model, label = load(args.model, args.medium)
        print(f"model: {label} ({len(model.reactions)} reactions, {len(model.genes)} genes), "
              f"loaded in {time.perf_counter() - start:.1f} s; cobra solver: "
              f"{type(model.solver).__module__.split('.')[-1]}; processes=1 for both"
              + ("; --quick" if args.quick else ""), flush=True)
    else:
        print("all-pairs of every gene: this process loads the model after the screen "
              "(for COBRApy's check)", flush=True)
    rows = []
    for task in tasks:
        fn = {"single": bench_single, "double": bench_double, "fva": bench_fva,
              "allpairs": bench_allpairs}[task]
        result = fn(model, args, rng)
        rows.append(result)
        print(" | ".join(f"{k}={v}" for k, v in result.items()), flush=True)
    frame = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(frame.drop(columns=[c for c in ("note",) if c in frame]).to_string(index=False))
    for r in rows:
        if r.get("note"):
            print(r["task"] + r["note"])
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
